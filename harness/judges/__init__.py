"""How well a GAN has learned its data, as numbers: Fréchet distance, digit classes, confidence.

Eyeballing samples tells you little about a GAN: whether all ten digits appear, whether they are
sharp. A judge measures it. ``MnistJudge`` (``digits``) compares generated digits with MNIST's test
digits in the penultimate-layer features of a small digit classifier (``classifier``: trained
once, cached in ``data_dir``, never downloaded):

- the **Fréchet distance** (FD) between the two sets of features (FID, with this classifier in
  place of Inception), next to two floors measured in the same run: real digits against other
  real digits (the best reachable) and uniform noise against real digits (the worst);
- the share of each predicted digit class (mode coverage: a GAN that draws only 1s fails here);
- the mean confidence of the top class (blurry or ambiguous digits score low).

For faces no pretrained network can be fetched, so ``RandomFeatureJudge`` (``faces``) gives the
same distance in the features of a fixed random-weight convolutional network: a weaker signal,
which tells a better run from a worse one but means little on its own. ``distance`` is the
maths; ``network`` the networks; ``judge`` what the two judges share.

All images are float arrays of shape (n, 28, 28, channels) in [-1, 1], as the generator draws.
"""

from harness.judges.classifier import CLASSIFIER_FILE, as_served
from harness.judges.digits import MNIST_SHARES, MnistJudge, furthest_share
from harness.judges.distance import frechet_distance
from harness.judges.faces import RandomFeatureJudge
from harness.judges.judge import Judge

__all__ = [
    "CLASSIFIER_FILE",
    "MNIST_SHARES",
    "Judge",
    "MnistJudge",
    "RandomFeatureJudge",
    "as_served",
    "frechet_distance",
    "furthest_share",
]

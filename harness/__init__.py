"""The machinery around the learner's code: data, the training run and its parts, measures, reports.

The notebook, ``helper.py`` and ``problem_unittests.py`` are the learner's; everything else they
use lives here. Imports run one way, from the top of this list to the bottom:

- ``project``, ``execution``, ``self_review``: reading and running the notebook, its report and
  its self-review (for the commands ``run_notebook.py``, ``student_edition.py``, ``submission.py``);
- ``review``: taking someone else's submission apart without trusting it;
- ``training``: the run around the learner's ``train``: a small loop (``training.loop``) that tells
  the parts it is given (progress, film, quality, checkpoints, the weight average) what happened;
- ``rubric``: the rubric's items, for the self-review and the reviewer's draft alike;
- ``checkpoint_store``, ``pictures``, ``judges``: saving runs, pictures of them, and judges of
  their samples;
- ``data``: getting the data sets (sources, download, extraction) and serving them (decoding, cache);
- ``atomic``, ``messages``: writing files all or nothing, and the wording of errors.
"""

import os

# The one place TensorFlow's legacy Keras is chosen: tf.compat.v1.layers (the notebook's, the
# checks', the digit classifier's) need it, and TensorFlow reads this when it first loads. Every
# entry point (the notebook's setup cell, problem_unittests, the commands, the benchmarks, a Dask
# worker, the review's sandboxed processes) imports this package before TensorFlow.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

"""harness/judges/: the Fréchet distance, the digit judge and its cached classifier, the face judge."""

import numpy as np
import pytest
from helpers.archives import gzip_bytes, idx_images, idx_labels

from harness import judges
from harness.data import errors
from harness.judges import classifier


def test_frechet_distance_of_one_dimensional_sets_is_the_closed_form():
    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 2.0, (500, 1)), rng.normal(-0.5, 0.5, (400, 1))
    expected = (a.mean() - b.mean()) ** 2 + (a.std(ddof=1) - b.std(ddof=1)) ** 2

    assert judges.frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_is_zero_for_one_set_symmetric_and_rotation_free():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(300, 4)) @ rng.normal(size=(4, 4))
    b = rng.normal(size=(300, 4)) + 2
    rotation, _ = np.linalg.qr(rng.normal(size=(4, 4)))

    assert judges.frechet_distance(a, a) == pytest.approx(0, abs=1e-9)
    assert judges.frechet_distance(a, b) == pytest.approx(judges.frechet_distance(b, a), rel=1e-9)
    assert judges.frechet_distance(a @ rotation, b @ rotation) == pytest.approx(
        judges.frechet_distance(a, b), rel=1e-9
    )


def test_frechet_distance_refuses_mismatched_features():
    with pytest.raises(ValueError, match=r"same d.*\(5, 3\) and \(5, 2\)"):
        judges.frechet_distance(np.zeros((5, 3)), np.zeros((5, 2)))


def stand_in_digits(count, seed):
    """Digits whose class is a bar's row: learnable in a few steps, like MNIST for a small net."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, count).astype(np.uint8)
    images = rng.integers(0, 40, (count, 28, 28)).astype(np.uint8)
    for image, label in zip(images, labels, strict=True):
        image[3 + 2 * label : 5 + 2 * label, 4:24] = 255
    return images, labels


@pytest.fixture
def mnist_dir(tmp_path, use_source):
    """A data folder holding MNIST's four files, made of stand-in digits, as if downloaded."""
    train, train_labels = stand_in_digits(2560, 0)
    test, test_labels = stand_in_digits(600, 1)
    files = {
        "mnist": gzip_bytes(idx_images(train)),
        "mnist-train-labels": gzip_bytes(idx_labels(train_labels)),
        "mnist-test-images": gzip_bytes(idx_images(test)),
        "mnist-test-labels": gzip_bytes(idx_labels(test_labels)),
    }
    for name, archive in files.items():
        source = use_source(name, archive, ())
        (tmp_path / source.archive).write_bytes(archive)
    return tmp_path


@pytest.fixture(scope="module")
def trained():
    """The classifier file the module's first judge trained (the digits are the same each time)."""
    return {}


@pytest.fixture
def judge(mnist_dir, trained):
    """A judge of the stand-in digits: its classifier trained once for the module, then its cache."""
    if trained:
        (mnist_dir / classifier.CLASSIFIER_FILE).write_bytes(trained["file"])
    made = judges.MnistJudge(mnist_dir, samples=600)
    trained.setdefault("file", (mnist_dir / classifier.CLASSIFIER_FILE).read_bytes())
    return made


def test_digit_judge_trains_a_classifier_and_caches_it(mnist_dir):
    judge = judges.MnistJudge(mnist_dir, samples=600)

    assert judge.accuracy > 0.95
    assert (mnist_dir / judges.CLASSIFIER_FILE).is_file()
    assert judge.floors["real"] < judge.floors["noise"] / 10


def test_a_cached_classifier_is_loaded_not_trained(judge, mnist_dir, monkeypatch):
    monkeypatch.setattr(classifier, "_train", lambda *args: pytest.fail("trained again"))

    again = judges.MnistJudge(mnist_dir, samples=600)

    assert again.accuracy == judge.accuracy
    np.testing.assert_allclose(again.real_features, judge.real_features, rtol=1e-5, atol=1e-5)


def test_a_classifier_of_another_version_is_trained_anew(judge, mnist_dir, monkeypatch):
    monkeypatch.setattr(classifier, "CLASSIFIER_VERSION", classifier.CLASSIFIER_VERSION + 1)
    trained = []
    original = classifier._train
    monkeypatch.setattr(classifier, "_train", lambda *args: trained.append(1) or original(*args))

    judges.MnistJudge(mnist_dir, samples=600)

    assert trained == [1]


def test_the_same_seed_trains_the_same_classifier(judge, tmp_path, mnist_dir):
    # Why: the judge's reading of the rarest digit moved by a point between two classifiers.
    other = tmp_path / "other"
    other.mkdir()
    for archive in mnist_dir.glob("*.gz"):
        (other / archive.name).write_bytes(archive.read_bytes())

    again = judges.MnistJudge(other, samples=600)

    for mine, theirs in zip(judge._network.weights(), again._network.weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_samples_of_a_single_digit_show_as_collapsed(judge):
    test, labels = stand_in_digits(600, 1)
    sevens = judges.as_served(test[labels == 7])
    mixed = judges.as_served(test[:300])

    collapsed, healthy = judge.evaluate(sevens), judge.evaluate(mixed)

    assert collapsed["classes"][7] > 0.95
    assert min(healthy["classes"]) > 0.03
    assert collapsed["fd"] > 5 * healthy["fd"]
    assert healthy["confidence"] > 0.9
    assert healthy["fd_of_noise"] == pytest.approx(healthy["fd"] / judge.floors["noise"])
    assert "rarest digit" in judge.describe(healthy)


def test_noise_scores_near_the_noise_floor(judge):
    noise = np.random.default_rng(5).uniform(-1, 1, (600, 28, 28, 1)).astype(np.float32)

    assert judge.evaluate(noise)["fd_of_noise"] == pytest.approx(1, rel=0.2)


def test_images_and_labels_of_different_lengths_are_refused(mnist_dir, use_source):
    labels = gzip_bytes(idx_labels(np.zeros(10, np.uint8)))
    use_source("mnist-train-labels", labels, ())
    (mnist_dir / "train-labels-idx1-ubyte.gz").write_bytes(labels)

    with pytest.raises(errors.CorruptArchiveError, match="2560 images but 10 labels"):
        judges.MnistJudge(mnist_dir, samples=600)


def test_face_judge_tells_real_faces_from_noise_and_is_repeatable():
    rng = np.random.default_rng(0)
    smooth = rng.uniform(-1, 1, (1000, 7, 7, 3)).repeat(4, axis=1).repeat(4, axis=2).astype(np.float32)

    judge = judges.RandomFeatureJudge(smooth, seed=3)
    again = judges.RandomFeatureJudge(smooth, seed=3)

    assert judge.floors["real"] < judge.floors["noise"] / 5
    assert judge.floors == again.floors
    assert "weaker signal" in judge.describe(judge.evaluate(smooth[:200]))

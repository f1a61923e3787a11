"""harness/data/extract.py: archives unpacked all or nothing, never outside their folder; IDX files read."""

import numpy as np
import pytest
from helpers.archives import gzip_bytes, idx_images, idx_labels, leftovers, zip_bytes

from harness.data import errors, extract


@pytest.mark.parametrize(
    "name, archive_name, archive",
    [
        ("mnist", "train-images-idx3-ubyte.gz", "mnist_archive"),
        ("celeba", "celeba.zip", "celeba_archive"),
    ],
)
def test_truncated_archive_gives_a_clear_error_and_no_folder(tmp_path, request, name, archive_name, archive):
    data = request.getfixturevalue(archive)
    path = tmp_path / archive_name
    path.write_bytes(data[: len(data) * 2 // 3])

    with pytest.raises(errors.CorruptArchiveError, match=str(path)):
        extract.extract(name, path, tmp_path)

    assert leftovers(tmp_path) == [archive_name]


def test_absolute_member_is_refused(tmp_path):
    archive = tmp_path / "celeba.zip"
    archive.write_bytes(zip_bytes({"/etc/evil.jpg": b"x"}))

    with pytest.raises(errors.UnsafeArchiveError, match=r"/etc/evil\.jpg"):
        extract.extract("celeba", archive, tmp_path)


def test_zip_without_the_celeba_folder_is_refused(tmp_path):
    archive = tmp_path / "celeba.zip"
    archive.write_bytes(zip_bytes({"photos/000001.jpg": b"x"}))

    with pytest.raises(errors.CorruptArchiveError, match="has no img_align_celeba/ folder"):
        extract.extract("celeba", archive, tmp_path)

    assert leftovers(tmp_path) == ["celeba.zip"]


def test_labels_and_images_are_read_from_idx_files(tmp_path):
    labels = np.array([3, 1, 4, 1, 5], np.uint8)
    (tmp_path / "labels.gz").write_bytes(gzip_bytes(idx_labels(labels)))
    (tmp_path / "images.gz").write_bytes(gzip_bytes(idx_images(np.ones((2, 3, 4), np.uint8))))

    np.testing.assert_array_equal(extract.read_idx(tmp_path / "labels.gz", "labels"), labels)
    assert extract.read_idx(tmp_path / "images.gz").shape == (2, 3, 4)


def test_labels_read_as_images_are_refused_with_the_file_to_use(tmp_path):
    (tmp_path / "labels.gz").write_bytes(gzip_bytes(idx_labels(np.zeros(4, np.uint8))))

    with pytest.raises(
        errors.CorruptArchiveError, match="not an IDX file of images: magic number expected 2051"
    ):
        extract.read_idx(tmp_path / "labels.gz", "images")


def test_truncated_labels_are_refused(tmp_path):
    (tmp_path / "labels.gz").write_bytes(gzip_bytes(idx_labels(np.zeros(10, np.uint8))[:-3]))

    with pytest.raises(errors.CorruptArchiveError, match="expected 10 bytes of labels for 10 items, got 7"):
        extract.read_idx(tmp_path / "labels.gz", "labels")

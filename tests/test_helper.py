"""helper.py: download, verify, extract, cache and batch, over real HTTP on 127.0.0.1."""

import gzip
import os
import socket

import numpy as np
import pytest
from helpers.archives import (
    CELEBA_SIZE,
    gzip_bytes,
    idx_images,
    idx_labels,
    jpeg_bytes,
    leftovers,
    sha256,
    zip_bytes,
)
from PIL import Image
from werkzeug import Response

import helper
from harness.data import cache, errors


def served(httpserver, path: str, data: bytes, status: int = 200) -> str:
    httpserver.expect_request(path).respond_with_data(data, status=status)
    return httpserver.url_for(path)


def unused_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Downloading


def test_mnist_downloads_over_http_and_extracts_every_digit(httpserver, tmp_path, use_source, mnist_archive):
    url = served(httpserver, "/mnist.gz", mnist_archive)
    use_source("mnist", mnist_archive, (url,))

    folder = helper.download_extract("mnist", tmp_path / "data")

    assert folder == tmp_path / "data" / "mnist"
    assert len(list(folder.glob("*.jpg"))) == 60
    assert leftovers(tmp_path / "data") == ["mnist", "train-images-idx3-ubyte.gz"]


def test_extracted_digit_matches_the_archive(httpserver, tmp_path, use_source, mnist_archive, mnist_digits):
    use_source("mnist", mnist_archive, (served(httpserver, "/mnist.gz", mnist_archive),))
    folder = helper.download_extract("mnist", tmp_path)

    digit = np.asarray(Image.open(folder / "image_7.jpg"), dtype=np.int16)

    # JPEG is lossy: the pixels are close to, not equal to, the archive's.
    assert np.abs(digit - mnist_digits[7]).mean() < 20


def test_celeba_downloads_over_http_into_img_align_celeba(httpserver, tmp_path, use_source, celeba_archive):
    use_source("celeba", celeba_archive, (served(httpserver, "/celeba.zip", celeba_archive),))

    folder = helper.download_extract("celeba", tmp_path)

    assert folder == tmp_path / "img_align_celeba"
    assert sorted(p.name for p in folder.iterdir())[:2] == ["000001.jpg", "000002.jpg"]
    assert Image.open(folder / "000001.jpg").size == CELEBA_SIZE


def test_a_failing_mirror_is_skipped_for_the_next(httpserver, tmp_path, use_source, mnist_archive):
    httpserver.expect_request("/gone.gz").respond_with_data("Forbidden", status=403)
    good = served(httpserver, "/mirror2/mnist.gz", mnist_archive)
    use_source("mnist", mnist_archive, (httpserver.url_for("/gone.gz"), good))

    folder = helper.download_extract("mnist", tmp_path)

    assert len(list(folder.glob("*.jpg"))) == 60


def test_checksum_mismatch_keeps_nothing_and_says_expected_and_got(
    httpserver, tmp_path, use_source, mnist_archive
):
    tampered = gzip_bytes(idx_images(np.zeros((60, 28, 28), np.uint8)))
    source = use_source("mnist", mnist_archive, (served(httpserver, "/mnist.gz", tampered),))

    with pytest.raises(errors.DownloadError) as error:
        helper.download_extract("mnist", tmp_path)

    message = str(error.value)
    assert source.sha256 in message
    assert sha256(tampered) in message
    assert "SHA-256 expected" in message
    assert leftovers(tmp_path) == []


def test_web_page_instead_of_zip_is_named_and_not_saved(httpserver, tmp_path, use_source, celeba_archive):
    quota_page = b"<!DOCTYPE html><html><title>Google Drive - Quota exceeded</title></html>"
    use_source("celeba", celeba_archive, (served(httpserver, "/uc", quota_page),))

    with pytest.raises(errors.DownloadError, match="web page instead of the archive"):
        helper.download_extract("celeba", tmp_path)

    assert leftovers(tmp_path) == []


def test_interrupted_download_leaves_nothing_under_the_final_name(
    httpserver, tmp_path, use_source, mnist_archive
):
    def cut_off(request):
        def body():
            yield mnist_archive[: len(mnist_archive) // 2]
            raise ConnectionAbortedError("connection dropped midway")

        return Response(body(), headers={"Content-Length": str(len(mnist_archive))})

    httpserver.expect_request("/mnist.gz").respond_with_handler(cut_off)
    use_source("mnist", mnist_archive, (httpserver.url_for("/mnist.gz"),))

    with pytest.raises(errors.DownloadError, match=r"mnist\.gz"):
        helper.download_extract("mnist", tmp_path)

    assert leftovers(tmp_path) == []


def test_when_nothing_works_the_error_lists_urls_and_where_to_put_the_file(
    httpserver, tmp_path, use_source, mnist_archive
):
    httpserver.expect_request("/a.gz").respond_with_data("no", status=404)
    urls = (httpserver.url_for("/a.gz"), f"http://127.0.0.1:{unused_port()}/b.gz")
    use_source("mnist", mnist_archive, urls)

    with pytest.raises(errors.DownloadError) as error:
        helper.download_extract("mnist", tmp_path / "data")

    message = str(error.value)
    assert "mnist" in message
    assert f"{urls[0]}: HTTP 404" in message
    assert f"{urls[1]}: no answer" in message
    assert f"in the folder {tmp_path / 'data'}" in message
    assert "train-images-idx3-ubyte.gz (9,912,422 bytes)" in message
    assert "\n" not in message and "Traceback" not in message and "urllib3" not in message, message


def test_offline_the_message_is_one_paragraph_in_plain_words(tmp_path, use_source, mnist_archive):
    # ".invalid" never resolves (RFC 2606): as on a machine with no internet connection.
    urls = ("http://mirror-a.invalid/mnist.gz", "http://mirror-b.invalid/mnist.gz")
    use_source("mnist", mnist_archive, urls)

    with pytest.raises(errors.DownloadError) as error:
        helper.download_extract("mnist", tmp_path)

    message = str(error.value)
    assert (
        f"{urls[0]}, {urls[1]}: no answer (no internet connection, or the server's name is unknown)"
        in message
    )
    assert "\n" not in message and "urllib3" not in message and "Max retries" not in message, message


def test_every_missing_file_is_named_in_one_message_with_what_to_place(httpserver, tmp_path, use_source):
    for name in helper.MNIST_FILES:
        use_source(name, gzip_bytes(b"x"), (httpserver.url_for(f"/{name}"),))
    httpserver.expect_request("/mnist").respond_with_data("gone", status=404)
    httpserver.expect_request("/mnist-test-images").respond_with_data("gone", status=404)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip_bytes(b"x"))  # Placed by hand.
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip_bytes(b"x"))

    with pytest.raises(errors.DownloadError) as error:
        helper.fetch_all(helper.MNIST_FILES, tmp_path)

    message = str(error.value)
    assert message.startswith("2 of 4 files could not be had.")
    assert (
        "train-images-idx3-ubyte.gz (9,912,422 bytes)" in message
        and "t10k-images-idx3-ubyte.gz (1,648,877 bytes)" in message
    )
    assert "train-labels" not in message.split("Fix:")[1], "what is there is not asked for"
    assert f"in the folder {tmp_path}" in message


def test_celeba_placement_names_both_zip_names_and_the_folder(
    httpserver, tmp_path, use_source, celeba_archive
):
    use_source("celeba", celeba_archive, (httpserver.url_for("/celeba"),))
    httpserver.expect_request("/celeba").respond_with_data("Forbidden", status=403)

    with pytest.raises(errors.DownloadError) as error:
        helper.download_extract("celeba", tmp_path)

    message = str(error.value)
    assert "celeba.zip or img_align_celeba.zip (1,443,490,838 bytes)" in message
    assert f"or the extracted folder {tmp_path / 'img_align_celeba'} with its 202,599 .jpg images" in message


# Placed archives (offline)


@pytest.fixture
def offline(httpserver, use_source):
    """Points the table at a server that answers nothing, and checks it was never asked."""

    def point(name: str, archive: bytes) -> None:
        use_source(name, archive, (httpserver.url_for(f"/{name}"),))

    yield point
    assert httpserver.log == [], "a placed archive must be used without any download"


def test_placed_mnist_archive_is_used_offline(tmp_path, offline, mnist_archive):
    offline("mnist", mnist_archive)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(mnist_archive)

    assert len(list(helper.download_extract("mnist", tmp_path).glob("*.jpg"))) == 60


def test_recompressed_mnist_archive_is_accepted_by_its_payload(tmp_path, offline, mnist_archive):
    offline("mnist", mnist_archive)
    recompressed = gzip_bytes(gzip.decompress(mnist_archive), level=1)
    assert recompressed != mnist_archive
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(recompressed)

    assert len(list(helper.download_extract("mnist", tmp_path).glob("*.jpg"))) == 60


@pytest.mark.parametrize("placed_name", ["celeba.zip", "img_align_celeba.zip"])
def test_placed_celeba_zip_is_used_offline(tmp_path, offline, celeba_archive, placed_name):
    offline("celeba", celeba_archive)
    (tmp_path / placed_name).write_bytes(celeba_archive)

    assert len(list(helper.download_extract("celeba", tmp_path).glob("*.jpg"))) == 12


def test_placed_celeba_folder_is_used_as_it_is(tmp_path, offline, celeba_archive):
    offline("celeba", celeba_archive)
    folder = tmp_path / "img_align_celeba"
    folder.mkdir()
    (folder / "000001.jpg").write_bytes(jpeg_bytes(np.zeros((218, 178, 3), np.uint8)))

    assert helper.download_extract("celeba", tmp_path) == folder
    assert os.listdir(folder) == ["000001.jpg"]


def test_second_call_finds_the_data_and_downloads_nothing(httpserver, tmp_path, use_source, mnist_archive):
    use_source("mnist", mnist_archive, (served(httpserver, "/mnist.gz", mnist_archive),))
    first = helper.download_extract("mnist", tmp_path)
    requests_so_far = len(httpserver.log)
    (tmp_path / "train-images-idx3-ubyte.gz").unlink()

    second = helper.download_extract("mnist", tmp_path)

    assert second == first
    assert len(httpserver.log) == requests_so_far


def test_truncated_placed_archive_is_refused_and_kept_for_the_user(tmp_path, offline, mnist_archive):
    offline("mnist", mnist_archive)
    placed = tmp_path / "train-images-idx3-ubyte.gz"
    placed.write_bytes(mnist_archive[:-100])

    with pytest.raises(errors.ChecksumError, match=r"SHA-256 expected [0-9a-f]{64}, got [0-9a-f]{64}"):
        helper.download_extract("mnist", tmp_path)

    assert placed.read_bytes() == mnist_archive[:-100]
    assert leftovers(tmp_path) == ["train-images-idx3-ubyte.gz"]


def test_empty_image_folder_gets_a_clear_error(tmp_path, offline, celeba_archive):
    offline("celeba", celeba_archive)
    (tmp_path / "img_align_celeba").mkdir()

    with pytest.raises(helper.DataError, match=r"holds no \.jpg images"):
        helper.download_extract("celeba", tmp_path)


def test_unknown_data_set_name_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="Unknown data set 'cifar'"):
        helper.download_extract("cifar", tmp_path)


# Extracting (the rest: tests/harness/data/test_extract.py)


def test_zip_slip_member_is_refused(tmp_path, offline):
    evil = zip_bytes({"img_align_celeba/000001.jpg": b"x", "img_align_celeba/../../escaped.jpg": b"x"})
    offline("celeba", evil)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "celeba.zip").write_bytes(evil)

    with pytest.raises(errors.UnsafeArchiveError, match=r"escaped\.jpg"):
        helper.download_extract("celeba", tmp_path / "data")

    assert not (tmp_path / "escaped.jpg").exists()
    assert leftovers(tmp_path / "data") == ["celeba.zip"]


# Images and batches


def test_celeba_photo_is_cropped_to_its_centre_108_square(tmp_path):
    photo = np.zeros((218, 178, 3), np.uint8)
    photo[..., 2] = 255  # A blue border ...
    top, left = (218 - 108) // 2, (178 - 108) // 2
    photo[top : top + 108, left : left + 108] = (255, 0, 0)  # ... around a red centre.
    path = tmp_path / "000001.jpg"
    path.write_bytes(jpeg_bytes(photo))

    face = helper.get_image(path, 28, 28, "RGB")

    assert face.shape == (28, 28, 3)
    assert face.dtype == np.uint8
    # Without the crop, 70% of the picture would be blue border.
    assert face[..., 0].mean() > 230
    assert face[..., 2].mean() < 25


def test_28x28_image_is_read_unchanged(tmp_path):
    digit = np.arange(28 * 28, dtype=np.uint8).reshape(28, 28)
    path = tmp_path / "digit.png"
    Image.fromarray(digit, "L").save(path)

    np.testing.assert_array_equal(helper.get_image(path, 28, 28, "L"), digit)


def test_get_batch_keeps_the_original_shape_and_scale(mnist_files):
    batch = helper.get_batch(mnist_files[:5], 28, 28, "L")

    assert batch.shape == (5, 28, 28, 1)
    assert batch.dtype == np.float32
    assert 200 < batch.max() <= 255


def test_square_grid_tiles_images_in_reading_order():
    images = np.stack([np.full((2, 3, 1), value, np.float32) for value in range(10)])

    grid = np.asarray(helper.images_square_grid(images, "L"))

    assert grid.shape == (6, 9)
    assert grid[0, 3] > grid[0, 0]  # Tile 1 is right of tile 0 ...
    assert grid[2, 0] > grid[0, 6]  # ... and tile 3 starts the second row.
    # The stretch to 0-255 spans all ten images, as in the original; tile 9 is then dropped.
    assert grid.min() == 0 and grid.max() == int(255 * 8 / 9)


def test_dataset_describes_mnist(mnist_files):
    dataset = helper.Dataset("mnist", mnist_files)

    assert dataset.shape == (60, 28, 28, 1)
    assert dataset.image_mode == "L"


def test_batches_have_shape_dtype_and_range(mnist_files):
    batches = list(helper.Dataset("mnist", mnist_files, seed=0).get_batches(16))

    assert len(batches) == 3  # 60 images: the last 12 are dropped, as in the original.
    for batch in batches:
        assert batch.shape == (16, 28, 28, 1)
        assert batch.dtype == np.float32
        assert batch.min() >= -0.5 and batch.max() <= 0.5
    assert min(b.min() for b in batches) < -0.45 and max(b.max() for b in batches) > 0.45


def test_batches_match_the_decoded_images(mnist_files):
    dataset = helper.Dataset("mnist", mnist_files, seed=0)
    expected = helper.get_batch(mnist_files, 28, 28, "L") / 255 - 0.5

    epoch = np.concatenate(list(dataset.get_batches(20)))

    as_rows = {row.tobytes() for row in expected.astype(np.float32).round(4)}
    assert {row.tobytes() for row in epoch.round(4)} == as_rows


def test_each_epoch_is_shuffled_and_a_seed_repeats_it(mnist_files):
    dataset = helper.Dataset("mnist", mnist_files, seed=1)
    epoch1 = np.concatenate(list(dataset.get_batches(20)))
    epoch2 = np.concatenate(list(dataset.get_batches(20)))
    again = np.concatenate(list(helper.Dataset("mnist", mnist_files, seed=1).get_batches(20)))

    assert not np.array_equal(epoch1, epoch2)
    np.testing.assert_array_equal(epoch1, again)


def test_celeba_dataset_serves_rgb_faces(httpserver, tmp_path, use_source, celeba_archive):
    use_source("celeba", celeba_archive, (served(httpserver, "/celeba.zip", celeba_archive),))
    folder = helper.download_extract("celeba", tmp_path)
    dataset = helper.Dataset("celeba", sorted(map(str, folder.glob("*.jpg"))))

    batch = next(dataset.get_batches(4))

    assert dataset.shape == (12, 28, 28, 3)
    assert dataset.image_mode == "RGB"
    assert batch.shape == (4, 28, 28, 3)


def test_cache_is_built_once_under_data_cache(mnist_files, tmp_path, monkeypatch):
    assert helper.Dataset("mnist", mnist_files).images.shape == (60, 28, 28, 1)
    caches = list((tmp_path / "data" / ".cache").glob("mnist-*.npy"))
    assert len(caches) == 1

    def no_rebuild(*args, **kwargs):
        raise AssertionError("the cache was rebuilt although no file changed")

    monkeypatch.setattr(cache, "build_cache", no_rebuild)
    assert helper.Dataset("mnist", mnist_files).images.shape == (60, 28, 28, 1)


def test_stale_cache_is_rebuilt_when_an_image_changes(mnist_files):
    before = np.array(helper.Dataset("mnist", mnist_files).images[0])
    Image.fromarray(np.full((28, 28), 255, np.uint8), "L").save(mnist_files[0])
    stat = os.stat(mnist_files[0])
    os.utime(mnist_files[0], ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    after = np.array(helper.Dataset("mnist", mnist_files).images[0])

    assert not np.array_equal(before, after)
    assert after.min() > 250


@pytest.mark.parametrize("bad_size", [0, -1, 61, 2.5, True])
def test_bad_batch_size_is_a_value_error(mnist_files, bad_size):
    with pytest.raises(ValueError, match="batch_size must be a whole number from 1 to 60"):
        helper.Dataset("mnist", mnist_files).get_batches(bad_size)


def test_empty_file_list_is_a_value_error():
    with pytest.raises(ValueError, match="empty file list"):
        helper.Dataset("mnist", [])


def test_unknown_dataset_name_is_a_value_error(mnist_files):
    with pytest.raises(ValueError, match="Unknown data set 'fashion'"):
        helper.Dataset("fashion", mnist_files)


def test_fetch_downloads_a_file_once_and_then_verifies_the_placed_copy(httpserver, tmp_path, use_source):
    archive = gzip_bytes(idx_labels(np.arange(10, dtype=np.uint8)))
    httpserver.expect_oneshot_request("/t10k-labels-idx1-ubyte.gz").respond_with_data(archive)
    use_source("mnist-test-labels", archive, (httpserver.url_for("/t10k-labels-idx1-ubyte.gz"),))

    first = helper.fetch("mnist-test-labels", tmp_path)
    second = helper.fetch("mnist-test-labels", tmp_path)  # The one-shot server would refuse a second GET.

    assert first == second == tmp_path / "t10k-labels-idx1-ubyte.gz"
    assert first.read_bytes() == archive


def test_a_file_is_not_an_image_data_set(tmp_path):
    with pytest.raises(ValueError, match=r"not an image data set.*helper.fetch\('mnist-test-labels'"):
        helper.download_extract("mnist-test-labels", tmp_path)

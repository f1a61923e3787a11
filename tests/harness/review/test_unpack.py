"""harness/review/unpack.py: a submission's files copied out, or refused with the reason, nothing left."""

import stat
import zipfile

import pytest

from harness.review.unpack import HostileSubmission, unpack


def zipped(path, members: dict[str, bytes], links=()):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
        for name in links:
            link = zipfile.ZipInfo(name)
            link.external_attr = (stat.S_IFLNK | 0o777) << 16
            bundle.writestr(link, "/etc/passwd")
    return path


GENUINE = {"dlnd_face_generation.ipynb": b"{}", "helper.py": b"# helper", "report/page.html": b"<html>"}


@pytest.mark.parametrize("kind", ["zip", "folder", "notebook"])
def test_a_genuine_submission_is_copied_out(tmp_path, kind):
    if kind == "zip":
        submission = zipped(tmp_path / "s.zip", GENUINE)
    elif kind == "folder":
        submission = tmp_path / "s"
        for name, data in GENUINE.items():
            (submission / name).parent.mkdir(parents=True, exist_ok=True)
            (submission / name).write_bytes(data)
    else:
        submission = tmp_path / "dlnd_face_generation.ipynb"
        submission.write_bytes(b"{}")

    into = unpack(submission, tmp_path / "scratch")

    expected = GENUINE if kind != "notebook" else {"dlnd_face_generation.ipynb": b"{}"}
    assert {
        p.relative_to(into).as_posix(): p.read_bytes() for p in into.rglob("*") if p.is_file()
    } == expected


@pytest.mark.parametrize(
    ("members", "links", "said"),
    [
        ({"../escape.py": b"x"}, (), "'../escape.py', a path that leaves its folder"),
        ({"/etc/cron.d/job": b"x"}, (), "a path that leaves its folder"),
        ({"C:/Windows/x.py": b"x"}, (), "a path that leaves its folder"),
        ({"a\\..\\..\\x.py": b"x"}, (), "a path that leaves its folder"),
        ({"helper.py": b"x"}, ("passwd",), "'passwd', a link"),
        ({"zeros.bin": bytes(3 * 2**20)}, (), "expands past 1 MiB (at 'zeros.bin')"),
        ({f"f{i}": b"" for i in range(12)}, (), "12 members, over 10"),
    ],
    ids=["dot-dot", "absolute", "drive letter", "backslashes", "symlink", "zip bomb", "too many members"],
)
def test_a_hostile_zip_is_refused_and_leaves_nothing(tmp_path, members, links, said):
    submission = zipped(tmp_path / "s.zip", members, links)

    with pytest.raises(HostileSubmission, match=r"s\.zip") as caught:
        unpack(submission, tmp_path / "scratch", most_bytes=2**20, most_members=10)

    assert said in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.zip"]  # No scratch, nothing outside it.


def test_a_folder_with_a_link_is_refused(tmp_path):
    submission = tmp_path / "s"
    submission.mkdir()
    (submission / "helper.py").symlink_to("/etc/passwd")

    with pytest.raises(HostileSubmission, match=r"'helper\.py', a link"):
        unpack(submission, tmp_path / "scratch")
    assert not (tmp_path / "scratch").exists()


def test_something_else_is_named(tmp_path):
    (tmp_path / "s.txt").write_text("hello")

    with pytest.raises(HostileSubmission, match="neither a zip, a folder nor a notebook"):
        unpack(tmp_path / "s.txt", tmp_path / "scratch")
    with pytest.raises(FileNotFoundError, match=r"give a \.zip, a folder or a \.ipynb"):
        unpack(tmp_path / "missing.zip", tmp_path / "scratch")

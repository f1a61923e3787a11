"""harness/atomic.py: a file or folder appears whole under its name, or not at all."""

import os
import stat

import pytest

from harness import atomic


def test_a_written_file_replaces_the_old_one(tmp_path):
    target = tmp_path / "state.json"
    target.write_text("old")

    atomic.write_text(target, "new")

    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_part(tmp_path):
    target = tmp_path / "state.json"
    target.write_text("old")

    with pytest.raises(RuntimeError), atomic.replacing(target) as temp:
        temp.write_text("half")
        raise RuntimeError("crash")

    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_a_failed_folder_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), atomic.folder(tmp_path / "step-1") as work:
        (work / "model").write_text("half")
        raise RuntimeError("crash")

    assert list(tmp_path.iterdir()) == []


def test_a_finished_folder_is_renamed_whole(tmp_path):
    with atomic.folder(tmp_path / "step-1") as work:
        (work / "model").write_text("whole")

    assert (tmp_path / "step-1" / "model").read_text() == "whole"
    assert [p.name for p in tmp_path.iterdir()] == ["step-1"]


def test_finished_files_and_folders_get_the_umasks_mode_not_the_temporary_ones(tmp_path):
    previous = os.umask(0o027)
    try:
        atomic.write_text(tmp_path / "report.html", "<p>done</p>")
        with atomic.folder(tmp_path / "step") as work:
            (work / "weights").write_bytes(b"1")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "report.html").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "step").stat().st_mode) == 0o750

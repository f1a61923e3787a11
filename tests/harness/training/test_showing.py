"""harness/training/showing.py: the steps after which train showed samples, kept across a resume."""

import pytest
from helpers.archives import ArrayData
from runs import make_run, train_run


def test_the_steps_train_showed_samples_at_are_kept(notebook, tmp_path, data, monkeypatch):
    monkeypatch.setitem(notebook, "SHOW_EVERY", 3)

    history = train_run(notebook, make_run(tmp_path, notebook, ArrayData(data)))

    assert history["steps"] == 8 and history["show_steps"] == [3, 6]
    assert history["printed"] is False  # The notebook's train prints every 10 batches: none in 8.


def test_a_resumed_run_keeps_the_steps_shown_before_it(notebook, tmp_path, data, monkeypatch):
    monkeypatch.setitem(notebook, "SHOW_EVERY", 3)
    with pytest.raises(KeyboardInterrupt):
        train_run(notebook, make_run(tmp_path, notebook, ArrayData(data, stop_after=5)))

    history = train_run(notebook, make_run(tmp_path, notebook, ArrayData(data)))

    # The rerun's train counts its steps from 0 again: it shows at its own 3rd batch (step 6 of the run).
    assert history["show_steps"] == [3, 8]

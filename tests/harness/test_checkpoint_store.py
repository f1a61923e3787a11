"""harness/checkpoint_store.py: what makes two runs the same run, and reading back what was saved."""

import json

import pytest

from harness import checkpoint_store

SOURCE = """
from json import dumps

G_STEPS = 3
UNUSED = 7
alpha = 0.2


def discriminator(images, smooth=0.0):
    return dumps(images * alpha)


def interpolate(run):
    return run


def train(epochs):
    for _ in range(G_STEPS):
        discriminator(epochs)
"""


def namespace(source=SOURCE):
    names = {"__name__": "notebook"}
    exec(compile(source, "<cell>", "exec"), names)
    return names


def test_settings_hold_the_code_and_constants_train_uses_and_the_given_values():
    settings = checkpoint_store.settings_of(namespace(), learning_rate=0.0005)

    assert settings["G_STEPS"] == 3 and settings["alpha"] == 0.2 and settings["learning_rate"] == 0.0005
    assert len(settings["code of train"]) == len(settings["code of discriminator"]) == 12
    assert "UNUSED" not in settings and "code of interpolate" not in settings, "what training never uses"
    assert "code of dumps" not in settings, "imported functions are not the notebook's code"


def test_a_changed_default_changes_the_code_digest():
    before = checkpoint_store.settings_of(namespace())
    after = checkpoint_store.settings_of(namespace(SOURCE.replace("smooth=0.0", "smooth=0.1")))

    assert before["code of discriminator"] != after["code of discriminator"]


def test_find_says_which_settings_differ(tmp_path):
    store = checkpoint_store.CheckpointStore(tmp_path)
    old = {"learning_rate": 0.0005, "G_STEPS": 3, "code of train": "aaa"}
    folder = store.run_folder("mnist", old)
    folder.mkdir()
    (folder / checkpoint_store.SETTINGS).write_text(json.dumps(old))

    found, reason = store.find("mnist", {**old, "G_STEPS": 2, "code of train": "bbb"})

    assert found is None
    assert f"Not resuming {folder.name}" in reason
    assert "G_STEPS 3 → 2" in reason and "train's code changed" in reason


def test_nothing_saved_is_no_reason_to_talk(tmp_path):
    assert checkpoint_store.CheckpointStore(tmp_path).find("mnist", {"a": 1}) == (None, None)


def test_an_unreadable_latest_names_the_folder_to_delete(tmp_path):
    store = checkpoint_store.CheckpointStore(tmp_path)
    folder = store.run_folder("mnist", {})
    folder.mkdir()
    (folder / checkpoint_store.LATEST).write_text("{")

    with pytest.raises(checkpoint_store.CheckpointError, match=f"Delete the folder {folder}"):
        store.find("mnist", {})

"""harness/review/judging.py: the verdict from evidence read back from files, as the judge gives it,
is the one the notebook's check gives: every correct alternative passes, every seeded mistake gets
its message, and evidence that is not what it claims is "could not be verified"."""

import json

import numpy as np
import pytest
import solution_variants as variants
import tensorflow.compat.v1 as tf
from helpers.judging import judged

from harness.review import judging


@pytest.fixture(autouse=True, scope="module")
def graph_mode_as_the_notebook():
    tf.disable_v2_behavior()  # As the notebook's setup cell, in the worker and in the judge.


@pytest.mark.parametrize(
    "name, function",
    [(name, function) for name, functions in variants.CORRECT.items() for function in functions],
)
def test_correct_alternatives_pass_the_judge(tmp_path, name, function):
    assert judged(tmp_path, name, function) == "passed"


@pytest.mark.parametrize(
    "name, function, message",
    [(name, function, message) for name, cases in variants.BROKEN.items() for function, message in cases],
    ids=[f"{name}: {message}" for name, cases in variants.BROKEN.items() for _, message in cases],
)
def test_each_seeded_mistake_gets_the_notebooks_message_from_the_judge(tmp_path, name, function, message):
    outcome = judged(tmp_path, name, function)

    assert outcome.startswith("failed: ") and message in outcome, outcome


def test_evidence_naming_what_the_graph_lacks_is_not_verified(tmp_path):
    judged(tmp_path, "generator", variants.generator)
    roles = json.loads((tmp_path / "generator-0.json").read_text())
    (tmp_path / "generator-0.json").write_text(json.dumps(roles | {"sampled": "made_up:0"}))

    outcome, _ = judging.verdict("generator", tmp_path, np.random.default_rng(7))

    assert outcome == "could not be verified: the graph has no tensor 'made_up:0'."


def test_a_changed_scaffold_is_not_verified(tmp_path):
    judged(tmp_path, "model_opt", variants.model_opt)
    meta = tf.MetaGraphDef()
    meta.ParseFromString((tmp_path / "model_opt-0.meta").read_bytes())
    for node in meta.graph_def.node:  # Our discriminator's weights start at their aim.
        if node.name == "discriminator/weights/initial_value":
            node.attr["value"].tensor.float_val[:] = [1.0, 1.0, 1.0]
    (tmp_path / "model_opt-0.meta").write_bytes(meta.SerializeToString())

    outcome, _ = judging.verdict("model_opt", tmp_path, np.random.default_rng(7))

    assert outcome.startswith("could not be verified: the graph our check gave it was changed"), outcome

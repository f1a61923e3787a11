"""problem_unittests.py: accepts the notebook's solution and other correct ones, rejects each mistake."""

import functools

import pytest
import solution_variants as variants
import tensorflow as tf_v2
import tensorflow.compat.v1 as tf

import problem_unittests as checks

NEEDS_TF_MODULE = {"discriminator", "generator", "model_opt"}


def run_check(name, function, tf_module=tf):
    check = getattr(checks, f"test_{name}")
    return check(function, tf_module) if name in NEEDS_TF_MODULE else check(function)


@pytest.mark.parametrize("name", list(variants.CORRECT))
def test_notebook_solution_passes(notebook, name, capsys):
    run_check(name, notebook[name])

    assert "Tests Passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "name, option", [("discriminator", {"keep_prob": 0.7}), ("model_loss", {"smooth": 0.1})]
)
def test_notebook_options_turned_on_still_pass(notebook, name, option, capsys):
    # The notebook ships dropout and label smoothing turned off; its prose tells learners how to
    # turn them on, so that path must stay correct too.
    run_check(name, functools.partial(notebook[name], **option))

    assert "Tests Passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "name, function",
    [(name, function) for name, functions in variants.CORRECT.items() for function in functions],
)
def test_other_correct_solutions_pass(name, function):
    run_check(name, function)


@pytest.mark.parametrize(
    "name, function, message",
    [(name, function, message) for name, cases in variants.BROKEN.items() for function, message in cases],
    ids=[f"{name}: {message}" for name, cases in variants.BROKEN.items() for _, message in cases],
)
def test_broken_solution_is_rejected_with_its_mistake_named(name, function, message):
    with pytest.raises(checks.CheckFailed) as failure:
        run_check(name, function)

    assert message in str(failure.value)


@pytest.mark.parametrize("name", sorted(NEEDS_TF_MODULE))
def test_passing_tensorflow_2_module_says_which_module_to_pass(notebook, name):
    with pytest.raises(checks.CheckFailed, match=r"tensorflow\.compat\.v1"):
        run_check(name, notebook[name], tf_module=tf_v2)

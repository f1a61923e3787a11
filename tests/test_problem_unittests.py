"""problem_unittests.py: accepts the notebook's solution and other correct ones, rejects each mistake."""

import functools

import nbformat
import pytest
import solution_variants as variants
import tensorflow as tf_v2
import tensorflow.compat.v1 as tf
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import problem_unittests as checks
from harness import project

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


LOSS_THAT_RAISES = """
def model_loss(input_real, input_z, out_channel_dim):
    fakes = generator(input_z, out_channel_dim)
    return tf.concat([fakes, input_z], axis=1), fakes  # Ranks 4 and 2: TensorFlow raises here.
"""


def test_an_error_inside_the_learners_function_names_it_and_the_line_not_a_traceback_of_ours(tmp_path):
    cell = tmp_path / "cell.py"  # As a notebook cell: a file of its own, beside the learner's others.
    cell.write_text(LOSS_THAT_RAISES)
    namespace = dict(vars(variants))
    exec(compile(LOSS_THAT_RAISES, str(cell), "exec"), namespace)

    with pytest.raises(checks.CheckFailed) as failure:
        checks.test_model_loss(namespace["model_loss"])

    message = str(failure.value)
    assert message.startswith("Your `model_loss` raised ValueError: ")
    assert "(in model_loss: `return tf.concat([fakes, input_z], axis=1), fakes" in message
    assert "problem_unittests.py" not in message


def test_a_learning_rate_placeholder_without_a_shape_is_accepted(capsys):
    checks.test_model_inputs(functools.partial(variants.model_inputs, lr_shape=None))

    assert "Tests Passed" in capsys.readouterr().out


def test_in_jupyter_a_failed_check_is_its_message_on_one_screen_and_stops_run_all():
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import problem_unittests"),
            nbformat.v4.new_code_cell(
                "def model_inputs(image_width, image_height, image_channels, z_dim):\n"
                "    return None, None, None  # Still blank.\n\n"
                "problem_unittests.test_model_inputs(model_inputs)"
            ),
            nbformat.v4.new_code_cell("print('Run All went on')"),
        ]
    )
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=600, resources={"metadata": {"path": project.PROJECT}}
    )

    with pytest.raises(CellExecutionError):
        client.execute()

    [error] = notebook.cells[1].outputs
    assert error.ename == "NotWrittenYet" and "model_inputs is not written yet" in error.evalue
    assert len(error.traceback) == 2, error.traceback
    assert error.traceback[0].startswith("NotWrittenYet: ") and "is not written yet" in error.traceback[0]
    assert "%tb" in error.traceback[1]
    assert notebook.cells[2].outputs == [], "Run All stops at the failed check"

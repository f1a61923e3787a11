"""harness/review/code.py: the learner's definitions out of a submitted notebook, calls left behind."""

import nbformat
import numpy as np
import tensorflow.compat.v1 as tf

from harness import project
from harness.review.code import FUNCTIONS, HYPERPARAMETERS, learner_code


def test_this_projects_notebook_gives_its_exercise_cells():
    code = learner_code(nbformat.read(project.NOTEBOOK, as_version=4))

    assert code.functions == FUNCTIONS and code.hyperparameters == HYPERPARAMETERS
    assert "problem_unittests" not in code.source and "new_run" not in code.source
    namespace = {"tf": tf, "np": np}
    exec(compile(code.source, "learner", "exec"), namespace)
    assert all(callable(namespace[name]) for name in FUNCTIONS) and namespace["batch_size"] == 16


ORIGINAL = [
    "import problem_unittests as tests\nimport helper",
    "%matplotlib inline\ndef model_inputs(image_width, image_height, image_channels, z_dim):\n"
    '    return None\n\n\n"""\n'
    "DON'T MODIFY ANYTHING IN THIS CELL THAT IS BELOW THIS LINE\n"
    '"""\ntests.test_model_inputs(model_inputs)',
    "import functools\n\n\n@functools.lru_cache\ndef discriminator(images, reuse=False):\n    return None\n"
    "tests.test_discriminator(discriminator, tf)",
    "batch_size = 64\nz_dim = 100\nlearning_rate = 0.0002\nbeta1 = 0.5\nepochs = 2\n"
    "mnist_dataset = helper.Dataset('mnist', glob(os.path.join(data_dir, 'mnist/*.jpg')))\n"
    "with tf.Graph().as_default():\n    train(epochs, batch_size, z_dim, learning_rate, beta1, "
    "mnist_dataset.get_batches, mnist_dataset.shape, mnist_dataset.image_mode)",
    "def generator(z, out_channel_dim, is_train=True)\n    return None",  # A syntax error.
    "print('not the learner\\'s')",
]


def test_an_original_notebook_without_tags_gives_its_definitions_and_no_calls():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in ORIGINAL])

    code = learner_code(notebook)

    assert code.functions == ("model_inputs", "discriminator")
    assert code.hyperparameters == HYPERPARAMETERS and code.skipped == (4,)
    assert "@functools.lru_cache\ndef discriminator" in code.source and "import functools" in code.source
    for left_out in (
        "tests.",
        "helper.Dataset",
        "train(",
        "%matplotlib",
        "import problem_unittests",
        "print(",
    ):
        assert left_out not in code.source
    namespace = {}
    exec(compile(code.source, "learner", "exec"), namespace)  # Definitions only: nothing runs.
    assert namespace["epochs"] == 2 and "mnist_dataset" not in namespace

"""harness/training/memory.py: running out of memory during training, said in one line."""

import pytest
import tensorflow.compat.v1 as tf
from helpers.archives import ArrayData
from runs import checkpoint_steps, make_run, train_run

from harness import training

# The head of TensorFlow's own out-of-memory message on a GPU (the allocator's report follows it).
GPU_OOM = (
    "Graph execution error:\n\nDetected at node 'generator/conv2d_transpose' defined at ...\n"
    "OOM when allocating tensor with shape[64,256,14,14] and type float on "
    "/job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc\n"
    "\t [[{{node generator/conv2d_transpose}}]]\nHint: If you want to see a list of allocated tensors..."
)


class EpochBegins(training.Part):
    """Writes down the step each epoch begins at."""

    def __init__(self):
        self.steps = []

    def on_epoch_begin(self, run, epoch, batches):
        self.steps.append(run.step)


def out_of_memory_at(notebook, epoch, batch, message=GPU_OOM):
    """The notebook's train, whose session runs out of memory at ``batch`` of ``epoch`` (from 0)."""

    def train(epoch_count, batch_size, z_dim, learning_rate, beta1, get_batches, data_shape, mode):
        epochs = iter(range(epoch_count))

        def batches(size):
            current = next(epochs)
            for index, images in enumerate(get_batches(size)):
                if (current, index) == (epoch, batch):
                    raise tf.errors.ResourceExhaustedError(None, None, message)
                yield images

        return notebook["train"](
            epoch_count, batch_size, z_dim, learning_rate, beta1, batches, data_shape, mode
        )

    return train


def test_a_gpu_out_of_memory_is_one_line_that_says_what_to_change_and_keeps_the_checkpoint(
    notebook, tmp_path, data
):
    run = make_run(tmp_path, notebook, ArrayData(data), epochs=2)

    with pytest.raises(training.OutOfMemory) as raised:
        train_run(notebook, run, train=out_of_memory_at(notebook, epoch=1, batch=2))

    said = str(raised.value)
    epoch = len(data) // 8
    assert "\n" not in said and "allocator" not in said and "Traceback" not in said
    assert said.startswith(f"digits: GPU 0 ran out of memory at step {epoch + 2}. ")
    assert "smaller batch_size in the Hyperparameters cell (it is 8;" in said
    assert "`nvidia-smi`" in said
    # The run saved where it stopped; the line quotes that checkpoint, and a run again resumes it.
    latest, _ = checkpoint_steps(tmp_path)
    assert f"The checkpoint of step {epoch + 2} is kept" in said and latest.endswith(str(epoch + 2))
    assert raised.value.__suppress_context__, "TensorFlow's page is not shown after the line"
    resumed = make_run(tmp_path, notebook, ArrayData(data), epochs=2, parts=[begins := EpochBegins()])
    train_run(notebook, resumed)
    assert begins.steps == [epoch + 2], "resumed where it stopped"
    assert resumed.history()["steps"] == 2 * epoch


def test_out_of_memory_without_a_checkpoint_says_so_and_on_the_cpu_names_no_gpu(notebook, data):
    quiet = training.Progress(verbose=False)
    run = training.Run("digits", ArrayData(data), epochs=1, batch_size=8, z_dim=16, parts=[quiet])
    cpu = "OOM when allocating tensor with shape[8,28,28,64] on /job:localhost/replica:0/task:0/device:CPU:0"

    with pytest.raises(training.OutOfMemory, match=r"this machine ran out of memory at step 2\.") as raised:
        train_run(notebook, run, train=out_of_memory_at(notebook, epoch=0, batch=2, message=cpu))

    assert "No checkpoint was saved yet." in str(raised.value)
    assert "nvidia-smi" not in str(raised.value)


def test_other_errors_of_train_pass_through_unchanged(notebook, tmp_path, data):
    run = make_run(tmp_path, notebook, ArrayData(data), epochs=1)

    def failing(*_):
        raise tf.errors.InvalidArgumentError(None, None, "You must feed a value for placeholder tensor")

    with pytest.raises(tf.errors.InvalidArgumentError):
        train_run(notebook, run, train=failing)

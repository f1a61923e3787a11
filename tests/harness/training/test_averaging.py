"""harness/training/averaging.py: the moving average of the generator's weights, and drawing with it."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
from helpers.archives import ArrayData
from runs import Z_DIM, make_run, train_run

from harness.training.averaging import EVERY, MovingAverage, keep_over


@pytest.fixture
def weight():
    """A session and one variable in a fresh graph, the variable at 0."""
    with tf.Graph().as_default(), tf.Session() as sess:
        variable = tf.Variable(np.zeros(3, np.float32), name="generator/weight")
        sess.run(variable.initializer)
        yield sess, variable


def test_the_average_follows_the_variable_with_a_decay_that_grows_with_the_step(weight):
    sess, variable = weight
    average = MovingAverage([variable], decay=0.9)
    average.start(sess)
    expected = np.zeros(3)
    for step in range(1, 40):
        value = np.full(3, float(step))
        sess.run(variable.assign(value))
        average.update(sess, step)
        keep = min(0.9, (1 + step) / (5 + step))
        expected = keep * expected + (1 - keep) * value

    np.testing.assert_allclose(sess.run(average.averages[0]), expected, rtol=1e-5)
    assert 0 < expected[0] < 39, "an average, below the last value"


def test_swapped_in_draws_with_the_average_and_puts_the_variable_back(weight):
    sess, variable = weight
    average = MovingAverage([variable], decay=0.5)
    average.start(sess)
    sess.run(variable.assign([4.0, 4.0, 4.0]))
    average.update(sess, 100)  # Halfway from 0 to 4.

    with average.swapped_in(sess):
        drawn = sess.run(variable * 1.0)

    np.testing.assert_allclose(drawn, [2.0, 2.0, 2.0])
    np.testing.assert_allclose(sess.run(variable), [4.0, 4.0, 4.0])


def test_the_variable_is_put_back_when_drawing_fails(weight):
    sess, variable = weight
    average = MovingAverage([variable], decay=0.5)
    average.start(sess)
    sess.run(variable.assign([4.0, 4.0, 4.0]))
    average.update(sess, 100)

    with pytest.raises(RuntimeError), average.swapped_in(sess):
        raise RuntimeError("the generator failed")

    np.testing.assert_allclose(sess.run(variable), [4.0, 4.0, 4.0])


def test_the_averages_are_saved_with_the_run_and_the_live_copies_are_not(weight):
    _, variable = weight
    average = MovingAverage([variable], decay=0.9)

    names = {v.op.name for v in tf.global_variables()}

    assert names == {"generator/weight", "moving_average/generator/weight"}
    assert average.averages[0] not in tf.trainable_variables()


@pytest.mark.parametrize(
    ("variables", "decay", "message"),
    [
        ("weight", 1.0, "decay must be from 0 to below 1, got 1.0"),
        ("weight", -0.1, "decay must be from 0 to below 1, got -0.1"),
        ("none", 0.9, "no variables to average"),
    ],
)
def test_bad_settings_are_named(weight, variables, decay, message):
    _, variable = weight
    with pytest.raises(ValueError, match=message):
        MovingAverage([variable] if variables == "weight" else [], decay)


def test_samples_are_drawn_with_the_averaged_weights_and_training_keeps_its_own(notebook, tmp_path, data):
    averaged = make_run(tmp_path / "averaged", notebook, ArrayData(data), epochs=1)
    train_run(notebook, averaged)
    model = tf.train.load_checkpoint(str(averaged.checkpoint / "model"))
    live = model.get_tensor("generator/dense/kernel")
    average = model.get_tensor("moving_average/generator/dense/kernel")
    last_step = make_run(tmp_path / "last", notebook, ArrayData(data), epochs=1, average=None)
    train_run(notebook, last_step)

    assert not np.allclose(live, average), "the average lags the weights the last step left"
    with tf.Graph().as_default(), tf.Session() as sess:
        _, input_z, _ = notebook["model_inputs"](28, 28, 1, Z_DIM)
        notebook["generator"](input_z, 1)
        averaged.restore_into(sess)
        [kernel] = [v for v in tf.global_variables() if v.op.name == "generator/dense/kernel"]
        np.testing.assert_array_equal(sess.run(kernel), average)
    averaged_frame, last_step_frame = averaged.history()["frames"][-1], last_step.history()["frames"][-1]
    assert averaged_frame.shape == last_step_frame.shape
    assert not np.array_equal(averaged_frame, last_step_frame), "same seed: only the weights differ"


def test_keep_over_several_steps_is_each_steps_keep_multiplied():
    assert keep_over(0.9, 9, 10) == pytest.approx(min(0.9, 11 / 15))
    assert keep_over(0.9, 0, 3) == pytest.approx((2 / 6) * (3 / 7) * (4 / 8))
    assert keep_over(0.999, 5000, 5025) == pytest.approx(0.999**25)
    assert keep_over(0.9, 7, 7) == 1.0  # No step since the last update: the average stays.


def test_updating_every_few_steps_gives_the_average_of_updating_every_step():
    # The run's decay and EVERY, on a small model trained by Adam on a moving target (its weights wander).
    rng = np.random.default_rng(0)
    with tf.Graph().as_default(), tf.Session() as sess:
        tf.set_random_seed(0)
        inputs = tf.placeholder(tf.float32, (None, 8))
        targets = tf.placeholder(tf.float32, (None, 4))
        with tf.variable_scope("generator"):
            outputs = tf.layers.dense(tf.layers.dense(inputs, 16, tf.nn.relu), 4)
        step_op = tf.train.AdamOptimizer(0.01).minimize(tf.reduce_mean((outputs - targets) ** 2))
        variables = tf.trainable_variables()
        every_step, amortised = MovingAverage(variables, 0.999), MovingAverage(variables, 0.999)
        sess.run(tf.global_variables_initializer())
        every_step.start(sess)
        amortised.start(sess)
        for step in range(1, 2001):
            x = rng.normal(size=(32, 8))
            sess.run(step_op, {inputs: x, targets: np.sin(x[:, :4] + step / 200)})
            every_step.update(sess, step)
            if step % EVERY == 0:
                amortised.update(sess, step, since=step - EVERY)
        live, exact, approximate = sess.run([variables, every_step.averages, amortised.averages])

    flat = [np.concatenate([a.ravel() for a in arrays]) for arrays in (live, exact, approximate)]
    averaging = np.linalg.norm(flat[1] - flat[0])  # How far the average is from the last weights.
    difference = np.linalg.norm(flat[2] - flat[1])
    assert averaging > 0.01, "the weights wander: averaging them changes something"
    # The stated tolerance: the two averages differ by under 5% of what averaging changes (2.6%
    # measured; updating every 100 steps, or with decay 0.99, differs by over 10%).
    assert difference < 0.05 * averaging, (difference, averaging)

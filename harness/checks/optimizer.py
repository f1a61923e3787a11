"""The check of ``model_opt``: each training op moves its own network only, down its own loss, with Adam
at the fed learning rate and beta1, and runs the batch norm updates.

The evidence is our small graph, two networks of three weights each plus a classifier that no
optimizer may touch, with the two ops ``model_opt`` added to it; the verdict runs them.
"""

import numpy as np
import tensorflow.compat.v1 as tf

from harness.checks.common import CheckFailed, call, require
from harness.evidence import Evidence, EvidenceError, name_of

CASES = (0.37,)  # beta1.
_STARTS = (("discriminator", [0.5, -0.3, 0.8]), ("generator", [-0.2, 0.4, 0.1]))


def scaffold(beta1):
    """Two networks whose losses pull against each other, a classifier, and a learning rate."""
    weights = {}
    for scope, start in _STARTS:
        with tf.variable_scope(scope):
            weights[scope] = tf.get_variable("weights", initializer=start)
            statistics = tf.get_variable("moving_mean", initializer=0.0, trainable=False)
            tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, tf.assign_add(statistics, 1.0))
    with tf.variable_scope("classifier"):  # Trainable, but in neither network: no optimizer may touch it.
        weights["classifier"] = tf.get_variable("weights", initializer=[1.0, 2.0])
    # As in a GAN, each loss depends on both networks, and what lowers one loss raises the other:
    # the discriminator wants its weights at 1, the generator wants its own at -1, and each loss
    # gains when the other network misses its aim. So only the var_list keeps the other network
    # still, and an optimizer that minimizes the other loss moves its weights the wrong way.
    d_miss = tf.reduce_sum(tf.square(weights["discriminator"] - 1.0))
    g_miss = tf.reduce_sum(tf.square(weights["generator"] + 1.0))
    classifier = tf.reduce_sum(weights["classifier"])
    return {
        "d_loss": d_miss - g_miss + classifier,
        "g_loss": g_miss - d_miss + classifier,
        "learning_rate": tf.placeholder(tf.float32, (), name="learning_rate"),
    }


def evidence(model_opt, beta1, handles):
    """Calls ``model_opt`` on our losses; its evidence names the two ops it returned."""
    description = f"model_opt(d_loss, g_loss, learning_rate, {beta1})"
    d_opt, g_opt = call(
        description, model_opt, handles["d_loss"], handles["g_loss"], handles["learning_rate"], beta1
    )
    return Evidence(tf.get_default_graph(), {"ops": [name_of(d_opt), name_of(g_opt)]})


def _ours(evidence):
    """Our weights and statistics, by scope, as variables of the evidence's graph."""
    variables = evidence.variables()
    try:
        weights = {
            scope: variables[f"{scope}/weights:0"] for scope in ("discriminator", "generator", "classifier")
        }
        statistics = {scope: variables[f"{scope}/moving_mean:0"] for scope, _ in _STARTS}
    except KeyError as error:
        raise EvidenceError(f"the graph lacks our variable {error}") from error
    return weights, statistics


def verify(evidence, beta1, rng):
    """Judges the two ops by running each, at learning rates 0 and 0.01, on our two networks."""
    d_opt, g_opt = evidence.elements("ops", 2, operation=True)
    weights, statistics = _ours(evidence)
    learning_rate = evidence.element("learning_rate:0")
    beta1_powers = [v for v in evidence.variables().values() if "beta1_power" in v.name]
    require(
        beta1_powers,
        "model_opt should use Adam: "
        "tf.train.AdamOptimizer(learning_rate, beta1=beta1).minimize(loss, var_list=...).",
    )

    def step(op, rate):
        sess.run(op, feed_dict={learning_rate: rate})
        return sess.run(weights), sess.run(statistics)

    with tf.Session(graph=evidence.graph) as sess:
        sess.run(tf.global_variables_initializer())
        require(
            all(abs(value - beta1) < 1e-6 for value in sess.run(beta1_powers)),
            f"The Adam optimizers do not use the beta1 passed to model_opt ({beta1}): "
            "AdamOptimizer(..., beta1=beta1).",
        )
        for op, own, other in ((d_opt, "discriminator", "generator"), (g_opt, "generator", "discriminator")):
            name = "d_train_opt" if own == "discriminator" else "g_train_opt"
            before, counts = sess.run(weights), sess.run(statistics)
            still, _ = step(op, 0.0)
            require(
                np.allclose(still[own], before[own]),
                f"{name} changed the {own} with the learning rate fed as 0: it ignores the learning_rate "
                "placeholder. Pass learning_rate to the optimizer.",
            )
            after, updated = step(op, 0.01)
            _judge_step(name, own, other, before, after, counts, updated)


def _judge_step(name, own, other, before, after, counts, updated):
    """Whether one step at learning rate 0.01 moved what it should, the way it should."""
    moved = np.abs(after[own] - before[own])
    if moved.max() == 0 and not np.allclose(after[other], before[other]):
        raise CheckFailed(
            f"{name} changes the {other} and not the {own}: return (d_train_opt, g_train_opt) "
            "in this order, each minimizing its own network's loss over its own network's variables."
        )
    require(moved.max() > 0, f"Running {name} does not change the {own}'s weights.")
    aim = 1.0 if own == "discriminator" else -1.0
    own_loss = "d_loss" if own == "discriminator" else "g_loss"
    require(
        np.all(np.abs(after[own] - aim) < np.abs(before[own] - aim)),
        f"{name} makes {own_loss} larger, not smaller: it minimizes the other network's loss (or a "
        f"negative). Use .minimize({own_loss}, var_list=<the {own}'s variables>).",
    )
    require(
        moved.max() < 0.05,
        f"{name} moved the {own}'s weights by {moved.max():.3f} with learning rate 0.01: "
        "use the learning_rate passed to model_opt.",
    )
    require(
        np.allclose(after[other], before[other]),
        f"{name} also changes the {other}: pass var_list with the {own}'s variables only.",
    )
    require(
        np.allclose(after["classifier"], before["classifier"]),
        f"{name} changes variables outside the {own} scope: select the variables whose name "
        f"starts with '{own}' for var_list.",
    )
    require(
        updated[own] > counts[own],
        f"{name} does not run the {own}'s batch norm updates: create the optimizers inside "
        "`with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):`.",
    )

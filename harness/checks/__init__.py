"""The checks of ``problem_unittests``, each in two halves: the evidence, then the verdict.

``evidence`` calls the learner's function on a graph of ours (its ``scaffold``) and returns what it
built (``harness.evidence.Evidence``); ``verify`` judges that evidence and fails with a message for
the learner. ``problem_unittests`` runs both in the notebook's process; a review runs the first in
the learner's sandbox and the second where the learner's code cannot reach
(``harness.review.judging``). Each function's check is in its own module: ``inputs``,
``networks`` (the discriminator and the generator), ``loss``, ``optimizer`` and ``train``.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import tensorflow.compat.v1 as tf

import harness.checks.inputs as inputs
import harness.checks.loss as loss
import harness.checks.networks as networks
import harness.checks.optimizer as optimizer
import harness.checks.train as train
from harness.checks.common import RNG_SEED, CheckFailed, NotWrittenYet, require_tf_v1, require_written
from harness.evidence import Evidence

__all__ = [
    "CHECKS",
    "CheckFailed",
    "NotWrittenYet",
    "build",
    "check_here",
    "require_tf_v1",
    "require_written",
]


@dataclass(frozen=True)
class Check:
    """One function's check.

    Attributes:
        cases: What the function is called with, one evidence each.
        scaffold: ``scaffold(case)`` builds our part of the graph and returns it by name.
        evidence: ``evidence(function, case, scaffold)`` calls the function; returns its ``Evidence``.
        verify: ``verify(evidence, case, rng)`` judges it; raises ``CheckFailed``.
    """

    cases: tuple
    scaffold: Callable
    evidence: Callable
    verify: Callable


CHECKS = {
    "model_inputs": Check(inputs.CASES, inputs.scaffold, inputs.evidence, inputs.verify),
    "discriminator": Check(
        networks.DISCRIMINATOR_CASES,
        networks.discriminator_scaffold,
        networks.discriminator_evidence,
        networks.discriminator_verify,
    ),
    "generator": Check(
        networks.GENERATOR_CASES,
        networks.generator_scaffold,
        networks.generator_evidence,
        networks.generator_verify,
    ),
    "model_loss": Check(loss.CASES, loss.scaffold, loss.evidence, loss.verify),
    "model_opt": Check(optimizer.CASES, optimizer.scaffold, optimizer.evidence, optimizer.verify),
    "train": Check(train.CASES, train.scaffold, train.evidence, train.verify),
}


def build(name: str, function, case) -> Evidence:
    """The evidence of ``function`` for one case of its check, built in the default graph."""
    check = CHECKS[name]
    return check.evidence(function, case, check.scaffold(case))


def check_here(name: str, function) -> list:
    """Both halves in this process, case by case, each in a graph of its own; the verdicts' returns."""
    rng = np.random.default_rng(RNG_SEED)
    results = []
    for case in CHECKS[name].cases:
        with tf.Graph().as_default():
            evidence = build(name, function, case)
            with evidence.graph.as_default():
                results.append(CHECKS[name].verify(evidence, case, rng))
    return results

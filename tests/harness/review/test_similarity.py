"""harness/review/similarity.py: copies are named however disguised, independent solutions and
the code every learner is given are not, and the same figures or samples are named."""

import random
from pathlib import Path

import pytest
from helpers.submissions import SHIPPED, SOLUTIONS, executed

from benchmarks import disguises
from harness.review import similarity, traces
from harness.review.code import learner_code

INDEPENDENT = {path.stem: path.read_text() for path in SOLUTIONS}
VARIANTS = Path(__file__).parents[2] / "solution_variants.py"  # Another author's correct functions.


def trace(name: str, source: str, **shown) -> similarity.Trace:
    """The trace of the notebook filled with ``source``, as the batch reads it."""
    return similarity.Trace(name, learner_code(executed(source)).source, **shown)


def pairs(matches: list[similarity.Match]) -> set[tuple[str, str, str]]:
    return {(match.first, match.second, match.kind) for match in matches}


def test_independent_solutions_are_alike_none_and_none_is_the_reference():
    learners = [trace(name, source) for name, source in INDEPENDENT.items()]
    variants = similarity.Trace("variants", disguises.learner_source(VARIANTS.read_text()))

    scores = similarity.code_matches([*learners, variants], traces.reference(), 0, traces.given_code())

    assert len(scores) == 21  # Every pair of the seven shares a little: the language's own patterns.
    assert max(match.score for match in scores) < similarity.LINE
    assert similarity.similar([*learners, variants], traces.reference(), traces.given_code()) == []


@pytest.mark.parametrize("disguise", ["renamed", "reordered", "recommented"])
def test_a_disguised_copy_of_a_classmate_or_of_the_reference_is_named(disguise):
    rng = random.Random(disguise)
    copy = getattr(disguises, disguise)
    batch = [
        trace("ada", INDEPENDENT["classic"]),
        trace("bob", copy(INDEPENDENT["classic"], rng)),
        trace("cy", copy(SHIPPED, rng)),
        trace("dee", INDEPENDENT["nn_ops"]),
    ]

    found = similarity.similar(batch, traces.reference(), traces.given_code())

    assert pairs(found) == {("ada", "bob", "code"), ("cy", similarity.REFERENCE, "code")}
    assert all(match.score >= similarity.LINE and match.slices[0].size for match in found)


def test_a_copy_with_one_function_rewritten_is_named():
    rewritten = disguises.one_rewritten(INDEPENDENT["one_call"], INDEPENDENT["upsampling"], random.Random(1))
    batch = [trace("ada", INDEPENDENT["one_call"]), trace("bob", rewritten)]

    found = similarity.similar(batch, given=traces.given_code())

    assert pairs(found) == {("ada", "bob", "code")}


def test_the_code_every_learner_is_given_makes_no_two_alike():
    given = traces.given_code()  # Two learners who wrote nothing: only what the exercise gives.
    batch = [similarity.Trace("ada", given), similarity.Trace("bob", given)]

    assert similarity.similar(batch, given=given) == []
    # Without the given code taken out, the two would be one.
    assert [(m.first, m.second, m.score) for m in similarity.similar(batch)] == [("ada", "bob", 1.0)]


def test_the_same_figures_or_the_same_samples_are_named_and_runs_apart_are_not():
    batch = [
        similarity.Trace("ada", "", figures="FD 5.35", samples="pixels a"),
        similarity.Trace("bob", "", figures="FD 5.35", samples="pixels b"),
        similarity.Trace("cy", "", figures="FD 6.01", samples="pixels a"),
        similarity.Trace("dee", "", figures="", samples=""),  # An unrun notebook shows nothing.
        similarity.Trace("eve", "", figures="", samples=""),
    ]

    assert pairs(similarity.similar(batch)) == {("ada", "bob", "figures"), ("ada", "cy", "samples")}

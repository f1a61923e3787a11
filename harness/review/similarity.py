"""Submissions of one batch that are too alike to be independent: the course team's note on copies.

A correct function copied from someone else passes any one review; a batch holds the whole term,
so a copy shows up as two submissions alike. Three things are compared:

- **Code.** Each submission's learner-written code (``code.learner_code``: the six functions, their
  helpers, the hyperparameters) is fingerprinted by winnowing, as MOSS does (``copydetect``):
  names become one letter and comments and layout go, so renamed variables, moved lines and deleted
  comments leave a copy's fingerprints in place. The exercise edition's own code (signatures,
  docstrings, ``train``'s skeleton) is boilerplate, taken out of every fingerprint: what every
  learner is given makes no two alike. A pair's score is the larger of the two shares of each
  one's code found in the other; from ``LINE`` up the pair is named (``docs/review.md`` gives the
  scores it was set from). Every submission is also compared with the reference solution.
- **Figures.** The trained figures a notebook reports, to the last digit.
- **Samples.** The pixels of the last sample grids a notebook shows.

No two independent runs share the last two. Nothing here changes a verdict.
"""

from __future__ import annotations

import functools
import io
import itertools
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

NOISE = 25  # Characters of filtered code a fingerprint covers (copydetect's k): shorter runs are chance.
WINDOW = 1  # Winnowing's window: every fingerprint kept (a term's code is small).
LINE = 0.6  # From this score up, a pair's code is named as near-identical (docs/review.md).
REFERENCE = "the reference solution"
KINDS = {"code": "code", "figures": "trained figures", "samples": "sample grid"}


@dataclass(frozen=True)
class Trace:
    """What a submission's notebook shows of its author.

    Attributes:
        name: The submission's name.
        code: Its learner-written code, as one module's source.
        figures: The trained figures it reports, as text; "" when it reports none.
        samples: A digest of the pixels of its last sample grids; "" when it shows none.
    """

    name: str
    code: str
    figures: str = ""
    samples: str = ""


@dataclass(frozen=True)
class Match:
    """Two submissions too alike (``second`` may be ``REFERENCE``).

    Attributes:
        first: One submission's name.
        second: The other's, or ``REFERENCE``.
        kind: What they share: a key of ``KINDS``.
        score: For code, the larger of the two shares; 1 for figures and samples.
        shares: For code, the share of each one's code found in the other.
        slices: For code, the copied character ranges of each one's code (starts, ends).
    """

    first: str
    second: str
    kind: str
    score: float
    shares: tuple[float, float] = (1.0, 1.0)
    slices: tuple = (np.zeros((2, 0), int), np.zeros((2, 0), int))


def fingerprint(code: str, name: str, boilerplate=()):
    """The winnowed fingerprints of ``code`` (``copydetect.CodeFingerprint``), less ``boilerplate``."""
    from copydetect import CodeFingerprint

    return CodeFingerprint(
        f"{name}.py", NOISE, WINDOW, boilerplate=list(boilerplate), fp=io.StringIO(code), language="python"
    )


@functools.cache
def _boilerplate(given: str) -> tuple[int, ...]:
    return tuple(fingerprint(given, "given").hashes) if given else ()


def code_matches(
    traces: list[Trace], reference: Trace | None = None, line: float = LINE, given: str = ""
) -> list[Match]:
    """The pairs of ``traces`` (and each with ``reference``) whose code scores ``line`` or more.

    Args:
        traces: The batch's submissions.
        reference: The course's reference solution, or None.
        line: The lowest score named.
        given: The code every learner is given (``traces.given_code``), taken out as boilerplate.
    """
    boilerplate = _boilerplate(given)
    prints = {trace.name: fingerprint(trace.code, trace.name, boilerplate) for trace in traces}
    pairs = list(itertools.combinations(prints, 2))
    if reference is not None:
        pairs += [(name, REFERENCE) for name in prints]
        prints[REFERENCE] = fingerprint(reference.code, "reference", boilerplate)
    found = []
    for first, second in pairs:
        match = _compared(first, second, prints)
        if match is not None and match.score >= line:
            found.append(match)
    return found


def _compared(first: str, second: str, prints: dict) -> Match | None:
    from copydetect import compare_files

    one, other = prints[first], prints[second]
    if not one.hashes or not other.hashes or one.hashes.isdisjoint(other.hashes):
        return None  # Nothing shared: most pairs of a term, decided without copydetect's arrays.
    _, shares, slices = compare_files(one, other)
    shares = (float(shares[0]), float(shares[1]))
    return Match(first, second, "code", max(shares), shares, slices)


def run_matches(traces: list[Trace]) -> list[Match]:
    """The pairs of ``traces`` that report the same figures, or show the same samples."""
    found = []
    for kind in ("figures", "samples"):
        alike = defaultdict(list)
        for trace in traces:
            if getattr(trace, kind):
                alike[getattr(trace, kind)].append(trace.name)
        for names in alike.values():
            found += [Match(first, second, kind, 1.0) for first, second in itertools.combinations(names, 2)]
    return found


def similar(traces: list[Trace], reference: Trace | None = None, given: str = "") -> list[Match]:
    """Every pair too alike, the most alike first (the arguments as ``code_matches``')."""
    found = code_matches(traces, reference, LINE, given) + run_matches(traces)
    return sorted(found, key=lambda match: (-match.score, match.first, match.second, match.kind))

"""Measures the similarity report at a term's scale: a generated term of independent learners with
planted copies, compared as a batch compares it; the time, the copies found and the false pairs.

    python -m benchmarks.similarity_term [--learners 300] [--runs 3]

Each generated learner takes each of the six functions from one of the independent solutions
(``similarity_line.independent``), with numbers of their own (``disguises.varied``), names of their
own and their lines in their own order. Planted among them: classmates' code renamed, reordered
and recommented; the reference with its comments removed; a classmate's with one function
rewritten. The last line prints the median seconds of the comparison, then how many planted copies
were found and how many other pairs were named.
"""

from __future__ import annotations

import argparse
import ast
import random
import statistics
import time
from pathlib import Path

from benchmarks import disguises, similarity_line
from harness.project import PROJECT
from harness.review import similarity, traces
from harness.rubric import FUNCTIONS

HYPERPARAMETERS = "batch_size = {}\nz_dim = {}\nlearning_rate = {}\nbeta1 = {}\n"


def learner(codes: dict[str, str], rng: random.Random) -> tuple[str, tuple[str, ...]]:
    """An independent learner's code (each function from one solution, in their own numbers, names
    and order), and the solution each function came from."""
    functions, sources = [], tuple(rng.choice(sorted(codes)) for _ in FUNCTIONS)
    for name, source in zip(FUNCTIONS, sources, strict=True):
        functions += [node for node in ast.parse(codes[source]).body if getattr(node, "name", None) == name]
    values = (rng.choice((16, 32, 64)), rng.choice((100, 128)), rng.choice((2e-4, 4e-4, 8e-4)), 0.5)
    source = ast.unparse(ast.Module(body=functions, type_ignores=[])) + "\n" + HYPERPARAMETERS.format(*values)
    return disguises.reordered(disguises.renamed(disguises.varied(source, rng), rng), rng), sources


def term(codes: dict[str, str], learners: int, seed: int) -> tuple[dict[str, str], dict, set]:
    """``learners`` submissions' code by name, each learner's sources, and the planted pairs."""
    rng = random.Random(seed)
    drawn = {f"learner{index:03d}": learner(codes, rng) for index in range(learners)}
    code = {name: text for name, (text, _) in drawn.items()}
    planted = set()
    for index in range(3):  # Classmates' code renamed, reordered and recommented.
        original = f"learner{index * 7:03d}"
        copy = disguises.recommented(disguises.reordered(disguises.renamed(code[original], rng), rng), rng)
        code[f"copier{index}"], planted = copy, planted | {(original, f"copier{index}")}
    for index in range(2):  # The reference with its comments removed; alike each other too.
        code[f"reference_copier{index}"] = disguises.recommented(codes["reference"], rng)
        planted.add((similarity.REFERENCE, f"reference_copier{index}"))
    planted.add(("reference_copier0", "reference_copier1"))
    original, other = f"learner{learners // 3:03d}", f"learner{2 * learners // 3:03d}"
    code["rewriter"] = disguises.one_rewritten(code[original], code[other], rng)
    planted.add((original, "rewriter"))
    code = {name: disguises.learner_source(text) for name, text in code.items()}
    return code, {name: sources for name, (_, sources) in drawn.items()}, {_pair(*pair) for pair in planted}


def _pair(first: str, second: str) -> tuple[str, str]:
    return (first, second) if first < second else (second, first)


def shared(sources: dict, pair: tuple[str, str]) -> int:
    """How many of the six functions two generated learners drew from the same solution."""
    one, other = (sources.get(name) for name in pair)
    return 0 if one is None or other is None else sum(a == b for a, b in zip(one, other, strict=True))


def main(argv: list[str] | None = None) -> tuple[float, int, int]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solutions", type=Path, default=PROJECT / "tests" / "learner_solutions")
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    codes = similarity_line.independent(args.solutions)
    seconds, found, planted_total, false = [], 0, 0, 0
    for run in range(args.runs):
        code, sources, planted = term(codes, args.learners, seed=run)
        batch = [similarity.Trace(name, text) for name, text in code.items()]
        start = time.perf_counter()
        matches = similarity.similar(batch, traces.reference(), traces.given_code())
        seconds.append(time.perf_counter() - start)
        named = {_pair(match.first, match.second) for match in matches}
        others = named - planted
        independent = [pair for pair in others if shared(sources, pair) <= 2]
        found, planted_total, false = (
            found + len(planted & named),
            planted_total + len(planted),
            false + len(independent),
        )
        drew = sorted(shared(sources, pair) for pair in others)
        print(
            f"run {run + 1}: {len(batch)} submissions, {len(batch) * (len(batch) - 1) // 2} pairs in "
            f"{seconds[-1]:.1f} s; planted copies found {len(planted & named)} of {len(planted)}; other "
            f"pairs named {len(others)} (functions drawn from the same solution: {drew}), "
            f"of them mostly independent (at most 2 of 6 drawn alike): {len(independent)}"
        )
    print(
        f"median {statistics.median(seconds):.1f} s; planted copies found {found} of {planted_total}; "
        f"false pairs {false}"
    )
    return statistics.median(seconds), found, false


if __name__ == "__main__":
    main()

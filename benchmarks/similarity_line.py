"""Measures the similarity line: the code scores of independent correct solutions against each other,
and of copies disguised four ways against their originals; the margin between them last.

    python -m benchmarks.similarity_line [--solutions tests/learner_solutions] [--seeds 5]

The independent solutions are the learners' of ``tests/`` (five styles), the alternatives of
``tests/solution_variants.py`` and the reference (the shipped notebook's code). Each is copied
renamed, reordered, with its comments changed, with one function rewritten (another's), and all
of the first three at once, for each seed. ``similarity.LINE`` must lie above every independent
pair and below every copy: the last line prints the margin on either side (both positive).
"""

from __future__ import annotations

import argparse
import itertools
import random
from pathlib import Path

from benchmarks import disguises
from harness.project import PROJECT
from harness.review import similarity, traces

DISGUISES = {
    "renamed": lambda source, other, rng: disguises.renamed(source, rng),
    "reordered": lambda source, other, rng: disguises.reordered(source, rng),
    "comments changed": lambda source, other, rng: disguises.recommented(source, rng),
    "one function rewritten": disguises.one_rewritten,
    "all of the first three": lambda source, other, rng: disguises.recommented(
        disguises.reordered(disguises.renamed(source, rng), rng), rng
    ),
}


def independent(solutions: Path) -> dict[str, str]:
    """The independent solutions' learner code, by name."""
    found = {path.stem: path.read_text() for path in sorted(solutions.glob("*.py"))}
    variants = solutions.parent / "solution_variants.py"
    if variants.is_file():
        found["variants"] = variants.read_text()
    found["reference"] = traces.reference().code
    return {name: disguises.learner_source(source) for name, source in found.items()}


def score(one: str, other: str) -> float:
    """The pair's score as the batch computes it (0 when they share no fingerprint)."""
    pair = [similarity.Trace("one", one), similarity.Trace("other", other)]
    match = similarity.code_matches(pair, line=0, given=traces.given_code())
    return match[0].score if match else 0.0


def main(argv: list[str] | None = None) -> dict[str, list[float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solutions", type=Path, default=PROJECT / "tests" / "learner_solutions")
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args(argv)
    codes = independent(args.solutions)
    scores = {"independent pairs": [score(codes[a], codes[b]) for a, b in itertools.combinations(codes, 2)]}
    for kind, disguise in DISGUISES.items():
        scores[kind] = []
        for seed, (name, code) in itertools.product(range(args.seeds), codes.items()):
            rng = random.Random(f"{seed}-{name}-{kind}")
            other = codes[rng.choice([key for key in codes if key != name])]
            scores[kind].append(score(code, disguises.learner_source(disguise(code, other, rng))))
    for kind, found in scores.items():
        print(f"{kind}: {len(found)} pairs, scores {min(found):.3f} to {max(found):.3f}")
    honest, copied = (
        max(scores["independent pairs"]),
        min(min(v) for k, v in scores.items() if "pairs" not in k),
    )
    print(
        f"line {similarity.LINE}: {similarity.LINE - honest:.3f} above the most alike independent pair, "
        f"{copied - similarity.LINE:.3f} below the least alike copy"
    )
    return scores


if __name__ == "__main__":
    main()

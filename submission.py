"""Submitting the project: a self-review by the original project's rubric, and the zip to hand in.

In the notebook, ``show(self_check(globals()))`` marks each rubric item met or not, with its
evidence, as a reviewer grades it; the executed notebook keeps that review. Then, from a shell::

    python submission.py     # writes dlnd_face_generation_submission.zip

packs exactly what the original project asks for (the executed notebook, ``helper.py``,
``problem_unittests.py`` and the HTML report), or refuses, with the reasons, when a required
item of the review is not met.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

from harness import atomic
from harness.project import PROJECT
from harness.rubric import FILES, REPORT
from harness.self_review import EXECUTED, NOTEBOOK, NotReady, read_review

ZIP = "dlnd_face_generation_submission.zip"


def pack(project: Path = PROJECT, output: Path | None = None) -> Path:
    """Writes the submission zip, all or nothing.

    Raises:
        NotReady: A required file is missing, or a rubric item is not met; the message lists them.
    """
    output = output or project / ZIP
    review = read_review(project / EXECUTED)
    unmet = [f"- {item.rubric}: {item.evidence}" for item in review if item.blocks]
    missing = [name for name in (*FILES, REPORT) if not (project / name).is_file()]
    if missing:
        unmet.insert(0, f"- missing files: {', '.join(missing)}")
    if unmet:
        raise NotReady("Not submitting: these rubric items are not met yet.\n" + "\n".join(unmet))
    with atomic.replacing(output) as temp, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.write(project / EXECUTED, NOTEBOOK)  # The notebook with its outputs, as reviewers read it.
        for name in (*FILES[1:], REPORT):
            bundle.write(project / name, name)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="submission.py", description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=PROJECT / ZIP, help=f"the zip (default: {ZIP})")
    args = parser.parse_args(argv)
    try:
        written = pack(PROJECT, args.output)
    except NotReady as error:
        print(error, file=sys.stderr)
        return 1
    with zipfile.ZipFile(written) as bundle:
        print(f"Wrote {written.name}: {', '.join(bundle.namelist())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The quality figures a submitted notebook reports, read from its outputs to be measured again.

The notebook prints the measures of each epoch as ``quality`` judges describe them, for example
``Epoch 2: FD 3.94 = 1.3% of the noise floor (floors: real digits 0.95, noise 302.9; in digit
classifier features); rarest digit 7.9% of samples; mean confidence 0.915``. A notebook of the
original project reports none: the review then says so and measures what it can.
"""

from __future__ import annotations

import re

_NUMBER = r"(\d+(?:\.\d+)?)"
_LINE = re.compile(
    rf"Epoch (\d+): FD {_NUMBER} = {_NUMBER}% of the noise floor \(floors: real (digits|faces) {_NUMBER}, "
    rf"noise {_NUMBER};[^)]*\)(?:; rarest digit {_NUMBER}% of samples; mean confidence {_NUMBER})?"
)


_DIAGNOSIS = re.compile(r"🌀 \*\*([^*\n]+)\*\*: ([^\n]+)")


def _outputs(notebook):
    """Each output of each code cell, with the cell's source, in order."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            yield cell.source, output


def _joined(text) -> str:
    return "".join(text) if isinstance(text, list) else str(text)


def _texts(notebook):
    """The text of every output of every code cell, in order."""
    for _, output in _outputs(notebook):
        yield _joined(output.get("text") or output.get("data", {}).get("text/plain", ""))


def reported_quality(notebook) -> dict[str, list[dict]]:
    """Each data set's reported measures, by kind ("digits", "faces"), one dict per epoch line.

    Each dict holds ``epoch``, ``fd``, ``fd_of_noise`` (a fraction), ``floors`` (``real``,
    ``noise``) and, for digits, ``rarest`` (a fraction) and ``confidence``.
    """
    return quality_in(_texts(notebook))


def quality_in(texts) -> dict[str, list[dict]]:
    """The measures in ``texts`` (the outputs of a notebook, or the text of its HTML report)."""
    found: dict[str, list[dict]] = {}
    for text in texts:
        for match in _LINE.finditer(text):
            epoch, fd, share, kind, real, noise, rarest, confidence = match.groups()
            figures = {
                "epoch": int(epoch),
                "fd": float(fd),
                "fd_of_noise": float(share) / 100,
                "floors": {"real": float(real), "noise": float(noise)},
            }
            if rarest is not None:
                figures |= {"rarest": float(rarest) / 100, "confidence": float(confidence)}
            found.setdefault(kind, []).append(figures)
    return found


def reported_diagnoses(notebook) -> dict[str, str]:
    """The training diagnosis the notebook showed for each data set ("digits", "faces"), in words."""
    found = {}
    for source, output in _outputs(notebook):
        match = _DIAGNOSIS.match(_joined(output.get("data", {}).get("text/markdown", "")))
        if match:
            kind = "faces" if "celeba" in source.lower() else "digits"
            found[kind] = f"{match.group(1)}: {match.group(2)}"
    return found

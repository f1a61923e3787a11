"""The summary of a batch of reviews, as a course team works from it: one row per submission.

Each review becomes a ``Row``: its verdict in each rubric section, how long it took, why its
sections "Require Changes", the digest it was reviewed under, or why it could not be reviewed.
The rows are kept in ``summary.csv`` (one a gradebook imports, and from which a rerun knows what
it already reviewed) and shown in ``summary.md`` and ``summary.html``: the table of verdicts by
section, how many met each section, and the commonest reasons for "Requires Changes".
"""

from __future__ import annotations

import collections
import csv
import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from harness import atomic
from harness.review.draft import Review
from harness.review.sections import BY_EYE, MEETS, REQUIRES

__all__ = ["FAILED", "Row", "changes", "read", "row_of", "write"]

FILES = {"csv": "summary.csv", "markdown": "summary.md", "html": "summary.html"}
FAILED = "Failed"  # A review that did not end (its worker died too often, an error of ours).
REFUSED = "Refused"
COMMONEST = 5  # Reasons listed in the summary.
_MARKS = {MEETS: "✅", REQUIRES: "❌", BY_EYE: "👀"}
_FIGURES = re.compile(r"\d+(?:[.,]\d+)*")
_SEPARATOR = " | "  # Between the reasons of one row in the CSV.
_VERSIONS = ("grader", "previous grader", "changed")  # Columns a summary before them lacks.


@dataclass
class Row:
    """One submission's line of the summary.

    Attributes:
        name: The submission's name.
        digest: What it was reviewed as: its content and the review's options (``batch.digest``).
        result: "Meets Specifications", "To check by eye" (nothing requires changes, a section
            needs the reviewer's eye), "Requires Changes", "Refused" or "Failed".
        verdicts: Each section's verdict, by the section's title, in the rubric's order.
        reasons: For each section that requires changes, its title and the first sentence of its evidence.
        seconds: How long the review took.
        note: Why it was refused or failed, or "".
        grader: The version of what judged it (``grader.version``), or "".
        previous_grader: The version that judged it before, when the grader changed since; or "".
        changed: The verdicts that changed since then: "title: before → now".
    """

    name: str
    digest: str
    result: str
    verdicts: dict[str, str] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""
    grader: str = ""
    previous_grader: str = ""
    changed: list[str] = field(default_factory=list)


def row_of(review: Review, digest: str) -> Row:
    """The summary's row for a finished review."""
    verdicts = {section.title: section.verdict for section in review.sections}
    reasons = [f"{s.title}: {_first_sentence(s.evidence)}" for s in review.sections if s.verdict == REQUIRES]
    found = set(verdicts.values())
    result = REFUSED if review.refused else next((v for v in (REQUIRES, BY_EYE) if v in found), MEETS)
    return Row(
        review.name, digest, result, verdicts, reasons, review.seconds, review.refused or "", review.grader
    )


def changes(before: Row, now: Row) -> list[str]:
    """The verdicts of ``now`` that are not ``before``'s, as "title: before → now" (— for none)."""
    titles = [*now.verdicts, *(title for title in before.verdicts if title not in now.verdicts)]
    return [
        f"{title}: {before.verdicts.get(title, '—')} → {now.verdicts.get(title, '—')}"
        for title in titles
        if before.verdicts.get(title) != now.verdicts.get(title)
    ]


def failed(name: str, digest: str, why: str) -> Row:
    """The row of a review that did not end: a row like the others, never the batch's end."""
    return Row(name, digest, FAILED, note=why)


def _first_sentence(text: str) -> str:
    sentence = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return sentence[:200]


def write(rows: list[Row], output: Path) -> None:
    """Writes the summary's three files in ``output``, each all or nothing."""
    rows = sorted(rows, key=lambda row: row.name)
    for kind, text in (("csv", _csv(rows)), ("markdown", markdown(rows)), ("html", page(rows))):
        with atomic.replacing(output / FILES[kind]) as temp:
            temp.write_text(text, encoding="utf-8", newline="")


def _titles(rows: list[Row]) -> list[str]:
    return max((list(row.verdicts) for row in rows), key=len, default=[])


def _csv(rows: list[Row]) -> str:
    titles = _titles(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["submission", "result", "sections met", *titles, "reasons", "note", "seconds", "digest"]
    writer.writerow([*header, *_VERSIONS])
    for row in rows:
        met = sum(verdict == MEETS for verdict in row.verdicts.values())
        verdicts = [row.verdicts.get(title, "") for title in titles]
        met_text = f"{met}/{len(row.verdicts)}" if row.verdicts else ""
        reasons = _SEPARATOR.join(row.reasons)
        versions = [row.grader, row.previous_grader, _SEPARATOR.join(row.changed)]
        writer.writerow(
            [
                row.name,
                row.result,
                met_text,
                *verdicts,
                reasons,
                row.note,
                f"{row.seconds:.0f}",
                row.digest,
                *versions,
            ]
        )
    return out.getvalue()


def read(output: Path) -> list[Row]:
    """The rows of the summary already in ``output`` (none when there is none, or it is not ours)."""
    path = output / FILES["csv"]
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as stream:
        records = list(csv.DictReader(stream))
    fixed = {"submission", "result", "sections met", "reasons", "note", "seconds", "digest"}
    rows = []
    for record in records:
        if not fixed <= set(record):
            return []  # Not a summary this version wrote: everything is reviewed again.
        verdicts = {
            title: value for title, value in record.items() if title not in fixed | set(_VERSIONS) and value
        }
        reasons = record["reasons"].split(_SEPARATOR) if record["reasons"] else []
        seconds = float(record["seconds"] or 0)
        rows.append(
            Row(
                record["submission"],
                record["digest"],
                record["result"],
                verdicts,
                reasons,
                seconds,
                record["note"],
                record.get("grader") or "",
                record.get("previous grader") or "",
                record["changed"].split(_SEPARATOR) if record.get("changed") else [],
            )
        )
    return rows


def counts(rows: list[Row]) -> list[tuple[str, int, int]]:
    """For each section: its title, how many reviews met it, how many reviews have it."""
    titles = _titles(rows)
    return [
        (
            title,
            sum(row.verdicts.get(title) == MEETS for row in rows),
            sum(title in row.verdicts for row in rows),
        )
        for title in titles
    ]


def commonest_reasons(rows: list[Row]) -> list[tuple[str, int]]:
    """The commonest reasons for "Requires Changes" (the same reason with other figures counts
    as the same), each as first seen, and how many reviews give it."""
    seen: dict[str, str] = {}
    tally: collections.Counter[str] = collections.Counter()
    for row in rows:
        for reason in dict.fromkeys(row.reasons):
            key = _FIGURES.sub("#", reason)
            seen.setdefault(key, reason)
            tally[key] += 1
    return [(seen[key], count) for key, count in tally.most_common(COMMONEST)]


def markdown(rows: list[Row]) -> str:
    """The table of verdicts by section, how many met each section, the commonest reasons."""
    titles = _titles(rows)
    header = ["submission", *(str(i + 1) for i in range(len(titles))), "seconds"]
    lines = [f"| {' | '.join(header)} |", f"|{' --- |' * len(header)}"]
    for row in rows:
        marks = [_MARKS.get(row.verdicts.get(title, ""), "") for title in titles]
        if not row.verdicts:
            marks = [row.result.lower(), *[""] * (len(titles) - 1)] if titles else [row.result.lower()]
        lines.append(f"| {row.name} | {' | '.join(marks)} | {row.seconds:.0f} |")
    lines += ["", *(f"{i + 1}. {title}" for i, title in enumerate(titles))]
    lines += ["", f"**{_totals(rows)}**", "", "Met, by section:", ""]
    lines += [f"- {title}: {met} of {seen}" for title, met, seen in counts(rows)]
    reasons = commonest_reasons(rows)
    if reasons:
        lines += ["", "Commonest reasons for Requires Changes:", ""]
        lines += [f"- {reason} ({count})" for reason, count in reasons]
    regraded = [row for row in rows if row.previous_grader]
    if regraded:
        lines += ["", regrading(regraded), ""]
        lines += [f"- {row.name}: {change}" for row in regraded for change in row.changed]
    return "\n".join([*lines, ""])


def regrading(regraded: list[Row]) -> str:
    """One sentence on the reviews done again since the grader changed: how many verdicts changed."""
    versions = sorted({row.previous_grader for row in regraded})
    changed = sum(len(row.changed) for row in regraded)
    rows = sum(bool(row.changed) for row in regraded)
    return (
        f"Judged again since the grader changed (from {', '.join(versions)} to {regraded[0].grader}): "
        f"{changed} verdict{'s' * (changed != 1)} changed, in {rows} of {len(regraded)} submissions; "
        "each earlier review is kept as NAME.review.VERSION.md."
    )


def _totals(rows: list[Row]) -> str:
    tally = collections.Counter(row.result for row in rows)
    parts = [
        f"{tally[result]} {result}" for result in (MEETS, BY_EYE, REQUIRES, REFUSED, FAILED) if tally[result]
    ]
    return f"{len(rows)} submissions: {', '.join(parts) or 'none yet'}."


def page(rows: list[Row]) -> str:
    """The summary as a standalone HTML page."""
    escape, titles = html.escape, _titles(rows)
    head = "".join(f'<th title="{escape(title)}">{i + 1}</th>' for i, title in enumerate(titles))
    body = []
    for row in rows:
        cells = "".join(f"<td>{escape(_MARKS.get(row.verdicts.get(t, ''), ''))}</td>" for t in titles)
        if not row.verdicts:
            cells = f'<td colspan="{max(len(titles), 1)}">{escape(row.result)}: {escape(row.note)}</td>'
        body.append(f"<tr><td>{escape(row.name)}</td>{cells}<td>{row.seconds:.0f}</td></tr>")
    legend = "".join(f"<li>{escape(title)}: {met} of {seen} met</li>" for title, met, seen in counts(rows))
    reasons = "".join(f"<li>{escape(reason)} ({count})</li>" for reason, count in commonest_reasons(rows))
    parts = [
        "<h1>Reviews</h1>",
        f"<p><b>{escape(_totals(rows))}</b></p>",
        f"<table><tr><th>submission</th>{head}<th>seconds</th></tr>{''.join(body)}</table>",
        f"<ol>{legend}</ol>",
        f"<h2>Commonest reasons for Requires Changes</h2><ul>{reasons}</ul>" if reasons else "",
        _regrading_html(rows),
    ]
    style = "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
    style += "td,th{border:1px solid #ccc;padding:.3em .6em}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Reviews</title>'
        f"<style>{style}</style></head><body>\n{''.join(parts)}\n</body></html>\n"
    )


def _regrading_html(rows: list[Row]) -> str:
    regraded = [row for row in rows if row.previous_grader]
    if not regraded:
        return ""
    items = "".join(
        f"<li>{html.escape(row.name)}: {html.escape(change)}</li>"
        for row in regraded
        for change in row.changed
    )
    return f"<h2>The grader changed</h2><p>{html.escape(regrading(regraded))}</p><ul>{items}</ul>"

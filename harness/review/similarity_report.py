"""The similarity report of a batch: ``similarity.html`` and ``similarity.csv`` beside the summary,
and one line in each flagged submission's draft naming the others.

The report is a note for the course team: it changes no verdict. The line in a draft sits between
two HTML comments (invisible in both the Markdown and the HTML), so that a rerun rewrites it, or
takes it away when the pair is no more.
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

from harness import atomic
from harness.review import similarity, traces
from harness.review.similarity import KINDS, REFERENCE, Match, Trace

FILES = {"csv": "similarity.csv", "html": "similarity.html"}
START, END = "<!-- similarity -->", "<!-- /similarity -->"
LABEL = "Similar submissions (for the course team; take this line out before sending):"
_BLOCK = re.compile(rf"\n*{re.escape(START)}.*?{re.escape(END)}\n*", re.S)
# Where the line goes when a draft has none yet: after its verdict.
_AFTER = {".md": re.compile(r"^\*\*.*\*\*$", re.M), ".html": re.compile(r'^<p class="summary">.*</p>$', re.M)}
_STYLE = (
    "body{font-family:sans-serif;margin:2em;line-height:1.4}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.3em .6em;vertical-align:top}"
    "pre{font-size:.8em;white-space:pre-wrap;margin:0}mark{background:#ffe08a}"
)


def report(submissions: list, output: Path) -> list[Match]:
    """Compares a batch's ``submissions`` (``batch.Submission``), writes the report and marks the
    drafts in ``output``; returns the pairs named."""
    found = [traces.trace_of(item.name, item.suffix, item.payload) for item in submissions]
    batch = [trace for trace in found if trace is not None]
    matches = similarity.similar(batch, traces.reference(), traces.given_code())
    write(matches, {trace.name: trace for trace in batch}, output)
    mark_drafts([item.name for item in submissions], matches, output)
    return matches


def write(matches: list[Match], traced: dict[str, Trace], output: Path) -> None:
    """Writes ``similarity.csv`` and ``similarity.html`` in ``output``, each all or nothing."""
    code = traced | {REFERENCE: traces.reference()}
    for kind, text in (("csv", _csv(matches)), ("html", page(matches, code))):
        with atomic.replacing(output / FILES[kind]) as temp:
            temp.write_text(text, encoding="utf-8", newline="")


def _csv(matches: list[Match]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["first", "second", "shared", "score", "share of first", "share of second"])
    for match in matches:
        shares = [f"{share:.3f}" for share in match.shares]
        writer.writerow([match.first, match.second, KINDS[match.kind], f"{match.score:.3f}", *shares])
    return out.getvalue()


def page(matches: list[Match], code: dict[str, Trace]) -> str:
    """The report as a standalone HTML page: the pairs, then each code pair's lines side by side."""
    escape = html.escape
    rows = "".join(
        f"<tr><td>{escape(m.first)}</td><td>{escape(m.second)}</td><td>"
        + (f'<a href="#pair{index}">code</a>' if m.kind == "code" else KINDS[m.kind])
        + f"</td><td>{m.score:.2f}</td></tr>"
        for index, m in enumerate(matches)
    )
    parts = [
        "<h1>Similar submissions</h1>",
        f"<p>{escape(_summary(matches))} A note for the course team: it changes no verdict.</p>",
        f"<table><tr><th>submission</th><th>alike</th><th>shared</th><th>score</th></tr>{rows}</table>"
        if matches
        else "",
        *(_side_by_side(index, m, code) for index, m in enumerate(matches) if m.kind == "code"),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Similar submissions</title>'
        f"<style>{_STYLE}</style></head><body>\n{''.join(parts)}\n</body></html>\n"
    )


def _side_by_side(index: int, match: Match, code: dict[str, Trace]) -> str:
    """A code pair's two sources side by side, what they share marked."""
    first, second = html.escape(match.first), html.escape(match.second)
    sides = "".join(
        f"<td><pre>{_highlighted(code[name].code, slices)}</pre></td>"
        for name, slices in zip((match.first, match.second), match.slices, strict=True)
    )
    return (
        f'<h2 id="pair{index}">{first} and {second}: {match.score:.2f}</h2>'
        f"<table><tr><th>{first}</th><th>{second}</th></tr><tr>{sides}</tr></table>"
    )


def _summary(matches: list[Match]) -> str:
    line = f"Code is named from a score of {similarity.LINE} (the share of one's code found in the other)."
    if not matches:
        return f"No two submissions are alike, and none is the reference solution. {line}"
    return f"{len(matches)} pair{'s' if len(matches) != 1 else ''} alike. {line}"


def _highlighted(text: str, slices) -> str:
    """``text`` escaped, the copied ranges in ``<mark>``."""
    parts, at = [], 0
    for start, end in zip(*slices, strict=True):
        parts += [html.escape(text[at:start]), f"<mark>{html.escape(text[start:end])}</mark>"]
        at = end
    return "".join([*parts, html.escape(text[at:])])


def mark_drafts(names: list[str], matches: list[Match], output: Path) -> None:
    """Writes, rewrites or removes the similarity line in each of ``names``' drafts in ``output``."""
    for name in names:
        line = note_for(name, matches)
        for suffix, marked in (
            (".md", f"**{LABEL}** {line}"),
            (".html", f"<p><b>{LABEL}</b> {html.escape(line)}</p>"),
        ):
            path = output / f"{name}.review{suffix}"
            if path.is_file():
                _mark(path, suffix, marked if line else "")


def note_for(name: str, matches: list[Match]) -> str:
    """What ``name`` shares with whom, for its draft; "" when it is alike none."""
    said = []
    for match in (m for m in matches if name in (m.first, m.second)):
        other = match.second if match.first == name else match.first
        if match.kind == "code":
            whose = other if other == REFERENCE else f"{other}'s"
            said.append(f"its code is near-identical to {whose} (score {match.score:.2f})")
        else:
            said.append(f"it shows the same {KINDS[match.kind]} as {other}")
    if not said:
        return ""
    return f"{'; '.join(said)}. See {FILES['html']}; no verdict changes."


def _mark(path: Path, suffix: str, line: str) -> None:
    """Puts ``line`` between the markers (after the verdict, the first time); "" takes it away."""
    text = path.read_text(encoding="utf-8")
    block = f"\n\n{START}\n{line}\n{END}\n\n" if line else "\n\n"
    if _BLOCK.search(text):
        marked = _BLOCK.sub(lambda _: block, text, count=1)
    elif line and (verdict := _AFTER[suffix].search(text)):
        marked = text[: verdict.end()] + block + text[verdict.end() :].lstrip("\n")
    else:
        return
    if marked != text:
        with atomic.replacing(path) as temp:
            temp.write_text(marked, encoding="utf-8")

"""A draft review written out: Markdown for the reviewer to edit, HTML to read (a batch's summary
is ``summary.py``'s). Everything the submission wrote (its check messages) is escaped in HTML."""

from __future__ import annotations

import html
import re

from harness.review.draft import Review
from harness.review.sections import BY_EYE, MEETS, REQUIRES

_MARKS = {MEETS: "✅", REQUIRES: "❌", BY_EYE: "👀"}
# In HTML the verdicts are coloured words: emoji fonts are not on every reviewer's machine.
_CLASSES = {MEETS: "meets", REQUIRES: "changes", BY_EYE: "eye"}
_CODE, _BOLD = re.compile(r"`([^`]+)`"), re.compile(r"\*\*([^*]+)\*\*")
_STYLE = (
    "body{font-family:sans-serif;max-width:52em;margin:2em auto;line-height:1.45;color:#222}"
    "h2{font-size:1.1em;margin-top:1.6em}.summary{font-weight:bold}.protection{color:#555}"
    ".meets{color:#1a7f37}.changes{color:#cf222e}.eye{color:#9a6700}"
    'li.done::marker{content:"✓  "}li.try::marker{content:"→  "}ul{padding-left:1.5em}'
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em}"
)


def verdict_line(review: Review) -> str:
    if review.refused:
        return "Not reviewed: the submission was refused before anything of it ran."
    total = len(review.sections)
    changes = sum(section.verdict == REQUIRES for section in review.sections)
    by_eye = sum(section.verdict == BY_EYE for section in review.sections)
    if changes:
        return f"Requires Changes: {changes} of {total} sections."
    if by_eye:
        return f"Meets Specifications in {total - by_eye} of {total} sections; {by_eye} to check by eye."
    return f"Meets Specifications: all {total} sections."


def markdown(review: Review) -> str:
    """The review as Markdown, in the rubric's order."""
    lines = [f"# Review of {review.name}", "", f"*{review.protection}*", "", f"**{verdict_line(review)}**"]
    if review.refused:
        lines += ["", review.refused]
    for section in review.sections:
        lines += [
            "",
            f"## {_MARKS[section.verdict]} {section.title}: {section.verdict}",
            "",
            section.evidence,
        ]
        lines += [f"- ✓ {text}" for text in section.done_well]
        lines += [f"- 🌀 {text}" for text in section.worth_trying]
    lines += ["", f"*Drafted in {review.seconds:.0f} s{_by(review)}.*", ""]
    return "\n".join(lines)


def page(review: Review) -> str:
    """The review as a standalone HTML page."""
    escape = html.escape
    parts = [
        f"<h1>Review of {escape(review.name)}</h1>",
        f'<p class="protection">{_inline(review.protection)}</p>',
        f'<p class="summary">{escape(verdict_line(review))}</p>',
    ]
    if review.refused:
        parts.append(f"<p>{escape(review.refused)}</p>")
    for section in review.sections:
        title = _inline(section.title)
        verdict = f'<span class="{_CLASSES[section.verdict]}">{escape(section.verdict)}</span>'
        parts += [f"<h2>{title}: {verdict}</h2>", f"<p>{escape(section.evidence)}</p>"]
        if section.picture:  # Ours: the samples as we measured them, re-encoded.
            parts.append(
                f'<p><img alt="The samples judged" src="data:image/png;base64,{section.picture}"></p>'
            )
        if section.code:  # The learner's code: escaped, folded away until the reviewer opens it.
            summary = "<summary>The code that built its graphs</summary>"
            parts.append(f"<details>{summary}<pre>{escape(section.code)}</pre></details>")
        items = [f'<li class="done">{escape(t)}</li>' for t in section.done_well]
        items += [f'<li class="try">{escape(t)}</li>' for t in section.worth_trying]
        if items:
            parts.append(f"<ul>{''.join(items)}</ul>")
    parts.append(f'<p class="protection">Drafted in {review.seconds:.0f} s{html.escape(_by(review))}.</p>')
    return _document(f"Review of {review.name}", "\n".join(parts))


def _inline(text: str) -> str:
    """Our own Markdown's `code` and **bold**, in HTML; everything else escaped."""
    return _BOLD.sub(r"<b>\1</b>", _CODE.sub(r"<code>\1</code>", html.escape(text)))


def _document(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )


def _by(review: Review) -> str:
    return f" by grader version {review.grader}" if review.grader else ""

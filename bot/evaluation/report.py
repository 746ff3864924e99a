"""What evaluators read after a run: a text summary, a self-contained HTML report, JUnit XML.

The HTML report is one file with nothing to download (styles inline, the chart a PNG inside
the page), so it can be mailed to a donor's auditor or attached to a ticket as it is. Each
transcript is marked with its language and direction, so Arabic, Persian, Pashto and Urdu
read right to left with their Latin links and numbers kept in order.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
import warnings
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from babel import Locale

from ..content.catalogue import LANGUAGES
from ..content.loader import Problem
from ..i18n import RTL, bidi, language_name
from .conversations import problem_line, shown
from .runner import Result, Step, plain


def english_name(code: str) -> str:
    try:
        return Locale.parse(code).get_display_name("en") or code
    except (ValueError, TypeError):
        return code


@dataclass
class LanguageStats:
    """How one language did over all conversations."""

    language: str
    conversations: int = 0
    passed: int = 0
    turns: int = 0
    turns_passed: int = 0
    topic_checks: int = 0
    topic_right: int = 0
    language_checks: int = 0
    language_right: int = 0

    @staticmethod
    def share(part: int, whole: int) -> str:
        return f"{100 * part / whole:.0f}%" if whole else "–"


def by_language(results: list[Result]) -> dict[str, LanguageStats]:
    """Per language: conversations and turns passed, topics and answer languages right."""
    order = {code: i for i, code in enumerate(LANGUAGES)}
    stats: dict[str, LanguageStats] = {}
    for r in sorted(results, key=lambda r: order.get(r.language, 99)):
        s = stats.setdefault(r.language, LanguageStats(r.language))
        s.conversations += 1
        s.passed += r.passed
        for step in r.steps:
            s.turns += 1
            s.turns_passed += step.passed
            for c in step.checks:
                if c.name == "topic":
                    s.topic_checks += 1
                    s.topic_right += c.passed
                elif c.name == "language":
                    s.language_checks += 1
                    s.language_right += c.passed
    return stats


def confusion(results: list[Result]) -> Counter:
    """(expected topic, answered topic) -> how often, over every turn that names a topic."""
    return Counter(pair for r in results for pair in r.topic_pairs())


def by_topic(results: list[Result]) -> dict[str, tuple[int, int, Counter]]:
    """Expected topic -> (turns, answered right, what was answered instead)."""
    out: dict[str, tuple[int, int, Counter]] = {}
    for (expected, got), n in sorted(confusion(results).items()):
        total, right, instead = out.get(expected, (0, 0, Counter()))
        if expected == got:
            right += n
        else:
            instead[got] += n
        out[expected] = (total + n, right, instead)
    return out


# -- text ----------------------------------------------------------------------------------


def transcript(result: Result, width: int = 160) -> str:
    """The conversation as it happened, each turn with its failed checks: for terminals and CI logs."""
    lines = [f"{result.name} [{result.language}] ({result.conversation.where})"]
    for step in result.steps:
        lines.append(f"  {step.number}. user ({step.turn.kind}): {plain(step.sent or '—')}")
        if step.answer:
            answer = " ".join(plain(step.reply_text).split())
            short = answer if len(answer) <= width else answer[: width - 1] + "…"
            lines.append(f"     masar [{step.answer.topic}, {step.answer.language}]: {short}")
        for c in step.checks:
            if not c.passed:
                lines.append(f"     ✗ {c.name}: expected {c.expected}; got {plain(c.got)}")
    return "\n".join(lines)


def summary(results: list[Result], problems: Sequence[Problem] = ()) -> str:
    """The text printed by `masar test`: totals, per language, per topic, then every failure."""
    passed = sum(r.passed for r in results)
    names = {r.name for r in results}
    turns = sum(len(r.steps) for r in results)
    out = [
        f"Conversation tests: {passed} of {len(results)} passed "
        f"({len(names)} conversations, {len({r.language for r in results})} languages, {turns} turns)",
        "",
    ]
    out.append(
        f"{'language':<22} {'conversations':>13} {'turns':>9} {'topic right':>12} {'language right':>15}"
    )
    for s in by_language(results).values():
        out.append(
            f"{s.language + ' ' + english_name(s.language):<22} {f'{s.passed}/{s.conversations}':>13} "
            f"{f'{s.turns_passed}/{s.turns}':>9} {s.share(s.topic_right, s.topic_checks):>12} "
            f"{s.share(s.language_right, s.language_checks):>15}"
        )
    out += ["", f"{'topic':<26} {'turns':>6} {'right':>6}  answered instead"]
    for topic, (total, right, instead) in by_topic(results).items():
        others = ", ".join(f"{t} ×{n}" for t, n in instead.most_common())
        out.append(f"{topic:<26} {total:>6} {right:>6}  {others}")
    failed = [r for r in results if not r.passed]
    if failed:
        out += ["", f"Failures ({len(failed)}):"]
        for r in failed:
            out += r.failures()
    if problems:
        out += ["", f"Files that could not be run ({len(problems)} problems):"]
        out += [problem_line(p) for p in problems]
    return "\n".join(out)


# -- JUnit ---------------------------------------------------------------------------------


def junit(results: list[Result], problems: Sequence[Problem] = ()) -> str:
    """JUnit XML for CI systems: one test suite per language, one test case per conversation."""
    root = ET.Element(
        "testsuites",
        name="masar conversation tests",
        tests=str(len(results)),
        failures=str(sum(not r.passed for r in results)),
        errors=str(len(problems)),
    )
    suites: dict[str, ET.Element] = {}
    for r in results:
        suite = suites.get(r.language)
        if suite is None:
            suite = suites[r.language] = ET.SubElement(
                root, "testsuite", name=f"conversations.{r.language}", tests="0", failures="0"
            )
        suite.set("tests", str(int(suite.get("tests", "0")) + 1))
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"conversations.{r.language}",
            name=r.name,
            file=shown(r.conversation.path),
            line=str(r.conversation.line),
        )
        if not r.passed:
            suite.set("failures", str(int(suite.get("failures", "0")) + 1))
            failures = r.failures()
            failure = ET.SubElement(case, "failure", message=failures[0] if failures else "failed")
            failure.text = "\n".join(failures) + "\n\n" + transcript(r)
    if problems:
        suite = ET.SubElement(
            root,
            "testsuite",
            name="conversations.files",
            tests=str(len(problems)),
            errors=str(len(problems)),
        )
        for p in problems:
            case = ET.SubElement(
                suite, "testcase", classname="conversations.files", name=f"{shown(p.path)}:{p.line}"
            )
            ET.SubElement(case, "error", message=problem_line(p)).text = problem_line(p)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# -- HTML ----------------------------------------------------------------------------------


def chart_png(results: list[Result]) -> bytes | None:
    """Conversations passed and failed per language, as a PNG (None if matplotlib is missing)."""
    try:
        with (
            warnings.catch_warnings()
        ):  # matplotlib's own deprecation noise is not the evaluator's concern
            warnings.simplefilter("ignore")
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            from matplotlib.ticker import MaxNLocator
    except ImportError:
        return None
    stats = list(by_language(results).values())
    codes = [s.language for s in stats]
    passed = [s.passed for s in stats]
    failed = [s.conversations - s.passed for s in stats]
    fig, ax = plt.subplots(figsize=(8, 3), dpi=100)
    ax.bar(codes, passed, color="#2e7d32", label="passed")
    ax.bar(codes, failed, bottom=passed, color="#c62828", label="failed")
    ax.set_ylabel("conversations")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Conversation tests per language")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), fontsize="small", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


_CSS = """
body { font-family: system-ui, "Noto Sans", "Noto Sans Arabic", "Noto Naskh Arabic", "Noto Sans Ethiopic",
       "Noto Sans Bengali", "DejaVu Sans", sans-serif; margin: 2em; color: #1a1a1a; }
h1 { margin-bottom: 0.2em; } .meta { color: #555; }
table { border-collapse: collapse; margin: 0.8em 0 1.6em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; vertical-align: top; }
th { background: #f2f2f2; text-align: start; }
.pass { background: #e8f5e9; color: #1b5e20; } .fail { background: #ffebee; color: #b71c1c; font-weight: bold; }
.num { text-align: end; font-variant-numeric: tabular-nums; }
.grid td { text-align: center; } .grid td.name { text-align: start; }
.matrix td { text-align: center; min-width: 1.6em; } .matrix .diag { background: #e8f5e9; }
.matrix .off { background: #ffcdd2; font-weight: bold; } .matrix th.col { writing-mode: vertical-rl; }
.msg { white-space: pre-wrap; unicode-bidi: plaintext; max-width: 46em; }
.transcript { width: 100%; } .transcript td:nth-child(2) { width: 22%; } .transcript td:nth-child(3) { width: 46%; }
.transcript td:nth-child(4) { width: 28%; } .transcript tr.turn-bad td { border-left: 4px solid #c62828; }
.checks { list-style: none; padding: 0; margin: 0; } .checks li { margin: 0.2em 0; }
.ok { color: #1b5e20; } .ko { color: #b71c1c; font-weight: bold; }
.topic { font-family: monospace; color: #37474f; font-size: 0.9em; }
.failure { border-top: 2px solid #c62828; margin-top: 2em; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _text_attrs(language: str) -> str:
    """lang and dir of a transcript cell: right-to-left for Arabic-script languages."""
    return f'lang="{language}" dir="{"rtl" if language in RTL else "auto"}"'


def _quoted(text: str) -> str:
    """Escaped text whose «quoted» parts (words in the user's language) keep their own direction."""
    return re.sub(r"«([^»]*)»", r"«<bdi>\1</bdi>»", _e(plain(text)))


def _checks_html(step: Step) -> str:
    if not step.checks:
        return '<span class="ok">✓ answered</span>'
    items = []
    for c in step.checks:
        if c.passed:
            items.append(f'<li class="ok">✓ {_e(c.name)}: {_quoted(c.expected)}</li>')
        else:
            items.append(
                f'<li class="ko">✗ {_e(c.name)}<br>expected: {_quoted(c.expected)}'
                f"<br>got: {_quoted(c.got)}</li>"
            )
    return f'<ul class="checks">{"".join(items)}</ul>'


def _transcript_html(result: Result) -> str:
    lang = result.language
    rows = ["<tr><th>#</th><th>the user</th><th>Masar answered</th><th>expected</th></tr>"]
    for step in result.steps:
        sent = _e(
            bidi(step.sent or "—", lang)
        )  # numbers and Latin words isolated, as in Masar's own answers
        kind = (
            "" if step.turn.kind == "user" else f'<span class="topic">{_e(step.turn.kind)}</span> '
        )
        if step.answer:
            buttons = " ".join(f"[{_e(b.title)}]" for r in step.answer.replies for b in r.buttons)
            answer = (
                f'<div class="topic">topic: {_e(step.answer.topic)} · language: {_e(step.answer.language)}</div>'
                f'<div class="msg" {_text_attrs(step.answer.language)}>{_e(step.reply_text)}</div>'
                + (
                    f'<div class="msg" {_text_attrs(step.answer.language)}>{buttons}</div>'
                    if buttons
                    else ""
                )
            )
        else:
            answer = "—"
        rows.append(
            f'<tr class="{"turn-ok" if step.passed else "turn-bad"}"><td>{step.number}<br>'
            f'<span class="topic">line {step.turn.line}</span></td>'
            f'<td>{kind}<div class="msg" {_text_attrs(lang)}>{sent}</div></td>'
            f"<td>{answer}</td><td>{_checks_html(step)}</td></tr>"
        )
    return f'<table class="transcript">{"".join(rows)}</table>'


def _matrix_html(results: list[Result]) -> str:
    counts = confusion(results)
    if not counts:
        return "<p>No turn names a topic.</p>"
    expected = sorted({e for e, _ in counts})
    answered = expected + sorted({g for _, g in counts} - set(expected))
    head = "".join(f'<th class="col">{_e(t)}</th>' for t in answered)
    rows = [f"<tr><th>expected ↓ / answered →</th>{head}</tr>"]
    for e in expected:
        cells = []
        for g in answered:
            n = counts.get((e, g), 0)
            cls = "diag" if e == g else ("off" if n else "")
            cells.append(f'<td class="{cls}">{n or ""}</td>')
        rows.append(f"<tr><th>{_e(e)}</th>{''.join(cells)}</tr>")
    return f'<table class="matrix">{"".join(rows)}</table>'


def html_report(
    results: list[Result], problems: Sequence[Problem] = (), model: str | None = None
) -> str:
    """The whole report as one self-contained HTML page."""
    passed = sum(r.passed for r in results)
    stats = by_language(results)
    languages = list(stats)
    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    parts = [
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Masar conversation tests</title><style>{_CSS}</style></head><body>",
        "<h1>Masar conversation tests</h1>",
        f'<p class="meta">{now}{" · model " + _e(model) if model else ""} · '
        f"<strong>{passed} of {len(results)}</strong> conversation runs passed "
        f"({len({r.name for r in results})} conversations, {len(languages)} languages).</p>",
    ]
    png = chart_png(results) if results else None
    if png:
        data = base64.b64encode(png).decode("ascii")
        parts.append(
            f'<img alt="conversations passed and failed per language" src="data:image/png;base64,{data}">'
        )

    parts.append(
        "<h2>Per language</h2><table><tr><th>language</th><th>conversations passed</th>"
        "<th>turns passed</th><th>right topic</th><th>answered in the right language</th></tr>"
    )
    for s in stats.values():
        cls = "pass" if s.passed == s.conversations else "fail"
        parts.append(
            f"<tr><td>{_e(s.language)} · {_e(english_name(s.language))} · "
            f'<bdi lang="{s.language}">{_e(language_name(s.language))}</bdi></td>'
            f'<td class="num {cls}">{s.passed}/{s.conversations}</td>'
            f'<td class="num">{s.turns_passed}/{s.turns}</td>'
            f'<td class="num">{s.share(s.topic_right, s.topic_checks)}</td>'
            f'<td class="num">{s.share(s.language_right, s.language_checks)}</td></tr>'
        )
    parts.append("</table>")

    parts.append(
        '<h2>Pass or fail per conversation and language</h2><table class="grid"><tr><th>conversation</th>'
        "<th>group</th>" + "".join(f"<th>{_e(code)}</th>" for code in languages) + "</tr>"
    )
    table: dict[str, dict[str, Result]] = {}
    for r in results:
        table.setdefault(r.name, {})[r.language] = r
    for name, row in table.items():
        conversation = next(iter(row.values())).conversation
        cells = []
        for code in languages:
            cell = row.get(code)
            if cell is None:
                cells.append("<td></td>")
            elif cell.passed:
                cells.append('<td class="pass">✓</td>')
            else:
                cells.append(f'<td class="fail"><a href="#{_e(name)}-{code}">✗</a></td>')
        parts.append(
            f'<tr><td class="name" title="{_e(conversation.description)}">{_e(name)}</td>'
            f"<td>{_e(conversation.group or '')}</td>{''.join(cells)}</tr>"
        )
    parts.append("</table>")

    failed = [r for r in results if not r.passed]
    parts.append(f"<h2>Failures ({len(failed)})</h2>")
    if not failed:
        parts.append("<p>None: every conversation passed in every language.</p>")
    for r in failed:
        parts.append(
            f'<section class="failure" id="{_e(r.name)}-{r.language}">'
            f"<h3>{_e(r.name)} — {_e(r.language)} · {_e(english_name(r.language))}</h3>"
            f'<p class="meta">{_e(r.conversation.description)}<br>{_e(r.conversation.where)}</p>'
            f"{_transcript_html(r)}</section>"
        )

    parts.append(
        "<h2>Topics: expected and answered</h2><table><tr><th>expected topic</th><th>turns</th>"
        "<th>right</th><th>answered instead</th></tr>"
    )
    for topic, (total, right, instead) in by_topic(results).items():
        cls = "pass" if right == total else "fail"
        others = ", ".join(f"{t} ×{n}" for t, n in instead.most_common())
        parts.append(
            f'<tr><td>{_e(topic)}</td><td class="num">{total}</td><td class="num {cls}">{right}</td>'
            f"<td>{_e(others)}</td></tr>"
        )
    parts.append("</table><h2>Confusion matrix of topics</h2>")
    parts.append(_matrix_html(results))
    if problems:
        parts.append(f"<h2>Files that could not be run ({len(problems)} problems)</h2><ul>")
        parts += [f"<li><code>{_e(problem_line(p))}</code></li>" for p in problems]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)

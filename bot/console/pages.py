"""The console's HTML: one self-contained page per view, in English, Arabic or French.

No script at all, no external file, no web font: the style is inline, charts are inline SVG
(charts.py), forms are plain forms. Pages work offline, leak nothing to a third party, fit
a phone screen and read right to left in Arabic (logical CSS properties, dir on <html>;
people's questions and Masar's answers each carry dir="auto" or their language's direction).
Interface strings come from the Babel catalogs in locales/ (domain "console").
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from babel.support import NullTranslations

from .. import i18n
from ..i18n import RTL, language_name
from ..settings import ROOT
from . import charts
from .grouping import Group

DOMAIN = "console"
LANGUAGES = ("en", "ar", "fr")  # the console's own languages
LOCALES_DIR = ROOT / "locales"


def translator(language: str, locales_dir: Path = LOCALES_DIR) -> NullTranslations:
    """The console's catalog of one language (bot/i18n.py reads it like the bot's own)."""
    return i18n.translator(language, locales_dir, DOMAIN)


def t(language: str, message: str, **values: object) -> str:
    """An interface string of the console in `language`, {placeholders} filled in."""
    text = translator(language).gettext(message)
    return text.format(**values) if values else text


def language_label(code: str, language: str) -> str:
    """A language's name in the console's language, with its code: "Arabic (ar)"."""
    try:
        name = Locale.parse(code).get_display_name(language) or code
    except (ValueError, TypeError):
        return code
    return f"{name} ({code})"


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def direction(language: str) -> str:
    return "rtl" if language in RTL else "ltr"


STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Naskh Arabic",
Tahoma,sans-serif;margin:0;color:#1b1b1b;background:#fafafa;line-height:1.45}
header{background:#1f3b4d;color:#fff;padding:.5rem 1rem}
header a,header button{color:#fff}
nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center}
nav .brand{font-weight:bold;margin-inline-end:1rem}
nav form{display:inline;margin:0}
nav button{background:none;border:1px solid #fff;border-radius:4px;padding:.15rem .5rem;
cursor:pointer;font:inherit}
nav .langs{margin-inline-start:auto;display:flex;gap:.5rem}
main{padding:1rem;max-width:60rem;margin:0 auto}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:1.5rem}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.75rem;margin:.75rem 0}
.muted{color:#555;font-size:.9rem}
.error{color:#b3261e;font-weight:bold}
.ok{color:#1b5e20}
.scroll{overflow-x:auto}
table{border-collapse:collapse;margin:.5rem 0}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:start;vertical-align:top}
th{background:#f0f0f0}
td.ok{background:#e8f5e9}td.warn{background:#fff8e1}td.bad{background:#ffebee;font-weight:bold}
.numbers{display:flex;flex-wrap:wrap;gap:.75rem}
.numbers div{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.5rem .75rem;
min-width:9rem}
.numbers strong{display:block;font-size:1.5rem}
svg.chart{width:100%;max-width:600px;height:auto;font-size:12px}
label{display:block;margin:.5rem 0 .2rem}
input[type=text],input[type=password],select,textarea{font:inherit;padding:.4rem;
width:100%;max-width:28rem;border:1px solid #999;border-radius:4px}
button.primary{font:inherit;background:#1f6f8b;color:#fff;border:0;border-radius:4px;
padding:.45rem .9rem;margin-top:.5rem;cursor:pointer}
button.quiet{font:inherit;background:#fff;border:1px solid #999;border-radius:4px;
padding:.4rem .8rem;margin-top:.5rem;cursor:pointer}
ul.questions{list-style:none;padding:0;margin:.25rem 0}
ul.questions li{padding:.3rem 0;border-bottom:1px solid #eee}
.chat{display:flex;flex-direction:column;gap:.4rem}
.bubble{max-width:85%;padding:.5rem .75rem;border-radius:10px;white-space:pre-wrap}
.bubble.me{align-self:flex-end;background:#dcedf5}
.bubble.bot{align-self:flex-start;background:#fff;border:1px solid #ddd}
.bubble form{display:inline}
@media (max-width:40rem){main{padding:.5rem}nav .langs{margin-inline-start:0}}
"""


@dataclass
class Frame:
    """What every page shares: the interface language, the staff member, their CSRF token."""

    language: str
    staff: str | None = None
    csrf: str = ""
    path: str = "/console/questions"


def page(frame: Frame, title: str, body: str) -> str:
    lang = frame.language
    nav = [f'<span class="brand">{esc(t(lang, "Masar console"))}</span>']
    if frame.staff:
        for href, label in (
            ("/console/questions", t(lang, "Unanswered questions")),
            ("/console/reach", t(lang, "Reach")),
            ("/console/content", t(lang, "Content health")),
            ("/console/try", t(lang, "Try it")),
        ):
            current = ' aria-current="page"' if frame.path == href else ""
            nav.append(f'<a href="{href}"{current}>{esc(label)}</a>')
    langs = " ".join(
        f'<a href="{esc(frame.path)}?lang={code}" lang="{code}" hreflang="{code}">'
        f"{esc(language_name(code))}</a>"
        for code in LANGUAGES
        if code != lang
    )
    nav.append(f'<span class="langs">{langs}</span>')
    if frame.staff:
        nav.append(
            f'<form method="post" action="/console/logout">{csrf_field(frame)}'
            f'<button type="submit">{esc(t(lang, "Log out ({name})", name=frame.staff))}'
            "</button></form>"
        )
    return (
        "<!DOCTYPE html>"
        f'<html lang="{lang}" dir="{direction(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(title)} · Masar</title><style>{STYLE}</style></head><body>"
        f"<header><nav>{''.join(nav)}</nav></header>"
        f"<main><h1>{esc(title)}</h1>{body}</main></body></html>"
    )


def csrf_field(frame: Frame) -> str:
    return f'<input type="hidden" name="csrf" value="{esc(frame.csrf)}">'


# -- login -----------------------------------------------------------------------------------
def login(frame: Frame, error: str = "") -> str:
    lang = frame.language
    body = (
        (f'<p class="error" role="alert">{esc(error)}</p>' if error else "")
        + f'<form class="card" method="post" action="/console/login">{csrf_field(frame)}'
        f'<label for="name">{esc(t(lang, "Name"))}</label>'
        '<input type="text" id="name" name="name" autocomplete="username" required dir="auto">'
        f'<label for="password">{esc(t(lang, "Password"))}</label>'
        '<input type="password" id="password" name="password" autocomplete="current-password" '
        "required>"
        f'<button class="primary" type="submit">{esc(t(lang, "Log in"))}</button></form>'
    )
    return page(frame, t(lang, "Log in"), body)


# -- unanswered questions -----------------------------------------------------------------------
def _topic_options(topics: Iterable[str], chosen: str | None) -> str:
    return '<option value="">–</option>' + "".join(
        f'<option value="{esc(x)}"{" selected" if x == chosen else ""}>{esc(x)}</option>'
        for x in topics
    )


def questions(
    frame: Frame,
    groups: list[Group],
    all_topics: Iterable[str],
    collecting: bool,
    retention_days: int,
    notice: str = "",
) -> str:
    lang = frame.language
    all_topics = list(all_topics)
    parts = [
        f'<p class="muted">{esc(t(lang, "Messages Masar could not answer, or answered unsure. Phone numbers, e-mail addresses, document numbers and names given after “my name is” are masked; nothing says who wrote them. Other personal details may remain: read with care. They are deleted after {days} days.", days=retention_days))}</p>'
    ]
    if not collecting:
        parts.append(
            f'<p class="error">{esc(t(lang, "Collection is off (MASAR_CONSOLE_QUESTIONS=false): no new questions are kept."))}</p>'
        )
    if notice:
        parts.append(f'<p class="ok" role="status">{esc(notice)}</p>')
    if not groups:
        parts.append(f"<p>{esc(t(lang, 'No unanswered questions. Nothing to do here.'))}</p>")
    for n, g in enumerate(groups):
        best = g.topics[0] if g.topics else None
        items = []
        for i, q in enumerate(g.questions):
            closest = ", ".join(f"{topic} {c:.2f}" for topic, c in q.topics) or "–"
            reason = t(lang, "fallback") if q.reason == "fallback" else t(lang, "unsure")
            items.append(
                f'<li><label><input type="checkbox" name="id" value="{q.id}"'
                f"{' checked' if i == 0 else ''}> "
                f'<span class="question" lang="{esc(q.language)}" dir="auto">{esc(q.text)}</span>'
                "</label>"
                f'<span class="muted">{esc(q.day)} · {esc(reason)} · '
                f"{esc(t(lang, 'confidence'))} {q.confidence:.2f} · "
                f"{esc(t(lang, 'closest topics'))}: {esc(closest)}</span></li>"
            )
        parts.append(
            f'<form class="card group" method="post" action="/console/questions">'
            f"{csrf_field(frame)}"
            f"<h2>{esc(t(lang, 'Similar questions: {count}', count=len(g.questions)))} · "
            f"{esc(language_label(g.language, lang))}</h2>"
            f'<ul class="questions">{"".join(items)}</ul>'
            f'<label for="topic-{n}">{esc(t(lang, "Add the ticked questions as examples to the topic"))}</label>'
            f'<select id="topic-{n}" name="topic" required>{_topic_options(all_topics, best)}</select>'
            f'<button class="primary" type="submit" name="action" value="suggest">'
            f"{esc(t(lang, 'Suggest for review'))}</button> "
            f'<button class="quiet" type="submit" name="action" value="dismiss">'
            f"{esc(t(lang, 'Dismiss the ticked questions'))}</button></form>"
        )
    parts.append(
        f'<p class="muted">{esc(t(lang, "A suggestion is a file under content/suggestions/ for the editors. It changes nothing Masar says until it is reviewed and added to the topic."))}</p>'
    )
    return page(frame, t(lang, "Unanswered questions"), "".join(parts))


# -- reach ---------------------------------------------------------------------------------------
@dataclass
class Reach:
    days: int
    messages: int
    fallbacks: int
    emergencies: int
    offers: int
    handovers: int
    per_day: list[tuple[str, int, int]]  # (day, messages, fallbacks)
    by: dict[str, list[tuple[str, int]]]  # kind -> [(value, n)], largest first
    daily: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # kind, day, value


def _table(headers: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td dir="auto">{esc(c)}</td>' for c in row) + "</tr>" for row in rows
    )
    return f'<div class="scroll"><table><tr>{head}</tr>{body}</table></div>'


def reach(frame: Frame, data: Reach) -> str:
    lang = frame.language
    rate = f"{100 * data.fallbacks / data.messages:.1f}%" if data.messages else "–"
    numbers = [
        (t(lang, "Messages"), data.messages),
        (t(lang, "Fallback rate"), rate),
        (t(lang, "Emergencies answered"), data.emergencies),
        (t(lang, "Offers checked"), data.offers),
        (t(lang, "Handover cases"), data.handovers),
    ]
    parts = [
        f'<p class="muted">{esc(t(lang, "The last {days} days. Counts per day only, never per person.", days=data.days))}</p>',
        '<div class="numbers">'
        + "".join(f"<div><strong><bdi>{esc(v)}</bdi></strong>{esc(k)}</div>" for k, v in numbers)
        + "</div>",
        f"<h2>{esc(t(lang, 'Messages per day'))}</h2>",
        f'<p class="muted">{esc(t(lang, "Red: the part that reached the fallback."))}</p>',
        charts.columns(data.per_day, t(lang, "Messages per day")),
        _table(
            [t(lang, "Day"), t(lang, "Messages"), t(lang, "Fallback")],
            [list(row) for row in reversed(data.per_day) if row[1]],
        ),
    ]
    titles = {
        "language": t(lang, "By language"),
        "topic": t(lang, "By topic"),
        "country": t(lang, "By country"),
        "channel": t(lang, "By channel"),
    }
    for kind, title in titles.items():
        rows = data.by.get(kind) or []
        parts.append(f"<h2>{esc(title)}</h2>")
        if not rows:
            parts.append(f"<p>{esc(t(lang, 'Nothing counted yet.'))}</p>")
            continue
        shown = rows[:15]
        parts.append(charts.bars(shown, title))
        parts.append(_table([title, t(lang, "Messages")], [list(r) for r in rows]))
        days = data.daily.get(kind) or {}
        values = [value for value, _n in shown]
        parts.append(
            f"<details><summary>{esc(t(lang, 'Per day'))}</summary>"
            + _table(
                [t(lang, "Day"), *values],
                [
                    [day, *(days[day].get(v, 0) for v in values)]
                    for day in sorted(days, reverse=True)
                ],
            )
            + "</details>"
        )
    return page(frame, t(lang, "Reach"), "".join(parts))


# -- content health ------------------------------------------------------------------------------
def content(frame: Frame, report_html: str, summary: list[str]) -> str:
    lang = frame.language
    body = (
        f'<p class="muted">{esc(t(lang, "The same data as `masar content report`, in English as the content files are written."))}</p>'
        '<ul lang="en" dir="ltr">'
        + "".join(f"<li>{esc(line)}</li>" for line in summary)
        + f'</ul><div lang="en" dir="ltr">{report_html}</div>'
    )
    return page(frame, t(lang, "Content health"), body)


# -- try it ---------------------------------------------------------------------------------------
@dataclass
class Exchange:
    """One message typed in the chat box and Masar's replies."""

    text: str
    language: str
    topic: str
    confidence: float
    replies: list[tuple[str, list[tuple[str, str]]]]  # (text, [(button title, payload)])


def try_it(frame: Frame, exchanges: list[Exchange], languages: Iterable[str], chosen: str) -> str:
    lang = frame.language
    bubbles = []
    for ex in exchanges:
        bubbles.append(f'<div class="bubble me" dir="auto">{esc(ex.text)}</div>')
        for text, buttons in ex.replies:
            forms = "".join(
                f'<form method="post" action="/console/try">{csrf_field(frame)}'
                f'<input type="hidden" name="text" value="{esc(payload)}">'
                f'<input type="hidden" name="language" value="{esc(chosen)}">'
                f'<button class="quiet" type="submit">{esc(title)}</button></form> '
                for title, payload in buttons
            )
            bubbles.append(
                f'<div class="bubble bot" lang="{esc(ex.language)}" '
                f'dir="{direction(ex.language)}">{esc(text)}'
                + (f"<div>{forms}</div>" if forms else "")
                + "</div>"
            )
        bubbles.append(
            f'<div class="muted">{esc(t(lang, "topic"))}: {esc(ex.topic)} · '
            f"{esc(t(lang, 'language'))}: {esc(ex.language)} · "
            f"{esc(t(lang, 'confidence'))} {ex.confidence:.2f}</div>"
        )
    options = f'<option value="">{esc(t(lang, "Detect the language"))}</option>' + "".join(
        f'<option value="{code}"{" selected" if code == chosen else ""}>'
        f"{esc(language_label(code, lang))}</option>"
        for code in languages
    )
    body = (
        f'<p class="muted">{esc(t(lang, "Check an answer before telling people about it. What you type here is not counted and not kept for staff."))}</p>'
        f'<div class="chat" id="chat">{"".join(bubbles)}</div>'
        f'<form class="card" method="post" action="/console/try">{csrf_field(frame)}'
        f'<label for="text">{esc(t(lang, "Message"))}</label>'
        '<input type="text" id="text" name="text" dir="auto" required maxlength="1000" autofocus>'
        f'<label for="language">{esc(t(lang, "Language of the answer"))}</label>'
        f'<select id="language" name="language">{options}</select>'
        f'<button class="primary" type="submit">{esc(t(lang, "Send"))}</button> '
        f'<button class="quiet" type="submit" name="action" value="restart" formnovalidate>'
        f"{esc(t(lang, 'Start again'))}</button></form>"
    )
    return page(frame, t(lang, "Try it"), body)

"""The console's routes, mounted under /console by `masar serve`.

Every route is wrapped in the same gate (`gated`), which runs before its handler:
404 while no staff account exists; without a live session, a GET is sent to the login page
and anything else is refused (403) before the handler runs; every POST needs the form's CSRF
token. Only the login page and the login form itself are open. Answers are never cached and
carry a Content-Security-Policy that allows no script and nothing from elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import hashlib
import logging
import secrets
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from ..content import report
from ..content.catalogue import LANGUAGES as ANSWER_LANGUAGES
from ..content.catalogue import TOPICS
from ..masar import Masar
from ..messages import Incoming
from ..settings import Settings
from . import hook, pages, passwords, suggest
from .auth import COOKIE, LOGIN_COOKIE, LoginLimit, Sessions, Staff, same_token, token_hash
from .grouping import group
from .record import OWN_CHANNEL, Recorder, today
from .store import ConsoleStore

logger = logging.getLogger(__name__)

LANGUAGE_COOKIE = "masar_console_lang"
REACH_DAYS = 30
HISTORY = 20  # exchanges of the chat box kept (in memory) per session
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


@dataclass
class Console:
    masar: Masar
    settings: Settings
    store: ConsoleStore
    sessions: Sessions
    recorder: Recorder
    per_name: LoginLimit = field(default_factory=LoginLimit)
    per_address: LoginLimit = field(default_factory=lambda: LoginLimit(failures=20))
    chats: dict[str, list[pages.Exchange]] = field(default_factory=lambda: defaultdict(list))


CONSOLE = web.AppKey("console", Console)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def language_of(request: web.Request) -> str:
    asked = request.query.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if asked in pages.LANGUAGES:
        return str(asked)
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in pages.LANGUAGES:
            return code
    return "en"


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def gated(handler: Handler, public: bool = False) -> Handler:
    """`handler` behind the console's gate (see the module's docstring); `public`: the login
    page and form, open without a session."""

    @functools.wraps(handler)
    async def gate(request: web.Request) -> web.StreamResponse:
        console = request.app[CONSOLE]
        if not console.store.has_staff():
            raise web.HTTPNotFound(text="Not found")
        staff = console.sessions.find(request.cookies.get(COOKIE))
        if staff is None and not public:
            if request.method in ("GET", "HEAD"):
                raise web.HTTPSeeOther("/console/login")
            raise web.HTTPForbidden(text="Log in first")
        if request.method == "POST":
            form = await request.post()
            expected = (
                request.cookies.get(LOGIN_COOKIE) if public else staff.csrf if staff else None
            )
            given = form.get("csrf")
            if not same_token(given if isinstance(given, str) else None, expected):
                raise web.HTTPForbidden(text="The form is out of date: open the page again")
            request["form"] = form
        request["staff"] = staff
        request["language"] = language_of(request)
        response = await handler(request)
        response.headers.update(HEADERS)
        if request.query.get("lang") in pages.LANGUAGES:
            response.set_cookie(
                LANGUAGE_COOKIE,
                request["language"],
                path="/console",
                max_age=365 * 86400,
                samesite="Strict",
                httponly=True,
                secure=console.settings.console_secure_cookie,
            )
        return response

    return gate


def frame(request: web.Request, path: str) -> pages.Frame:
    staff: Staff | None = request["staff"]
    return pages.Frame(
        request["language"], staff.name if staff else None, staff.csrf if staff else "", path
    )


# -- logging in and out --------------------------------------------------------------------------
async def home(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther("/console/questions")


async def login_page(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    if request["staff"] is not None:
        raise web.HTTPSeeOther("/console/questions")
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    view = frame(request, "/console/login")
    view.csrf = token
    response = _html(pages.login(view))
    response.set_cookie(LOGIN_COOKIE, token, **console.sessions.cookie_options(3600))
    return response


async def login(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    form = request["form"]
    name = str(form.get("name") or "").strip()
    password = str(form.get("password") or "")
    lang = request["language"]
    view = frame(request, "/console/login")
    view.csrf = request.cookies.get(LOGIN_COOKIE, "")
    by_name, by_address = [f"name:{name.casefold()}"], [f"address:{request.remote}"]
    if console.per_name.blocked(by_name) or console.per_address.blocked(by_address):
        logger.warning(
            "console: login refused, too many failed attempts",
            extra={"masar": {"event": "console_login_limited"}},
        )
        error = pages.t(lang, "Too many failed attempts. Wait 15 minutes and try again.")
        return _html(pages.login(view, error), status=429)
    stored = console.store.password_hash(name) if name else None
    if not await asyncio.to_thread(passwords.verify, password, stored):
        console.per_name.failed(by_name)
        console.per_address.failed(by_address)
        logger.info("console: failed login", extra={"masar": {"event": "console_login_failed"}})
        error = pages.t(lang, "Wrong name or password.")
        return _html(pages.login(view, error), status=401)
    console.per_name.succeeded(by_name)
    console.sessions.end(request.cookies.get(COOKIE))
    token, _staff = console.sessions.start(name)
    logger.info("console: staff logged in", extra={"masar": {"event": "console_login"}})
    response = web.HTTPSeeOther("/console/questions")
    response.set_cookie(COOKIE, token, **console.sessions.cookie_options())
    response.del_cookie(LOGIN_COOKIE, path="/console")
    raise response


async def logout(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    token = request.cookies.get(COOKIE)
    if token:
        console.chats.pop(token_hash(token), None)
    console.sessions.end(token)
    response = web.HTTPSeeOther("/console/login")
    response.del_cookie(COOKIE, path="/console")
    raise response


# -- unanswered questions ------------------------------------------------------------------------
async def questions(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    console.recorder.purge(console.settings.retention_days)
    lang = request["language"]
    done = request.query.get("done")
    notice = {
        "suggested": pages.t(lang, "Suggestion written for review."),
        "dismissed": pages.t(lang, "Questions dismissed."),
    }.get(done or "", "")
    body = pages.questions(
        frame(request, "/console/questions"),
        group(console.store.questions("new")),
        TOPICS,
        console.settings.console_questions,
        console.settings.retention_days,
        notice,
    )
    return _html(body)


async def act_on_questions(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    form = request["form"]
    ids = [int(i) for i in form.getall("id", []) if isinstance(i, str) and i.isdigit()]
    chosen = console.store.questions(None, ids=ids) if ids else []
    chosen = [q for q in chosen if q.status == "new"]
    if not chosen:
        raise web.HTTPSeeOther("/console/questions")
    if form.get("action") == "dismiss":
        console.store.mark([q.id for q in chosen], "dismissed")
        raise web.HTTPSeeOther("/console/questions?done=dismissed")
    topic = str(form.get("topic") or "")
    if topic not in TOPICS:
        raise web.HTTPBadRequest(text="Choose one of the topics")
    by_language: dict[str, list[str]] = defaultdict(list)
    for q in chosen:
        by_language[q.language].append(q.text)
    for language, examples in by_language.items():
        suggest.write(
            console.settings.content_dir, topic, language, examples, request["staff"].name
        )
    console.store.mark([q.id for q in chosen], "suggested", topic)
    logger.info(
        "console: examples suggested",
        extra={"masar": {"event": "console_suggestion", "topic": topic, "count": len(chosen)}},
    )
    raise web.HTTPSeeOther("/console/questions?done=suggested")


# -- reach ---------------------------------------------------------------------------------------
def reach_of(store: ConsoleStore, days: int = REACH_DAYS) -> pages.Reach:
    """The counts of the last `days` days, summed for the page."""
    first = today() - dt.timedelta(days=days - 1)
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_day: dict[str, list[int]] = {
        (first + dt.timedelta(days=i)).isoformat(): [0, 0] for i in range(days)
    }
    daily: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for day, kind, value, n in store.counts(first):
        totals[kind][value] += n
        daily[kind][day][value] = n
        if kind == "messages" and day in per_day:
            per_day[day][0] += n
        if kind == "fallback" and day in per_day:
            per_day[day][1] += n
    by = {
        kind: sorted(totals[kind].items(), key=lambda kv: (-kv[1], kv[0]))
        for kind in ("language", "topic", "country", "channel")
    }
    return pages.Reach(
        days=days,
        messages=sum(totals["messages"].values()),
        fallbacks=sum(totals["fallback"].values()),
        emergencies=sum(totals["emergency"].values()),
        offers=sum(totals["offer_check"].values()),
        handovers=sum(totals["handover"].values()),
        per_day=[(d, m, f) for d, (m, f) in per_day.items()],
        by=by,
        daily={kind: dict(daily[kind]) for kind in by},
    )


async def reach(request: web.Request) -> web.Response:
    data = reach_of(request.app[CONSOLE].store)
    return _html(pages.reach(frame(request, "/console/reach"), data))


# -- content health ------------------------------------------------------------------------------
def _report_html(content_dir) -> tuple[str, list[str]]:
    found = report.gather(content_dir)
    parts = []
    for section in found.sections:
        parts.append(f"<h2>{pages.esc(section.title)}</h2><p>{report._prose(section.intro)}</p>")
        if not section.rows:
            parts.append(f"<p>{pages.esc(section.empty)}</p>")
            continue
        head = "".join(report._html_cell(h, "th") for h in section.headers)
        rows = "".join(
            "<tr>" + "".join(report._html_cell(c) for c in row) + "</tr>" for row in section.rows
        )
        parts.append(f'<div class="scroll"><table><tr>{head}</tr>{rows}</table></div>')
    return "".join(parts), found.summary


async def content(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    body, summary = await asyncio.to_thread(_report_html, console.settings.content_dir)
    return _html(pages.content(frame(request, "/console/content"), body, summary))


# -- try it --------------------------------------------------------------------------------------
def _chat_user(request: web.Request) -> str:
    """The chat box's conversation: one per session, named by a hash of the session."""
    return hashlib.sha256(request.cookies.get(COOKIE, "").encode()).hexdigest()[:24]


async def try_page(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    chosen = request.query.get("language", "")
    return _html(
        pages.try_it(
            frame(request, "/console/try"),
            console.chats.get(_chat_user(request), []),
            ANSWER_LANGUAGES,
            chosen if chosen in ANSWER_LANGUAGES else "",
        )
    )


async def try_send(request: web.Request) -> web.Response:
    console = request.app[CONSOLE]
    form = request["form"]
    user = _chat_user(request)
    chosen = str(form.get("language") or "")
    chosen = chosen if chosen in ANSWER_LANGUAGES else ""
    if form.get("action") == "restart":
        console.chats.pop(user, None)
        await console.masar.forget(OWN_CHANNEL, user)
        raise web.HTTPSeeOther(f"/console/try?language={chosen}")
    text = str(form.get("text") or "")[:1000]
    if text.strip():
        answer = await console.masar.handle(
            Incoming(user, text, channel=OWN_CHANNEL, language=chosen or None)
        )
        history = console.chats[user]
        history.append(
            pages.Exchange(
                text,
                answer.language,
                answer.topic,
                answer.confidence,
                [(r.text, [(b.title, b.payload) for b in r.buttons]) for r in answer.replies],
            )
        )
        del history[:-HISTORY]
    raise web.HTTPSeeOther(f"/console/try?language={chosen}")


# -- mounting ------------------------------------------------------------------------------------
def routes(app: web.Application) -> None:
    """Every console route, each behind the gate; only the login page and form are public."""
    add = app.router.add_route
    add("GET", "/console", gated(home))
    add("GET", "/console/", gated(home))
    add("GET", "/console/login", gated(login_page, public=True), name="console_login_page")
    add("POST", "/console/login", gated(login, public=True), name="console_login")
    add("POST", "/console/logout", gated(logout))
    add("GET", "/console/questions", gated(questions))
    add("POST", "/console/questions", gated(act_on_questions))
    add("GET", "/console/reach", gated(reach))
    add("GET", "/console/content", gated(content))
    add("GET", "/console/try", gated(try_page))
    add("POST", "/console/try", gated(try_send))


async def delete_old_questions(recorder: Recorder, days: int, every: float = 3600.0) -> None:
    """Retention for the console: questions older than MASAR_RETENTION_DAYS, every hour."""
    while True:
        try:
            deleted = recorder.purge(days)
            logger.info(
                "console retention: %d questions deleted",
                deleted,
                extra={"masar": {"event": "console_retention", "deleted": deleted}},
            )
        except Exception as exc:
            logger.error("console retention failed (%s)", type(exc).__name__)
        await asyncio.sleep(every)


def add_to(app: web.Application, masar: Masar, settings: Settings) -> Console:
    """Mount the console under /console; it listens to Masar while the server runs. Its
    routes answer 404 until `masar console add-user` has created a staff account."""
    store = ConsoleStore.in_dir(settings.data_dir)
    console = Console(
        masar,
        settings,
        store,
        Sessions(store, settings.console_session_hours, settings.console_secure_cookie),
        Recorder(store, settings.console_questions),
    )
    app[CONSOLE] = console
    routes(app)

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        stop_listening = hook.listen(console.recorder)
        retention = asyncio.create_task(
            delete_old_questions(console.recorder, settings.retention_days)
        )
        yield
        stop_listening()
        retention.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await retention
        await asyncio.get_running_loop().run_in_executor(None, console.recorder.close)
        store.close()

    app.cleanup_ctx.append(lifetime)
    return console

"""The staff console on a real `masar serve` (the small test model), over real HTTP and in
headless Chromium: every route refuses a stranger, forms need their CSRF token, logins are
limited, and after a mixed-language conversation set the queue shows the failed questions
masked, with no user key anywhere in the console's storage. Screenshots of the browser runs
are saved in build/test-artefacts/."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import re
import sqlite3
import threading

import aiohttp
import pytest
from aiohttp import web
from browser import Browser
from telegram_emulator import ROOT, channel_settings, free_port

from bot import privacy
from bot.benchmarks.load import wait_ready
from bot.channels.http import serve
from bot.console import users, views
from bot.console.store import FILE
from bot.masar import compose

ARTEFACTS = ROOT / "build" / "test-artefacts"
STAFF, PASSWORD = "amina", "a long staff passphrase 42"

# A mixed-language set: questions about the content, and questions it has no answer for, some
# with a phone number, an e-mail address, a name or a passport number in them.
CONVERSATIONS = {
    "user-en": [
        "how do i apply for asylum",
        "can you recommend a pizza recipe with mozzarella? call me on +39 333 123 4567",
        "my name is John Smith, what is the best football team in the world",
    ],
    "user-ar": [
        "كيف أقدم طلب لجوء",
        "ما هي أفضل وصفة للكبسة بالدجاج؟ بريدي ahmad.k@example.com",
    ],
    "user-fr": [
        "je cherche un emploi de boulanger, mon passeport AB1234567, écrivez à fatou@example.fr",
        "bonjour",
    ],
    "user-es": ["cuál es la mejor película de dibujos animados para mi sobrino 0034 612 345 678"],
}
SECRETS = [
    "+39 333 123 4567",
    "ahmad.k@example.com",
    "fatou@example.fr",
    "AB1234567",
    "612 345 678",
    "John Smith",
]


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    from bot.engine import Engine
    from bot.logs import configure

    configure()
    settings = channel_settings(
        tmp_path_factory.getbasetemp() / "channel", tmp_path_factory.mktemp("console-var")
    )
    return settings, Engine.load(settings)


@pytest.fixture(scope="module")
def server(mini, tmp_path_factory):
    """`masar serve` in its own thread and event loop for the whole module; its base URL."""
    settings, engine = mini
    content = tmp_path_factory.mktemp("console-content")
    import shutil

    shutil.copytree(settings.content_dir, content, dirs_exist_ok=True)
    run = dataclasses.replace(settings, port=free_port(), content_dir=content)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    started = threading.Event()

    def main():
        asyncio.set_event_loop(loop)
        task = loop.create_task(serve(compose(engine), run, stop))
        loop.call_soon(started.set)
        loop.run_until_complete(task)

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    started.wait(30)
    base = f"http://127.0.0.1:{run.port}"

    asyncio.run(wait_ready(base, patience=30))
    yield run, base
    loop.call_soon_threadsafe(stop.set)
    thread.join(30)


def client() -> aiohttp.ClientSession:
    """A client that keeps cookies of 127.0.0.1 (aiohttp's jar drops cookies of IP addresses)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def every_route() -> list[tuple[str, str, str | None]]:
    """(method, path, name) of every console route, as views.routes() mounts them."""
    app = web.Application()
    views.routes(app)
    return [(r.method, r.resource.canonical, r.name) for r in app.router.routes()]


async def log_in(http: aiohttp.ClientSession, base: str, name=STAFF, password=PASSWORD):
    async with http.get(f"{base}/console/login") as response:
        assert response.status == 200
        csrf = re.search(r'name="csrf" value="([^"]+)"', await response.text()).group(1)
    async with http.post(
        f"{base}/console/login",
        data={"csrf": csrf, "name": name, "password": password},
        allow_redirects=False,
    ) as response:
        return response


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def add_staff(settings, name=STAFF, password=PASSWORD):
    stdin = io.StringIO(password + "\n")
    import sys

    old, sys.stdin = sys.stdin, stdin
    try:
        assert users.main("add-user", name, True, settings.data_dir) == 0
    finally:
        sys.stdin = old


def test_console_is_off_until_a_staff_account_exists_then_refuses_strangers_everywhere(server):
    settings, base = server
    routes = every_route()
    assert len(routes) >= 10

    async def scenario():
        async with client() as http:
            for method, path, _name in routes:
                async with http.request(method, base + path, allow_redirects=False) as response:
                    assert response.status == 404, (method, path)
            add_staff(settings)
            for method, path, name in routes:
                async with http.request(method, base + path, allow_redirects=False) as response:
                    body = await response.text()
                    if name == "console_login_page":
                        assert response.status == 200
                        assert 'type="password"' in body
                    elif method in ("GET", "HEAD"):
                        assert response.status == 303, (method, path)
                        assert response.headers["Location"] == "/console/login"
                    else:  # a POST without a session (or, for the login form, its token)
                        assert response.status == 403, (method, path)
                    for secret in ("[number]", "[email]", "rest", "pizza", "messages"):
                        assert secret not in body.lower() or name == "console_login_page"

    asyncio.run(scenario())


def test_login_sets_a_strict_session_cookie_and_every_form_needs_its_csrf_token(server):
    _settings, base = server

    async def scenario():
        async with client() as http:
            response = await log_in(http, base)
            assert response.status == 303
            cookie = response.headers.getall("Set-Cookie")
            session = next(c for c in cookie if c.startswith("masar_console="))
            assert "HttpOnly" in session and "SameSite=Strict" in session
            assert "Path=/console" in session and "Max-Age=28800" in session
            assert "Secure" not in session  # MASAR_CONSOLE_SECURE_COOKIE is off in tests
            async with http.get(f"{base}/console/questions") as page:
                assert page.status == 200
                assert page.headers["Cache-Control"] == "no-store"
                assert "script-src" not in page.headers["Content-Security-Policy"]
                csrf = csrf_of(await page.text())
            async with http.get(f"{base}/console/content?lang=fr") as page:
                health = await page.text()
                assert page.status == 200 and 'lang="fr"' in health
                assert "Coverage per topic and language" in health  # masar content report's
                assert "État du contenu" in health
            async with http.get(f"{base}/console/", allow_redirects=False) as home:
                assert home.headers["Location"] == "/console/questions"
            for form in ({}, {"csrf": "forged"}, {"csrf": csrf + "x"}):
                for path in ("/console/questions", "/console/try", "/console/logout"):
                    async with http.post(
                        base + path, data={**form, "text": "hi"}, allow_redirects=False
                    ) as refused:
                        assert refused.status == 403, (path, form)
            async with http.post(
                f"{base}/console/logout", data={"csrf": csrf}, allow_redirects=False
            ) as out:
                assert out.status == 303
            # the old session's cookie is gone from the jar; sent again by hand it opens nothing
            token = session.split(";")[0].split("=", 1)[1]
            stale = client()
            stale.cookie_jar.update_cookies({"masar_console": token})
            async with stale, stale.get(f"{base}/console/reach", allow_redirects=False) as again:
                assert again.status == 303

    asyncio.run(scenario())


def test_failed_logins_are_limited(server):
    settings, base = server
    add_staff(settings, "karim", "another long passphrase 7")

    async def scenario():
        async with client() as http:
            statuses = [
                (await log_in(http, base, "karim", f"wrong guess {i}")).status for i in range(6)
            ]
            assert statuses == [401] * 5 + [429]
            # even the right password waits until the window has passed
            assert (await log_in(http, base, "karim", "another long passphrase 7")).status == 429

    asyncio.run(scenario())


def test_mixed_language_failures_reach_the_queue_masked_and_without_any_user_key(server):
    settings, base = server

    async def scenario():
        async with client() as http:
            for sender, messages in CONVERSATIONS.items():
                for text in messages:
                    async with http.post(
                        f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text}
                    ) as response:
                        assert response.status == 200
            assert (await log_in(http, base)).status == 303
            async with http.get(f"{base}/console/questions") as page:
                queue = await page.text()
            async with http.get(f"{base}/console/reach") as page:
                reach = await page.text()
            return queue, reach

    queue, reach = asyncio.run(scenario())
    db = sqlite3.connect(settings.data_dir / FILE)
    kept = [row[0] for row in db.execute("SELECT text FROM questions")]
    # the questions Masar has no topic for were kept, masked; in several languages
    assert len(kept) >= 4, kept
    assert any("[number]" in q for q in kept) and any("[email]" in q for q in kept)
    assert {r[0] for r in db.execute("SELECT language FROM questions")} >= {"en", "ar", "fr"}
    for secret in SECRETS:
        assert secret not in queue
        assert not any(secret in q for q in kept)
    assert "[number]" in queue and "[email]" in queue
    # no user key, sender id or channel anywhere in the console's storage
    columns = {
        c for cols in views.ConsoleStore.column_names(_store(settings)).values() for c in cols
    }
    assert not columns & {"user", "key", "sender", "sender_id", "user_key", "channel_user"}
    raw = b"".join(p.read_bytes() for p in settings.data_dir.glob(FILE + "*") if p.is_file())
    for sender in CONVERSATIONS:
        assert sender.encode() not in raw
        assert privacy.user_key(b"channel-test-secret", "rest", sender).encode() not in raw
    # the reach page counted every message, per channel and language
    total = sum(len(m) for m in CONVERSATIONS.values())
    counted = dict(
        db.execute("SELECT value, SUM(n) FROM counts WHERE kind='channel' GROUP BY value")
    )
    assert counted["rest"] == total
    assert "<svg" in reach and f"<strong><bdi>{total}</bdi></strong>" in reach


def _store(settings):
    return views.ConsoleStore.in_dir(settings.data_dir)


def test_a_question_becomes_a_suggestion_file_for_review_not_training(server):
    settings, base = server

    async def scenario():
        async with client() as http:
            await http.post(
                f"{base}/webhooks/rest/webhook",
                json={"sender": "user-x", "message": "where can i buy a cheap bicycle helmet"},
            )
            assert (await log_in(http, base)).status == 303
            async with http.get(f"{base}/console/questions") as page:
                text = await page.text()
            ids = re.findall(r'name="id" value="(\d+)"', text)
            async with http.post(
                f"{base}/console/questions",
                data={"csrf": csrf_of(text), "id": ids[0], "topic": "greet", "action": "suggest"},
                allow_redirects=False,
            ) as done:
                assert done.status == 303
            async with http.get(f"{base}/console/questions") as page:
                return ids[0], await page.text()

    chosen, after = asyncio.run(scenario())
    files = list((settings.content_dir / "suggestions").glob("*-greet-*.yml"))
    assert len(files) == 1
    assert "topic: greet" in files[0].read_text(encoding="utf-8")
    assert f'name="id" value="{chosen}"' not in after
    assert not (settings.content_dir / "topics" / "suggestions").exists()


@pytest.mark.subprocess
@pytest.mark.parametrize("language", ["en", "ar"])
def test_in_a_browser_staff_log_in_read_the_queue_see_a_chart_and_try_the_bot(server, language):
    settings, base = server
    add_staff(settings)
    shots = ARTEFACTS / "console"

    async def scenario():
        async with client() as http:  # people write first: questions Masar cannot answer
            for text in CONVERSATIONS[f"user-{language}"]:
                await http.post(
                    f"{base}/webhooks/rest/webhook", json={"sender": "b-1", "message": text}
                )
        async with Browser(language) as page:
            await page.open(f"{base}/console/login?lang={language}")
            assert await page.run("document.documentElement.dir") == (
                "rtl" if language == "ar" else "ltr"
            )
            await page.screenshot(shots / f"{language}-1-login.png")
            await page.type("#name", STAFF)
            await page.type("#password", PASSWORD)
            await page.click("button[type=submit].primary")
            assert await page.run("location.pathname") == "/console/questions"
            await page.screenshot(shots / f"{language}-2-questions.png")
            queue = await page.text("main")
            assert await page.count("span.question") >= 1, queue
            assert "[number]" in queue or "[email]" in queue
            await page.click('a[href="/console/reach"]')
            assert await page.count("svg.chart") >= 2
            await page.screenshot(shots / f"{language}-3-reach.png")
            await page.click('a[href="/console/try"]')
            message = "مرحبا" if language == "ar" else "hello"
            await page.type("#text", message)
            await page.click("form.card button.primary")
            assert await page.count(".bubble.bot") >= 1
            reply_dir = await page.run("document.querySelector('.bubble.bot').dir")
            assert reply_dir == ("rtl" if language == "ar" else "ltr")
            assert message in await page.text("#chat")
            await page.screenshot(shots / f"{language}-4-try.png")
            # phone-sized: the page does not scroll sideways
            assert await page.run("document.documentElement.scrollWidth <= innerWidth + 1")

    asyncio.run(scenario())
    assert (shots / f"{language}-4-try.png").stat().st_size > 1000

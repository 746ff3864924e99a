"""WhatsApp and Messenger in `masar serve`: Meta's signed webhooks in, Graph API calls out,
over real HTTP, with Meta played by tests/graph_emulator.py and the small channel model."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import sqlite3

import aiohttp
import pytest
from graph_emulator import (
    MS_SECRET,
    MS_VERIFY,
    PAGE_TOKEN,
    PHONE_NUMBER_ID,
    WA_SECRET,
    WA_VERIFY,
    WHATSAPP_TOKEN,
    GraphEmulator,
    messenger_choices,
    meta_server,
    ms_echo,
    ms_image,
    ms_postback,
    ms_quick_reply,
    ms_read,
    ms_text,
    recorded_logs,
    signed,
    wa_button,
    wa_location,
    wa_status,
    wa_text,
    wa_voice,
    whatsapp_body,
    whatsapp_choices,
    whatsapp_text,
)
from servers import masar_serve
from telegram_emulator import LONG_TOPIC, channel_settings, free_port

from bot.channels import messenger, whatsapp
from bot.channels.http import serve
from bot.channels.meta import (
    MESSENGER_SETTINGS,
    SeenMessages,
    configured,
    signature_ok,
    split_with_tail,
)
from bot.i18n import RLM, _, country_name
from bot.masar import compose
from bot.messages import Button, Reply
from bot.privacy import user_key


def plain(text: str) -> str:
    return " ".join(text.replace(RLM, "").split())


# -- the platforms' limits, without a model -------------------------------------------------------
def test_signature_is_the_hmac_of_the_raw_body_with_the_app_secret():
    body = b'{"object":"page"}'
    _body, headers = signed("s3cret", {"object": "page"})
    assert signature_ok("s3cret", body, headers["X-Hub-Signature-256"])
    assert not signature_ok("other", body, headers["X-Hub-Signature-256"])
    assert not signature_ok("s3cret", body + b" ", headers["X-Hub-Signature-256"])
    assert not signature_ok("s3cret", body, None)
    assert not signature_ok("s3cret", body, headers["X-Hub-Signature-256"][7:])  # no "sha256="


def test_a_long_text_with_buttons_ends_in_a_part_that_fits_an_interactive_body():
    sentences = " ".join(f"Sentence number {i} says something useful." for i in range(300))
    parts = split_with_tail(sentences, 4096, 1024)
    assert all(len(p) <= 4096 for p in parts) and len(parts[-1]) <= 1024
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts) == sentences
    assert len(parts) == 4  # 4096 + 4096 + the rest cut once more, not into 1024-pieces
    rtl = RLM + " ".join(["جملة طويلة عن اللجوء."] * 300)
    assert all(p.startswith(RLM) for p in split_with_tail(rtl, 4096, 1024))


def test_whatsapp_buttons_lists_and_titles_stay_within_whatsapp_limits():
    from graph_emulator import _whatsapp_problem

    three = Reply("Choose", [Button("Yes", "/a"), Button("No", "/b"), Button("Menu", "/menu")])
    (message,) = whatsapp.messages_for(three, "en")
    assert message["interactive"]["type"] == "button"
    long_titles = [Button("ابحث عن مساعدة قريبة منك", "/find_help"), Button("No", "/menu")]
    (message,) = whatsapp.messages_for(Reply("اختر", long_titles), "ar")
    assert message["interactive"]["type"] == "list"  # a 24-character title needs a list row
    twelve = [Button(f"Language {i}", f"/language l{i}") for i in range(12)]
    lists = whatsapp.messages_for(Reply("Choose your language:", twelve), "en")
    assert [len(whatsapp_choices(m)) for m in lists] == [6, 6]
    assert whatsapp_text(lists[0]) == "Choose your language:"
    twice = Reply(
        "Choose", [Button("Menu", "/menu"), Button("Asylum", "/asylum"), Button("Menu", "/menu")]
    )
    (message,) = whatsapp.messages_for(twice, "en")
    assert whatsapp_choices(message) == [("Menu", "/menu"), ("Asylum", "/asylum")]
    for m in lists + whatsapp.messages_for(Reply("x" * 5000, twelve), "en"):
        assert _whatsapp_problem({"messaging_product": "whatsapp", "to": "1", **m}) is None


def test_messenger_quick_replies_up_to_13_then_cards():
    from graph_emulator import _messenger_problem

    many = [Button(f"Country number {i} with a long name", f"/country C{i}") for i in range(21)]
    messages = messenger.messages_for(Reply("Where are you?", many))
    assert len(messages) == 2 and "quick_replies" not in messages[0]
    body = {"recipient": {"id": "1"}, "message": messages[1]}
    assert [p for _t, p in messenger_choices(body)] == [b.payload for b in many]
    (one,) = messenger.messages_for(Reply("Menu", many[:13]))
    assert len(one["quick_replies"]) == 13 and all(
        len(q["title"]) <= 20 for q in one["quick_replies"]
    )
    for m in [*messages, one, *messenger.messages_for(Reply("y. " * 3000, many[:2]))]:
        assert _messenger_problem({"recipient": {"id": "1"}, "message": m}) is None


def test_message_ids_are_recognised_when_meta_retries():
    seen = SeenMessages(size=3, hours=1)
    assert seen.first_time("wamid.A", now=0) and not seen.first_time("wamid.A", now=10)
    assert seen.first_time("wamid.A", now=4000)  # forgotten after the time
    for i in range(5):
        seen.first_time(f"m{i}", now=5000)
    assert len(seen._seen) == 3


def test_parsing_ignores_statuses_and_other_numbers():
    assert whatsapp.parse(wa_status("4915123456789"), PHONE_NUMBER_ID) == []
    assert whatsapp.parse(wa_text("4915123456789", "hi"), "999") == []
    (event,) = whatsapp.parse(wa_text("4915123456789", "hi"), PHONE_NUMBER_ID)
    assert (event.user, event.kind, event.text) == ("4915123456789", "text", "hi")
    assert messenger.parse(ms_echo("77", "hello")) == [] and messenger.parse(ms_read("77")) == []
    (event,) = messenger.parse(ms_postback("77", "GET_STARTED"))
    assert (event.kind, event.text) == ("button", "/start")


def test_a_channel_with_only_some_settings_is_refused_clearly(tmp_path):
    settings = channel_settings(tmp_path, tmp_path)
    assert not configured(settings, MESSENGER_SETTINGS)
    half = dataclasses.replace(settings, messenger_page_token="secret-page-token")
    with pytest.raises(SystemExit) as refused:
        configured(half, MESSENGER_SETTINGS)
    assert "MASAR_MESSENGER_APP_SECRET" in str(refused.value)
    assert "secret-page-token" not in str(refused.value)


def test_settings_come_from_the_environment(monkeypatch):
    from bot.settings import load

    monkeypatch.setenv("MASAR_WHATSAPP_PHONE_NUMBER_ID", " 106540352242922 ")
    monkeypatch.setenv("MASAR_MESSENGER_PAGE_TOKEN", "page-token")
    monkeypatch.setenv("MASAR_GRAPH_API_URL", "http://127.0.0.1:9/v26.0/")
    settings = load()
    assert settings.whatsapp_phone_number_id == "106540352242922"
    assert settings.messenger_page_token == "page-token" and settings.whatsapp_token is None
    assert settings.graph_api_url == "http://127.0.0.1:9/v26.0"
    assert "page-token" not in repr(settings)  # tokens and secrets stay out of reprs
    monkeypatch.delenv("MASAR_GRAPH_API_URL")
    assert load().graph_api_url == "https://graph.facebook.com/v26.0"


# -- end to end through `masar serve` ---------------------------------------------------------------
@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    from bot.engine import Engine
    from bot.logs import configure

    configure()
    settings = channel_settings(
        tmp_path_factory.getbasetemp() / "channel", tmp_path_factory.mktemp("meta-var")
    )
    return settings, Engine.load(settings)


def with_meta(settings, graph: GraphEmulator, port: int, **more):
    """`settings` with WhatsApp and Messenger pointed at the Graph API emulator."""
    return dataclasses.replace(settings, port=port, **graph.settings(), **more)


def serving(mini, scenario):
    """Run `scenario(graph, post, http, base)` while `serve()` runs with WhatsApp and Messenger
    pointed at the Graph API emulator; `post(route, payload, secret)` sends a signed webhook."""
    settings, engine = mini

    async def main():
        async with meta_server(engine, settings) as (graph, http, base, _server):

            async def post(route: str, payload: dict, secret: str | None = None) -> int:
                secret = secret or (WA_SECRET if route.startswith("/whatsapp") else MS_SECRET)
                body, headers = signed(secret, payload)
                async with http.post(f"{base}{route}", data=body, headers=headers) as response:
                    return response.status

            await scenario(graph, post, http, base)
        return graph

    return asyncio.run(main())


WA, MS = "/whatsapp/webhook", "/messenger/webhook"


def test_verification_answers_only_the_right_token(mini):
    async def scenario(graph, post, http, base):
        for route, token in ((WA, WA_VERIFY), (MS, MS_VERIFY)):
            good = {
                "hub.mode": "subscribe",
                "hub.verify_token": token,
                "hub.challenge": "1158201444",
            }
            async with http.get(f"{base}{route}", params=good) as response:
                assert response.status == 200 and await response.text() == "1158201444"
            for bad in (
                {**good, "hub.verify_token": token + "x"},
                {**good, "hub.mode": "unsubscribe"},
                {"hub.challenge": "1158201444"},
            ):
                async with http.get(f"{base}{route}", params=bad) as response:
                    assert response.status == 403 and "1158201444" not in await response.text()

    serving(mini, scenario)


def test_unsigned_or_wrongly_signed_webhooks_are_refused_and_nothing_is_sent(mini):
    async def scenario(graph, post, http, base):
        for route, payload in (
            (WA, wa_text("4915100000001", "/start")),
            (MS, ms_text("9001", "/start")),
        ):
            async with http.post(f"{base}{route}", json=payload) as response:
                assert response.status == 401  # no signature at all
            assert await post(route, payload, secret="not-the-app-secret") == 403
            body, headers = signed(WA_SECRET if route == WA else MS_SECRET, payload)
            async with http.post(f"{base}{route}", data=body + b" ", headers=headers) as response:
                assert response.status == 403  # the body was changed after signing
        await asyncio.sleep(0.5)
        assert graph.sent() == []  # nothing was processed
        assert await post(WA, wa_text("4915100000001", "/start")) == 200
        await graph.wait_for("4915100000001")

    serving(mini, scenario)


def test_whatsapp_arabic_question_answered_in_arabic_with_buttons_then_a_button_reply(mini):
    _settings, engine = mini
    topics = engine.content.topics
    user = "4915100000002"

    async def scenario(graph, post, http, base):
        assert await post(WA, wa_text(user, "/start")) == 200
        lists = await graph.wait_for(user, count=2)
        choices = [c for m in lists for c in whatsapp_choices(m)]
        assert ("العربية", "/language ar") in choices and len(choices) == 12

        mark = graph.mark()
        assert await post(WA, wa_button(user, ("العربية", "/language ar"), list_reply=True)) == 200
        (greeting,) = await graph.wait_for(user, since=mark)
        assert plain(topics["greet"].translation("ar").answer)[:40] in plain(
            whatsapp_text(greeting)
        )

        mark = graph.mark()
        assert await post(WA, wa_text(user, "كيف اقدم لجوء؟")) == 200
        (answer,) = await graph.wait_for(user, since=mark)
        expected = topics["asylum_how_to_apply"].translation("ar").answer
        assert plain(expected)[:60] in plain(whatsapp_text(answer))
        assert whatsapp_text(answer).startswith(RLM)
        buttons = whatsapp_choices(answer)
        assert buttons and all(title and payload.startswith("/") for title, payload in buttons)

        mark = graph.mark()
        menu = next(b for b in buttons if b[1] == "/menu")
        assert await post(WA, wa_button(user, menu, list_reply=len(buttons) > 3)) == 200
        (chosen,) = await graph.wait_for(user, since=mark)
        assert whatsapp_text(chosen) == _(
            "ar", "What would you like to know? Choose a topic or write your question."
        )

    graph = serving(mini, scenario)
    for message in graph.sent(user):
        if message["type"] == "text":
            assert message["text"]["preview_url"] is False  # no link previews
    assert graph.refused == []


def test_whatsapp_emergency_first_and_a_retried_message_answered_once(mini):
    user = "4915100000003"

    async def scenario(graph, post, http, base):
        payload = wa_text(user, "القارب عم يغرق ساعدونا")
        statuses = await asyncio.gather(*(post(WA, payload) for _i in range(3)))
        assert statuses == [200, 200, 200]  # Meta's retries are accepted, and ignored
        first = await graph.wait_for(user)
        assert "112" in whatsapp_text(first[0])
        await asyncio.sleep(1.0)
        assert await post(WA, payload) == 200  # a late retry
        assert await post(WA, wa_status(user, "read")) == 200  # statuses are not answered
        await asyncio.sleep(1.0)
        assert len(graph.sent(user)) == len(first)

    serving(mini, scenario)


async def whole(graph, user: str, last) -> list[dict]:
    """The messages of one answer, up to the one `last` recognises (it carries the buttons)."""
    count = 1
    while not last((found := await graph.wait_for(user, count=count))[-1]):
        count += 1
    return found


def test_oversized_answers_are_split_within_each_platform_limit(mini):
    _settings, engine = mini
    answer = engine.content.topics[LONG_TOPIC].translation("en").answer
    wa_user, ms_user = "4915100000004", "9004"

    async def scenario(graph, post, http, base):
        assert await post(WA, wa_text(wa_user, f"/{LONG_TOPIC}")) == 200
        parts = await whole(graph, wa_user, lambda m: m["type"] == "interactive")
        texts = [whatsapp_text(m) for m in parts]
        assert all(len(t) <= 4096 for t in texts) and texts[0].endswith(".")
        assert answer in " ".join(texts)
        assert parts[-1]["type"] == "interactive" and len(texts[-1]) <= 1024
        assert len(parts) == 3  # 4,096 + the rest, cut once so that its end fits 1,024

        assert await post(MS, ms_text(ms_user, f"/{LONG_TOPIC}")) == 200
        messages = await whole(graph, ms_user, lambda m: "quick_replies" in m["message"])
        assert len(messages) >= 4
        texts = [m["message"]["text"] for m in messages]
        assert all(len(t) <= 2000 for t in texts) and all(t.endswith(".") for t in texts[:-1])
        assert answer in " ".join(texts)
        assert "quick_replies" in messages[-1]["message"]
        assert all("quick_replies" not in m["message"] for m in messages[:-1])

    graph = serving(mini, scenario)
    assert graph.refused == []


def test_whatsapp_forget_deletes_the_conversation_voice_and_location_get_answers(mini):
    settings, engine = mini
    user = "4915100000005"
    key = user_key(engine.secret, "whatsapp", user)

    def rows() -> int:
        with sqlite3.connect(settings.data_dir / "conversations.db") as con:
            return con.execute(
                "SELECT count(*) FROM events WHERE sender_id = ?", (key,)
            ).fetchone()[0]

    async def scenario(graph, post, http, base):
        assert await post(WA, wa_text(user, "how do i apply for asylum")) == 200
        await graph.wait_for(user)
        assert rows() > 0

        mark = graph.mark()
        assert await post(WA, wa_voice(user)) == 200
        (polite,) = await graph.wait_for(user, since=mark)
        assert whatsapp_text(polite) == _(
            "en",
            "I can only read written messages, not voice notes, photos or files. "
            "Please write your question, or choose a topic:",
        )
        assert len(whatsapp_choices(polite)) >= 6

        mark = graph.mark()
        assert await post(WA, wa_location(user, 41.90, 12.50)) == 200  # Rome
        (question,) = await graph.wait_for(user, since=mark)
        assert country_name("IT", "en") in whatsapp_text(question)
        assert whatsapp_choices(question) == [
            (_("en", "Yes"), "/country IT"),
            (_("en", "No"), "/menu"),
        ]

        mark = graph.mark()
        assert await post(WA, wa_text(user, "/forget")) == 200
        (done,) = await graph.wait_for(user, since=mark)
        assert whatsapp_text(done) == _(
            "en", "Done: everything Masar kept about you has been deleted."
        )
        assert rows() == 0

    serving(mini, scenario)


def test_graph_api_429_and_502_are_retried_with_backoff(mini):
    user = "4915100000006"

    async def scenario(graph, post, http, base):
        graph.fail("messages", 429)
        graph.fail("messages", 502)
        assert await post(WA, wa_text(user, "/privacy")) == 200
        await graph.wait_for(user)
        attempts = [c for c in graph.calls if c.body.get("to") == user]
        assert [a.status for a in attempts] == [429, 502, 200]
        assert len({json.dumps(a.body) for a in attempts}) == 1  # the same message, once delivered

    serving(mini, scenario)


def test_messenger_get_started_quick_replies_postbacks_and_media(mini):
    _settings, engine = mini
    user = "9005"

    async def scenario(graph, post, http, base):
        assert await post(MS, ms_postback(user, "/start")) == 200
        (greeting,) = await graph.wait_for(user)
        choices = messenger_choices(greeting)
        assert ("العربية", "/language ar") in choices and len(choices) == 12
        assert greeting["messaging_type"] == "RESPONSE"

        mark = graph.mark()
        assert await post(MS, ms_quick_reply(user, ("العربية", "/language ar"))) == 200
        await graph.wait_for(user, since=mark)
        mark = graph.mark()
        assert await post(MS, ms_text(user, "كيف اقدم لجوء؟")) == 200
        (answer,) = await graph.wait_for(user, since=mark)
        expected = engine.content.topics["asylum_how_to_apply"].translation("ar").answer
        assert plain(expected)[:60] in plain(answer["message"]["text"])
        assert answer["message"]["text"].startswith(RLM) and messenger_choices(answer)

        mark = graph.mark()
        for payload in (ms_echo(user, "an echo of the page"), ms_read(user)):
            assert await post(MS, payload) == 200
        assert await post(MS, ms_image(user)) == 200
        (polite,) = await graph.wait_for(user, since=mark)
        assert polite["message"]["text"] == _(
            "ar",
            "I can only read written messages, not voice notes, photos or files. "
            "Please write your question, or choose a topic:",
        )
        await asyncio.sleep(0.5)
        assert len(graph.sent(user, since=mark)) == 1  # the echo and the read got no answer

    graph = serving(mini, scenario)
    profile = [c.body for c in graph.calls if c.path == "me/messenger_profile"]
    assert profile == [{"get_started": {"payload": "/start"}}]
    assert graph.refused == []


def test_phone_numbers_reach_neither_logs_nor_the_store(mini):
    settings, engine = mini
    number = "4917612345678"
    message_ids = []

    async def scenario(graph, post, http, base):
        for text in ("/start", "كيف اقدم لجوء؟", "help me apply for asylum", "/privacy"):
            payload = wa_text(number, text)
            message_ids.append(payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"])
            mark = graph.mark()
            assert await post(WA, payload) == 200
            await graph.wait_for(number, since=mark)
        mark = graph.mark()
        assert await post(WA, wa_button(number, ("Menu", "/menu"))) == 200
        await graph.wait_for(number, since=mark)
        graph.fail("messages", 400, code=131047)  # a refused message: its error is logged
        assert await post(WA, wa_text(number, "/menu")) == 200
        await asyncio.sleep(1.0)

    with recorded_logs() as records:
        serving(mini, scenario)
    logged = "\n".join(records.lines)
    assert "answered whatsapp" in logged  # the capture works
    assert '"code": 131047' in logged and '"outside_window": true' in logged
    stored = b"".join(path.read_bytes() for path in settings.data_dir.rglob("*") if path.is_file())
    assert user_key(engine.secret, "whatsapp", number).encode() in stored
    for secret in (number, number[2:], "Amira Test", *message_ids, WHATSAPP_TOKEN, WA_SECRET):
        assert secret not in logged, f"{secret!r} leaked into the logs"
        assert secret.encode() not in stored, f"{secret!r} is in the conversation store"


def test_another_phone_number_of_the_app_gets_nothing(mini):
    async def scenario(graph, post, http, base):
        other = whatsapp_body(
            "4915100000007", {"type": "text", "text": {"body": "/start"}}, phone_number_id="999"
        )
        assert await post(WA, other) == 200
        await asyncio.sleep(0.5)
        assert graph.sent() == []

    serving(mini, scenario)


def test_the_webhook_is_answered_at_once_and_the_work_done_after(mini):
    user = "4915100000008"

    async def scenario(graph, post, http, base):
        graph.delay = 2.0  # Graph API answers slowly: the webhook must not wait for it
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await post(WA, wa_text(user, "/menu")) == 200
        answered = loop.time() - started
        await graph.wait_for(user)
        delivered = loop.time() - started
        assert answered < 1.0 <= 2.0 <= delivered

    serving(mini, scenario)


def test_asking_for_a_person_on_whatsapp_is_answered_honestly_without_staff(mini):
    """Without a staff group no staff desk exists: no case is opened and the user is told so,
    with the emergency numbers, instead of waiting for nobody."""
    user = "4915100000009"

    async def scenario(graph, post, http, base):
        assert await post(WA, wa_text(user, "/human_help yes")) == 200
        (reply,) = await graph.wait_for(user)
        text = whatsapp_text(reply)
        assert (
            _(
                "en",
                "No staff member is online right now, so no one can answer you here at the moment.",
            )
            in text
        )
        assert "112" in text

    serving(mini, scenario)


def test_staff_answer_whatsapp_and_messenger_users_through_their_own_channel_within_the_window(
    mini,
):
    """With a staff group (Telegram, by webhook), a WhatsApp or Messenger user who says yes gets
    a case; a staff reply to the card reaches them on their own channel. Once the user's
    24-hour window has closed, WhatsApp refuses free messages: nothing is sent and staff are
    told why; Messenger takes a person's answer with the HUMAN_AGENT tag where Meta allows it."""
    from telegram_emulator import BotApiEmulator

    from bot.channels.http import SECRET_HEADER

    settings, engine = mini
    staff_group, secret = -1009876543210, "webhook-secret_staff_0123456789"
    staff = BotApiEmulator.user(555000222, "en", first_name="Nadia")
    number, psid = "4915100000042", "7012345678900042"
    update_ids = itertools.count(1)

    async def main():
        async with GraphEmulator() as graph, BotApiEmulator() as api:
            api.group(staff_group, "Masar staff")
            port = free_port()
            run = with_meta(
                settings,
                graph,
                port,
                telegram_token=api.token,
                telegram_api_url=api.api_url,
                telegram_webhook_secret=secret,
                staff_chat_id=str(staff_group),
            )
            masar = compose(engine, run)
            stop = asyncio.Event()
            server = asyncio.create_task(serve(masar, run, stop))
            base = f"http://127.0.0.1:{port}"
            async with aiohttp.ClientSession() as http:
                for _attempt in range(600):  # until the server listens and Telegram is connected
                    if server.done():
                        server.result()
                    try:
                        async with http.get(f"{base}/health") as response:
                            if (await response.json())["telegram"] == "webhook":
                                break
                    except aiohttp.ClientConnectionError:
                        pass
                    await asyncio.sleep(0.05)

                async def post(route: str, payload: dict) -> None:
                    body, headers = signed(WA_SECRET if route == WA else MS_SECRET, payload)
                    async with http.post(f"{base}{route}", data=body, headers=headers) as response:
                        assert response.status == 200

                async def staff_reply(text: str, card: dict) -> None:
                    update = api.update_body(staff, api.chats[staff_group], text, reply_to=card)
                    async with http.post(
                        f"{base}/telegram/webhook",
                        json={"update_id": next(update_ids), **update},
                        headers={SECRET_HEADER: secret},
                    ) as response:
                        assert response.status == 200

                async def open_case(route: str, payload: dict, user: str) -> dict:
                    mark, staff_mark = graph.mark(), api.mark()
                    await post(route, payload)
                    await graph.wait_for(user, since=mark)
                    (card,) = await api.wait_for(chat_id=staff_group, since=staff_mark)
                    assert card["text"].startswith("Case ") and user not in card["text"]
                    return next(
                        m
                        for m in api.messages.values()
                        if m["chat"]["id"] == staff_group and m["text"] == card["text"]
                    )

                try:
                    # WhatsApp: a case, a staff answer within the window, then none after it
                    card = await open_case(WA, wa_text(number, "/human_help yes"), number)
                    mark = graph.mark()
                    await staff_reply("Hello, we can help with the papers.", card)
                    (reply,) = await graph.wait_for(number, since=mark)
                    assert whatsapp_text(reply) == _(
                        "en", "Staff: {text}", text="Hello, we can help with the papers."
                    )
                    graph.close_window(number)
                    mark, staff_mark = graph.mark(), api.mark()
                    await staff_reply("Are you still there?", card)
                    (note,) = await api.wait_for(chat_id=staff_group, since=staff_mark)
                    assert (
                        "more than 24 hours ago" in note["text"]
                        and "nothing was sent" in (note["text"])
                    )
                    assert graph.sent(number, since=mark) == []

                    # Messenger: after the window, a person's answer goes with HUMAN_AGENT
                    card = await open_case(MS, ms_text(psid, "/human_help yes"), psid)
                    graph.close_window(psid, human_agent=True)
                    mark = graph.mark()
                    await staff_reply("We are here for you.", card)
                    (reply,) = await graph.wait_for(psid, since=mark)
                    assert reply["message"]["text"] == _(
                        "en", "Staff: {text}", text="We are here for you."
                    )
                    assert reply["messaging_type"] == "MESSAGE_TAG"
                    assert reply["tag"] == "HUMAN_AGENT"
                finally:
                    stop.set()
                    await server

    asyncio.run(main())


@pytest.mark.subprocess
def test_masar_serve_as_a_process_with_the_meta_settings_in_its_environment(mini, tmp_path):
    """The operator's way: `masar serve` with MASAR_WHATSAPP_* and MASAR_MESSENGER_* set, its
    JSON logs on stderr: answers logged by channel, and no number, id, token or secret."""
    import os

    settings, _engine = mini
    number, psid = "4915212345678", "7012345678901234"

    async def main():
        async with GraphEmulator() as graph:
            port = free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith("MASAR_")}
            env.update(
                MASAR_PORT=str(port),
                MASAR_CONTENT_DIR=str(settings.content_dir),
                MASAR_BUILD_DIR=str(settings.build_dir),
                MASAR_DATA_DIR=str(tmp_path),
                **graph.env(),
            )
            process = await masar_serve(env, tmp_path / "stderr.log")
            base = f"http://127.0.0.1:{port}"
            try:
                async with aiohttp.ClientSession() as http:
                    for _attempt in range(3000):  # until the server listens (bounded)
                        assert process.returncode is None, (tmp_path / "stderr.log").read_text()
                        try:
                            async with http.get(f"{base}/health") as response:
                                if response.status == 200:
                                    break
                        except aiohttp.ClientConnectionError:
                            await asyncio.sleep(0.1)
                    for route, payload, secret in (
                        (WA, wa_text(number, "كيف اقدم لجوء؟ رقمي +49 152 12345678"), WA_SECRET),
                        (MS, ms_postback(psid, "/start"), MS_SECRET),
                    ):
                        body, headers = signed(secret, payload)
                        async with http.post(f"{base}{route}", data=body, headers=headers) as r:
                            assert r.status == 200
                        async with http.post(f"{base}{route}", data=body) as r:
                            assert r.status == 401
                    await graph.wait_for(number)
                    await graph.wait_for(psid)
            finally:
                process.terminate()
                await process.wait()
            return process.returncode, (tmp_path / "stderr.log").read_text(encoding="utf-8")

    code, log = asyncio.run(main())
    assert code == 0, log[-3000:]
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    answered = {line.get("channel") for line in lines if line.get("event") == "answered"}
    assert {"whatsapp", "messenger"} <= answered
    assert {line.get("channel") for line in lines if line.get("event") == "channel"} == {
        "whatsapp",
        "messenger",
    }
    assert sum(line.get("event") == "refused" for line in lines) == 2
    for secret in (
        number,
        "152 12345678",
        psid,
        "كيف اقدم",
        WHATSAPP_TOKEN,
        PAGE_TOKEN,
        WA_SECRET,
        MS_SECRET,
    ):
        assert secret not in log, f"{secret!r} leaked into the logs"

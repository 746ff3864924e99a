"""Human handover: consent, a case card without personal data, messages relayed both ways,
staff closing the case, the bot answering again; staff offline; emergencies and trafficking
signs during and outside a case. The real python-telegram-bot Application polls the Bot API
emulator over real HTTP, answered by the real engine (a small content set, SQLite store)."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import hmac
import re
import shutil
import sqlite3
import time

import pytest
from telegram_emulator import MODEL_CACHE, ROOT, BotApiEmulator, buttons, channel_content

from bot.channels.telegram import ALLOWED_UPDATES, TelegramChannel, build_application, run_polling
from bot.handover import Case, Handover, SealBroken, card_text, seal, unseal
from bot.i18n import FSI, LRM, PDI, RLM, _
from bot.masar import compose
from bot.privacy import user_key

STAFF = -1001234567890
MARKS = str.maketrans("", "", RLM + LRM + FSI + PDI)
HANDOVER_TOPICS = (
    "human_help",
    "trafficking_signs",
    "kidnapping_extortion",
    "emergency_general",
    "emergency_at_sea",
)


def plain(text: str) -> str:
    return text.translate(MARKS)


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """(settings, masar): the channel tests' content plus the topics a handover touches."""
    from bot.engine import Engine
    from bot.logs import configure
    from bot.settings import Settings

    configure()
    base = tmp_path_factory.getbasetemp() / "handover"
    content = base / "content"
    if not content.exists():
        channel_content(base / "channel-content")
        shutil.copytree(base / "channel-content", content)
        for topic in HANDOVER_TOPICS:
            shutil.copy(
                ROOT / "content" / "topics" / f"{topic}.yml", content / "topics" / f"{topic}.yml"
            )
    settings = Settings(
        content_dir=content,
        build_dir=MODEL_CACHE / "handover",
        data_dir=tmp_path_factory.mktemp("handover-var"),
        user_key_secret="handover-test-secret",
    )
    return settings, compose(Engine.load(settings))


def staff_member() -> dict:
    return BotApiEmulator.user(555000111, "en", first_name="Nadia")


def talk(desk, scenario, staff: int | None = STAFF):
    """Run `scenario(api)` while `masar telegram` (run_polling) polls the emulator."""
    settings, masar = desk

    async def main():
        async with BotApiEmulator() as api:
            if staff is not None:
                api.group(staff, "Masar staff")
            run = dataclasses.replace(
                settings,
                telegram_token=api.token,
                telegram_api_url=api.api_url,
                staff_chat_id=str(staff) if staff is not None else None,
            )
            stop = asyncio.Event()
            polling = asyncio.create_task(run_polling(masar, run, stop))
            ready = asyncio.create_task(api.wait_for("deleteWebhook"))
            await asyncio.wait([polling, ready], return_when=asyncio.FIRST_COMPLETED)
            if polling.done():
                ready.cancel()
                polling.result()
            try:
                await scenario(api)
            finally:
                stop.set()
                await polling
        return api

    return asyncio.run(main())


async def start_channel(api: BotApiEmulator, desk, masar=None) -> tuple[TelegramChannel, object]:
    """The channel as run_polling builds it, kept at hand so a test can call its periodic check."""
    settings, composed = desk
    api.group(STAFF, "Masar staff")
    run = dataclasses.replace(settings, telegram_token=api.token, telegram_api_url=api.api_url)
    application = build_application(run, polling=True)
    channel = TelegramChannel(masar or composed, application, staff_chat_id=str(STAFF))
    await application.initialize()
    await channel.setup()
    await application.start()
    await application.updater.start_polling(
        poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES
    )
    return channel, application


async def stop_channel(channel: TelegramChannel, application) -> None:
    channel.stop()
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


async def wait_until(api: BotApiEmulator, chat_id: int, since: int, wanted) -> dict:
    """The first message to `chat_id` after `since` for which `wanted(message)` is true."""
    count = 1
    while True:
        found = await api.wait_for(chat_id=chat_id, since=since, count=count)
        for message in found:
            if wanted(message):
                return message
        count = len(found) + 1


def consent(message: dict) -> bool:
    return "/human_help yes" in [d for _t, d in buttons(message)]


async def ask_for_a_person(
    api: BotApiEmulator, user: dict, text: str = "i want to talk to a real person", wanted=consent
) -> dict:
    """The user asks for a person; returns the consent question (or what `wanted` looks for)."""
    mark = api.mark()
    api.send_text(user, text)
    return await wait_until(api, user["id"], mark, wanted)


async def open_case(api: BotApiEmulator, user: dict) -> dict:
    """Ask for a person, say yes; returns the case card as the staff group sees it."""
    question = await ask_for_a_person(api, user)
    mark = api.mark()
    api.press(user, api.last_message(user["id"]), "/human_help yes")
    await api.wait_for(chat_id=user["id"], since=mark)
    (card,) = await api.wait_for(chat_id=STAFF, since=mark)
    assert question["text"]
    return card


def case_id(card: dict) -> str:
    return re.match(r"Case ([A-Z2-9]{5}):", card["text"]).group(1)


# -- the whole handover, as users and staff live it ------------------------------------------------
def test_a_full_handover_over_telegram(desk):
    _settings, masar = desk
    user = {
        **BotApiEmulator.user(7305551234, "en", first_name="Amira"),
        "username": "amira_k2026",
        "last_name": "Haddad",
    }
    personal = "my name is Amira Haddad, pls can a real person call me on +49 151 2345 6789?"
    staff = staff_member()

    async def scenario(api: BotApiEmulator):
        for text in ("/country IT", "/sea_crossing_risks"):
            mark = api.mark()
            api.send_text(user, text)
            await api.wait_for(chat_id=user["id"], since=mark)

        question = await ask_for_a_person(api, user, personal)
        assert buttons(question) == [
            (_("en", "Yes"), "/human_help yes"),
            (_("en", "No"), "/human_help no"),
        ]
        assert not [
            m for m in api.sent(chat_id=STAFF) if m["text"].startswith("Case ")
        ]  # no case before consent

        mark = api.mark()
        api.press(user, api.last_message(user["id"]), "/human_help yes")
        (opened,) = await api.wait_for(chat_id=user["id"], since=mark)
        assert opened["text"].startswith(
            _("en", "A staff member will answer you here as soon as they can.")[:30]
        )
        assert ("Back to Masar", "/human_help stop") in buttons(opened)
        (card,) = await api.wait_for(chat_id=STAFF, since=mark)
        case = case_id(card)
        key = user_key(masar.engine.secret, "telegram", str(user["id"]))
        assert f"User key: {key}" in card["text"]
        assert "Country: IT" in card["text"] and "Topic: sea_crossing_risks" in card["text"]
        summary = re.search(r"^Summary: (.*)$", card["text"], re.M).group(1)
        assert re.fullmatch(
            r"Topics: [a-z_, ]*sea_crossing_risks\. Country: IT\. Language: en\.", summary
        ), summary
        for secret in (
            "Amira",
            "Haddad",
            "amira_k2026",
            "+49",
            "151 2345",
            "2345 6789",
            str(user["id"]),
            "my name is",
            "real person",
            "call me",
        ):
            assert secret not in card["text"], secret

        # the user writes: staff get it as a reply to the card; the bot does not answer
        mark = api.mark()
        api.send_text(user, "I need help with my papers, who can I talk to?")
        (relayed,) = await api.wait_for(chat_id=STAFF, since=mark)
        assert relayed["text"] == f"Case {case}: I need help with my papers, who can I talk to?"
        card_message = next(
            m
            for m in api.messages.values()
            if m["chat"]["id"] == STAFF and m["text"] == card["text"]
        )
        assert relayed["reply_parameters"]["message_id"] == card_message["message_id"]
        assert not api.sent(chat_id=user["id"], since=mark)

        # staff answer by replying to the relayed message; the user reads it labelled "Staff:"
        mark = api.mark()
        api.send_text(
            staff,
            "Hello, I am from the legal team. Are you in Italy now?",
            chat=api.chats[STAFF],
            reply_to=api.last_message(STAFF),
        )
        (answer,) = await api.wait_for(chat_id=user["id"], since=mark)
        assert answer["text"] == _(
            "en", "Staff: {text}", text="Hello, I am from the legal team. Are you in Italy now?"
        )
        assert "Nadia" not in answer["text"]

        # staff talking among themselves (not a reply to the bot) reaches no one
        mark = api.mark()
        api.send_text(staff, "I'll take this one", chat=api.chats[STAFF])
        api.send_text(user, "yes, in Rome")
        (relayed,) = await api.wait_for(chat_id=STAFF, since=mark)
        assert relayed["text"] == f"Case {case}: yes, in Rome"
        assert not api.sent(chat_id=user["id"], since=mark)

        # staff close the case with /close as a reply to the card; the user is told
        mark = api.mark()
        api.send_text(staff, "/close", chat=api.chats[STAFF], reply_to=card_message)
        (closed,) = await api.wait_for(chat_id=user["id"], since=mark)
        assert closed["text"] == _(
            "en",
            "The staff member has closed this conversation. From now on Masar answers you again.",
        )
        (confirmed,) = await api.wait_for(chat_id=STAFF, since=mark)
        assert confirmed["text"].startswith(f"Case {case} closed.")

        # the bot answers again, and staff get nothing
        mark = api.mark()
        api.send_text(user, "how do i apply for asylum")
        (normal,) = await api.wait_for(chat_id=user["id"], since=mark)
        expected = masar.content.topics["asylum_how_to_apply"].translation("en").answer
        assert plain(expected)[:60] in plain(normal["text"])
        assert not api.sent(chat_id=STAFF, since=mark)
        assert masar.handover.case(case) is None

    api = talk(desk, scenario)
    for params in api.sent(chat_id=STAFF):
        for secret in ("Amira", "Haddad", "amira_k2026", "2345 6789", str(user["id"])):
            assert secret not in params["text"]


def test_staff_offline_when_no_staff_group_is_configured(desk):
    user = BotApiEmulator.user(7305552345, "fr")

    async def scenario(api: BotApiEmulator):
        api.send_text(user, "/language fr")
        await api.wait_for(chat_id=user["id"])
        first = _(
            "fr",
            "No staff member is online right now, so no one can answer you here at the moment.",
        )
        notice = await ask_for_a_person(
            api,
            user,
            "je veux parler à une vraie personne",
            wanted=lambda m: m["text"].startswith(first),
        )
        assert notice["text"].startswith(first)
        assert (
            _(
                "fr",
                "Emergency: in EU countries call 112; elsewhere call the local emergency number.",
            )
            in notice["text"]
        )
        payloads = [d for _t, d in buttons(notice)]
        assert "/find_help" in payloads and "/emergency_general" in payloads
        assert "/human_help yes" not in payloads  # no consent to nothing
        mark = api.mark()
        api.send_text(user, "/human_help yes")  # an old button: still honest
        (again,) = await api.wait_for(chat_id=user["id"], since=mark)
        assert again["text"].startswith(first)
        mark = api.mark()
        api.send_text(user, "comment demander l'asile")  # no case: the bot answers
        (normal,) = await api.wait_for(chat_id=user["id"], since=mark)
        assert not normal["text"].startswith(first)

    talk(desk, scenario, staff=None)


def test_an_emergency_during_a_case_gets_the_emergency_answer_first_and_reaches_staff(desk):
    _settings, masar = desk
    user = BotApiEmulator.user(7305553456, "en")
    staff = staff_member()

    async def scenario(api: BotApiEmulator):
        card = await open_case(api, user)
        case = case_id(card)
        mark = api.mark()
        api.send_text(user, "help our boat is sinking, water is coming in")
        first = (await api.wait_for(chat_id=user["id"], since=mark))[0]
        assert plain(first["text"]).startswith(
            _(
                "en",
                "Emergency: in EU countries call 112; elsewhere call the local emergency number.",
            )
        )
        relayed, alert = await api.wait_for(chat_id=STAFF, since=mark, count=2)
        assert relayed["text"] == f"Case {case}: help our boat is sinking, water is coming in"
        assert alert["text"].startswith("Alert: emergency.") and f"Case: {case}." in alert["text"]
        assert "Topic: emergency_at_sea" in alert["text"] and "sinking" not in alert["text"]
        methods = [
            (c.method, c.params.get("chat_id"))
            for c in api.calls[mark:]
            if c.method == "sendMessage"
        ]
        assert int(methods[0][1]) == user["id"]  # the user first, then staff

        mark = api.mark()
        api.send_text(staff, f"/close {case.lower()}", chat=api.chats[STAFF])  # by id, any case
        await api.wait_for(chat_id=user["id"], since=mark)
        assert masar.handover.case(case) is None

    talk(desk, scenario)


def test_a_trafficking_story_alerts_staff_without_personal_data_and_leads_to_a_case(desk):
    _settings, _masar = desk
    user = BotApiEmulator.user(7305554567, "en", first_name="Yonas")

    async def scenario(api: BotApiEmulator):
        story = "my boss took my passport and we can't leave the farm, my name is Yonas"
        mark = api.mark()
        api.send_text(user, story)
        (alert,) = await api.wait_for(chat_id=STAFF, since=mark)
        assert alert["text"].startswith("Alert: signs of trafficking or kidnapping.")
        assert "Topic: trafficking_signs" in alert["text"] and "Case: no case." in alert["text"]
        assert "Language: English (en)" in alert["text"]
        for secret in ("Yonas", "passport", "farm", str(user["id"])):
            assert secret not in alert["text"]
        replies = api.sent(chat_id=user["id"], since=mark)
        assert "/human_help" in [d for r in replies for _t, d in buttons(r)]  # a person is offered

        mark = api.mark()
        api.press(user, api.last_message(user["id"]), "/human_help")
        await api.wait_for(chat_id=user["id"], since=mark, count=2)
        question = api.sent(chat_id=user["id"], since=mark)[-1]
        assert ("Yes", "/human_help yes") in buttons(question)
        mark = api.mark()
        api.press(user, api.last_message(user["id"]), "/human_help yes")
        (card,) = await api.wait_for(chat_id=STAFF, since=mark)
        assert "Topic: trafficking_signs" in card["text"] and "Yonas" not in card["text"]

        mark = api.mark()  # the user may end it themselves
        api.press(user, api.last_message(user["id"]), "/human_help stop")
        (back,) = await api.wait_for(chat_id=user["id"], since=mark)
        assert back["text"] == _(
            "en", "You are talking with Masar again. Staff no longer receive your messages."
        )
        (note,) = await api.wait_for(chat_id=STAFF, since=mark)
        assert note["text"] == f"Case {case_id(card)} closed by the user."

    talk(desk, scenario)


def test_no_answer_in_time_tells_the_user_staff_may_be_offline(desk):
    _settings, masar = desk
    user = BotApiEmulator.user(7305555678, "en")

    async def main():
        async with BotApiEmulator() as api:
            channel, application = await start_channel(api, desk)
            try:
                card = await open_case(api, user)
                case = masar.handover.case(case_id(card))
                assert await masar.desk.check_cases(now=case.opened + 60) == 0  # one minute: wait
                mark = api.mark()
                assert (
                    await masar.desk.check_cases(now=case.opened + 11 * 60) == 1
                )  # past the timeout
                (notice,) = await api.wait_for(chat_id=user["id"], since=mark)
                assert notice["text"].startswith(_("en", "No staff member has answered yet;"))
                assert ("Back to Masar", "/human_help stop") in buttons(notice)
                (note,) = await api.wait_for(chat_id=STAFF, since=mark)
                assert note["text"].startswith(f"Case {case.id}: no staff answer after 10 minutes")
                assert await masar.desk.check_cases(now=case.opened + 60 * 60) == 0  # told once
                mark = api.mark()
                api.send_text(user, "are you still there?")  # still relayed
                (relayed,) = await api.wait_for(chat_id=STAFF, since=mark)
                assert relayed["text"] == f"Case {case.id}: are you still there?"
                await masar.desk.close_case(case.id, None)
            finally:
                await stop_channel(channel, application)

    asyncio.run(main())


def test_open_cases_survive_a_restart_and_the_store_holds_no_chat_id(desk):
    settings, before = desk
    user = BotApiEmulator.user(7305556789, "en")
    staff = staff_member()

    async def main():
        async with BotApiEmulator() as api:
            channel, application = await start_channel(api, desk)
            try:
                card = await open_case(api, user)
            finally:
                await stop_channel(channel, application)
            case = case_id(card)
            masar = compose(before.engine)  # the process restarts
            with sqlite3.connect(settings.data_dir / "conversations.db") as con:
                dump = "\n".join(str(row) for row in con.execute("SELECT * FROM events"))
            assert case in dump and str(user["id"]) not in dump

            channel, application = await start_channel(api, desk, masar)  # loads open cases
            try:
                assert masar.handover.case(case) is not None
                mark = api.mark()
                api.send_text(user, "hello again")
                (relayed,) = await api.wait_for(chat_id=STAFF, since=mark)
                assert relayed["text"] == f"Case {case}: hello again"
                card_message = next(m for m in api.messages.values() if m["text"] == card["text"])
                assert relayed["reply_parameters"]["message_id"] == card_message["message_id"]
                mark = api.mark()  # staff reply to the old card
                api.send_text(staff, "We are here.", chat=api.chats[STAFF], reply_to=card_message)
                (answer,) = await api.wait_for(chat_id=user["id"], since=mark)
                assert answer["text"] == _("en", "Staff: {text}", text="We are here.")
                mark = api.mark()
                api.send_text(user, "/forget")  # forgetting ends the case
                await api.wait_for(chat_id=user["id"], since=mark)
                (note,) = await api.wait_for(chat_id=STAFF, since=mark)
                assert note["text"] == f"Case {case} closed: the user deleted their conversation."
                assert masar.handover.case(case) is None
            finally:
                await stop_channel(channel, application)
            with sqlite3.connect(settings.data_dir / "conversations.db") as con:
                key = user_key(masar.engine.secret, "telegram", str(user["id"]))
                assert (
                    con.execute(
                        "SELECT count(*) FROM events WHERE sender_id = ?", (key,)
                    ).fetchone()[0]
                    == 0
                )

    asyncio.run(main())


def test_staff_commands_without_a_case_get_a_clear_answer(desk):
    staff = staff_member()

    async def scenario(api: BotApiEmulator):
        mark = api.mark()
        api.send_text(staff, "/close", chat=api.chats[STAFF])
        (which,) = await api.wait_for(chat_id=STAFF, since=mark)
        assert which["text"].startswith("Which case?")
        mark = api.mark()
        api.send_text(staff, "/close ZZZZZ", chat=api.chats[STAFF])
        (none,) = await api.wait_for(chat_id=STAFF, since=mark)
        assert none["text"] == "There is no open case ZZZZZ."

    talk(desk, scenario)


# -- the parts, without Telegram --------------------------------------------------------------------
def test_the_chat_address_is_sealed_and_opens_only_with_the_key():
    sealed = seal(b"secret", "7305551234")
    assert "7305551234" not in sealed and sealed != seal(
        b"secret", "7305551234"
    )  # a fresh nonce each time
    assert unseal(b"secret", sealed) == "7305551234"
    with pytest.raises(SealBroken):
        unseal(b"another secret", sealed)


def test_a_tampered_sealed_address_is_rejected():
    sealed = seal(b"secret", "7305551234")
    prefix, body = sealed[:3], base64.urlsafe_b64decode(sealed[3:])
    for i in (0, 12, 15, len(body) - 1):  # the nonce, the ciphertext, the tag
        changed = bytearray(body)
        changed[i] ^= 0x01
        with pytest.raises(SealBroken):
            unseal(b"secret", prefix + base64.urlsafe_b64encode(bytes(changed)).decode())
    with pytest.raises(SealBroken):  # cut short
        unseal(b"secret", prefix + base64.urlsafe_b64encode(body[:-4]).decode())
    record = Case("K7F3A", "k", "telegram", "7305551234", "en", "human_help", None, [], 1.0)
    stored = record.record(b"secret")
    stored["address"] = prefix + base64.urlsafe_b64encode(body[:-1] + b"x").decode()
    assert Case.from_record("k", stored, b"secret") is None  # a broken case is not loaded


def test_addresses_sealed_before_authenticated_encryption_still_open_and_are_sealed_anew():
    """The keystream of earlier versions (HMAC-SHA256, no authentication), written out here
    as it was, so cases open when the upgrade happens still reach their users."""
    nonce, data = bytes(range(12)), b"7305551234"
    stream = hmac.new(
        b"secret", b"masar-case-address" + nonce + (0).to_bytes(4, "big"), hashlib.sha256
    ).digest()
    old = base64.urlsafe_b64encode(
        nonce + bytes(a ^ b for a, b in zip(data, stream[:10], strict=True))
    ).decode()
    assert unseal(b"secret", old) == "7305551234"
    case = Case.from_record(
        "k",
        {
            "id": "K7F3A",
            "channel": "telegram",
            "address": old,
            "language": "en",
            "topic": "human_help",
            "country": None,
            "topics": [],
            "opened": 1.0,
        },
        b"secret",
    )
    assert case is not None and case.address == "7305551234"
    assert case.record(b"secret")["address"].startswith("v2:")  # sealed anew when saved


def test_a_case_card_holds_the_summary_and_no_address():
    case = Case(
        "K7F3A",
        "a" * 32,
        "telegram",
        "7305551234",
        "ar",
        "kidnapping_extortion",
        "LY",
        ["sea_crossing_risks", "kidnapping_extortion"],
        time.time(),
    )
    text = card_text(case)
    assert (
        "Summary: Topics: sea_crossing_risks, kidnapping_extortion. Country: LY. Language: ar."
        in text
    )
    assert "Language: Arabic (ar)" in text and "7305551234" not in text
    record = case.record(b"secret")
    assert "7305551234" not in str(record)
    again = Case.from_record(case.key, record, b"secret")
    assert again == case


def test_overdue_cases_are_reported_once():
    saved = []

    class Recorder:  # no store: saving is recorded, the clock is the point here
        secret = b"secret"

        async def claim_offline_notice(self, case):
            saved.append(case.id)
            return True

    handover = Handover(None, cases=Recorder(), renderer=None, emergency=None)
    case = Case("K7F3A", "k", "telegram", "1", "en", "human_help", None, [], 1000.0)
    handover.cases[case.id] = case

    async def run():
        assert await handover.overdue(10, now=1000.0 + 599) == []
        assert await handover.overdue(10, now=1000.0 + 600) == [case]
        assert await handover.overdue(10, now=1000.0 + 6000) == []

    asyncio.run(run())
    assert saved == ["K7F3A"]


def test_handover_settings_are_checked(monkeypatch):
    from bot.settings import load

    monkeypatch.setenv("MASAR_STAFF_CHAT_ID", " -1001234567890 ")
    monkeypatch.setenv("MASAR_HANDOVER_TIMEOUT_MINUTES", "15")
    settings = load()
    assert settings.staff_chat_id == "-1001234567890" and settings.handover_timeout_minutes == 15
    monkeypatch.delenv("MASAR_HANDOVER_TIMEOUT_MINUTES")
    assert load().handover_timeout_minutes == 10
    for name, value in (
        ("MASAR_STAFF_CHAT_ID", "@masar_staff"),
        ("MASAR_HANDOVER_TIMEOUT_MINUTES", "ten"),
        ("MASAR_HANDOVER_TIMEOUT_MINUTES", "0"),
    ):
        monkeypatch.setenv(name, value)
        with pytest.raises(SystemExit, match=name):
            load()
        monkeypatch.setenv("MASAR_STAFF_CHAT_ID", "-1001234567890")
        monkeypatch.setenv("MASAR_HANDOVER_TIMEOUT_MINUTES", "10")

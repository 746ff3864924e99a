"""Masar on Telegram: the real python-telegram-bot Application, polling a Bot API emulator
over real HTTP, answered by the real engine (a small content set that trains in seconds)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from telegram_emulator import LONG_TOPIC, ROOT, BotApiEmulator, buttons, channel_settings

from bot.channels.telegram import (
    MESSAGE_LIMIT,
    addressed_text,
    command_menu,
    file_url,
    keyboard,
    run_polling,
    split_message,
    telegram_length,
)
from bot.content.catalogue import LANGUAGES
from bot.i18n import FSI, LRM, PDI, RLM, _, country_name
from bot.locations import country_at
from bot.masar import compose
from bot.messages import Button, clean_text, command_of
from bot.privacy import user_key

MARKS = str.maketrans("", "", RLM + LRM + FSI + PDI)


def plain(text: str) -> str:
    """Text without direction marks, to compare with content."""
    return text.translate(MARKS)


# -- Telegram's limits: unit tests ---------------------------------------------------------------
def test_short_text_is_one_message():
    assert split_message("Hello.") == ["Hello."]
    assert split_message("   ") == []


def test_long_text_splits_at_sentence_ends_within_the_limit():
    sentence = "Ask for asylum at the border or at the asylum office. "
    text = sentence * 120  # about 6,500 characters
    parts = split_message(text)
    assert len(parts) == 2
    assert all(telegram_length(p) <= MESSAGE_LIMIT for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts) == text.strip()


def test_paragraphs_split_without_losing_a_character():
    text = ("a" * 50 + ". ") * 30 + "\n\n" + ("b" * 50 + ". ") * 60
    parts = split_message(text, limit=2000)
    assert all(len(p) <= 2000 for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )


def test_text_without_sentences_splits_at_spaces_then_anywhere():
    words = " ".join(["word"] * 2000)  # 9,999 characters, no sentence end
    parts = split_message(words)
    assert all(len(p) <= MESSAGE_LIMIT and not p.startswith(" ") for p in parts)
    assert " ".join(parts) == words
    blob = "x" * 9000
    assert [len(p) for p in split_message(blob)] == [4096, 4096, 808]


def test_emoji_count_twice_as_telegram_counts_them():
    parts = split_message("😀" * 3000)  # 6,000 UTF-16 units
    assert all(telegram_length(p) <= MESSAGE_LIMIT for p in parts)
    assert "".join(parts) == "😀" * 3000


def test_right_to_left_text_keeps_its_direction_in_every_part():
    text = RLM + "يمكنك طلب اللجوء على الحدود. " * 300
    parts = split_message(text)
    assert len(parts) >= 2
    assert all(p.startswith(RLM) and telegram_length(p) <= MESSAGE_LIMIT for p in parts)


def test_keyboard_rows_and_payload_limit():
    languages = keyboard([Button(code, f"/language {code}") for code in LANGUAGES])
    assert [len(row) for row in languages.inline_keyboard] == [3, 3, 3, 3]
    menu = keyboard(
        [Button("Legal ways to travel safely", "/legal_routes_overview"), Button("Menu", "/menu")]
    )
    assert [len(row) for row in menu.inline_keyboard] == [1, 1]
    assert keyboard([Button("too long", "/" + "x" * 70)]) is None
    assert keyboard([]) is None


def test_group_messages_are_for_masar_only_when_addressed():
    assert addressed_text("how do i apply", "masar_bot", replying_to_bot=False) is None
    assert addressed_text("how do i apply", "masar_bot", replying_to_bot=True) == "how do i apply"
    assert addressed_text("@Masar_Bot how do i apply", "masar_bot", False) == "how do i apply"
    assert addressed_text("/start", "masar_bot", False) == "/start"
    assert addressed_text("/start@masar_bot", "masar_bot", False) == "/start@masar_bot"
    assert addressed_text("/start@other_bot", "masar_bot", False) is None


def test_small_helpers():
    assert (
        command_of(clean_text("/forget@masar_bot"))[0] == "forget"
        and command_of(clean_text("/ "))[0] == ""
        and command_of(clean_text("hi")) == ("", "")
    )
    assert file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert [c.command for c in command_menu("en")] == [
        "start",
        "menu",
        "emergency",
        "language",
        "help",
        "privacy",
        "forget",
    ]


@pytest.mark.parametrize(
    "place, lat, lon, code",
    [
        ("Rome", 41.90, 12.50, "IT"),
        ("Lampedusa", 35.50, 12.60, "IT"),
        ("Lesbos", 39.11, 26.50, "GR"),
        ("Izmir", 38.42, 27.14, "TR"),
        ("Kos", 36.89, 27.20, "GR"),
        ("Bodrum", 37.03, 27.43, "TR"),
        ("Valletta", 35.90, 14.51, "MT"),
        ("Brussels", 50.85, 4.35, "BE"),
        ("Las Palmas", 28.12, -15.43, "ES"),
        ("Algiers", 36.75, 3.06, "DZ"),
        ("Kabul", 34.53, 69.17, None),
        ("Atlantic", 30.0, -40.0, None),
        ("nonsense", 123.0, 500.0, None),
    ],
)
def test_location_to_country_is_approximate_but_sensible(place, lat, lon, code):
    assert country_at(lat, lon) == code
    assert country_at(41.90, 12.50, known={"GR"}) is None  # only countries with services


# -- the real Application against the emulator -------------------------------------------------------
@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    """(settings, engine) on the channel content, conversations in SQLite."""
    from bot.engine import Engine
    from bot.logs import configure

    configure()
    settings = channel_settings(
        tmp_path_factory.getbasetemp() / "channel", tmp_path_factory.mktemp("tg-var")
    )
    return settings, Engine.load(settings)


def talk(mini, scenario):
    """Run `scenario(api)` while Masar polls the emulator (in this test's event loop)."""
    settings, engine = mini

    async def main():
        async with BotApiEmulator() as api:
            run = dataclasses.replace(
                settings, telegram_token=api.token, telegram_api_url=api.api_url
            )
            stop = asyncio.Event()
            polling = asyncio.create_task(run_polling(compose(engine), run, stop))
            ready = asyncio.create_task(api.wait_for("deleteWebhook"))
            await asyncio.wait([polling, ready], return_when=asyncio.FIRST_COMPLETED)
            if polling.done():
                ready.cancel()
                polling.result()  # startup failed: show why
            try:
                await scenario(api)
            finally:
                stop.set()
                await polling
            return api

    return asyncio.run(main())


def test_start_language_button_and_a_question_in_arabic(mini):
    _settings, engine = mini
    content = engine.content
    user = BotApiEmulator.user(1001, "en")

    async def scenario(api: BotApiEmulator):
        api.send_text(user, "/start")
        (start,) = await api.wait_for(chat_id=1001)
        assert ("العربية", "/language ar") in buttons(start)

        mark = api.mark()
        query = api.press(user, api.last_message(1001), "/language ar")
        (chosen,) = await api.wait_for(chat_id=1001, since=mark)
        answered = api.sent("answerCallbackQuery", since=mark)
        assert answered and answered[0]["callback_query_id"] == query["callback_query"]["id"]
        methods = [c.method for c in api.calls[mark:]]
        assert methods.index("answerCallbackQuery") < methods.index(
            "sendMessage"
        )  # spinner stops first
        assert plain(content.topics["greet"].translation("ar").answer)[:40] in plain(chosen["text"])

        mark = api.mark()
        api.send_text(user, "كيف اقدم لجوء؟")
        (answer,) = await api.wait_for(chat_id=1001, since=mark)
        expected = content.topics["asylum_how_to_apply"].translation("ar").answer
        assert plain(expected)[:60] in plain(answer["text"])
        assert answer["text"].startswith(RLM)

    api = talk(mini, scenario)
    for params in api.sent("sendMessage"):
        assert "parse_mode" not in params  # plain text: nothing can inject markup
        assert params["link_preview_options"] == {"is_disabled": True}


def test_commands_are_registered_in_every_language(mini):
    api = talk(mini, lambda api: asyncio.sleep(0))
    registered = {key[1]: commands for key, commands in api.commands.items()}
    assert set(registered) == {"", *LANGUAGES}
    for language in ("", "ar", "fa"):
        expected = [(c.command, c.description) for c in command_menu(language or "en")]
        assert [(c["command"], c["description"]) for c in registered[language]] == expected


def test_a_6000_character_answer_arrives_in_two_messages(mini):
    _settings, engine = mini
    user = BotApiEmulator.user(1002, "en")

    async def scenario(api):
        api.send_text(user, "/menu")
        await api.wait_for(chat_id=1002)
        mark = api.mark()
        api.press(user, api.last_message(1002), f"/{LONG_TOPIC}")
        first, second = await api.wait_for(chat_id=1002, count=2, since=mark)
        assert all(len(m["text"]) <= MESSAGE_LIMIT for m in (first, second))
        assert first["text"].endswith(".")  # cut at a sentence end
        assert not buttons(first) and ("Menu", "/menu") in [(t, d) for t, d in buttons(second)]
        answer = engine.content.topics[LONG_TOPIC].translation("en").answer
        assert len(answer) >= 6000
        assert answer in first["text"] + " " + second["text"]

    talk(mini, scenario)


def test_voice_note_sticker_and_unknown_things_get_a_polite_answer(mini):
    user = BotApiEmulator.user(1003, "en")

    async def scenario(api):
        api.send_voice(user)
        (reply,) = await api.wait_for(chat_id=1003)
        assert reply["text"] == _(
            "en",
            "I can only read written messages, not voice notes, photos or files. "
            "Please write your question, or choose a topic:",
        )
        assert len(buttons(reply)) >= 6  # the menu, not a dead end
        mark = api.mark()
        api.push(
            api.update_body(
                user,
                sticker={
                    "file_id": "x",
                    "file_unique_id": "y",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                },
            )
        )
        await api.wait_for(chat_id=1003, since=mark)

    talk(mini, scenario)


def test_location_is_used_only_if_the_user_agrees(mini):
    user = BotApiEmulator.user(1004, "en")

    async def scenario(api):
        api.send_location(user, 41.90, 12.50)  # Rome
        (question,) = await api.wait_for(chat_id=1004)
        assert country_name("IT", "en") in question["text"]
        assert buttons(question) == [(_("en", "Yes"), "/country IT"), (_("en", "No"), "/menu")]
        mark = api.mark()
        api.press(user, api.last_message(1004), "/country IT")
        (services,) = await api.wait_for(chat_id=1004, since=mark)
        assert (
            _("en", "Official help in {country}:", country=country_name("IT", "en"))
            in services["text"]
        )

        mark = api.mark()
        api.send_location(user, 30.0, -40.0)  # the open Atlantic: choose a country
        (choice,) = await api.wait_for(chat_id=1004, since=mark)
        assert "/country IT" in [d for _t, d in buttons(choice)]

    talk(mini, scenario)


def test_group_chat_answers_only_when_addressed_and_keeps_private_details_private(mini):
    user = BotApiEmulator.user(1005, "en", first_name="Samira")
    official_help = _("en", "Official help in {country}:", country=country_name("IT", "en"))

    async def scenario(api):
        api.send_text(user, "/country IT")  # in private, the user says where they are
        await api.wait_for(chat_id=1005)
        mark = api.mark()
        api.send_text(user, "/find_help")
        (private,) = await api.wait_for(chat_id=1005, since=mark)
        assert official_help in private["text"]

        group = api.group(-100500)
        mark = api.mark()
        api.send_text(user, "how do i apply for asylum", chat=group)  # not addressed: silence
        api.send_text(user, "/start@other_bot", chat=group)  # another bot's command: silence
        addressed = api.send_text(user, "@masar_test_bot /find_help", chat=group)
        (reply,) = await api.wait_for(chat_id=-100500, since=mark)
        assert reply["reply_parameters"]["message_id"] == addressed["message"]["message_id"]
        assert official_help not in reply["text"]  # the private country stays private
        assert "Samira" not in reply["text"]

        mark = api.mark()
        api.send_text(
            user, "how do i apply for asylum", chat=group, reply_to=api.last_message(-100500)
        )
        (reply,) = await api.wait_for(chat_id=-100500, since=mark)
        assert reply["text"]
        assert len(api.sent(since=mark)) == 1

    talk(mini, scenario)


def test_forget_deletes_the_conversation_from_the_store(mini):
    settings, engine = mini
    user = BotApiEmulator.user(1006, "ar")
    db = settings.data_dir / "conversations.db"
    keys = [user_key(engine.secret, channel, "1006") for channel in ("telegram", "telegram-group")]

    def rows() -> int:
        with sqlite3.connect(db) as con:
            return con.execute(
                "SELECT count(*) FROM events WHERE sender_id IN (?, ?)", keys
            ).fetchone()[0]

    async def scenario(api):
        api.send_text(user, "بدي اقدم لجوء بسرعة")
        await api.wait_for(chat_id=1006)
        api.send_text(user, "@masar_test_bot بدي اقدم لجوء بسرعة", chat=api.group(-100600))
        await api.wait_for(chat_id=-100600)
        assert rows() > 0
        mark = api.mark()
        api.send_text(user, "/forget")
        (done,) = await api.wait_for(chat_id=1006, since=mark)
        assert done["text"] == _("ar", "Done: everything Masar kept about you has been deleted.")
        assert rows() == 0  # private and group conversations
        with sqlite3.connect(db) as con:
            dump = "\n".join(str(row) for row in con.execute("SELECT * FROM events"))
        assert "بدي اقدم لجوء بسرعة" not in dump

    talk(mini, scenario)


def test_429_and_network_errors_are_retried(mini):
    user = BotApiEmulator.user(1007, "en")

    async def scenario(api):
        api.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        api.fail("sendMessage", 502, "Bad Gateway")
        api.send_text(user, "/menu")
        attempts = await api.wait_for(chat_id=1007, count=3)
        assert len({a["text"] for a in attempts}) == 1  # the same message, delivered once it worked
        assert api.sent("sendMessage", chat_id=1007)[-1]["text"] == attempts[-1]["text"]

    talk(mini, scenario)


async def start_masar_telegram(settings, token: str, api_url: str, folder: Path):
    """`masar telegram` as an NGO would start it: only the token and the API URL (plus, here,
    folders kept out of the repository). Its stderr goes to folder/stderr.log."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MASAR_")}
    env.update(
        MASAR_TELEGRAM_TOKEN=token,
        MASAR_TELEGRAM_API_URL=api_url,
        MASAR_CONTENT_DIR=str(settings.content_dir),
        MASAR_BUILD_DIR=str(settings.build_dir),
        MASAR_DATA_DIR=str(folder),
    )
    with (folder / "stderr.log").open("wb") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "telegram",
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


@pytest.mark.subprocess
def test_masar_telegram_runs_with_just_a_token_and_an_api_url(mini, tmp_path):
    settings, _engine = mini

    async def main():
        async with BotApiEmulator() as api:
            process = await start_masar_telegram(settings, api.token, api.api_url, tmp_path)
            try:
                user = BotApiEmulator.user(1008, "en")
                api.send_text(user, "/start")
                (reply,) = await api.wait_for(chat_id=1008, timeout=180)
                assert ("English", "/language en") in buttons(reply)
            finally:
                process.terminate()
                await process.wait()
            log = (tmp_path / "stderr.log").read_text(encoding="utf-8")
            assert process.returncode == 0, log[-2000:]
            assert api.token not in log and "1008" not in log

    asyncio.run(main())


@pytest.mark.subprocess
def test_a_wrong_token_gets_a_clear_message_that_does_not_repeat_it(mini, tmp_path):
    settings, _engine = mini
    wrong = "987654321:AAwrong-token-that-telegram-refuses-000"

    async def main():
        async with BotApiEmulator() as api:  # knows only its own token: 401
            process = await start_masar_telegram(settings, wrong, api.api_url, tmp_path)
            assert await asyncio.wait_for(process.wait(), 300) == 1

    asyncio.run(main())
    log = (tmp_path / "stderr.log").read_text(encoding="utf-8")
    assert "Telegram refused MASAR_TELEGRAM_TOKEN" in log
    assert wrong not in log and "987654321" not in log


# -- a start that survives Telegram's bad moments ---------------------------------------------------
def test_masar_telegram_serves_when_menus_and_typing_fail(mini, tmp_path):
    """A Bot API that answers 500 to setMyCommands and sendChatAction (for good): `masar
    telegram` warns once and still answers /start and a question."""
    settings, _engine = mini

    async def main():
        async with BotApiEmulator() as api:
            api.break_method("setMyCommands")
            api.break_method("sendChatAction")
            process = await start_masar_telegram(settings, api.token, api.api_url, tmp_path)
            try:
                user = BotApiEmulator.user(1010, "en")
                api.send_text(user, "/start")
                (reply,) = await api.wait_for(chat_id=1010, timeout=180)
                assert ("English", "/language en") in buttons(reply)
                mark = api.mark()
                api.send_text(user, "how do i apply for asylum")
                (answer,) = await api.wait_for(chat_id=1010, since=mark, timeout=60)
                assert answer["text"]
                assert process.returncode is None  # still serving
            finally:
                process.terminate()
                await process.wait()
            return api

    api = asyncio.run(main())
    log = (tmp_path / "stderr.log").read_text(encoding="utf-8")
    assert process_ok(log)
    assert len(api.sent("setMyCommands")) == 1  # the first failure stops the other menus
    assert len(api.sent("sendChatAction")) == 2  # tried once per message, never retried
    assert "Telegram command menu not set (NetworkError); serving without it" in log


def process_ok(log: str) -> bool:
    return "Traceback" not in log and "Internal Server Error" not in log


@pytest.mark.parametrize("fault", ["getMe answers 500", "nothing listens"])
def test_an_unreachable_bot_api_stops_the_start_with_one_clear_line(mini, fault):
    from telegram_emulator import free_port

    from bot.channels.telegram import TelegramUnreachable

    settings, engine = mini

    async def main():
        async with BotApiEmulator() as api:
            api.break_method("getMe")
            url = (
                api.api_url
                if fault == "getMe answers 500"
                else f"http://127.0.0.1:{free_port()}/bot"
            )
            run = dataclasses.replace(settings, telegram_token=api.token, telegram_api_url=url)
            loop = asyncio.get_running_loop()
            started = loop.time()
            with pytest.raises(TelegramUnreachable) as stopped:
                await run_polling(compose(engine), run, asyncio.Event(), patience=3)
            return loop.time() - started, str(stopped.value), api

    seconds, message, api = asyncio.run(main())
    assert 3 <= seconds < 10  # waited, but boundedly
    assert message.startswith("the Telegram Bot API at http://127.0.0.1:")
    assert "did not answer within 3 s" in message and "\n" not in message
    assert api.token not in message
    if fault == "getMe answers 500":
        assert len(api.sent("getMe")) >= 2  # tried again while waiting


# -- errors an operator can act on ----------------------------------------------------------------
def test_a_failing_update_is_logged_with_type_and_place_never_text_or_ids(mini, caplog):
    user = BotApiEmulator.user(1011, "en", first_name="Ahmed")
    text = "my name is Ahmed Karimi, how do i apply for asylum"

    async def scenario(api):
        # Telegram refuses the answer and quotes the text back, as its 400s sometimes do
        api.fail("sendMessage", 400, f"Bad Request: can't parse message '{text}'")
        api.send_text(user, text)
        (_failed, apology) = await api.wait_for(chat_id=1011, count=2)
        assert apology["text"] == _("en", "Sorry, something went wrong. Please try again.")

    with caplog.at_level(logging.WARNING, logger="bot"):
        talk(mini, scenario)
    (record,) = [r for r in caplog.records if r.getMessage().startswith("telegram update failed")]
    line = record.getMessage()
    assert line.startswith("telegram update failed: BadRequest at ")
    fields = record.masar
    assert fields["error"] == "BadRequest" and fields["channel"] == "telegram"
    assert any(re.fullmatch(r"bot/channels/telegram\.py:\d+ in _send", f) for f in fields["where"])
    assert all(re.fullmatch(r"[\w/.-]+\.py:\d+ in [\w<>]+", f) for f in fields["where"])
    for private in ("Ahmed", "Karimi", "apply for asylum", "1011", "can't parse"):
        assert private not in line and private not in str(fields)


def test_error_description_names_places_not_messages():
    from bot.logs import describe, error_fields

    def parse(text):
        try:
            int(text)
        except ValueError as exc:
            raise TypeError("cannot read " + text) from exc

    try:
        parse("my passport number is P1234567")
    except TypeError as exc:
        line, fields = describe(exc), error_fields(exc)
    assert re.fullmatch(
        r"TypeError at tests/test_telegram\.py:\d+ in parse \(from ValueError\)",
        line,
    )
    assert fields["causes"] == ["ValueError"]
    assert "P1234567" not in line and "passport" not in str(fields)

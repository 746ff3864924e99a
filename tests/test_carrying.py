"""What the channels carry, in seconds: the real Telegram Application polling the Bot API
emulator, and the real WhatsApp and Messenger webhooks called with signed bodies, over real
HTTP, answered by a plain async function instead of the engine (`Masar.around`, see
bot/masar.py). These check only the carrying: what a platform payload becomes for the engine,
and how an answer is split, buttoned and sent. What Masar answers is tested end to end with
the trained model in test_telegram.py and test_meta_channels.py."""

from __future__ import annotations

import asyncio
import dataclasses

import aiohttp
from aiohttp import web
from graph_emulator import (
    PAGE_TOKEN,
    PHONE_NUMBER_ID,
    WHATSAPP_TOKEN,
    GraphEmulator,
    ms_image,
    ms_quick_reply,
    signed,
    wa_location,
    wa_text,
    wa_voice,
    whatsapp_text,
)
from telegram_emulator import BotApiEmulator, buttons, free_port

from bot.channels.messenger import MessengerChannel
from bot.channels.telegram import ALLOWED_UPDATES, MESSAGE_LIMIT, TelegramChannel, build_application
from bot.channels.whatsapp import WhatsAppChannel
from bot.masar import Masar
from bot.messages import Answer, Button, Incoming, Location, Reply
from bot.settings import Settings

# 12,789 characters
LONG = " ".join(f"Sentence number {i} says something useful." for i in range(300))
MENU = [Button("Asylum", "/asylum_basics"), Button("Emergency", "/emergency")]


class Counter:
    """The stand-in for the engine: keeps every Incoming and answers from a small script."""

    def __init__(self) -> None:
        self.heard: list[Incoming] = []
        self.arrived = asyncio.Event()

    async def __call__(self, message: Incoming) -> Answer:
        self.heard.append(message)
        self.arrived.set()
        if message.text == "long please":
            replies = [Reply(LONG, MENU)]
        elif message.text == "fail":
            raise RuntimeError("the engine failed")
        else:
            replies = [Reply(f"heard: {message.text or 'something'}", MENU)]
        return Answer(message.user, message.text, "en", "greet", 1.0, replies)


# -- Telegram ----------------------------------------------------------------------------------------
def on_telegram(scenario):
    """Run `scenario(api, engine)` while the Telegram channel polls the emulator."""

    async def main():
        engine = Counter()
        async with BotApiEmulator() as api:
            settings = Settings(telegram_token=api.token, telegram_api_url=api.api_url)
            application = build_application(settings, polling=True)
            TelegramChannel(Masar.around(engine, settings), application)
            await application.initialize()
            await application.start()
            await application.updater.start_polling(
                poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES
            )
            try:
                await scenario(api, engine)
            finally:
                await application.updater.stop()
                await application.stop()
                await application.shutdown()

    asyncio.run(main())


def test_telegram_text_buttons_and_long_answers_are_carried():
    user = BotApiEmulator.user(2001, "fa")

    async def scenario(api, engine):
        api.send_text(user, "hello there")
        (reply,) = await api.wait_for(chat_id=2001)
        (heard,) = engine.heard
        assert (heard.user, heard.text, heard.channel) == ("2001", "hello there", "telegram")
        assert heard.client_language == "fa" and heard.written and not heard.group
        assert reply["text"] == "heard: hello there"
        assert buttons(reply) == [("Asylum", "/asylum_basics"), ("Emergency", "/emergency")]

        mark = api.mark()
        api.press(user, api.last_message(2001), "/asylum_basics")
        await api.wait_for(chat_id=2001, since=mark)
        assert engine.heard[-1].text == "/asylum_basics"

        mark = api.mark()
        api.send_text(user, "long please")
        parts = await api.wait_for(chat_id=2001, count=4, since=mark)
        assert len(api.sent("sendMessage", since=mark)) == 4  # 12,789 characters: 4 messages
        assert all(len(p["text"]) <= MESSAGE_LIMIT for p in parts)
        assert " ".join(p["text"] for p in parts) == LONG
        assert not buttons(parts[0]) and buttons(parts[-1])  # buttons under the last part

    on_telegram(scenario)


def test_telegram_locations_and_voice_notes_go_to_the_engine_as_facts():
    user = BotApiEmulator.user(2002, "en")

    async def scenario(api, engine):
        api.send_location(user, 41.9, 12.5)
        await api.wait_for(chat_id=2002)
        api.send_voice(user)
        await api.wait_for(chat_id=2002, count=2)
        location, voice = engine.heard
        assert location.location == Location(41.9, 12.5) and location.text == ""
        assert voice.media and voice.location is None and voice.text == ""

    on_telegram(scenario)


def test_telegram_groups_carry_only_what_is_addressed_to_masar():
    user = BotApiEmulator.user(2003, "en")

    async def scenario(api, engine):
        group = api.group(-200300)
        api.send_text(user, "talking to friends", chat=group)
        api.send_location(user, 41.9, 12.5, chat=group)
        api.send_voice(user, chat=group)
        addressed = api.send_text(user, "@masar_test_bot /forget", chat=group)
        (reply,) = await api.wait_for(chat_id=-200300)
        assert reply["reply_parameters"]["message_id"] == addressed["message"]["message_id"]
        (heard,) = engine.heard  # nothing else was for Masar
        assert heard.text == "/forget" and heard.group and heard.channel == "telegram-group"
        assert heard.elsewhere == ("telegram",)  # the private conversation is the user's too

    on_telegram(scenario)


def test_telegram_says_sorry_when_the_answer_fails():
    user = BotApiEmulator.user(2004, "fr")

    async def scenario(api, engine):
        api.send_text(user, "fail")
        (reply,) = await api.wait_for(chat_id=2004)
        assert reply["text"] == "Désolé, une erreur s'est produite. Veuillez réessayer."

    on_telegram(scenario)


# -- WhatsApp and Messenger ------------------------------------------------------------------------------
WA_SECRET, MS_SECRET = "whatsapp-app-secret-for-carrying", "messenger-app-secret-for-carrying"


def on_meta(scenario):
    """Run `scenario(graph, post, engine)` with both Meta webhooks served over real HTTP."""

    async def main():
        engine = Counter()
        async with GraphEmulator() as graph:
            settings = Settings(
                graph_api_url=graph.api_url,
                whatsapp_verify_token="wa-verify",
                whatsapp_app_secret=WA_SECRET,
                whatsapp_token=WHATSAPP_TOKEN,
                whatsapp_phone_number_id=PHONE_NUMBER_ID,
                messenger_verify_token="ms-verify",
                messenger_app_secret=MS_SECRET,
                messenger_page_token=PAGE_TOKEN,
            )
            masar = Masar.around(engine, settings)
            app = web.Application()
            channels = [
                WhatsAppChannel.from_settings(masar, settings),
                MessengerChannel.from_settings(masar, settings),
            ]
            for channel in channels:
                channel.add_routes(app)
            runner = web.AppRunner(app)
            await runner.setup()
            port = free_port()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            async with aiohttp.ClientSession() as http:

                async def post(route: str, payload: dict) -> int:
                    secret = WA_SECRET if route.startswith("/whatsapp") else MS_SECRET
                    body, headers = signed(secret, payload)
                    url = f"http://127.0.0.1:{port}{route}"
                    async with http.post(url, data=body, headers=headers) as response:
                        return response.status

                try:
                    await scenario(graph, post, engine)
                finally:
                    for channel in channels:
                        await channel.close()
                    await runner.cleanup()

    asyncio.run(main())


def test_whatsapp_text_location_and_voice_are_carried():
    async def scenario(graph, post, engine):
        assert await post("/whatsapp/webhook", wa_text("393331234567", "ciao")) == 200
        (sent,) = await graph.wait_for(count=1)
        assert whatsapp_text(sent) == "heard: ciao"
        await post("/whatsapp/webhook", wa_location("393331234567", 41.9, 12.5))
        await post("/whatsapp/webhook", wa_voice("393331234567"))
        await graph.wait_for(count=3)
        text, location, voice = engine.heard
        assert (text.user, text.text, text.channel) == ("393331234567", "ciao", "whatsapp")
        assert location.location == Location(41.9, 12.5) and not location.text
        assert voice.media and voice.location is None

    on_meta(scenario)


def test_messenger_quick_replies_and_images_are_carried():
    async def scenario(graph, post, engine):
        await post("/messenger/webhook", ms_quick_reply("psid-7", ("Asylum", "/asylum_basics")))
        await post("/messenger/webhook", ms_image("psid-7"))
        await graph.wait_for(count=2)
        button, image = engine.heard
        assert (button.text, button.channel) == ("/asylum_basics", "messenger")
        assert image.media and image.text == ""

    on_meta(scenario)


def test_rest_carries_locations_and_media_from_the_metadata():
    from bot.channels.http import build_app

    async def main():
        engine = Counter()
        runner = web.AppRunner(build_app(Masar.around(engine, Settings())))
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        places = [{"latitude": 41.9, "longitude": 12.5}, {"latitude": "41.9"}, {"latitude": 95}]
        try:
            async with aiohttp.ClientSession() as http:
                for metadata in [*({"location": p} for p in places), {"media": True}]:
                    message = {"sender": "g1", "message": "", "metadata": metadata}
                    async with http.post(url, json=message) as response:
                        assert response.status == 200
        finally:
            await runner.cleanup()
        rome, text, nowhere, photo = engine.heard
        assert rome.location == Location(41.9, 12.5) and rome.channel == "rest"
        assert text.location is None and nowhere.location is None  # not a place: plain text
        assert photo.media and not rome.media

    asyncio.run(main())


def test_the_seam_needs_no_model():
    """The fake engine is a plain function: no model, no store, nothing trained."""
    settings = Settings()
    masar = Masar.around(Counter(), settings)
    assert masar.desk is None
    answer = asyncio.run(masar.handle(Incoming("u", "fail", client_language="ar")))
    assert answer.language == "ar" and answer.topic == "fallback"
    assert dataclasses.is_dataclass(answer)

"""A small Telegram Bot API server for tests: real HTTP, Telegram's JSON shapes.

python-telegram-bot talks to it exactly as to api.telegram.org (base_url
`http://127.0.0.1:PORT/bot`, requests to `/bot<token>/<method>`). Tests feed it updates
(a user writes, presses a button, sends a voice note or a location), the bot fetches them
with getUpdates (long polling), and every call the bot makes is recorded so tests can assert
on what the user would have seen. Failures (a 429, a 502) can be injected per method, for
the next few calls (`fail`) or for every call until mended (`break_method`); a call can
also lose its connection (`drop`) or hang past the client's timeout (`stall`), unanswered and
not carried out, as on a bad mobile network.

Covered methods: getMe, getUpdates, sendMessage, editMessageText, editMessageReplyMarkup,
answerCallbackQuery, sendChatAction, setMyCommands, deleteMyCommands, getMyCommands,
setWebhook, deleteWebhook, getWebhookInfo, close, logOut.

At the end: a small content set for channel tests (`channel_settings`), shared by the
Telegram, serving and privacy tests so that its model is trained once per test session.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import re
import shutil
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from aiohttp import web

BOT = {
    "id": 4242424242,
    "is_bot": True,
    "first_name": "Masar",
    "username": "masar_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}
# values python-telegram-bot sends as plain strings; every other form value is JSON-encoded
STRING_FIELDS = {
    "text",
    "caption",
    "callback_query_id",
    "secret_token",
    "url",
    "language_code",
    "action",
    "inline_message_id",
    "description",
    "short_description",
    "name",
}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Call:
    """One Bot API request the bot made."""

    method: str
    params: dict
    at: float = field(default_factory=time.monotonic)


class BotApiEmulator:
    """Start with `await emulator.start()`; `api_url` is the base_url to give the bot."""

    def __init__(self, token: str = "123456789:AAE-emulator-token-for-masar-tests-0123") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[dict] = []
        self.messages: dict[int, dict] = {}  # every message, by id (users' and the bot's)
        self.chats: dict[int, dict] = {}
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.webhook: dict = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        self.failures: dict[str, list[tuple[int, dict]]] = {}
        self.broken: dict[str, tuple[int, dict]] = {}  # method -> the error it always answers
        self.drops: dict[str, list[float]] = {}  # method -> seconds to hang before dropping
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._arrived = asyncio.Event()
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- server ----------------------------------------------------------------------------------
    async def start(self) -> BotApiEmulator:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        self._closing = True
        self._arrived.set()
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> BotApiEmulator:
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def fail(
        self,
        method: str,
        status: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` calls of `method` fail like Telegram would (e.g. 429, 502)."""
        body = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        self.failures.setdefault(method, []).extend([(status, body)] * times)

    def break_method(
        self, method: str, status: int = 500, description: str = "Internal Server Error"
    ) -> None:
        """Every call of `method` fails (as a Bot API server that is broken or lacks the
        method would) until `mend(method)`."""
        self.broken[method] = (
            status,
            {"ok": False, "error_code": status, "description": description},
        )

    def drop(self, method: str, times: int = 1, after: float = 0.0) -> None:
        """The next `times` calls of `method` lose their connection after `after` seconds,
        without an answer and without being carried out (nothing is sent)."""
        self.drops.setdefault(method, []).extend([after] * times)

    def stall(self, method: str, seconds: float, times: int = 1) -> None:
        """The next `times` calls hang for `seconds` (past the client's timeout), then drop."""
        self.drop(method, times, after=seconds)

    def mend(self, method: str) -> None:
        self.broken.pop(method, None)

    async def _params(self, request: web.Request) -> dict:
        if request.content_type == "application/json":
            raw = await request.json() if request.can_read_body else {}
            return dict(raw or {})
        form = await request.post() if request.can_read_body else {}
        params = dict(request.query)
        for key, value in form.items():
            if isinstance(value, str) and key not in STRING_FIELDS:
                with contextlib.suppress(json.JSONDecodeError):
                    value = json.loads(value)
            params[key] = value
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await self._params(request)
        key = method.lower()
        if method != "getUpdates":
            self.calls.append(Call(method, params))
            self._changed.set()
        if self.drops.get(method):
            await asyncio.sleep(self.drops[method].pop(0))
            if request.transport is not None:
                request.transport.close()  # the connection is gone: no answer, nothing done
            return web.Response(status=204)
        if self.failures.get(method):
            status, body = self.failures[method].pop(0)
            return web.json_response(body, status=status)
        if method in self.broken:
            status, body = self.broken[method]
            return web.json_response(body, status=status)
        handler = getattr(self, f"_m_{key}", None)
        if handler is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
                status=404,
            )
        result = handler(params)
        if asyncio.iscoroutine(result):
            result = await result
        if isinstance(result, web.Response):
            return result
        return web.json_response({"ok": True, "result": result})

    # -- Bot API methods ---------------------------------------------------------------------------
    def _m_getme(self, params: dict) -> dict:
        return BOT

    async def _m_getupdates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        timeout = float(params.get("timeout") or 0)
        if not self.updates and timeout > 0 and not self._closing:
            self._arrived.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout)
        return self.updates[: int(params.get("limit") or 100)]

    def _bad_request(self, description: str) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"},
            status=400,
        )

    def _m_sendmessage(self, params: dict):
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            return self._bad_request("message text is empty")
        if utf16_len(text) > 4096:
            return self._bad_request("message is too long")
        if params.get("parse_mode"):
            return self._bad_request("the emulator expects plain text (no parse_mode)")
        chat_id = int(params["chat_id"])
        message = {
            "message_id": next(self._message_ids),
            "from": BOT,
            "date": int(time.time()),
            "chat": self.chats.get(chat_id, {"id": chat_id, "type": "private"}),
            "text": text,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[message["message_id"]] = message
        return message

    def _edit(self, params: dict, **changes):
        message = self.messages.get(int(params.get("message_id") or 0))
        if message is None:
            return self._bad_request("message to edit not found")
        message.update(changes)
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        elif "reply_markup" in message and "text" in changes:
            message.pop("reply_markup")
        return message

    def _m_editmessagetext(self, params: dict):
        return self._edit(params, text=params.get("text"))

    def _m_editmessagereplymarkup(self, params: dict):
        return self._edit(params)

    def _m_answercallbackquery(self, params: dict) -> bool:
        return True

    def _m_sendchataction(self, params: dict) -> bool:
        return True

    def _command_key(self, params: dict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return (json.dumps(scope, sort_keys=True), params.get("language_code") or "")

    def _m_setmycommands(self, params: dict) -> bool:
        self.commands[self._command_key(params)] = list(params.get("commands") or [])
        return True

    def _m_deletemycommands(self, params: dict) -> bool:
        self.commands.pop(self._command_key(params), None)
        return True

    def _m_getmycommands(self, params: dict) -> list[dict]:
        return self.commands.get(self._command_key(params), [])

    def _m_setwebhook(self, params: dict) -> bool:
        self.webhook.update(
            url=params.get("url", ""), allowed_updates=params.get("allowed_updates") or []
        )
        return True

    def _m_deletewebhook(self, params: dict) -> bool:
        self.webhook.update(url="")
        return True

    def _m_getwebhookinfo(self, params: dict) -> dict:
        return dict(self.webhook.items())

    def _m_close(self, params: dict) -> bool:
        return True

    def _m_logout(self, params: dict) -> bool:
        return True

    # -- what users do -----------------------------------------------------------------------------
    @staticmethod
    def user(user_id: int, language_code: str | None = "en", first_name: str = "Amira") -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    def group(self, chat_id: int, title: str = "Travellers") -> dict:
        chat = {"id": chat_id, "type": "supergroup", "title": title}
        self.chats[chat_id] = chat
        return chat

    def push(self, update_body: dict) -> dict:
        """Queue an update for getUpdates; returns it (with its update_id)."""
        update = {"update_id": next(self._update_ids), **update_body}
        self.updates.append(update)
        self._arrived.set()
        return update

    def update_body(
        self,
        user: dict,
        chat: dict | None = None,
        text: str | None = None,
        reply_to: dict | None = None,
        **fields,
    ) -> dict:
        """The JSON Telegram would send for a user's message (for polling or a webhook)."""
        chat = chat or {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        self.chats.setdefault(chat["id"], chat)
        message = {
            "message_id": next(self._message_ids),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            **fields,
        }
        if text is not None:
            message["text"] = text
            entities = _entities(text)
            if entities:
                message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        self.messages[message["message_id"]] = message
        return {"message": message}

    def send_text(
        self, user: dict, text: str, chat: dict | None = None, reply_to: dict | None = None
    ) -> dict:
        return self.push(self.update_body(user, chat, text, reply_to))

    def send_voice(self, user: dict, chat: dict | None = None) -> dict:
        voice = {
            "file_id": "AwACAgQAAxkBAAIBfake",
            "file_unique_id": "AgADfake",
            "duration": 4,
            "mime_type": "audio/ogg",
            "file_size": 7000,
        }
        return self.push(self.update_body(user, chat, voice=voice))

    def send_location(
        self, user: dict, latitude: float, longitude: float, chat: dict | None = None
    ) -> dict:
        return self.push(
            self.update_body(user, chat, location={"latitude": latitude, "longitude": longitude})
        )

    def press(self, user: dict, message: dict, data: str) -> dict:
        """Press a button with `data` under one of the bot's messages (a callback query)."""
        query = {
            "id": str(next(self._callback_ids)),
            "from": user,
            "message": message,
            "chat_instance": str(message["chat"]["id"]),
            "data": data,
        }
        return self.push({"callback_query": query})

    # -- what tests check ---------------------------------------------------------------------------
    def mark(self) -> int:
        """A position in the call log; `sent(since=mark)` looks only at later calls."""
        return len(self.calls)

    def sent(
        self, method: str = "sendMessage", chat_id: int | None = None, since: int = 0
    ) -> list[dict]:
        return [
            c.params
            for c in self.calls[since:]
            if c.method == method
            and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)
        ]

    async def wait_for(
        self,
        method: str = "sendMessage",
        count: int = 1,
        chat_id: int | None = None,
        since: int = 0,
        timeout: float = 60.0,
    ) -> list[dict]:
        """Wait until the bot made `count` such calls (bounded, so a broken bot fails the test)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(found := self.sent(method, chat_id, since)) < count:
            self._changed.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"expected {count} {method} call(s), got {len(found)}: "
                    f"{[c.method for c in self.calls[since:]]}"
                )
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return found

    def last_message(self, chat_id: int) -> dict:
        """The bot's last message in a chat, as Telegram stores it (for pressing its buttons)."""
        mine = [
            m
            for m in self.messages.values()
            if m["chat"]["id"] == chat_id and m["from"]["id"] == BOT["id"]
        ]
        return mine[-1]


def buttons(params: dict) -> list[tuple[str, str]]:
    """(title, callback_data) of the inline keyboard in a sendMessage call."""
    markup = params.get("reply_markup") or {}
    return [
        (b["text"], b.get("callback_data"))
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]


_ENTITY = re.compile(r"(?<!\S)(/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?|@[A-Za-z0-9_]{5,})")


def _entities(text: str) -> list[dict]:
    """bot_command and mention entities as Telegram computes them (UTF-16 offsets)."""
    found = []
    for m in _ENTITY.finditer(text):
        kind = "bot_command" if m.group(0).startswith("/") else "mention"
        if kind == "bot_command" and m.start() != 0:
            continue
        found.append(
            {"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group(0))}
        )
    return found


# -- a small content set for channel tests -----------------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent
LONG_TOPIC = "asylum_rights"


def long_answer(size: int = 6000) -> str:
    """About `size` characters of plain sentences: long enough that Telegram needs two messages."""
    sentences, i = [], 0
    while sum(len(s) + 1 for s in sentences) < size:
        i += 1
        sentences.append(
            f"Point {i}: in the asylum procedure you may ask for an interpreter and for free legal advice."
        )
    return " ".join(sentences)


def channel_content(dest: Path) -> Path:
    """tests/fixtures/mini plus a few real topics and services, and one very long answer.

    Trains in seconds; answers in Arabic (greet, privacy, asylum_how_to_apply come from the
    shipped content), has Italy, Greece and Turkey's services for location tests, and
    `asylum_rights` answers with about 6,000 characters. Created once under `dest`.
    """
    if dest.exists():
        return dest
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", dest)
    for topic in ("greet", "privacy", "asylum_how_to_apply", "change_language", "find_help"):
        shutil.copy(ROOT / "content" / "topics" / f"{topic}.yml", dest / "topics" / f"{topic}.yml")
    for safety in (ROOT / "content" / "safety").glob("*.yml"):  # the safety net's other lists
        if not (dest / "safety" / safety.name).exists():
            shutil.copy(safety, dest / "safety" / safety.name)
    (dest / "services").mkdir(exist_ok=True)
    for country in ("it", "gr", "tr"):
        shutil.copy(
            ROOT / "content" / "services" / f"{country}.yml", dest / "services" / f"{country}.yml"
        )
    examples = [
        "what are my rights",
        "my rights as asylum seeker",
        "rights during asylum",
        "do i have rights",
        "can i get a lawyer",
        "interpreter right asylum",
        "what am i allowed during asylum",
        "rights in the procedure",
        "ما هي حقوقي",
        "حقوق طالب اللجوء",
    ]
    topic = {
        "topic": LONG_TOPIC,
        "group": "asylum",
        "follow_up": [],
        "sources": [{"name": "UNHCR", "url": "https://www.unhcr.org/"}],
        "review": {
            "written_by": "Test fixture",
            "written_on": dt.date(2026, 1, 1),
            "expires_on": dt.date(2099, 1, 1),
        },
        "needs_verification": [],
        "languages": {
            "en": {"native_review": False, "examples": examples, "answer": long_answer()}
        },
    }
    (dest / "topics" / f"{LONG_TOPIC}.yml").write_text(
        "# Test fixture: an answer far over Telegram's 4,096 characters.\n"
        + yaml.safe_dump(topic, allow_unicode=True, sort_keys=False, width=10_000),
        encoding="utf-8",
    )
    return dest


# Small models trained on test content are kept here between runs; their names carry the
# fingerprint of the examples, config.yml and the NLU code, so a change retrains them.
MODEL_CACHE = ROOT / "build" / "tests"


def channel_settings(base: Path, data_dir: Path):
    """Settings for an engine on the channel content, its model cached across test runs."""
    from bot.settings import Settings

    return Settings(
        content_dir=channel_content(base / "content"),
        build_dir=MODEL_CACHE / "channel",
        data_dir=data_dir,
        user_key_secret="channel-test-secret",
    )


@contextlib.asynccontextmanager
async def app_serving(masar, ready: asyncio.Event):
    """Masar's HTTP app on a free local port, its readiness in the caller's hands; yields the
    base URL."""
    from aiohttp import web

    from bot.channels.http import build_app

    runner = web.AppRunner(build_app(masar, ready=ready))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

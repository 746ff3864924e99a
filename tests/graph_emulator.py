"""A small Graph API server for tests, and Meta's signed webhooks: real HTTP, Meta's JSON shapes.

Masar's WhatsApp and Messenger channels talk to it exactly as to graph.facebook.com
(`MASAR_GRAPH_API_URL=http://127.0.0.1:PORT/v26.0`):
- `POST /{version}/{phone_number_id}/messages` (WhatsApp Cloud API, `Authorization: Bearer`),
- `POST /{version}/me/messages` and `/me/messenger_profile` (Messenger, `?access_token=`).
Every request is recorded so tests can assert on what the user would have seen, and checked
against the platforms' documented limits (text length, number and length of buttons, list
rows, quick replies): a message over a limit is refused with a Graph API error, as Meta would,
so a test that breaks a limit fails. Failures (a 429, a 502, a dropped connection, a call that
hangs past the client's timeout) can be injected, and a user's
24-hour customer-service window can be closed: free messages to them are then refused with
the platforms' errors (WhatsApp 131047; Messenger code 10, subcode 2018278), except on
Messenger a message tagged HUMAN_AGENT, if the test allows it (within 7 days, with Meta's
permission).

The other half plays Meta calling Masar: the JSON of a WhatsApp message, a button or list
reply, a location, a voice note, a delivery status, or a Messenger message, quick reply,
postback or echo, signed with the app secret (`X-Hub-Signature-256`) like Meta signs it.
`graph.settings()` (and `graph.env()`, as MASAR_ variables) connects both channels to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import hmac
import itertools
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web
from telegram_emulator import free_port

VERSION = "v26.0"
WHATSAPP_TOKEN = "EAAG-whatsapp-test-token-0123456789"
PAGE_TOKEN = "EAAG-messenger-page-token-0123456789"
PHONE_NUMBER_ID = "106540352242922"
WA_SECRET, WA_VERIFY = "whatsapp-app-secret-0123456789abcdef", "wa-verify-token-42"
MS_SECRET, MS_VERIFY = "messenger-app-secret-0123456789abcdef", "ms-verify-token-42"


@dataclass
class Call:
    """One Graph API request Masar made."""

    path: str
    body: dict
    status: int = 0  # the emulator's answer: 200 if Meta would have delivered it
    at: float = field(default_factory=time.monotonic)


def _error(status: int, message: str, code: int = 100, subcode: int | None = None):
    error: dict = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    return web.json_response({"error": error}, status=status)


def _whatsapp_problem(body: dict) -> str | None:
    """What WhatsApp would refuse in a /messages request, or None."""
    if body.get("messaging_product") != "whatsapp" or not body.get("to"):
        return "messaging_product and to are required"
    kind = body.get("type")
    if kind == "text":
        text = (body.get("text") or {}).get("body") or ""
        if not text.strip() or len(text) > 4096:
            return "text body must have 1 to 4096 characters"
        return None
    if kind != "interactive":
        return f"the emulator does not send {kind!r} messages"
    interactive = body.get("interactive") or {}
    text = (interactive.get("body") or {}).get("text") or ""
    if not text.strip() or len(text) > 1024:
        return "interactive body must have 1 to 1024 characters"
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= 3:
            return "1 to 3 reply buttons"
        for b in buttons:
            reply = b.get("reply") or {}
            if (
                not 1 <= len(reply.get("title") or "") <= 20
                or not 1 <= len(reply.get("id") or "") <= 256
            ):
                return "button title 1-20 characters, id 1-256"
        if len({(b.get("reply") or {}).get("title") for b in buttons}) < len(buttons):
            return "button titles must be unique"
        return None
    if interactive.get("type") == "list":
        label = action.get("button") or ""
        rows = [r for s in action.get("sections") or [] for r in s.get("rows") or []]
        if not 1 <= len(label) <= 20:
            return "list button label 1-20 characters"
        if not 1 <= len(rows) <= 10:
            return "1 to 10 rows in all sections"
        for r in rows:
            if not 1 <= len(r.get("title") or "") <= 24 or not 1 <= len(r.get("id") or "") <= 200:
                return "row title 1-24 characters, id 1-200"
            if len(r.get("description") or "") > 72:
                return "row description up to 72 characters"
        return None
    return "unknown interactive type"


def _messenger_problem(body: dict) -> str | None:
    """What Messenger would refuse in a /me/messages request, or None."""
    if not (body.get("recipient") or {}).get("id"):
        return "recipient.id is required"
    message = body.get("message") or {}
    if "text" in message:
        if not message["text"].strip() or len(message["text"]) > 2000:
            return "text must have 1 to 2000 characters"
    elif "attachment" in message:
        payload = message["attachment"].get("payload") or {}
        cards = payload.get("elements") or []
        if payload.get("template_type") != "generic" or not 1 <= len(cards) <= 10:
            return "a generic template with 1 to 10 elements"
        for card in cards:
            if (
                not 1 <= len(card.get("title") or "") <= 80
                or not 1 <= len(card.get("buttons") or []) <= 3
            ):
                return "element title 1-80 characters, 1-3 buttons"
            for b in card["buttons"]:
                if len(b.get("title") or "") > 20 or not b.get("payload"):
                    return "button title up to 20 characters, with a payload"
    else:
        return "message.text or message.attachment is required"
    quick = message.get("quick_replies")
    if quick is not None:
        if not 1 <= len(quick) <= 13:
            return "1 to 13 quick replies"
        for q in quick:
            if (
                not 1 <= len(q.get("title") or "") <= 20
                or not 1 <= len(q.get("payload") or "") <= 1000
            ):
                return "quick reply title 1-20 characters, payload 1-1000"
    return None


class GraphEmulator:
    """Start with `async with GraphEmulator() as graph`; `api_url` is MASAR_GRAPH_API_URL."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.refused: list[tuple[str, str]] = []  # (path, why) of requests Meta would refuse
        self.failures: dict[str, list[tuple[int, int]]] = {}
        self.drops: dict[str, int] = {}  # edge -> how many next requests lose their connection
        # edge -> (seconds, recipient or None for anyone) of the next requests that hang
        self.stalls: dict[str, list[tuple[float, str | None]]] = {}
        self.dropped = 0
        self.stalled = 0
        self.delay = 0.0  # seconds before each /messages request is answered
        self.closed: set[str] = set()  # users who last wrote more than 24 hours ago
        self.human_agent: set[str] = set()  # ... whom a HUMAN_AGENT message may still reach
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def __aenter__(self) -> GraphEmulator:
        app = web.Application()
        app.router.add_post("/{version}/{node}/{edge}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc) -> None:
        if self._runner:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{VERSION}"

    def settings(self) -> dict[str, str]:
        """The settings (bot/settings.py fields) that connect WhatsApp and Messenger to it."""
        return {
            "graph_api_url": self.api_url,
            "whatsapp_verify_token": WA_VERIFY,
            "whatsapp_app_secret": WA_SECRET,
            "whatsapp_token": WHATSAPP_TOKEN,
            "whatsapp_phone_number_id": PHONE_NUMBER_ID,
            "messenger_verify_token": MS_VERIFY,
            "messenger_app_secret": MS_SECRET,
            "messenger_page_token": PAGE_TOKEN,
        }

    def env(self) -> dict[str, str]:
        """The same as MASAR_ variables, for a `masar serve` process."""
        return {f"MASAR_{name.upper()}": value for name, value in self.settings().items()}

    def fail(self, edge: str, status: int, times: int = 1, code: int = 2) -> None:
        """The next `times` requests to `edge` ("messages") fail with `status` (429, 502...)."""
        self.failures.setdefault(edge, []).extend([(status, code)] * times)

    def close_window(self, user: str, human_agent: bool = False) -> None:
        """`user` last wrote more than 24 hours ago; with `human_agent`, less than 7 days ago
        to a page Meta allows the HUMAN_AGENT tag."""
        self.closed.add(user)
        if human_agent:
            self.human_agent.add(user)

    def drop(self, edge: str, times: int = 1) -> None:
        """The next `times` requests to `edge` lose their connection: no answer, not carried out."""
        self.drops[edge] = self.drops.get(edge, 0) + times

    def stall(self, edge: str, seconds: float, times: int = 1, to: str | None = None) -> None:
        """The next `times` requests to `edge` (to the user `to` only, if given) hang for
        `seconds` (past the client's timeout), then lose their connection: not carried out,
        as when the Graph API hangs."""
        self.stalls.setdefault(edge, []).extend([(seconds, to)] * times)

    def _stall(self, edge: str, body: object) -> float:
        """How long this request hangs (0: not at all), and the stall it uses up."""
        recipient = None
        if isinstance(body, dict):
            recipient = body.get("to") or (body.get("recipient") or {}).get("id")
        for i, (seconds, to) in enumerate(self.stalls.get(edge, [])):
            if to is None or to == recipient:
                del self.stalls[edge][i]
                return seconds
        return 0.0

    async def _handle(self, request: web.Request) -> web.Response:
        node, edge = request.match_info["node"], request.match_info["edge"]
        if self.stalls.get(edge):
            with contextlib.suppress(json.JSONDecodeError):
                hang = self._stall(edge, await request.json())
                if hang:
                    self.stalled += 1
                    await asyncio.sleep(hang)
                    if request.transport is not None:
                        request.transport.close()
                    return web.Response(status=204)
        if self.drops.get(edge):
            self.drops[edge] -= 1
            self.dropped += 1
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=204)
        if request.match_info["version"] != VERSION:
            return _error(400, "unknown version", 2635)
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return _error(400, "the body is not JSON")
        if self.delay and edge == "messages":
            await asyncio.sleep(self.delay)  # a slow Graph API
        call = Call(f"{node}/{edge}", body)
        self.calls.append(call)
        response = self._answer(node, edge, body, request)
        call.status = response.status
        self._changed.set()
        return response

    def _answer(self, node: str, edge: str, body: dict, request: web.Request) -> web.Response:
        path = f"{node}/{edge}"
        if node == "me":
            if request.query.get("access_token") != PAGE_TOKEN:
                return _error(401, "Invalid OAuth access token", 190)
        elif request.headers.get("Authorization") != f"Bearer {WHATSAPP_TOKEN}":
            return _error(401, "Invalid OAuth access token", 190)
        if self.failures.get(edge):
            status, code = self.failures[edge].pop(0)
            return _error(status, "injected failure", code)
        if path == "me/messenger_profile":
            return web.json_response({"result": "success"})
        if edge != "messages":
            return _error(404, "unknown path")
        recipient = body.get("to") or (body.get("recipient") or {}).get("id")
        if recipient in self.closed:
            tagged = (
                body.get("messaging_type") == "MESSAGE_TAG" and body.get("tag") == "HUMAN_AGENT"
            )
            if node != "me":
                return _error(400, "Re-engagement message", 131047)
            if not (tagged and recipient in self.human_agent):
                return _error(
                    400, "(#10) This message is sent outside of allowed window.", 10, 2018278
                )
        problem = _messenger_problem(body) if node == "me" else _whatsapp_problem(body)
        if node != "me" and node != PHONE_NUMBER_ID:
            problem = "unknown phone number id"
        if problem:
            self.refused.append((path, problem))
            return _error(400, f"(#100) {problem}")
        number = next(self._ids)
        if node == "me":
            return web.json_response(
                {"recipient_id": body["recipient"]["id"], "message_id": f"m_emulated{number}"}
            )
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": f"wamid.emulated{number}"}],
            }
        )

    # -- what tests check ---------------------------------------------------------------------------
    def mark(self) -> int:
        return len(self.calls)

    def sent(self, to: str | None = None, since: int = 0) -> list[dict]:
        """Messages accepted for delivery (to a WhatsApp number or a Messenger id)."""
        found = []
        for call in self.calls[since:]:
            if not call.path.endswith("/messages") or call.status != 200:
                continue
            recipient = call.body.get("to") or (call.body.get("recipient") or {}).get("id")
            if to is None or recipient == to:
                found.append(call.body)
        return found

    async def wait_for(
        self, to: str | None = None, count: int = 1, since: int = 0, timeout: float = 60.0
    ) -> list[dict]:
        """Wait until `count` messages were sent to `to` (bounded, so a broken bot fails)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(found := self.sent(to, since)) < count:
            self._changed.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"expected {count} message(s), got {len(found)}; refused: {self.refused}"
                )
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return found


# -- what the user sees ---------------------------------------------------------------------------------
@contextlib.asynccontextmanager
async def meta_server(
    engine, settings, **more
) -> AsyncIterator[tuple[GraphEmulator, aiohttp.ClientSession, str, asyncio.Task]]:
    """`serve()` (REST, /health, the WhatsApp and Messenger webhooks) with both channels
    connected to a new emulator and `more` settings: (graph, http, base URL, the server's
    task) once /health answers; stopped after."""
    from bot.channels.http import serve
    from bot.masar import compose

    async with GraphEmulator() as graph, aiohttp.ClientSession() as http:
        port = free_port()
        run = dataclasses.replace(settings, port=port, **graph.settings(), **more)
        stop = asyncio.Event()
        server = asyncio.create_task(serve(compose(engine), run, stop))
        base = f"http://127.0.0.1:{port}"
        for _attempt in range(600):  # until the server listens (bounded)
            if server.done():
                server.result()
            try:
                async with http.get(f"{base}/health") as response:
                    if response.status == 200:
                        break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        try:
            yield graph, http, base, server
        finally:
            stop.set()
            await server


class Records(logging.Handler):
    """Every log record as the code wrote it: the first handler, before any scrubbing filter
    (privacy.ScrubFilter changes records in place, which would hide a leak from a test)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        fields = json.dumps(getattr(record, "masar", None) or {}, ensure_ascii=False, default=str)
        error = self.formatException(record.exc_info) if record.exc_info else ""
        self.lines.append(f"{record.name} {record.getMessage()} {fields} {error}")


@contextlib.contextmanager
def recorded_logs() -> Iterator[Records]:
    """Every log line Masar writes meanwhile, its debug lines too, to look for a phone number."""
    records = Records()
    root, bot_logger = logging.getLogger(), logging.getLogger("bot")
    level = bot_logger.level
    root.handlers.insert(0, records)  # first: before any handler's filter scrubs the record
    bot_logger.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        root.removeHandler(records)
        bot_logger.setLevel(level)


def whatsapp_text(message: dict) -> str:
    """The text a WhatsApp user reads in one message (a text's body, an interactive's body)."""
    if message.get("type") == "text":
        return message["text"]["body"]
    return message["interactive"]["body"]["text"]


def whatsapp_choices(message: dict) -> list[tuple[str, str]]:
    """(title, id) of the reply buttons or list rows of a WhatsApp message."""
    if message.get("type") != "interactive":
        return []
    action = message["interactive"]["action"]
    if "buttons" in action:
        return [(b["reply"]["title"], b["reply"]["id"]) for b in action["buttons"]]
    return [(r["title"], r["id"]) for s in action["sections"] for r in s["rows"]]


def messenger_choices(body: dict) -> list[tuple[str, str]]:
    """(title, payload) of the quick replies or card buttons of a Messenger message."""
    message = body["message"]
    if "quick_replies" in message:
        return [(q["title"], q["payload"]) for q in message["quick_replies"]]
    cards = ((message.get("attachment") or {}).get("payload") or {}).get("elements") or []
    return [(b["title"], b["payload"]) for card in cards for b in card["buttons"]]


# -- Meta calling Masar: signed webhooks -----------------------------------------------------------------
def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed(secret: str, payload: dict) -> tuple[bytes, dict]:
    """The raw body and headers Meta would POST (compact JSON, signed with the app secret)."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return body, {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": signature(secret, body),
    }


_wamids = itertools.count(1)


def wamid() -> str:
    return f"wamid.HBgLNDkxNTEyMzQ1Njc4FQIAEhggQ0FGRTk{next(_wamids):04d}"


def whatsapp_body(
    wa_id: str,
    message: dict | None = None,
    status: dict | None = None,
    phone_number_id: str = PHONE_NUMBER_ID,
) -> dict:
    """A WhatsApp webhook body: one message (or one status) to our phone number."""
    value: dict = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001234", "phone_number_id": phone_number_id},
    }
    if message is not None:
        value["contacts"] = [{"profile": {"name": "Amira Test"}, "wa_id": wa_id}]
        value["messages"] = [
            {
                "from": wa_id,
                "id": message.pop("id", None) or wamid(),
                "timestamp": str(int(time.time())),
                **message,
            }
        ]
    if status is not None:
        value["statuses"] = [status]
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }


def wa_text(wa_id: str, text: str, message_id: str | None = None) -> dict:
    return whatsapp_body(wa_id, {"id": message_id, "type": "text", "text": {"body": text}})


def wa_button(wa_id: str, choice: tuple[str, str], list_reply: bool = False) -> dict:
    title, payload = choice
    kind = "list_reply" if list_reply else "button_reply"
    return whatsapp_body(
        wa_id,
        {
            "type": "interactive",
            "interactive": {"type": kind, kind: {"id": payload, "title": title}},
        },
    )


def wa_location(wa_id: str, latitude: float, longitude: float) -> dict:
    return whatsapp_body(
        wa_id, {"type": "location", "location": {"latitude": latitude, "longitude": longitude}}
    )


def wa_voice(wa_id: str) -> dict:
    audio = {
        "mime_type": "audio/ogg; codecs=opus",
        "sha256": "x",
        "id": "1234567890",
        "voice": True,
    }
    return whatsapp_body(wa_id, {"type": "audio", "audio": audio})


def wa_status(wa_id: str, status: str = "delivered") -> dict:
    return whatsapp_body(
        wa_id,
        status={
            "id": wamid(),
            "status": status,
            "timestamp": str(int(time.time())),
            "recipient_id": wa_id,
        },
    )


_mids = itertools.count(1)
PAGE_ID = "1067280970047460"


def messenger_body(psid: str, event: dict) -> dict:
    item = {
        "sender": {"id": psid},
        "recipient": {"id": PAGE_ID},
        "timestamp": int(time.time() * 1000),
        **event,
    }
    return {
        "object": "page",
        "entry": [{"id": PAGE_ID, "time": int(time.time() * 1000), "messaging": [item]}],
    }


def ms_text(psid: str, text: str, mid: str | None = None) -> dict:
    return messenger_body(psid, {"message": {"mid": mid or f"m_user{next(_mids)}", "text": text}})


def ms_quick_reply(psid: str, choice: tuple[str, str]) -> dict:
    title, payload = choice
    message = {"mid": f"m_user{next(_mids)}", "text": title, "quick_reply": {"payload": payload}}
    return messenger_body(psid, {"message": message})


def ms_postback(psid: str, payload: str, title: str = "Get Started") -> dict:
    return messenger_body(
        psid, {"postback": {"mid": f"m_user{next(_mids)}", "title": title, "payload": payload}}
    )


def ms_image(psid: str) -> dict:
    attachment = {"type": "image", "payload": {"url": "https://scontent.example/photo.jpg"}}
    return messenger_body(
        psid, {"message": {"mid": f"m_user{next(_mids)}", "attachments": [attachment]}}
    )


def ms_echo(psid: str, text: str) -> dict:
    message = {"mid": f"m_page{next(_mids)}", "text": text, "is_echo": True, "app_id": 1}
    return messenger_body(psid, {"message": message})


def ms_read(psid: str) -> dict:
    return messenger_body(psid, {"read": {"watermark": int(time.time() * 1000)}})

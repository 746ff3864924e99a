"""What WhatsApp and Messenger share: both are Meta platforms with the same webhook rules.

- Verification: Meta calls `GET <webhook>?hub.mode=subscribe&hub.verify_token=..&hub.challenge=..`
  once when the operator sets the webhook; only the right token gets the challenge back.
- Signatures: every POST carries `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body with
  the app secret>`. Without it (401) or with a wrong one (403) nothing is processed: anyone can
  find the webhook's address, only Meta knows the secret.
- Speed: Meta retries a webhook that is not answered within seconds, so the webhook answers
  200 at once and the engine works after; retries and duplicates are recognised by message id
  (`SeenMessages`), so no message is ever answered twice.
- The Graph API client (`GraphClient`) waits and retries on rate limits (429, Meta's rate-limit
  error codes), on server or network errors and on a call unanswered within its timeout
  (MASAR_GRAPH_API_TIMEOUT), with exponential backoff. Each user's replies wait in their own
  turn, so one hung call delays one user, never the others.

`MetaChannel` holds what both channels do with a message once it is parsed: hand it to the
engine (text, buttons, locations and media alike), send the answer, log what an operator needs. The subclasses only know their
wire format. Phone numbers and page-scoped ids go to the engine as the user id, which the
engine stores only as a keyed hash; they are never logged.

For the human handover each channel is also a `Delivery` (bot/handover/desk.py): staff
answers reach the user through the case's own channel, at its address (a phone number or a
page-scoped id). Meta allows free messages only within 24 hours of the user's last message;
outside that window a staff answer is not sent (Messenger first tries the HUMAN_AGENT tag,
which Meta allows for a person's answer within 7 days where the page has that permission)
and staff are told. Without a staff group (`masar serve` with MASAR_STAFF_CHAT_ID and
Telegram), a user who asks for a person is told honestly that no staff member can answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import secrets
import time
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from .. import privacy
from ..content.catalogue import LANGUAGES
from ..handover import NotDelivered
from ..i18n import RLM, _
from ..masar import Masar
from ..messages import Answer, Button, Incoming, Location, Reply
from ..settings import Settings
from .telegram import split_message, telegram_length

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
RETRY_STATUSES = {429, 500, 502, 503, 504}
# Graph API error codes that mean "too many messages, try again later" (sent with HTTP 400):
# 4 application, 613 calls, 80007 WhatsApp account, 130429 throughput, 131056 pair rate limit.
RETRY_CODES = {4, 613, 80007, 130429, 131056}
# A free-form message outside the 24-hour customer-service window is refused with:
OUTSIDE_WINDOW = {131047}  # WhatsApp: "re-engagement message"
OUTSIDE_WINDOW_SUBCODES = {2018278}  # Messenger: "sent outside of allowed window"


# -- webhooks: verification and signatures ----------------------------------------------------------
def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """True if `header` is `sha256=` + the HMAC-SHA256 of the raw body (constant-time compare)."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header[len("sha256=") :].strip().lower(), expected)


def verification(token: str):
    """The GET handler Meta calls when the webhook is set: echo the challenge, or 403."""
    expected = token.encode("utf-8")

    async def verify(request: web.Request) -> web.Response:
        query = request.query
        given = query.get("hub.verify_token", "").encode("utf-8")
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(given, expected):
            return web.Response(text=query.get("hub.challenge", ""), content_type="text/plain")
        return web.Response(status=403, text="forbidden")

    return verify


class SeenMessages:
    """Message ids already accepted, so that Meta's retries are not answered again.

    Meta resends a webhook whose 200 it did not get in time, usually within minutes; one it
    got is not resent, so `hours` of memory is plenty. Kept only in memory, the newest `size`
    ids, as digests keyed with a random key of this process (a WhatsApp message id encodes
    the sender's phone number).
    """

    def __init__(self, size: int = 100_000, hours: float = 72.0) -> None:
        self.size, self.seconds = size, hours * 3600
        self._key = secrets.token_bytes(32)
        self._seen: OrderedDict[bytes, float] = OrderedDict()

    def first_time(self, message_id: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        key = hashlib.blake2b(message_id.encode("utf-8"), key=self._key, digest_size=16).digest()
        while self._seen and (
            len(self._seen) >= self.size or next(iter(self._seen.values())) < now - self.seconds
        ):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True


# -- the Graph API ------------------------------------------------------------------------------------
class GraphError(Exception):
    """The Graph API refused a request; only numbers are kept (its message may quote user data)."""

    def __init__(self, status: int, code: int | None = None, subcode: int | None = None) -> None:
        super().__init__(f"Graph API error: HTTP {status}, code {code}, subcode {subcode}")
        self.status, self.code, self.subcode = status, code, subcode

    @property
    def outside_window(self) -> bool:
        """The user last wrote more than 24 hours ago: only templates or tags may be sent."""
        return self.code in OUTSIDE_WINDOW or self.subcode in OUTSIDE_WINDOW_SUBCODES


class GraphClient:
    """POSTs to the Graph API with the channel's token, retrying what is worth retrying."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        token_in_query: bool = False,
        attempts: int = 4,
        backoff: float = 1.0,
        timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token, self.token_in_query = token, token_in_query
        self.attempts, self.backoff, self.timeout = attempts, backoff, timeout
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(self, path: str, payload: dict) -> dict:
        if self._session is None:
            # each try waits `timeout` (MASAR_GRAPH_API_TIMEOUT): a hung call is tried again
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        url = f"{self.base_url}/{path.lstrip('/')}"
        headers, params = {}, {}
        if self.token_in_query:  # Messenger's documented form; the URL is never logged
            params["access_token"] = self.token
        else:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in range(self.attempts):
            last = attempt == self.attempts - 1
            wait = self.backoff * 2**attempt
            try:
                async with self._session.post(
                    url, json=payload, headers=headers, params=params
                ) as response:
                    try:
                        body = await response.json(content_type=None)
                    except (json.JSONDecodeError, UnicodeDecodeError):
                        body = {}
                    if response.status < 400:
                        return body if isinstance(body, dict) else {}
                    error = (body or {}).get("error") or {} if isinstance(body, dict) else {}
                    failure = GraphError(
                        response.status, error.get("code"), error.get("error_subcode")
                    )
                    retry = response.status in RETRY_STATUSES or failure.code in RETRY_CODES
                    if not retry or last:
                        raise failure
                    after = response.headers.get("Retry-After", "")
                    if after.isdigit():
                        wait = min(float(after), 60.0)
                    reason = f"HTTP {response.status}"
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                if last:
                    raise
                reason = type(exc).__name__
            logger.warning(
                "Graph API %s failed (%s); retry %d in %.1f s",
                path.rsplit("/", 1)[-1],
                reason,
                attempt + 1,
                wait,
                extra={"masar": {"event": "retry", "reason": reason, "attempt": attempt + 1}},
            )
            await asyncio.sleep(wait)
        raise RuntimeError("unreachable")  # pragma: no cover - the loop returns or raises


# -- texts within the platforms' limits ----------------------------------------------------------------
_SENTENCE_END = re.compile(r"\n\s*\n|\n|(?<=[.!?…؟۔।።])[\"'»”)]*\s+")
_SPACE = re.compile(r"\s+")


def fit(title: str, limit: int) -> str:
    """A title cut to `limit` characters, with an ellipsis when something was cut."""
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def split_with_tail(text: str, limit: int, tail_limit: int) -> list[str]:
    """`split_message`, but the last part fits `tail_limit` (a WhatsApp interactive message's
    body holds 1,024 characters, a text message 4,096): the cut before it is made at the
    latest sentence end (else space) that lets the tail fit, so earlier parts stay long."""
    parts = split_message(text, limit)
    if not parts or telegram_length(parts[-1]) <= tail_limit:
        return parts
    last = parts.pop()
    cut = 0
    for pattern in (_SENTENCE_END, _SPACE):
        ends = [
            m.end()
            for m in pattern.finditer(last)
            if m.start() > 0 and telegram_length(last[m.end() :]) <= tail_limit
        ]
        if ends:
            cut = ends[0]
            break
    if not cut:
        cut = next(
            i for i in range(len(last)) if telegram_length(last[i:]) <= tail_limit
        )  # a hard cut: no sentence end or space in reach
    head, tail = last[:cut].rstrip(), last[cut:].lstrip()
    if last.startswith(RLM) and not tail.startswith(RLM):
        tail = RLM + tail  # right-to-left text keeps its direction in every part
    return parts + [p for p in (head, tail) if p]


def usable(buttons: list[Button], payload_limit: int) -> list[Button]:
    """Buttons the platform accepts: a payload it can carry back (Masar's are short commands),
    each payload once (WhatsApp refuses a whole message whose buttons or rows repeat an id)."""
    kept: list[Button] = []
    for b in buttons:
        fits = 0 < len(b.payload) <= payload_limit and b.title.strip()
        if fits and all(k.payload != b.payload for k in kept):
            kept.append(b)
    if len(kept) < len(buttons):
        logger.warning(
            "%d buttons left out: payload too long or repeated", len(buttons) - len(kept)
        )
    return kept


def chunks(items: list, size: int) -> list[list]:
    """`items` in as few groups of at most `size` as possible, of nearly equal length."""
    if not items:
        return []
    count = -(-len(items) // size)
    step = -(-len(items) // count)
    return [items[i : i + step] for i in range(0, len(items), step)]


# -- the channel ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Event:
    """One thing a user did, in the engine's terms: `kind` is text, button, location or media."""

    user: str
    id: str
    kind: str
    text: str = ""
    latitude: float | None = None
    longitude: float | None = None


class MetaChannel:
    """A Meta webhook connected to the engine. Subclasses parse their JSON into `Event`s and
    send `Reply`s in their wire format; everything else is here."""

    name = "meta"
    route = "/meta/webhook"
    webhook_object = ""  # the "object" Meta names in the webhook body

    def __init__(
        self, masar: Masar, app_secret: str, verify_token: str, log_text: bool = False
    ) -> None:
        self.masar = masar
        self.app_secret, self.verify_token = app_secret, verify_token
        self.log_text = log_text
        self.seen = SeenMessages()
        masar.reach(self.name, self)
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._work: set[asyncio.Task] = set()

    # subclasses --------------------------------------------------------------------------------
    def events(self, data: dict) -> list[Event]:
        raise NotImplementedError

    async def send(
        self, user: str, replies: list[Reply], language: str, from_staff: bool = False
    ) -> int:
        """Send replies to `user`; `from_staff` marks a staff member's answer (which may be
        sent with a platform's human-agent tag outside the 24-hour window)."""
        raise NotImplementedError

    async def deliver(
        self, address: str, replies: list[Reply], *, language: str, from_staff: bool
    ) -> None:
        """The staff desk's way to the user (bot/handover/desk.py): staff answers and notices."""
        try:
            await self.send(address, replies, language, from_staff)
        except GraphError as exc:
            raise NotDelivered(
                "outside the 24-hour window" if exc.outside_window else f"Graph API {exc.status}",
                outside_window=exc.outside_window,
            ) from exc
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise NotDelivered(type(exc).__name__) from exc

    async def start(self) -> None:
        """Called once when the server starts (e.g. Messenger's Get Started button)."""

    async def close(self) -> None:
        """Let accepted messages be answered (briefly), then close the client."""
        if self._work:
            _done, pending = await asyncio.wait(self._work, timeout=5.0)
            for task in pending:
                task.cancel()

    # the webhook ---------------------------------------------------------------------------------
    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(self.route, verification(self.verify_token))
        app.router.add_post(self.route, self.webhook)

    async def webhook(self, request: web.Request) -> web.Response:
        """Check the signature, accept new messages, answer 200 at once; the work goes on after."""
        body = await request.read()
        header = request.headers.get(SIGNATURE_HEADER)
        if not signature_ok(self.app_secret, body, header):
            logger.warning(
                "%s webhook: request without a valid signature refused",
                self.name,
                extra={"masar": {"event": "refused", "route": self.route}},
            )
            status = 401 if not header else 403
            return web.json_response({"error": "invalid signature"}, status=status)
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.json_response({"error": "the body is not JSON"}, status=400)
        if not isinstance(data, dict) or data.get("object") != self.webhook_object:
            return web.json_response({"ok": True})  # other subscriptions: nothing to do
        try:
            events = self.events(data)
        except (AttributeError, KeyError, TypeError, ValueError):
            logger.warning("%s webhook: a body of unexpected shape was ignored", self.name)
            events = []
        fresh = [e for e in events if self.seen.first_time(f"{self.name}:{e.id}")]
        if fresh:
            task = asyncio.create_task(self.process(fresh))
            self._work.add(task)
            task.add_done_callback(self._work.discard)
        return web.json_response({"ok": True})

    async def process(self, events: list[Event]) -> None:
        """Answer events one by one; one user's messages in the order they were sent."""
        for event in events:
            lock = self._locks.get(event.user)
            if lock is None:
                lock = self._locks[event.user] = asyncio.Lock()
            async with lock:
                try:
                    await self.handle(event)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    fields: dict[str, Any] = {
                        "event": "error",
                        "channel": self.name,
                        "error": type(exc).__name__,
                    }
                    if isinstance(exc, GraphError):  # numbers only: Meta's text may quote the user
                        fields.update(status=exc.status, code=exc.code, subcode=exc.subcode)
                        fields["outside_window"] = exc.outside_window
                    logger.error(
                        "%s message failed: %s",
                        self.name,
                        type(exc).__name__,
                        extra={"masar": fields},
                    )
                    if not isinstance(exc, GraphError):  # Meta refused: another try would fail
                        await self._sorry(event.user)

    async def _sorry(self, user: str) -> None:
        try:
            sorry = self.masar.sorry(self.incoming(user, ""))
            await self.send(user, sorry.replies, sorry.language)
        except Exception as exc:  # the platform itself is failing: nothing more to do
            logger.error("%s: could not tell the user (%s)", self.name, type(exc).__name__)

    # what users do ------------------------------------------------------------------------------------
    async def handle(self, event: Event) -> None:
        if event.kind in ("text", "button"):
            kind = "command" if event.kind == "text" and event.text.startswith("/") else event.kind
            await self.answer(self.incoming(event.user, event.text), kind)
        elif event.kind == "location" and event.latitude is not None:
            location = Location(event.latitude, event.longitude or 0.0)
            await self.answer(self.incoming(event.user, "", location=location), "location")
        elif event.kind == "media":
            await self.answer(self.incoming(event.user, "", media=True), "media")

    def incoming(
        self, user: str, text: str, location: Location | None = None, media: bool = False
    ) -> Incoming:
        return Incoming(user=user, text=text, channel=self.name, location=location, media=media)

    async def answer(self, message: Incoming, kind: str) -> Answer:
        """Hand one message to the engine and send its replies back."""
        started = time.perf_counter()
        answer = await self.masar.handle(message)
        sent = await self.send(message.user, answer.replies, answer.language)
        relayed = self.masar.relayed(answer)  # text for staff is never logged
        logged = message.text if message.text and not relayed else None
        self.log(kind, answer.language, answer.topic, answer.emergency, sent, started, logged)
        await self.masar.delivered(answer)  # then staff are told, if there is a staff desk
        return answer

    def log(
        self,
        kind: str,
        language: str,
        topic: str,
        emergency: bool,
        messages: int,
        started: float | None = None,
        text: str | None = None,
    ) -> None:
        fields: dict[str, Any] = {
            "event": "answered",
            "channel": self.name,
            "kind": kind,
            "language": language,
            "topic": topic,
            "emergency": emergency,
            "messages": messages,
        }
        if started is not None:
            fields["ms"] = round((time.perf_counter() - started) * 1000)
        if text is not None and self.log_text:  # MASAR_LOG_MESSAGE_TEXT=true only, scrubbed
            fields["text"] = privacy.scrub(text)
        logger.info(
            "answered %s %s: topic %s, language %s",
            self.name,
            kind,
            topic,
            language,
            extra={"masar": fields},
        )


def menu_label(language: str) -> str:
    """The label of the button that opens a list of choices (WhatsApp lists)."""
    return _(language if language in LANGUAGES else "en", "Menu")


# -- `masar serve`: which Meta channels run -----------------------------------------------------------
WHATSAPP_SETTINGS = (
    ("MASAR_WHATSAPP_VERIFY_TOKEN", "whatsapp_verify_token"),
    ("MASAR_WHATSAPP_APP_SECRET", "whatsapp_app_secret"),
    ("MASAR_WHATSAPP_TOKEN", "whatsapp_token"),
    ("MASAR_WHATSAPP_PHONE_NUMBER_ID", "whatsapp_phone_number_id"),
)
MESSENGER_SETTINGS = (
    ("MASAR_MESSENGER_VERIFY_TOKEN", "messenger_verify_token"),
    ("MASAR_MESSENGER_APP_SECRET", "messenger_app_secret"),
    ("MASAR_MESSENGER_PAGE_TOKEN", "messenger_page_token"),
)


def configured(settings: Settings, names: tuple[tuple[str, str], ...]) -> bool:
    """True if all of a channel's settings are set, False if none; a clear error if only some."""
    given = [env for env, attr in names if getattr(settings, attr)]
    if given and len(given) < len(names):
        missing = ", ".join(env for env, attr in names if not getattr(settings, attr))
        raise SystemExit(f"masar serve: {', '.join(given)} set, but not {missing}")
    return bool(given)


def check_settings(settings: Settings) -> tuple[bool, bool]:
    """(WhatsApp on, Messenger on); a clear error for half a channel or a wrong Graph API URL."""
    whatsapp_on = configured(settings, WHATSAPP_SETTINGS)
    messenger_on = configured(settings, MESSENGER_SETTINGS)
    if (whatsapp_on or messenger_on) and not settings.graph_api_url.startswith(
        ("https://", "http://")
    ):
        raise SystemExit(
            "masar serve: MASAR_GRAPH_API_URL must be an http(s) URL with the Graph API "
            "version, e.g. https://graph.facebook.com/v26.0"
        )
    return whatsapp_on, messenger_on


def add_channels(app: web.Application, masar: Masar, settings: Settings) -> list[MetaChannel]:
    """Add the WhatsApp and Messenger webhooks that are configured to `masar serve`'s app."""
    from .messenger import MessengerChannel
    from .whatsapp import WhatsAppChannel

    whatsapp_on, messenger_on = check_settings(settings)
    for _env, attr in WHATSAPP_SETTINGS[:3] + MESSENGER_SETTINGS:
        privacy.hide_secret(getattr(settings, attr))
    channels: list[MetaChannel] = []
    if whatsapp_on:
        channels.append(WhatsAppChannel.from_settings(masar, settings))
    if messenger_on:
        channels.append(MessengerChannel.from_settings(masar, settings))
    for channel in channels:
        channel.add_routes(app)
        logger.info(
            "%s webhook at %s",
            channel.name,
            channel.route,
            extra={"masar": {"event": "channel", "channel": channel.name, "route": channel.route}},
        )

    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        for channel in channels:
            await channel.start()
        yield
        for channel in channels:
            await channel.close()

    app.cleanup_ctx.append(lifetime)
    return channels

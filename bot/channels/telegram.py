"""Masar on Telegram (python-telegram-bot 22): updates in, Masar's answers out.

The channel only translates. A message, a command or a button press becomes an `Incoming`
for the engine, and every `Reply` becomes Telegram messages with an inline keyboard; what to
answer is always the engine's decision. What belongs to Telegram is here: its limits (4,096
characters per message, 64 bytes of button data, rate limits, 429s and network errors),
group chats, and what people send besides text (voice notes, photos, stickers, locations).

Text is always sent without `parse_mode`, so nothing in content or in a user's message can
be read by Telegram as HTML or Markdown. Link previews are off: they cost data on cheap
phones and tell the linked site that someone opened the chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import signal
import time

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from .. import privacy
from ..content.catalogue import LANGUAGES
from ..handover import FromStaff, NotDelivered, RoomMessage
from ..i18n import RLM, _
from ..language import warm_up
from ..logs import describe, error_fields
from ..masar import Masar, reload_on_hangup
from ..messages import Answer, Button, Incoming, Location, Reply
from ..settings import Settings

logger = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096  # Telegram's limit for one text message
CALLBACK_DATA_LIMIT = 64  # bytes of callback_data per button
ALLOWED_UPDATES = ["message", "callback_query"]
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
CHANNEL = "telegram"
GROUP_CHANNEL = "telegram-group"  # group conversations are kept apart from private ones
# Calls that only make the bot nicer to use (menus, "typing...", a button's spinner): tried once,
# and a failure is a warning, never a reason to keep someone waiting or to stop serving.
COURTESY_CALLS = frozenset(
    {
        "setMyCommands",
        "deleteMyCommands",
        "setChatMenuButton",
        "setMyDescription",
        "setMyShortDescription",
        "sendChatAction",
        "answerCallbackQuery",
    }
)
STARTUP_PATIENCE = 60.0  # seconds to keep trying an unreachable Bot API before giving up


# -- Telegram's limits: pure functions ---------------------------------------------------------
def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji can count as two)."""
    return len(text.encode("utf-16-le")) // 2


_SENTENCE_END = re.compile(r"\n\s*\n|\n|(?<=[.!?…؟۔।።])[\"'»”)]*\s+")
_SPACE = re.compile(r"\s+")


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut a long text into parts Telegram accepts, at sentence ends where possible.

    Preference: the last paragraph or sentence end that fits, else the last space, else a
    hard cut. Parts after the first keep the right-to-left mark of the text, so Arabic or
    Persian continues to read right to left.
    """
    text = text.strip()
    if telegram_length(text) <= limit:
        return [text] if text else []
    mark = text[0] if text[0] == RLM else ""
    parts: list[str] = []
    rest = text
    while rest:
        if telegram_length(rest) <= limit:
            parts.append(rest)
            break
        fits = _prefix_fitting(rest, limit)
        window = rest[: fits + 1]  # a boundary right after the window still counts
        cut = _last_end(_SENTENCE_END, window) or _last_end(_SPACE, window) or fits
        cut = min(cut, fits)
        part, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if part:
            parts.append(part)
        if rest and mark and not rest.startswith(mark):
            rest = mark + rest
    return parts


def _prefix_fitting(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 units."""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return i
    return len(text)


def _last_end(pattern: re.Pattern, window: str) -> int:
    ends = [m.end() for m in pattern.finditer(window) if m.end() > 0 and m.start() > 0]
    return ends[-1] if ends else 0


def keyboard(buttons: list[Button]) -> InlineKeyboardMarkup | None:
    """An inline keyboard for a reply's buttons: short titles share a row, long ones do not.

    The payload becomes the callback data; a payload over Telegram's 64 bytes cannot be a
    button and is left out (payloads are short commands like "/country IT").
    """
    usable = [b for b in buttons if 0 < len(b.payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT]
    if len(usable) < len(buttons):
        logger.warning(
            "%d buttons left out: payload over %d bytes",
            len(buttons) - len(usable),
            CALLBACK_DATA_LIMIT,
        )
    if not usable:
        return None
    longest = max(len(b.title) for b in usable)
    per_row = 3 if longest <= 12 else 2 if longest <= 18 else 1
    keys = [InlineKeyboardButton(b.title, callback_data=b.payload) for b in usable]
    return InlineKeyboardMarkup([keys[i : i + per_row] for i in range(0, len(keys), per_row)])


def addressed_text(text: str, bot_username: str, replying_to_bot: bool) -> str | None:
    """In a group: the part of a message meant for Masar, or None if it is not for Masar.

    Masar speaks in a group only when addressed: a command (not one for another bot), a
    mention of the bot, or a reply to one of its messages.
    """
    mention = f"@{bot_username}".casefold()
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        if "@" in command and command.split("@", 1)[1].casefold() != bot_username.casefold():
            return None
        return text
    if bot_username and mention in text.casefold():
        return re.sub(re.escape(f"@{bot_username}"), " ", text, flags=re.IGNORECASE).strip()
    return text if replying_to_bot else None


def file_url(api_url: str) -> str:
    """python-telegram-bot's base_file_url for a base_url: .../bot -> .../file/bot."""
    return (
        api_url[:-3] + "file/bot" if api_url.endswith("/bot") else api_url.rstrip("/") + "/file/bot"
    )


def command_menu(language: str) -> list[BotCommand]:
    """The commands Telegram shows in its menu, described in `language`."""
    return [
        BotCommand("start", _(language, "Start and choose your language")),
        BotCommand("menu", _(language, "Main menu: all topics")),
        BotCommand("emergency", _(language, "Emergency numbers")),
        BotCommand("language", _(language, "Change the language")),
        BotCommand("help", _(language, "What Masar can do")),
        BotCommand("privacy", _(language, "What Masar keeps about you")),
        BotCommand("forget", _(language, "Delete everything Masar kept about you")),
    ]


# -- network: rate limits and retries -----------------------------------------------------------
class PatientRateLimiter(AIORateLimiter):
    """Telegram's rate limits, waiting out 429s (AIORateLimiter), plus retries with
    exponential backoff when the network fails or times out (cheap connections do).

    Courtesy calls (COURTESY_CALLS) get one attempt: retrying them would only delay the answer.
    """

    def __init__(self, attempts: int = 4, backoff: float = 1.0) -> None:
        super().__init__(max_retries=3)
        self.attempts, self.backoff = attempts, backoff

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        attempts = 1 if endpoint in COURTESY_CALLS else self.attempts
        for attempt in range(attempts):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise  # a NetworkError subclass, but sending it again would fail again
            except NetworkError as exc:  # includes TimedOut
                if attempt == attempts - 1:
                    raise
                delay = self.backoff * 2**attempt
                logger.warning(
                    "Telegram %s failed (%s); retry %d in %.1f s",
                    endpoint,
                    type(exc).__name__,
                    attempt + 1,
                    delay,
                )
                await asyncio.sleep(delay)
        return None  # pragma: no cover - the loop returns or raises


class TelegramUnreachable(Exception):
    """The Bot API did not answer within the start-up patience; the message is for operators."""


async def connect(application: Application, api_url: str, patience: float = STARTUP_PATIENCE):
    """Initialize the application (getMe: the token and the API are checked), waiting out
    network failures for up to `patience` seconds.

    A wrong token (401/404 from getMe) raises InvalidToken at once: waiting would not help.
    An API still unreachable after `patience` raises TelegramUnreachable with one clear line.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    delay, last = 1.0, "no answer"
    while True:
        remaining = deadline - loop.time()
        try:
            await asyncio.wait_for(application.initialize(), timeout=max(remaining, 0.1))
            return
        except InvalidToken:
            raise
        except (NetworkError, asyncio.TimeoutError) as exc:
            last = type(exc).__name__
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TelegramUnreachable(
                f"the Telegram Bot API at {api_url} did not answer within {patience:.0f} s "
                f"({last}); check the network, a firewall or MASAR_TELEGRAM_API_URL"
            )
        logger.warning("Telegram Bot API not reachable (%s); trying again in %.0f s", last, delay)
        await asyncio.sleep(min(delay, remaining))
        delay = min(delay * 2, 30.0)


def build_application(settings: Settings, *, polling: bool = True) -> Application:
    """A python-telegram-bot Application for the configured token and Bot API server."""
    if not settings.telegram_token:
        raise SystemExit("masar: set MASAR_TELEGRAM_TOKEN to the token @BotFather gave you")
    privacy.hide_secret(settings.telegram_token)
    builder = (
        Application.builder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(file_url(settings.telegram_api_url))
        .rate_limiter(PatientRateLimiter())
        .concurrent_updates(8)
    )
    if not polling:
        builder = builder.updater(None)
    return builder.build()


# -- the channel ------------------------------------------------------------------------------------
class TelegramChannel:
    """Connects an Application's handlers to Masar (bot/masar.py). For the human handover
    it is also the staff room (the staff group, if configured) and the way staff answers
    reach Telegram users (bot/handover/desk.py: `post`, `deliver`)."""

    def __init__(
        self,
        masar: Masar,
        application: Application,
        log_text: bool = False,
        staff_chat_id: str | None = None,
    ) -> None:
        self.masar = masar
        self.application = application
        self.log_text = log_text
        staff = staff_chat_id or masar.settings.staff_chat_id
        self.staff_chat = int(staff) if staff else None
        masar.reach(CHANNEL, self)
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_handler(MessageHandler(filters.TEXT, self.on_text))
        application.add_handler(MessageHandler(filters.LOCATION | filters.VENUE, self.on_location))
        application.add_handler(
            MessageHandler(filters.ATTACHMENT | filters.Sticker.ALL, self.on_other)
        )
        application.add_error_handler(self.on_error)

    async def setup(self) -> None:
        """Register the command menu, then open the staff desk if there is a staff group."""
        await self.register_menus()
        if self.staff_chat is not None:
            await self.masar.open_desk(self)

    async def register_menus(self) -> bool:
        """The command menu in every launch language (and English as default).

        Only a convenience: if Telegram refuses or fails (a 500, a Bot API server without
        setMyCommands), the bot serves without it; the first failure stops the rest, so a
        broken API costs one attempt, not thirteen.
        """
        bot = self.application.bot
        menus = [(None, "en"), *((code, code) for code in LANGUAGES)]
        for language_code, language in menus:
            try:
                await bot.set_my_commands(command_menu(language), language_code=language_code)
            except TelegramError as exc:
                logger.warning(
                    "Telegram command menu not set (%s); serving without it",
                    type(exc).__name__,
                    extra={
                        "masar": {"event": "degraded", "call": "setMyCommands", **error_fields(exc)}
                    },
                )
                return False
        return True

    def stop(self) -> None:
        """This process no longer has a staff desk."""
        if self.staff_chat is not None:
            self.masar.close_desk()

    # handlers ------------------------------------------------------------------------------
    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:  # the handler's filter lets only messages through
            return
        text: str | None = message.text or ""
        if self._from_staff(update):
            await self.on_staff(update, context)
            return
        if self._in_group(update):
            text = addressed_text(
                text or "", context.bot.username or "", self._replying_to_bot(update, context)
            )
        if text is None:
            return
        await self.answer(update, text, "command" if text.startswith("/") else "text")

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()  # stop the button's spinner at once, before the engine works
        except TelegramError as exc:
            logger.warning("Telegram answerCallbackQuery failed (%s)", type(exc).__name__)
        if query.data and query.message is not None and not self._from_staff(update):
            await self.answer(update, query.data, "button")

    async def on_location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A shared location (or venue), for the engine to answer (bot/dialogue.py); in a
        group, only when it replies to Masar."""
        message = update.effective_message
        if message is None or self._from_staff(update):
            return
        if self._in_group(update) and not self._replying_to_bot(update, context):
            return
        venue = message.venue
        location = message.location or (venue.location if venue else None)
        if location is None:
            return
        shared = Location(location.latitude, location.longitude)
        await self.answer(update, "", "location", location=shared)

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Voice notes, photos, stickers, files: the engine answers what Masar cannot read."""
        if self._from_staff(update):
            await self.on_staff(update, context)  # media: the desk says only text is passed on
            return
        if self._in_group(update) and not self._replying_to_bot(update, context):
            return
        await self.answer(update, "", "media", media=True)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log what failed and where (type and file:line frames, never the update, the
        exception's message or a user id), and tell the user if we can."""
        error = context.error or RuntimeError("unknown")
        logger.error(
            "telegram update failed: %s",
            describe(error),
            extra={"masar": {"event": "error", "channel": CHANNEL, **error_fields(error)}},
        )
        if (
            isinstance(update, Update)
            and update.effective_chat
            and (not isinstance(error, NetworkError) or isinstance(error, BadRequest))
        ):  # after a network failure an apology would fail too
            message, query = update.effective_message, update.callback_query
            text = (query.data if query else None) or (message.text if message else None)
            with contextlib.suppress(TelegramError, ValueError):
                sorry = self.masar.sorry(self._incoming(update, text or ""))
                await self._send(update, sorry.replies)

    # translation to and from the engine ----------------------------------------------------------
    def _in_group(self, update: Update) -> bool:
        return update.effective_chat is not None and update.effective_chat.type != ChatType.PRIVATE

    def _replying_to_bot(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        replied = update.effective_message.reply_to_message if update.effective_message else None
        return bool(replied and replied.from_user and replied.from_user.id == context.bot.id)

    def _incoming(
        self, update: Update, text: str, location: Location | None = None, media: bool = False
    ) -> Incoming:
        user = update.effective_user
        if user is None:  # every update the handlers accept comes from a user
            raise ValueError("an update without a user cannot be answered")
        group = self._in_group(update)
        return Incoming(
            user=str(user.id),
            text=text,
            channel=GROUP_CHANNEL if group else CHANNEL,
            client_language=user.language_code,
            location=location,
            media=media,
            group=group,
            elsewhere=(CHANNEL if group else GROUP_CHANNEL,),  # /forget deletes both
        )

    async def answer(
        self,
        update: Update,
        text: str,
        kind: str,
        location: Location | None = None,
        media: bool = False,
    ) -> Answer | None:
        """Hand one message to the engine and send its replies back."""
        if update.effective_user is None or update.effective_chat is None:
            return None
        started = time.perf_counter()
        typing = asyncio.create_task(self._typing(update))  # while the engine works
        try:
            answer = await self.masar.handle(self._incoming(update, text, location, media))
        finally:
            await typing  # "typing..." before the answer, never after it
        sent = await self._send(update, answer.replies)
        relayed = self.masar.relayed(answer)  # text for staff is never logged
        self._log(
            kind,
            answer.language,
            answer.topic,
            answer.emergency,
            sent,
            started,
            text if self.log_text and text and not relayed else None,
        )
        await self.masar.delivered(answer)  # then staff are told, if there is a staff desk
        return answer

    async def _typing(self, update: Update) -> None:
        """Show "typing..." (a courtesy: a failure is logged and forgotten)."""
        chat = update.effective_chat
        if chat is None:
            return
        try:
            await update.get_bot().send_chat_action(chat.id, ChatAction.TYPING)
        except TelegramError as exc:
            logger.warning("Telegram sendChatAction failed (%s)", type(exc).__name__)

    async def _send(self, update: Update, replies: list[Reply]) -> int:
        """Send replies as Telegram messages: long texts split, buttons under the last part.

        In a group, answers quote the message they answer, so it is clear whom they are for.
        """
        bot, chat = update.get_bot(), update.effective_chat
        if chat is None:
            return 0
        quote = None
        if self._in_group(update) and update.effective_message and not update.callback_query:
            quote = ReplyParameters(
                update.effective_message.message_id, allow_sending_without_reply=True
            )
        sent = 0
        for reply in replies:
            parts = split_message(reply.text) or (["⬇️"] if reply.buttons else [])
            markup = keyboard(reply.buttons)
            for i, part in enumerate(parts):
                last = i == len(parts) - 1
                await bot.send_message(
                    chat.id,
                    part,
                    reply_markup=markup if last else None,
                    link_preview_options=NO_PREVIEW,
                    reply_parameters=quote,
                )
                sent += 1
        return sent

    # the staff room and deliveries (bot/handover/desk.py decides, this only carries) ---------
    def _from_staff(self, update: Update) -> bool:
        return (
            self.staff_chat is not None
            and update.effective_chat is not None
            and update.effective_chat.id == self.staff_chat
        )

    async def on_staff(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A message in the staff group, for the staff desk: what was said, and which of
        Masar's messages it replies to (nothing about who wrote it)."""
        message = update.effective_message
        if message is None:
            return
        replied = message.reply_to_message if self._replying_to_bot(update, context) else None
        await self.masar.from_staff(
            FromStaff(
                message.message_id,
                message.text if message.text is not None else None,
                RoomMessage(
                    replied.message_id,
                    replied.text or "",
                    replied.date.timestamp() if replied.date else None,
                )
                if replied is not None
                else None,
            )
        )

    async def post(self, text: str, reply_to: int | None = None) -> list[int]:
        """The staff room: post into the staff group (long texts split); the messages' ids."""
        if self.staff_chat is None:
            raise NotDelivered("no staff group")
        quote = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        posted = []
        try:
            for part in split_message(text):
                sent = await self.application.bot.send_message(
                    self.staff_chat, part, reply_parameters=quote, link_preview_options=NO_PREVIEW
                )
                posted.append(sent.message_id)
        except TelegramError as exc:
            raise NotDelivered(type(exc).__name__) from exc
        return posted

    async def deliver(
        self, address: str, replies: list[Reply], *, language: str, from_staff: bool
    ) -> None:
        """Send replies to a user outside of an update (staff answers, closed or offline
        notices); Telegram has no customer-service window."""
        try:
            for reply in replies:
                parts = split_message(reply.text)
                for i, part in enumerate(parts):
                    markup = keyboard(reply.buttons) if i == len(parts) - 1 else None
                    await self.application.bot.send_message(
                        int(address), part, reply_markup=markup, link_preview_options=NO_PREVIEW
                    )
        except TelegramError as exc:
            raise NotDelivered(type(exc).__name__) from exc

    def _log(
        self,
        kind: str,
        language: str,
        topic: str,
        emergency: bool,
        messages: int,
        started: float | None = None,
        text: str | None = None,
    ) -> None:
        fields = {
            "event": "answered",
            "channel": CHANNEL,
            "kind": kind,
            "language": language,
            "topic": topic,
            "emergency": emergency,
            "messages": messages,
        }
        if started is not None:
            fields["ms"] = round((time.perf_counter() - started) * 1000)
        if text is not None:  # only with MASAR_LOG_MESSAGE_TEXT=true, and still scrubbed
            fields["text"] = privacy.scrub(text)
        logger.info(
            "answered %s: topic %s, language %s", kind, topic, language, extra={"masar": fields}
        )


# -- long polling: `masar telegram` -------------------------------------------------------------
async def run_polling(
    masar: Masar,
    settings: Settings,
    stop: asyncio.Event | None = None,
    retention_every: float = 3600.0,
    patience: float = STARTUP_PATIENCE,
) -> None:
    """Answer Telegram by long polling until `stop` is set (or SIGINT/SIGTERM; SIGHUP
    reloads content and model).

    For a laptop or a small NGO: no public address, no HTTPS certificate. The retention
    job runs alongside, as in `masar serve`. Only a wrong token or a Bot API unreachable for
    `patience` seconds stops the start; a failing command menu does not.
    """
    if stop is None:  # a process of its own: signals stop it, SIGHUP reloads
        stop = _stop_on_signals()
        reload_on_hangup(masar)
    application = build_application(settings, polling=True)
    channel = TelegramChannel(masar, application, settings.log_message_text, settings.staff_chat_id)
    updater = application.updater
    if updater is None:  # the builder always makes one unless told not to
        raise RuntimeError("the Telegram application has no updater for polling")
    try:
        await connect(application, settings.telegram_api_url, patience)
    except BaseException:
        await application.bot.shutdown()
        raise
    async with application:  # initialize() (done by connect) ... shutdown()
        await asyncio.to_thread(warm_up)  # not on the first user's message
        await channel.setup()
        await application.start()
        await updater.start_polling(poll_interval=0.0, timeout=10, allowed_updates=ALLOWED_UPDATES)
        retention = asyncio.create_task(
            privacy.delete_old_conversations(
                masar.engine.purge, settings.retention_days, retention_every
            )
        )
        logger.info(
            "Telegram: polling as @%s",
            application.bot.username,
            extra={"masar": {"event": "started", "mode": "polling"}},
        )
        try:
            await stop.wait()
        finally:
            retention.cancel()
            channel.stop()
            await updater.stop()
            await application.stop()


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - not on this platform
            pass
    return stop

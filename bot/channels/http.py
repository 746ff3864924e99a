"""`masar serve`: Masar over HTTP for production (aiohttp).

One engine, several doors:
- POST /telegram/webhook   Telegram's updates, accepted only with the secret token header
                           Telegram sends (X-Telegram-Bot-Api-Secret-Token); anything else
                           gets 403 and is not processed.
- POST /webhooks/rest/webhook  Rasa's REST channel format, so other messaging gateways (a
                           WhatsApp or SMS provider's webhook relay) can be connected:
                           {"sender": "u1", "message": "hi"} -> [{"recipient_id", "text", "buttons"}]
                           A gateway passes on a shared location or a voice note or photo
                           in "metadata": {"location": {"latitude", "longitude"}} or
                           {"media": true}, with "message": "".
- GET/POST /whatsapp/webhook, /messenger/webhook  Meta's webhooks, when configured
                           (bot/channels/meta.py, whatsapp.py, messenger.py).
- /console/...              the staff console (bot/console/), on once a staff account exists.
- GET  /health             status, model fingerprint, content counts (for a load balancer):
                           503 while the conversation store fails, so a proxy sends people
                           to an instance that works.

Channels are independent: when the Telegram API is unreachable, REST and /health serve at
once and Telegram is connected (and the webhook set) in the background, retrying.

Logs are JSON lines on stderr with what an operator needs (route, status, time, topic,
language) and never message text, user ids, names, numbers or secrets. Conversations
older than the retention period are deleted by a job inside the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hmac
import json
import logging
import re
import sys
import time
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestPayloadError

from .. import privacy
from ..console import views as console
from ..masar import Masar, reload_on_hangup
from ..messages import Incoming, Location
from ..settings import Settings
from . import meta
from .connections import Limits, check_headers, listen, room_for

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token
MASAR, TELEGRAM = web.AppKey("masar", Masar), web.AppKey("telegram", object)
LOG_TEXT = web.AppKey("log_text", bool)
LINK = web.AppKey("telegram_link", dict)  # {"state": off | connecting | webhook | refused}
READY = web.AppKey("ready", asyncio.Event)  # set once the language and NLU models are loaded
WARM_UP_PATIENCE = 120.0  # seconds a message waits for the models while the server starts
RETRY_EVERY = 30.0  # seconds between attempts to reach Telegram after start-up


class JsonLines(logging.Formatter):
    """One JSON object per log line: time, level, logger, message, and the record's
    structured fields (`extra={"masar": {...}}`). Messages were already scrubbed by the
    privacy filter; the fields are ours and never hold text or ids."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "masar", None) or {})
        if record.exc_info:
            entry["error"] = type(record.exc_info[1]).__name__
            entry["traceback"] = record.exc_text or privacy.scrub(
                self.formatException(record.exc_info)
            )
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_json_logs(verbose: bool = True, stream=None) -> None:
    """Production logging: JSON lines on stderr, our events at INFO, libraries quiet."""
    from ..logs import configure

    configure(verbose)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLines())
    handler.addFilter(privacy.ScrubFilter())
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("bot").setLevel(logging.INFO if verbose else logging.WARNING)
    logging.captureWarnings(True)  # library warnings as JSON lines too, not loose text


# -- routes ------------------------------------------------------------------------------------
async def health(request: web.Request) -> web.Response:
    """The instance's state, truthfully: 503 while the models are still loading ("starting":
    messages wait for them) and when the conversation store does not answer ("unavailable":
    emergencies are still answered, but nothing else can be).

    "starting" comes first: loading the models keeps the process so busy that a store probe
    can miss its second although the store is fine, and a checker waiting for the start must
    not read that as a failed store. `store` still says what the probe found."""
    engine = request.app[MASAR].engine
    model = engine.model_path.name.split(".")[0] if engine.model_path else None
    store = await engine.store_problem()
    ready = request.app[READY].is_set()
    status = "starting" if not ready else "ok" if store is None else "unavailable"
    return web.json_response(
        {
            "status": status,
            "ready": ready,
            "store": "ok" if store is None else f"failing ({store})",
            "model": model.split("-", 1)[-1] if model else None,
            "topics": len(engine.content.topics),
            "countries": len(engine.content.countries),
            "telegram": request.app[LINK]["state"],
        },
        status=200 if status == "ok" else 503,
    )


@web.middleware
async def wait_until_ready(request: web.Request, handler):
    """While the models load, a message waits for them (as it would on its first use) instead
    of failing; /health answers at once, with "starting"."""
    ready = request.app[READY]
    if not ready.is_set() and request.path != "/health":
        try:
            await asyncio.wait_for(ready.wait(), WARM_UP_PATIENCE)
        except asyncio.TimeoutError:
            return web.json_response({"error": "starting, try again"}, status=503)
    return await handler(request)


async def rest_webhook(request: web.Request) -> web.Response:
    """Rasa's REST channel, answered by Masar's engine."""
    example = 'send JSON like {"sender": "u1", "message": "hello"}'
    try:
        data = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return web.json_response({"error": f"the body is not valid JSON; {example}"}, status=400)
    except RecursionError:
        return web.json_response({"error": f"the JSON is nested too deeply; {example}"}, status=400)
    if not isinstance(data, dict) or not isinstance(data.get("message"), str):
        return web.json_response(
            {"error": f'"message" (a string) is missing; {example}'}, status=400
        )
    sender = data.get("sender")
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip():
        # without a sender, every client would share one conversation (language, country)
        return web.json_response(
            {"error": f'"sender" (the user\'s id, a string) is missing; {example}'}, status=400
        )
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    hint = metadata.get("language") if isinstance(metadata.get("language"), str) else None
    started = time.perf_counter()
    answer = await request.app[MASAR].handle(
        Incoming(
            sender,
            data["message"],
            channel="rest",
            client_language=hint,
            location=location_of(metadata),
            media=metadata.get("media") is True,
        )
    )
    out = []
    for reply in answer.replies:
        item: dict[str, Any] = {"recipient_id": sender, "text": reply.text}
        if reply.buttons:
            item["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
        out.append(item)
    fields = {
        "event": "answered",
        "channel": "rest",
        "language": answer.language,
        "topic": answer.topic,
        "emergency": answer.emergency,
        "messages": len(out),
        "ms": round((time.perf_counter() - started) * 1000),
    }
    if request.app[LOG_TEXT]:  # only with MASAR_LOG_MESSAGE_TEXT=true, and still scrubbed
        fields["text"] = privacy.scrub(data["message"])
    logger.info(
        "answered rest: topic %s, language %s",
        answer.topic,
        answer.language,
        extra={"masar": fields},
    )
    return web.json_response(out)


def location_of(metadata: dict) -> Location | None:
    """A location a gateway passes on as `"metadata": {"location": {"latitude": 41.9,
    "longitude": 12.5}}` (then "message" is ""); None when there is none or it is not one."""
    place = metadata.get("location")
    if not isinstance(place, dict):
        return None
    latitude, longitude = place.get("latitude"), place.get("longitude")
    if not all(type(v) in (int, float) for v in (latitude, longitude)):
        return None
    latitude, longitude = float(latitude), float(longitude)  # type: ignore[arg-type]
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return Location(latitude, longitude)


def telegram_webhook(application, secret: str):
    """The webhook handler: the secret header first, then python-telegram-bot processes it."""
    from telegram import Update

    expected = secret.encode("utf-8")

    async def handle(request: web.Request) -> web.Response:
        # header bytes that are not UTF-8 arrive as surrogate escapes: compare them as bytes
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, expected):
            logger.warning(
                "telegram webhook: request without the right secret token refused",
                extra={"masar": {"event": "refused", "route": "/telegram/webhook"}},
            )
            return web.json_response({"error": "forbidden"}, status=403)
        try:
            data = await request.json()
            update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        except Exception:  # also RecursionError from deeply nested JSON
            update = None
        if update is None:
            return web.json_response({"error": "not a Telegram update"}, status=400)
        if request.app[LINK]["state"] != "webhook":  # still connecting: Telegram retries later
            return web.json_response({"error": "Telegram not connected yet"}, status=503)
        await application.process_update(update)
        return web.json_response({"ok": True})

    return handle


@web.middleware
async def access_log(request: web.Request, handler):
    """One line per request: route, status, time. No query string, no client address."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        route = (
            request.match_info.route.resource.canonical
            if request.match_info.route.resource
            else "unknown"
        )
        logger.info(
            "%s %s %d",
            request.method,
            route,
            status,
            extra={
                "masar": {
                    "event": "request",
                    "method": request.method,
                    "route": route,
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000),
                }
            },
        )


@web.middleware
async def unreadable_body(request: web.Request, handler):
    """A body that cannot be read (it says gzip but is not, it is cut short) is the sender's
    mistake: a clear 400 on every route, not a 500 and a traceback."""
    try:
        return await handler(request)
    except RequestPayloadError:
        request.content.feed_eof()  # nothing more to read: aiohttp must not try to drain it
        response = web.json_response(
            {
                "error": "the body could not be read (not what its Content-Encoding says, or cut "
                "short); send plain JSON"
            },
            status=400,
        )
        response.force_close()  # and the connection is not reused
        return response


def build_app(
    masar: Masar,
    telegram_application=None,
    webhook_secret: str | None = None,
    log_text: bool = False,
    limits: Limits | None = None,
    ready: asyncio.Event | None = None,
) -> web.Application:
    """The aiohttp application; the Telegram route exists only when Telegram is configured.
    Without `ready`, the models count as loaded."""
    limits = limits or Limits()
    app = web.Application(
        middlewares=[access_log, unreadable_body, check_headers(limits), wait_until_ready],
        client_max_size=limits.max_body_bytes,
    )
    if ready is None:
        ready = asyncio.Event()
        ready.set()
    app[READY] = ready
    app[MASAR] = masar
    app[LOG_TEXT] = log_text
    app[TELEGRAM] = telegram_application
    app[LINK] = {"state": "off" if telegram_application is None else "connecting"}
    app.router.add_get("/health", health)
    app.router.add_post("/webhooks/rest/webhook", rest_webhook)
    if telegram_application is not None:
        if not webhook_secret:
            raise SystemExit(
                "masar serve: set MASAR_TELEGRAM_WEBHOOK_SECRET (letters, digits, _ and -) "
                "so that only Telegram can send updates to the webhook"
            )
        app.router.add_post(
            "/telegram/webhook", telegram_webhook(telegram_application, webhook_secret)
        )
    return app


def check_settings(settings: Settings) -> None:
    """Clear errors for settings `masar serve` cannot work with; secrets never echoed."""
    if settings.telegram_token and not settings.telegram_webhook_secret:
        raise SystemExit(
            "masar serve: MASAR_TELEGRAM_TOKEN is set but MASAR_TELEGRAM_WEBHOOK_SECRET is not; "
            "set a random secret (letters, digits, _ and -), e.g. from `openssl rand -hex 32`"
        )
    if settings.telegram_webhook_secret and not _SECRET_FORMAT.match(
        settings.telegram_webhook_secret
    ):
        raise SystemExit(
            "masar serve: MASAR_TELEGRAM_WEBHOOK_SECRET may only contain letters, digits, _ and - "
            "(1 to 256 characters)"
        )


def hide_configured_secrets(settings: Settings) -> None:
    """Every secret in the settings is scrubbed from logs, whatever its shape."""
    from urllib.parse import urlsplit

    for value in (
        settings.telegram_token,
        settings.telegram_webhook_secret,
        settings.user_key_secret,
    ):
        privacy.hide_secret(value)
    for url in (settings.tracker_store_url, settings.redis_url):
        if url:
            privacy.hide_secret(urlsplit(url).password)


async def connect_telegram(
    application, channel, settings: Settings, link: dict, retry_every: float = RETRY_EVERY
) -> None:
    """Connect Telegram in the background, while REST and /health already serve: getMe, the
    command menus, the webhook; an unreachable API is retried every `retry_every` seconds
    for as long as the server runs. A token Telegram refuses turns the Telegram channel off
    (logged once, shown in /health); the other channels keep serving."""
    from telegram.error import InvalidToken

    from .telegram import ALLOWED_UPDATES, connect

    done: set[str] = set()
    step = "getMe"
    while True:
        try:
            for step in ("getMe", "setup", "setWebhook", "start"):
                if step in done:
                    continue
                if step == "getMe":
                    await connect(application, settings.telegram_api_url, patience=retry_every)
                elif step == "setup":
                    await channel.setup()  # command menus (a failure there is only a warning)
                elif step == "setWebhook" and settings.telegram_webhook_url:
                    await application.bot.set_webhook(
                        settings.telegram_webhook_url,
                        secret_token=settings.telegram_webhook_secret,
                        allowed_updates=ALLOWED_UPDATES,
                        max_connections=40,
                    )
                elif step == "start":
                    await application.start()
                done.add(step)
            link["state"] = "webhook"
            logger.info("Telegram connected", extra={"masar": {"event": "telegram_connected"}})
            return
        except InvalidToken:
            link["state"] = "refused"
            logger.error(
                "Telegram refused MASAR_TELEGRAM_TOKEN; the Telegram channel is off, the other "
                "channels serve. Copy the token again from @BotFather and restart.",
                extra={"masar": {"event": "telegram_refused"}},
            )
            return
        except Exception as exc:  # unreachable, 5xx, a store failing while cases load
            logger.warning(
                "Telegram not connected (%s at %s); REST and /health serve, trying again",
                type(exc).__name__,
                step,
                extra={"masar": {"event": "telegram_unreachable", "step": step}},
            )
            if step != "getMe":  # connect() already waited
                await asyncio.sleep(min(retry_every, 5.0))


def limits_of(settings: Settings) -> Limits:
    return Limits(
        header_timeout=settings.http_header_timeout,
        body_timeout=settings.http_body_timeout,
        idle_timeout=settings.http_idle_timeout,
        max_connections=settings.http_max_connections,
        max_headers=settings.http_max_headers,
        max_header_bytes=settings.http_max_header_bytes,
    )


async def warm_up(masar: Masar, ready: asyncio.Event) -> None:
    """Load the models, then say so; a failure is logged and the models load on first use."""
    started = time.perf_counter()
    try:
        await masar.engine.warm_up()
    except Exception as exc:
        logger.error("warm-up failed (%s); models load on first use", type(exc).__name__)
    ready.set()
    logger.info(
        "ready",
        extra={"masar": {"event": "ready", "ms": round((time.perf_counter() - started) * 1000)}},
    )


async def serve(
    masar: Masar,
    settings: Settings,
    stop: asyncio.Event | None = None,
    retention_every: float = 3600.0,
    retry_every: float = RETRY_EVERY,
) -> None:
    """Run the HTTP server (and the Telegram webhook if configured) until `stop` or a signal
    (SIGINT, SIGTERM; SIGHUP reloads content and model)."""
    from .telegram import TelegramChannel, _stop_on_signals, build_application

    check_settings(settings)
    hide_configured_secrets(settings)
    if stop is None:  # a process of its own: signals stop it, SIGHUP reloads
        stop = _stop_on_signals()
        reload_on_hangup(masar)
    application = channel = None
    if settings.telegram_token:
        application = build_application(settings, polling=False)
        channel = TelegramChannel(masar, application, settings.log_message_text)
    limits = room_for(limits_of(settings))
    ready = asyncio.Event()
    app = build_app(
        masar,
        application,
        settings.telegram_webhook_secret,
        settings.log_message_text,
        limits,
        ready,
    )
    meta.add_channels(app, masar, settings)  # WhatsApp and Messenger webhooks, if configured
    console.add_to(app, masar, settings)  # the staff console, /console (bot/console/)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    listening = await listen(runner, settings.host, settings.port, limits)
    # the language and NLU models load now, not on the first user's message; meanwhile /health
    # says "starting" (503) and messages wait
    warming = asyncio.create_task(warm_up(masar, ready))
    retention = asyncio.create_task(
        privacy.delete_old_conversations(
            masar.engine.purge, settings.retention_days, retention_every
        )
    )
    telegram = None
    if application is not None and channel is not None:
        telegram = asyncio.create_task(
            connect_telegram(application, channel, settings, app[LINK], retry_every)
        )
    logger.info(
        "serving HTTP (host and port in the fields)",
        extra={
            "masar": {
                "event": "started",
                "mode": "webhook" if application else "http",
                "host": settings.host,
                "port": settings.port,
            }
        },
    )
    try:
        await stop.wait()
    finally:
        warming.cancel()
        retention.cancel()
        listening.close()
        if telegram is not None:
            telegram.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await telegram
        await runner.cleanup()
        if application is not None:
            if application.running:
                await application.stop()
            await application.shutdown()
            await application.bot.shutdown()
        logger.info("stopped", extra={"masar": {"event": "stopped"}})

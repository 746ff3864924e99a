"""Masar on Facebook Messenger: page webhook events in, Send API messages out.

The channel only translates (bot/channels/meta.py does the webhook's checks and the work
after it). What belongs to Messenger is here:
- a text message holds 2,000 characters: longer answers are split at sentence ends;
- buttons are quick replies under the last part: at most 13, titles of at most 20
  characters; more choices (the countries of the directory) come as a carousel of cards with
  three buttons each, at most 10 cards;
- a tapped quick reply or card button comes back with its payload, which the engine gets like
  a typed command; "Get Started" (set up by Masar at start-up with the payload /start) starts
  the conversation; a shared location becomes a country at once; photos, voice notes and
  files get a polite answer in the user's language;
- the page's own messages (echoes), deliveries and reads are ignored.

The sender's page-scoped id is the user id the engine hashes; it is never logged.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

from ..masar import Masar
from ..messages import Reply
from ..settings import Settings
from .meta import Event, GraphClient, GraphError, MetaChannel, chunks, fit, split_with_tail, usable

logger = logging.getLogger(__name__)

TEXT_LIMIT = 2000  # characters of a text message
QUICK_REPLIES = 13
TITLE = 20  # characters of a quick reply's or a button's title
PAYLOAD = 1000
CARDS = 10  # elements of a generic template (carousel)
CARD_BUTTONS = 3
CARD_TITLE = 80
GET_STARTED = "/start"
HUMAN_AGENT = {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}  # a person, within 7 days


def messages_for(reply: Reply) -> list[dict]:
    """One reply as Messenger `message` objects, within Messenger's limits."""
    buttons = usable(reply.buttons, PAYLOAD)
    parts = split_with_tail(reply.text, TEXT_LIMIT, TEXT_LIMIT) or (["⬇️"] if buttons else [])
    out: list[dict] = [{"text": part} for part in parts]
    if not buttons:
        return out
    if len(buttons) <= QUICK_REPLIES:
        out[-1]["quick_replies"] = [
            {"content_type": "text", "title": fit(b.title, TITLE), "payload": b.payload}
            for b in buttons
        ]
        return out
    groups = chunks(buttons, CARD_BUTTONS)
    if len(groups) > CARDS:
        logger.warning("%d buttons left out: more than Messenger can show", len(buttons) - 30)
        groups = groups[:CARDS]
    cards = [
        {
            "title": fit(" · ".join(b.title for b in group), CARD_TITLE),
            "buttons": [
                {"type": "postback", "title": fit(b.title, TITLE), "payload": b.payload}
                for b in group
            ],
        }
        for group in groups
    ]
    out.append(
        {
            "attachment": {
                "type": "template",
                "payload": {"template_type": "generic", "elements": cards},
            }
        }
    )
    return out


def parse(data: dict) -> list[Event]:
    """The users' messages and postbacks in a page webhook body."""
    events: list[Event] = []
    for entry in data.get("entry") or []:
        for item in entry.get("messaging") or []:
            event = _event(item)
            if event is not None:
                events.append(event)
    return events


def _event(item: dict) -> Event | None:
    user = str((item.get("sender") or {}).get("id") or "")
    if not user:
        return None
    if "postback" in item:
        postback = item["postback"] or {}
        payload = str(postback.get("payload") or "")
        message_id = str(postback.get("mid") or f"postback:{user}:{item.get('timestamp')}")
        # Get Started, or a payload that is not one of Masar's commands: start the conversation
        return Event(
            user, message_id, "button", payload if payload.startswith("/") else GET_STARTED
        )
    message = item.get("message")
    if not isinstance(message, dict) or message.get("is_echo"):
        return None  # deliveries, reads, reactions, and the page's own messages
    message_id = str(message["mid"])
    quick = message.get("quick_reply") or {}
    if quick.get("payload"):
        return Event(user, message_id, "button", str(quick["payload"]))
    if message.get("text"):
        return Event(user, message_id, "text", str(message["text"]))
    for attachment in message.get("attachments") or []:
        coordinates = ((attachment or {}).get("payload") or {}).get("coordinates")
        if attachment.get("type") == "location" and coordinates:
            return Event(
                user,
                message_id,
                "location",
                latitude=float(coordinates["lat"]),
                longitude=float(coordinates["long"]),
            )
    if message.get("attachments") or message.get("sticker_id"):
        return Event(user, message_id, "media")
    return None


class MessengerChannel(MetaChannel):
    """The page's webhook and the Send API (`/me/messages` with the page token)."""

    name = "messenger"
    route = "/messenger/webhook"
    webhook_object = "page"

    def __init__(
        self,
        masar: Masar,
        *,
        app_secret: str,
        verify_token: str,
        client: GraphClient,
        log_text: bool = False,
    ) -> None:
        super().__init__(masar, app_secret, verify_token, log_text)
        self.client = client

    @classmethod
    def from_settings(cls, masar: Masar, settings: Settings) -> MessengerChannel:
        return cls(
            masar,
            app_secret=str(settings.messenger_app_secret),
            verify_token=str(settings.messenger_verify_token),
            client=GraphClient(
                settings.graph_api_url,
                str(settings.messenger_page_token),
                token_in_query=True,
                timeout=settings.graph_api_timeout,
            ),
            log_text=settings.log_message_text,
        )

    async def start(self) -> None:
        """The Get Started button sends /start (best effort: the page may already have one)."""
        try:
            await self.client.post(
                "me/messenger_profile", {"get_started": {"payload": GET_STARTED}}
            )
        except (GraphError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
            # the error's type and Meta's numbers only: a network error's text quotes the URL,
            # and Messenger's URL carries the page token
            reason = str(exc) if isinstance(exc, GraphError) else type(exc).__name__
            logger.warning("messenger: Get Started button not set (%s)", reason)

    def events(self, data: dict) -> list[Event]:
        return parse(data)

    async def send(
        self, user: str, replies: list[Reply], language: str, from_staff: bool = False
    ) -> int:
        """A staff member's answer that Meta refuses as outside the 24-hour window is sent
        again with the HUMAN_AGENT tag (allowed within 7 days of the user's last message, for
        pages Meta gave that permission); if that is refused too, the refusal is raised."""
        sent = 0
        kind: dict[str, str] = {"messaging_type": "RESPONSE"}
        for reply in replies:
            for message in messages_for(reply):
                payload: dict[str, Any] = {"recipient": {"id": user}, **kind, "message": message}
                try:
                    await self.client.post("me/messages", payload)
                except GraphError as exc:
                    if not (from_staff and exc.outside_window and kind != HUMAN_AGENT):
                        raise
                    kind = HUMAN_AGENT
                    await self.client.post("me/messages", {**payload, **kind})
                sent += 1
        return sent

    async def close(self) -> None:
        await super().close()
        await self.client.close()

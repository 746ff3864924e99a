"""Masar on WhatsApp (Business Cloud API): webhook messages in, Graph API messages out.

The channel only translates (bot/channels/meta.py does the webhook's checks and the work
after it). What belongs to WhatsApp is here:
- a text message holds 4,096 characters; the body of an interactive message 1,024, so a long
  answer with buttons is sent as text parts with the buttons under the last, shorter part;
- reply buttons: at most 3, titles of at most 20 characters; more choices (or longer titles)
  become list messages: at most 10 rows each (titles 24 characters, the full title as the
  row's description), so the 12 languages come as two lists;
- a tapped button or list row comes back with the payload as its id: the engine gets it
  like a typed command; a shared location becomes a country at once; voice notes, photos,
  files and stickers get a polite answer in the user's language; delivery and read statuses
  are ignored, and so are messages to another phone number of the same Meta app.

The sender's phone number (`from`, the `wa_id`) is the user id the engine hashes; it is never
logged, and nothing else from the webhook (the profile name, shared contacts) is used.
"""

from __future__ import annotations

from typing import Any

from ..masar import Masar
from ..messages import Reply
from ..settings import Settings
from .meta import (
    Event,
    GraphClient,
    MetaChannel,
    chunks,
    fit,
    menu_label,
    split_with_tail,
    usable,
)

TEXT_LIMIT = 4096  # characters of a text message
BODY_LIMIT = 1024  # characters of an interactive message's body
BUTTONS = 3  # reply buttons per message
BUTTON_TITLE = 20
BUTTON_ID = 256
ROWS = 10  # rows per list message, over all its sections
ROW_TITLE = 24
ROW_DESCRIPTION = 72
ROW_ID = 200
MEDIA = {"audio", "image", "video", "document", "sticker", "contacts", "unsupported"}


def button_message(body: str, replies: list) -> dict:
    return {
        "type": "button",
        "body": {"text": body},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": b.payload, "title": b.title}} for b in replies
            ]
        },
    }


def list_message(body: str, rows: list, label: str) -> dict:
    return {
        "type": "list",
        "body": {"text": body},
        "action": {
            "button": fit(label, BUTTON_TITLE),
            "sections": [
                {
                    "rows": [
                        {
                            "id": b.payload,
                            "title": fit(b.title, ROW_TITLE),
                            **(
                                {"description": fit(b.title, ROW_DESCRIPTION)}
                                if len(b.title) > ROW_TITLE
                                else {}
                            ),
                        }
                        for b in rows
                    ]
                }
            ],
        },
    }


def messages_for(reply: Reply, language: str) -> list[dict]:
    """One reply as WhatsApp message objects (without `to`), within WhatsApp's limits."""
    if not reply.buttons:
        return [
            {"type": "text", "text": {"preview_url": False, "body": part}}
            for part in split_with_tail(reply.text, TEXT_LIMIT, TEXT_LIMIT)
        ]
    buttons = usable(reply.buttons, min(BUTTON_ID, ROW_ID))
    as_buttons = len(buttons) <= BUTTONS and all(len(b.title) <= BUTTON_TITLE for b in buttons)
    parts = split_with_tail(reply.text, TEXT_LIMIT, BODY_LIMIT) or ["⬇️"]
    out: list[dict] = [
        {"type": "text", "text": {"preview_url": False, "body": part}} for part in parts[:-1]
    ]
    if not buttons:
        out.append({"type": "text", "text": {"preview_url": False, "body": parts[-1]}})
    elif as_buttons:
        out.append({"type": "interactive", "interactive": button_message(parts[-1], buttons)})
    else:
        for i, rows in enumerate(chunks(buttons, ROWS)):
            body = parts[-1] if i == 0 else "⬇️"
            out.append(
                {
                    "type": "interactive",
                    "interactive": list_message(body, rows, menu_label(language)),
                }
            )
    return out


def parse(data: dict, phone_number_id: str) -> list[Event]:
    """The users' messages in a webhook body, for our phone number; statuses are left out."""
    events: list[Event] = []
    for entry in data.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            if change.get("field") != "messages":
                continue
            if str((value.get("metadata") or {}).get("phone_number_id")) != phone_number_id:
                continue  # another number of the same Meta app
            for message in value.get("messages") or []:  # "statuses" are not read at all
                event = _event(message)
                if event is not None:
                    events.append(event)
    return events


def _event(message: dict) -> Event | None:
    user, message_id, kind = str(message["from"]), str(message["id"]), message.get("type")
    if kind == "text":
        return Event(user, message_id, "text", str((message.get("text") or {}).get("body") or ""))
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        choice = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return Event(user, message_id, "button", str(choice.get("id") or "/menu"))
    if kind == "button":  # a template's quick-reply button
        button = message.get("button") or {}
        return Event(user, message_id, "button", str(button.get("payload") or "/menu"))
    if kind == "location":
        where = message.get("location") or {}
        return Event(
            user,
            message_id,
            "location",
            latitude=float(where["latitude"]),
            longitude=float(where["longitude"]),
        )
    if kind in MEDIA:
        return Event(user, message_id, "media")
    return None  # reactions, system messages: nothing to answer


class WhatsAppChannel(MetaChannel):
    """The WhatsApp webhook and the Cloud API's /messages endpoint of one phone number."""

    name = "whatsapp"
    route = "/whatsapp/webhook"
    webhook_object = "whatsapp_business_account"

    def __init__(
        self,
        masar: Masar,
        *,
        app_secret: str,
        verify_token: str,
        phone_number_id: str,
        client: GraphClient,
        log_text: bool = False,
    ) -> None:
        super().__init__(masar, app_secret, verify_token, log_text)
        self.phone_number_id, self.client = phone_number_id, client

    @classmethod
    def from_settings(cls, masar: Masar, settings: Settings) -> WhatsAppChannel:
        return cls(
            masar,
            app_secret=str(settings.whatsapp_app_secret),
            verify_token=str(settings.whatsapp_verify_token),
            phone_number_id=str(settings.whatsapp_phone_number_id),
            client=GraphClient(
                settings.graph_api_url,
                str(settings.whatsapp_token),
                timeout=settings.graph_api_timeout,
            ),
            log_text=settings.log_message_text,
        )

    def events(self, data: dict) -> list[Event]:
        return parse(data, self.phone_number_id)

    async def send(
        self, user: str, replies: list[Reply], language: str, from_staff: bool = False
    ) -> int:
        """WhatsApp has no tag for a person's late answer: outside the 24-hour window only a
        template may be sent, so Meta's refusal goes back to the staff desk."""
        sent = 0
        for reply in replies:
            for message in messages_for(reply, language):
                payload: dict[str, Any] = {
                    "messaging_product": "whatsapp",
                    "recipient_type": "individual",
                    "to": user,
                    **message,
                }
                await self.client.post(f"{self.phone_number_id}/messages", payload)
                sent += 1
        return sent

    async def close(self) -> None:
        await super().close()
        await self.client.close()

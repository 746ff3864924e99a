"""What Masar answers to what is not written: a shared location, a voice note or a photo.

These answers were once each channel's own; here they are the engine's, so that a location
shared on Telegram, WhatsApp, Messenger or through the REST gateway gets the same question,
and a voice note everywhere the same polite answer with the menu. None of them calls the
model or stores anything: a location becomes a country at once and is forgotten.
"""

from __future__ import annotations

from .answers import Renderer
from .i18n import _, country_name
from .locations import country_at
from .messages import Answer, Button, Incoming, Reply

MEDIA_TOPIC = "media"  # the topic logged for the answer to a voice note, photo or file


def not_written(
    message: Incoming, language: str, countries: set[str], renderer: Renderer
) -> Answer | None:
    """The answer to a location or media message, or None for a location outside the
    services directory (then the user is asked to choose a country, as after "/country")."""
    user = str(message.user)
    if message.location is None:
        return Answer(user, "", language, MEDIA_TOPIC, 1.0, [media_reply(language, renderer)])
    if message.group:  # others read along: a location is not used there
        reply = Reply(
            _(
                language,
                "Please do not share your location in a group. "
                "Write to me in a private chat instead.",
            )
        )
        return Answer(user, "", language, "privacy", 1.0, [reply])
    code = country_at(message.location.latitude, message.location.longitude, countries)
    if code is None:
        return None
    return Answer(user, "", language, "find_help", 1.0, [location_question(code, language)])


def location_question(code: str, language: str) -> Reply:
    """Offer the help services of the country the user is in, if they want them: "Yes" sends
    "/country XX" back to the engine like any button; nothing about the location is stored."""
    question = _(
        language,
        "Should Masar show the official help services in {country}? "
        "Masar does not store your location.",
        country=country_name(code, language),
    )
    return Reply(
        question,
        [Button(_(language, "Yes"), f"/country {code}"), Button(_(language, "No"), "/menu")],
    )


def media_reply(language: str, renderer: Renderer) -> Reply:
    """Voice notes, photos, stickers, files: a polite answer and the menu, never a dead end."""
    text = _(
        language,
        "I can only read written messages, not voice notes, photos or files. "
        "Please write your question, or choose a topic:",
    )
    return Reply(text, renderer.menu(language).buttons)

"""Typed models of what NGO staff write in content/: topics, answers, services, reviews.

The rest of the bot only sees these objects, never raw YAML, so a content change can never
reach a user without passing through the loader's checks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Source:
    """An official page an answer is based on; shown under the answer."""

    name: str
    url: str


@dataclass(frozen=True)
class Review:
    """Who checked an answer, when, and until when the check is trusted."""

    reviewed_by: str
    reviewed_on: dt.date
    expires_on: dt.date

    def expired(self, today: dt.date) -> bool:
        return today > self.expires_on


@dataclass(frozen=True)
class Translation:
    """One topic in one language: how people ask about it, and what the bot answers."""

    language: str
    examples: tuple[str, ...]
    answer: str
    native_review: bool = False


@dataclass(frozen=True)
class Topic:
    """A catalogue topic with its answers in every language it has."""

    id: str
    group: str
    follow_up: tuple[str, ...]
    sources: tuple[Source, ...]
    review: Review | None
    needs_verification: tuple[str, ...]
    translations: dict[str, Translation]
    path: Path | None = None

    def translation(self, language: str, fallback: str = "en") -> Translation | None:
        return self.translations.get(language) or self.translations.get(fallback)


@dataclass(frozen=True)
class PhoneNumber:
    name: str
    number: str


@dataclass(frozen=True)
class Service:
    """An official help service in one country (UNHCR, IOM, asylum authority, legal aid...)."""

    kind: str
    name: str
    url: str | None
    phone: str | None
    source: str | None
    verified_on: dt.date | None
    needs_verification: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Country:
    """Emergency numbers and help services of one country, from content/services/."""

    code: str
    aliases: tuple[str, ...]
    emergency: str | None
    other_numbers: tuple[PhoneNumber, ...] = ()
    sea_rescue: PhoneNumber | None = None
    services: tuple[Service, ...] = ()
    path: Path | None = None


@dataclass
class Content:
    """Everything the bot may say, loaded from content/."""

    topics: dict[str, Topic] = field(default_factory=dict)
    countries: dict[str, Country] = field(default_factory=dict)
    root: Path | None = None

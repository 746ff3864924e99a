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
    """Who wrote the answers and when; who checked them against their sources and when.

    Writing a text is not checking it: only a check against the sources on a known day lets
    the bot say "Last checked". Reviewers are named by a role or initials the NGO chooses.
    `verified_languages` lists the languages whose answers were compared with the sources
    (None: every language of the topic).
    """

    written_by: str
    written_on: dt.date
    expires_on: dt.date
    verified_by: str | None = None
    verified_on: dt.date | None = None
    verified_languages: tuple[str, ...] | None = None

    def expired(self, today: dt.date) -> bool:
        return today > self.expires_on

    def verified(self, language: str | None = None) -> bool:
        """Checked against the sources after the answers were last written (in `language`)."""
        if not self.verified_by or self.verified_on is None or self.verified_on < self.written_on:
            return False
        return (
            language is None
            or self.verified_languages is None
            or language in self.verified_languages
        )


@dataclass(frozen=True)
class DatedFact:
    """A fact that is true only until a day (`ends_on`) or only from a day (`starts_on`).

    A protection that ends, a law that starts to apply: content that depends on such a date
    goes stale on that day unless someone rewrites it, so `masar content check` warns before
    the day and fails after it, and the bot stops serving a topic whose fact has ended.
    """

    fact: str
    source: str | None
    ends_on: dt.date | None = None
    starts_on: dt.date | None = None
    warn_days: int | None = None
    line: int = 0
    note: str | None = None

    @property
    def date(self) -> dt.date:
        day = self.ends_on or self.starts_on
        assert day is not None
        return day

    def passed(self, today: dt.date, written_on: dt.date | None) -> bool:
        """The content is stale: the fact has ended, or has started after the text was written."""
        if self.ends_on is not None:
            return today > self.ends_on
        return today >= self.date and (written_on is None or written_on < self.date)

    def days_left(self, today: dt.date) -> int:
        return (self.date - today).days


@dataclass(frozen=True)
class Translation:
    """One topic in one language: how people ask about it, and what the bot answers."""

    language: str
    examples: tuple[str, ...]
    answer: str
    native_review: bool = False
    native_reviewed_by: str | None = None  # a role or initials, when recorded
    native_reviewed_on: dt.date | None = None


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
    dated_facts: tuple[DatedFact, ...] = ()

    def translation(self, language: str, fallback: str = "en") -> Translation | None:
        return self.translations.get(language) or self.translations.get(fallback)

    def verified(self, language: str) -> bool:
        """Whether the answer in `language` was checked against its sources (see Review)."""
        return self.review is not None and self.review.verified(language)

    def stale_facts(self, today: dt.date) -> list[DatedFact]:
        written = self.review.written_on if self.review else None
        return [f for f in self.dated_facts if f.passed(today, written)]

    def out_of_date(self, today: dt.date) -> bool:
        """Not to be served: the review has expired, or a fact it depends on has passed."""
        return bool((self.review and self.review.expired(today)) or self.stale_facts(today))


@dataclass(frozen=True)
class PhoneNumber:
    """A number to call; `confirmed` only when seen on its official source on a known day."""

    name: str
    number: str
    verified_on: dt.date | None = None
    needs_verification: bool = False

    @property
    def confirmed(self) -> bool:
        return not self.needs_verification and self.verified_on is not None


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

    @property
    def confirmed(self) -> bool:
        """Seen on its source page on a known day (`verified_on`), and not flagged."""
        return not self.needs_verification and self.verified_on is not None


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
    emergency_verified_on: dt.date | None = None
    emergency_needs_verification: bool = False
    written_on: dt.date | None = None
    dated_facts: tuple[DatedFact, ...] = ()

    @property
    def emergency_confirmed(self) -> bool:
        return not self.emergency_needs_verification and self.emergency_verified_on is not None


@dataclass
class Content:
    """Everything the bot may say, loaded from content/."""

    topics: dict[str, Topic] = field(default_factory=dict)
    countries: dict[str, Country] = field(default_factory=dict)
    root: Path | None = None

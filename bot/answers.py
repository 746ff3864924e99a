"""Turn a topic, a language and what we know of the user into replies with buttons.

This is the only place that puts content/ into words on the screen: the answer, its sources
and the day it was checked, follow-up buttons, a country's help services, and the "being
checked" notice for answers whose review has expired or whose dated fact has passed.

Honest dates: "Last checked" is said only of what someone checked against its source on a
day (a verified topic, a confirmed service); an answer nobody has checked yet says so, and a
number or service not yet confirmed is marked as such in the user's language. Emergency
numbers are always shown, confirmed or not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .content.catalogue import GROUP_OF, LANGUAGES, MENU, TITLES
from .content.models import Content, Country, PhoneNumber, Service, Topic
from .i18n import _, bidi, country_name, format_day, language_name
from .messages import Button, Reply

KIND_LABELS = {
    "unhcr": "UNHCR (UN Refugee Agency)",
    "iom": "IOM (UN Migration)",
    "asylum_authority": "Asylum authority",
    "legal_aid": "Free legal aid",
    "red_cross": "Red Cross / Red Crescent",
}
EMERGENCY_TOPICS = ("emergency_at_sea", "emergency_general")


@dataclass
class Situation:
    """What the renderer may use about the user: language, the country they are in, the
    NLU's guesses, a country the message asks about, and whether it follows up the last
    answer ("and in Germany?"), and the sibling topic the NLU hesitated with (offered first).
    """

    language: str
    country: str | None = None
    ranking: tuple[str, ...] = ()
    about: str | None = None
    follow_up: bool = False
    sibling: str | None = None


def unconfirmed(confirmed: bool, language: str) -> str:
    """The words that follow a number or service nobody has confirmed yet ("" if confirmed)."""
    return "" if confirmed else " " + _(language, "(not yet confirmed)")


def service_line(service: Service, language: str) -> str:
    """One help service: its kind, name, link and phone, marked if not yet confirmed."""
    where = " · ".join(x for x in (service.url, service.phone) if x)
    label = _(language, KIND_LABELS[service.kind])
    return f"• {label}: {service.name} – {where}{unconfirmed(service.confirmed, language)}"


def emergency_line(country: Country, language: str) -> str | None:
    """The country's emergency number line, marked if not yet confirmed; None if it has none."""
    if not country.emergency:
        return None
    text = _(language, "Emergency: {number}", number=country.emergency)
    return text + unconfirmed(country.emergency_confirmed, language)


def number_line(number: PhoneNumber, language: str) -> str:
    return f"{number.name}: {number.number}{unconfirmed(number.confirmed, language)}"


def not_checked(language: str) -> str:
    """The line under an answer that nobody has checked against its sources yet."""
    return _(
        language,
        "This answer has not yet been checked against the official sources: "
        "please confirm with them.",
    )


def topic_button(topic: str, language: str) -> Button:
    return Button(_(language, TITLES.get(topic, topic)), f"/{topic}")


def menu_buttons(language: str) -> list[Button]:
    return [topic_button(t, language) for t in MENU] + [
        topic_button("human_help", language),
        topic_button("change_language", language),
    ]


def language_buttons() -> list[Button]:
    return [Button(language_name(code), f"/language {code}") for code in LANGUAGES]


def country_buttons(content: Content, language: str) -> list[Button]:
    codes = sorted(content.countries, key=lambda c: country_name(c, language))
    return [Button(country_name(code, language), f"/country {code}") for code in codes]


class Renderer:
    """Renders topics from loaded content; `today` decides which reviews have expired."""

    def __init__(self, content: Content, enforce_review_expiry: bool = True) -> None:
        self.content = content
        self.enforce_review_expiry = enforce_review_expiry

    def _footer(self, topic: Topic, language: str) -> str:
        """The sources, then the day they were checked, or plainly that nobody has yet."""
        lines = [
            _(language, "Source: {name} – {url}", name=s.name, url=s.url) for s in topic.sources
        ]
        tr = topic.translation(language)
        review = topic.review
        if review and tr and review.verified(tr.language) and review.verified_on:
            lines.append(
                _(language, "Last checked: {date}", date=format_day(review.verified_on, language))
            )
        elif topic.sources:
            lines.append(not_checked(language))
        return "\n".join(lines)

    def emergency_numbers(self, country: Country | None, language: str, at_sea: bool) -> str:
        """The numbers to call, first line of every emergency answer."""
        if country is None:
            # Where the user is is unknown: say so, and give only advice that holds anywhere.
            # 112 is confirmed for every EU country, free from any phone (Hungary's national
            # 112 service, "112 in the EU", https://www.112.hu/en/112_in_the_EU; the European
            # Commission's 112 text as republished in 2009). No official source confirms it in
            # Libya, Tunisia, Sudan or Afghanistan, so it is not offered as a worldwide number.
            # At sea: VHF channel 16 (156.800 MHz) is the distress, safety and calling channel
            # (US Coast Guard Navigation Center, VHF channel table; 47 CFR 80.369), the same
            # advice as content/topics/emergency_at_sea.yml.
            text = _(
                language,
                "Emergency: in EU countries call 112; elsewhere call the local emergency number.",
            )
            text += "\n" + _(
                language, "We don't know which country you are in: send /country to tell us."
            )
            if at_sea:
                text += "\n" + _(
                    language,
                    "At sea: call the coast guard or any rescue centre you can reach (in"
                    " European waters also 112); on a boat radio, use VHF channel 16. Give"
                    " your GPS position.",
                )
            return text
        name = country_name(country.code, language)
        if country.emergency:
            parts = [
                _(
                    language,
                    "Emergency in {country}: {number}",
                    country=name,
                    number=country.emergency,
                )
                + unconfirmed(country.emergency_confirmed, language)
            ]
        else:
            parts = [
                _(
                    language,
                    "Emergency in {country}: call the local emergency number.",
                    country=name,
                )
            ]
        if at_sea and country.sea_rescue:
            parts.append(self._sea_rescue(country.sea_rescue, language))
        for other in country.other_numbers:
            parts.append(number_line(other, language))
        return "\n".join(parts)

    @staticmethod
    def _sea_rescue(number: PhoneNumber, language: str) -> str:
        text = _(language, "Sea rescue: {number}", number=number.number)
        return text + unconfirmed(number.confirmed, language)

    def services(self, country: Country, language: str) -> Reply:
        """The official help services of one country, in the user's language."""
        name = country_name(country.code, language)
        lines = [_(language, "Official help in {country}:", country=name)]
        emergency = emergency_line(country, language)
        if emergency:
            lines.append(emergency)
        if country.sea_rescue:
            lines.append(self._sea_rescue(country.sea_rescue, language))
        lines += [service_line(s, language) for s in country.services]
        # the oldest check of what is shown as confirmed; unconfirmed entries carry their mark
        dates = [s.verified_on for s in country.services if s.confirmed and s.verified_on]
        if dates:
            lines.append(_(language, "Last checked: {date}", date=format_day(min(dates), language)))
        return Reply(
            bidi("\n".join(lines), language),
            [
                topic_button("legal_aid", language),
                topic_button("asylum_how_to_apply", language),
                Button(_(language, "Menu"), "/menu"),
            ],
        )

    def topic(
        self, topic_id: str, situation: Situation, today: dt.date | None = None
    ) -> list[Reply]:
        """The replies for one topic; [] if the topic has no content at all."""
        language = situation.language
        topic = self.content.topics.get(topic_id)
        country = self.content.countries.get(situation.country or "")
        if topic_id in EMERGENCY_TOPICS:  # numbers first, even if the topic's content is broken
            first = self.emergency_numbers(country, language, at_sea=topic_id == "emergency_at_sea")
            tr = topic.translation(language) if topic else None
            body = (
                f"{first}\n\n{tr.answer}\n\n{self._footer(topic, language)}"
                if topic and tr
                else first
            )
            buttons = [topic_button(t, language) for t in topic.follow_up] if topic else []
            return [Reply(bidi(body.strip(), language), buttons)]
        if topic is None:
            return []
        today = today or dt.date.today()
        tr = topic.translation(language)
        # "what is asylum" was close to two asylum topics (bot/nlu/fallback.py): the other one
        # is the first button, one tap away
        also = [situation.sibling] if situation.sibling and situation.sibling != topic_id else []
        follow_up = [*also, *(t for t in topic.follow_up if t not in also)]
        buttons = [topic_button(t, language) for t in follow_up]
        if tr is None:
            return []
        if self.enforce_review_expiry and topic.out_of_date(today):
            text = _(
                language,
                "This information is being checked again and is not shown until it is. "
                "Meanwhile, please use the official sources:",
            )
            links = "\n".join(f"• {s.name} – {s.url}" for s in topic.sources)
            return [
                Reply(bidi(f"{text}\n{links}", language), [topic_button("find_help", language)])
            ]
        if topic_id == "fallback":
            closest = [
                t for t in situation.ranking if GROUP_OF.get(t) not in (None, "conversation")
            ][:3]
            buttons = [topic_button(t, language) for t in closest] + [
                Button(_(language, "Menu"), "/menu")
            ]
            return [Reply(bidi(tr.answer, language), buttons)]
        if topic_id == "change_language":
            return [Reply(tr.answer, language_buttons())]
        if topic_id == "greet":
            return [Reply(bidi(tr.answer, language), menu_buttons(language))]
        if topic_id == "find_help":
            asked = self.content.countries.get(situation.about or "") or country
            if asked:
                return [self.services(asked, language)]
            return [Reply(bidi(tr.answer, language), country_buttons(self.content, language))]
        footer = self._footer(topic, language)
        text = f"{tr.answer}\n\n{footer}" if footer else tr.answer
        if GROUP_OF[topic_id] != "conversation":
            buttons = [*buttons, Button(_(language, "Menu"), "/menu")]
        replies = [Reply(bidi(text, language), buttons)]
        asked = self.content.countries.get(situation.about or "")
        if situation.follow_up and asked and GROUP_OF[topic_id] != "conversation":
            replies.append(self.services(asked, language))  # "and in Germany?"
        return replies

    def menu(self, language: str) -> Reply:
        return Reply(
            _(language, "What would you like to know? Choose a topic or write your question."),
            menu_buttons(language),
        )

    def choose_language(self, language: str) -> Reply:
        return Reply(_(language, "Choose your language:"), language_buttons())

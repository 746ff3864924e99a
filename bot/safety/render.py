"""Safety answers in words: the offer check's findings, and protection for trafficking signs.

The explanations of red flags come from content/safety/offer_flags.yml (per language); every
fixed sentence around them is an interface string, translated through the gettext catalogs.
"""

from __future__ import annotations

from ..answers import Renderer, Situation, emergency_line, service_line, topic_button
from ..i18n import _, bidi, country_name, ngettext
from ..messages import Button, Reply
from .offers import OfferCheck, looks_pasted

# Organisations that help people who are exploited or held, in the order they are shown.
PROTECTION_KINDS = ("iom", "legal_aid", "red_cross", "unhcr")


def _risk_line(check: OfferCheck, language: str) -> str:
    if check.risk == "high":
        return _(language, "Risk: HIGH. Do not pay, do not send documents, do not go.")
    if check.risk == "medium":
        return _(
            language, "Risk: medium. Be very careful and check this offer before you do anything."
        )
    if check.findings:
        return _(language, "Risk: low, but that does not prove the offer is safe.")
    return _(
        language, "I found none of the usual warning signs. That does not prove the offer is safe."
    )


def offer_reply(check: OfferCheck, language: str) -> Reply:
    """The analysis of a pasted advert: risk, each red flag quoted and explained, what to do."""
    lines = [_risk_line(check, language)]
    if check.findings:
        lines.append(
            ngettext(
                language,
                "{n} warning sign in this message",
                "{n} warning signs in this message",
                len(check.findings),
            )
        )
        for i, finding in enumerate(check.findings, 1):
            lines.append(
                f"{i}. "
                + _(
                    language,
                    "“{quote}”: {explanation}",
                    quote=finding.quote,
                    explanation=finding.flag.explain(language),
                )
            )
    lines.append(
        _(
            language,
            "What to do instead: do not pay and do not send copies of your documents. Check "
            "the offer with official services: the embassy or consulate of the country, IOM, "
            "or a free legal aid service. There are legal ways to travel, such as work and "
            "study visas, family reunification and resettlement.",
        )
    )
    buttons = [
        topic_button("legal_routes_overview", language),
        topic_button("find_help", language),
        topic_button("human_help", language),
        Button(_(language, "Menu"), "/menu"),
    ]
    return Reply(bidi("\n\n".join(lines), language), buttons)


def with_offer_check(
    check: OfferCheck, text: str, language: str, topic: str, replies: list[Reply], advert: bool
) -> tuple[str, list[Reply]]:
    """Put the offer check in front of the answer when the message is or describes an offer.

    That is: an advert (long, two or more red flags); or the model says the user asks about an
    offer and the text has a red flag or was pasted; or the model says the user asks for a
    smuggler and the text describes an offer (two or more red flags: "the VIP boat, pay cash").
    A question without them ("can you check an offer?", "I need someone to take me to Greece
    by boat") keeps the topic's own answer: "no warning signs found", or a single flag quoted
    from the user's own request, would be the wrong reply to it.
    """
    offer = topic == "offer_check" and (check.findings or looks_pasted(text))
    smuggler_offer = topic == "smuggler_contact_request" and len(check.findings) >= 2
    if not (advert or offer or smuggler_offer):
        return topic, replies
    # after a smuggler request, the topic's answer (risks, legal alternatives) still follows
    keep = replies if topic == "smuggler_contact_request" else []
    return "offer_check", [offer_reply(check, language), *keep]


def protection_replies(
    renderer: Renderer, topic: str, language: str, country_code: str | None, replies: list[Reply]
) -> list[Reply]:
    """Trafficking or kidnapping: the topic's answer, the organisations to contact, a person."""
    content = renderer.content
    if not any(r.text for r in replies) or topic not in content.topics:
        replies = renderer.topic(topic, Situation(language, country_code)) or [
            Reply(
                _(
                    language,
                    "What you describe is a serious crime, and it is not your fault. You can get help "
                    "from the organisations below, and from a person here.",
                )
            )
        ]
    country = content.countries.get(country_code or "")
    if country:
        name = country_name(country.code, language)
        lines = [_(language, "Organisations that can help in {country}:", country=name)]
        emergency = emergency_line(country, language)
        if emergency:
            lines.append(emergency)
        for kind in PROTECTION_KINDS:
            lines += [service_line(s, language) for s in country.services if s.kind == kind]
        help_reply = Reply(bidi("\n".join(lines), language))
    else:
        help_reply = Reply(
            _(
                language,
                "Tell me the country you are in, and I will show you the organisations "
                "that help there.",
            ),
            [topic_button("find_help", language)],
        )
    replies = [r for r in replies if r.text]
    help_reply.buttons = [
        Button(_(language, "Talk to a person"), "/human_help"),
        *help_reply.buttons,
    ]
    if not any(b.payload == "/menu" for r in replies for b in r.buttons):
        help_reply.buttons.append(Button(_(language, "Menu"), "/menu"))
    return [*replies, help_reply]

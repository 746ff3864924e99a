"""The offer check: red flags quoted from smugglers' adverts in every launch language, a risk
level, and what to do instead; honest adverts and official notices are not called high risk."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

import pytest
import yaml

from bot.content.catalogue import LANGUAGES
from bot.messages import Reply
from bot.safety.checks import check_safety_files
from bot.safety.offers import (
    Finding,
    Flag,
    OfferChecker,
    load_checker,
    looks_like_advert,
    risk_level,
)
from bot.safety.render import offer_reply, with_offer_check

ROOT = Path(__file__).resolve().parent.parent
ADVERTS = yaml.safe_load((ROOT / "tests" / "data" / "offers.yml").read_text(encoding="utf-8"))
NO_DIRECTION_MARKS = str.maketrans("", "", "\u2068\u2069\u200e\u200f")
REQUIRED_FLAGS = {
    "upfront_payment",
    "no_visa_needed",
    "guarantee",
    "safe_ship",
    "documents_for_sale",
    "messenger_only",
    "pressure",
    "cash_hawala_crypto",
    "recruitment_fee",
}


@pytest.fixture(scope="module")
def checker() -> OfferChecker:
    return load_checker(ROOT / "content")


def test_every_launch_language_has_a_smuggler_advert_and_a_legitimate_one():
    for language in LANGUAGES:
        assert ADVERTS[language]["smuggler"] and ADVERTS[language]["legitimate"], language


def test_the_flags_cover_the_red_flags_people_meet(checker):
    ids = {f.id for f in checker.flags}
    assert ids >= REQUIRED_FLAGS
    for flag in checker.flags:
        for language in LANGUAGES:
            assert flag.explanation.get(language, "").strip(), (flag.id, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_smuggler_advert_gets_its_red_flags_quoted_and_a_high_risk(checker, language):
    for advert in ADVERTS[language]["smuggler"]:
        text = " ".join(advert["text"].split())
        check = checker.check(text)
        assert check.risk == "high", (language, check.flag_ids)
        assert set(advert["flags"]) <= set(check.flag_ids), (
            language,
            set(advert["flags"]) - set(check.flag_ids),
        )
        for finding in check.findings:
            assert finding.quote and text[finding.start : finding.end].startswith(
                finding.quote.rstrip("…")
            ), finding
        assert looks_like_advert(text, check)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_legal_job_advert_or_official_notice_is_not_high_risk(checker, language):
    for advert in ADVERTS[language]["legitimate"]:
        check = checker.check(" ".join(advert["text"].split()))
        assert check.risk != "high", (language, [(f.flag.id, f.quote) for f in check.findings])


def test_quotes_keep_the_users_own_spelling(checker):
    check = checker.check("Départ demain ! Paiement en ESPÈCES uniquement, gros bateau")
    quotes = {f.flag.id: f.quote for f in check.findings}
    assert quotes["cash_hawala_crypto"] == "en ESPÈCES"
    assert quotes["pressure"] == "Départ demain"


def test_the_risk_rule():
    plain = Flag("plain", False, {}, ())
    serious = Flag("serious", True, {}, ())

    def found(*flags):
        return [Finding(f, "x", 0, 1) for f in flags]

    assert risk_level(found()) == "low"
    assert risk_level(found(plain)) == "low"
    assert risk_level(found(plain, plain)) == "medium"
    assert risk_level(found(plain, plain, plain)) == "high"
    assert risk_level(found(serious)) == "high"


def test_warnings_and_negations_are_not_flags(checker):
    assert checker.check("No recruitment fees. Do not pay anyone in advance.").findings == []
    assert checker.check("Nobody can guarantee you a visa.").findings == []


def test_the_answer_quotes_explains_and_says_what_to_do(checker):
    text = " ".join(ADVERTS["en"]["smuggler"][0]["text"].split())
    reply = offer_reply(checker.check(text), "en")
    assert reply.text.startswith("Risk: HIGH")
    assert "“half now”" in reply.text and "disappear" in reply.text
    assert "What to do instead" in reply.text
    payloads = [b.payload for b in reply.buttons]
    assert "/legal_routes_overview" in payloads and "/human_help" in payloads


def test_no_red_flags_is_not_called_safe(checker):
    reply = offer_reply(
        checker.check("We are a bakery in Lyon looking for a baker, full-time contract."), "en"
    )
    assert "does not prove the offer is safe" in reply.text


def test_when_the_check_joins_the_answer(checker):
    topic_reply = [Reply("topic answer")]
    question = "can you check an offer for me?"
    smuggler_question = "how much for the VIP boat, can I pay cash"
    # a short question keeps the topic's own answer
    assert with_offer_check(
        checker.check(question), question, "en", "offer_check", topic_reply, False
    ) == ("offer_check", topic_reply)
    # a smuggler request with red flags: the check first, then the topic's answer on the risks
    topic, replies = with_offer_check(
        checker.check(smuggler_question),
        smuggler_question,
        "en",
        "smuggler_contact_request",
        topic_reply,
        False,
    )
    assert (
        topic == "offer_check"
        and replies[0].text.startswith("Risk")
        and replies[1] is topic_reply[0]
    )
    # another topic keeps its answer unless the text is an advert
    assert with_offer_check(
        checker.check(smuggler_question), smuggler_question, "en", "visa_basics", topic_reply, False
    ) == ("visa_basics", topic_reply)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_pasted_advert_through_the_engine(ask, language):
    text = " ".join(ADVERTS[language]["smuggler"][0]["text"].split())
    answer = ask(f"offer-{language}", text)
    assert answer.topic == "offer_check"
    first = answer.replies[0].text.translate(NO_DIRECTION_MARKS)
    for finding in load_checker(ROOT / "content").check(text).findings:
        assert finding.quote in first
        assert finding.flag.explain(answer.language) in first
    assert any(b.payload == "/human_help" for b in answer.replies[0].buttons)


def test_the_advert_text_is_neither_stored_nor_logged(engine, ask, caplog):
    from bot import privacy

    text = " ".join(ADVERTS["en"]["smuggler"][1]["text"].split())
    with caplog.at_level(logging.DEBUG):
        answer = ask("offer-privacy", text)
    assert answer.topic == "offer_check"
    assert "jobs_canada_fast" not in caplog.text
    tracker = asyncio.run(
        engine.agent.tracker_store.retrieve(
            privacy.user_key(engine.secret, "jsonl", "offer-privacy")
        )
    )
    stored = " ".join(str(e.as_dict()) for e in tracker.events)
    assert "jobs_canada_fast" not in stored and "Recruitment fee 2000" not in stored


def test_content_check_reports_offer_file_problems_with_lines(tmp_path):
    safety = tmp_path / "safety"
    safety.mkdir()
    shutil.copy(ROOT / "content" / "safety" / "offer_flags.yml", safety / "offer_flags.yml")
    text = (safety / "offer_flags.yml").read_text(encoding="utf-8")
    text = text.replace(
        "        - '\\b(acompte|arrhes)\\b'", "        - '\\b(acompte|arrhes\\b'", 1
    )
    text = text.replace("    serious: true\n", "    serious: maybe\n", 1)
    text = text.replace(
        "      uk: >-\n        Гроші наперед", "      xx: >-\n        Гроші наперед", 1
    )
    (safety / "offer_flags.yml").write_text(text, encoding="utf-8")
    problems = [p for p in check_safety_files(tmp_path) if p.severity == "error"]
    lines = text.splitlines()
    broken = next(p for p in problems if "invalid pattern" in p.message)
    assert "arrhes" in lines[broken.line - 1]
    assert any("serious: true" in p.message for p in problems)
    assert any("no explanation in 'uk'" in p.message for p in problems)


# -- real adverts: recognised whatever the classifier says, contacts never repeated ---------------


def _all_adverts() -> list[tuple[str, str]]:
    """(name, text) of every smuggler advert in tests/data/offers.yml and in the chat set."""
    from bot.benchmarks.chat import load_chat_set

    adverts = [
        (f"offers-{language}-{i}", " ".join(advert["text"].split()))
        for language in LANGUAGES
        for i, advert in enumerate(ADVERTS[language]["smuggler"])
    ]
    adverts += [
        (f"chat-{item.row}-{i}", item.turns[-1])
        for i, item in enumerate(load_chat_set())
        if item.advert
    ]
    return adverts


def test_contacts_are_hidden_in_quotes():
    from bot.safety.offers import hide_contacts

    assert hide_contacts("WhatsApp only: +000 91 234 5678") == "WhatsApp only: …"
    assert hide_contacts("واتساب +٠٠٠ ٥٥٥ ٠١٠٣ بس") == "واتساب … بس"
    assert hide_contacts("Telegram @boats_fast_000, t.me/boats000") == "Telegram …, …"
    assert hide_contacts("price 3500$, 80 metres") == "price 3500$, 80 metres"


def test_a_short_advert_with_a_contact_is_an_advert_but_a_question_is_not(checker):
    advert = "We sell original European passports without the embassy. Telegram @docs_000"
    assert looks_like_advert(advert, checker.check(advert))
    question = "someone offered me a passport without the embassy, is that real?"
    assert not looks_like_advert(question, checker.check(question))


def test_a_price_next_to_a_contact_is_an_advert_even_in_words_no_flag_knows(checker):
    advert = "factory work in Russia 🇷🇺 monthly salary 1200 dollars, call +000 555 0177"
    assert looks_like_advert(advert, checker.check(advert))
    pashto = "په روسیه کې کار، میاشتنی معاش ۱۲۰۰ ډالر، اړیکه +000 555 0177"
    assert looks_like_advert(pashto, checker.check(pashto))
    # the currency as Spanish and Urdu write it
    spanish = "trabajo en una fábrica, 1500 dólares al mes, escribe al +000 555 0177"
    assert looks_like_advert(spanish, checker.check(spanish))
    urdu = "فیکٹری میں کام، تنخواہ 1500 ڈالر ماہانہ، رابطہ +000 555 0177"
    assert looks_like_advert(urdu, checker.check(urdu))
    question = "is 1200 dollars a month a good salary in Russia? my number changed"
    assert not looks_like_advert(question, checker.check(question))
    no_price = "my cousin is in Russia, this is his new number +000 555 0177 please"
    assert not looks_like_advert(no_price, checker.check(no_price))


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("rayek fi 7ar9a madhmouna l lampedusa?", "guarantee"),
        ("یوازې ۷۰۰ ډالر مخکې ورکړئ", "upfront_payment"),
    ],
)
def test_dialect_spellings_of_red_flags(checker, text, flag):
    assert flag in [f.flag.id for f in checker.check(text).findings]


def test_no_contact_from_any_advert_is_ever_repeated_in_a_reply(ask):
    """Every advert of the test data and the chat set, through the real engine."""
    from bot.benchmarks.chat import contacts, leaked

    adverts = _all_adverts()
    assert len(adverts) >= 80 and all(contacts(text) for _name, text in adverts[-40:])
    failures = []
    for name, text in adverts:
        answer = ask(name, text)
        reply = "\n".join(r.text for r in answer.replies)
        if answer.topic != "offer_check" or leaked(text, reply):
            failures.append((name, answer.topic, leaked(text, reply)))
    assert failures == []


def test_an_arabic_advert_gets_the_offer_check_not_the_refusal_for_smuggler_requests(ask):
    advert = (
        "السلام عليكم يا اخوان من سوريا 🌹 رحلة من السودان لليبيا عن طريق الصحراء وبعدين مراكب "
        "ممتازة لإيطاليا، السفينة طولها 90 متر، بدون فيزا، على ضمانتي، للجادين فقط. "
        "واتساب +000 777 0001 / فايبر +000 777 0002"
    )
    answer = ask("offer-ar-route", advert)
    assert answer.topic == "offer_check"
    first = answer.replies[0].text.translate(NO_DIRECTION_MARKS)
    from bot.i18n import _

    assert first.startswith(_("ar", "Risk: HIGH. Do not pay, do not send documents, do not go."))
    for quote in ("عن طريق الصحراء", "مراكب ممتازة", "بدون فيزا", "ضمانتي", "للجادين فقط"):
        assert quote in first, quote
    assert "777" not in first


@pytest.mark.parametrize(
    "advert",
    [
        "Complete immigration package for Canada: entry visa, residence and work permits, "
        "marriage if needed and school for your children. Contact +000 321 0000",
        "Original European passports and Schengen visas without the embassy, delivered in a "
        "week. Telegram @eu_docs_000",
        "باكيج هجرة متكامل لأوروبا: دخول وإقامة وتصريح عمل وزواج إذا لزم ومدرسة للأولاد. "
        "للتواصل +000 321 0001",
    ],
)
def test_package_and_passport_adverts_get_the_offer_check_with_a_high_risk(ask, checker, advert):
    answer = ask(f"offer-package-{hash(advert) % 1000}", advert)
    assert answer.topic == "offer_check", answer.topic
    check = checker.check(advert)
    assert check.risk == "high"
    assert {"papers_package", "documents_for_sale"} & set(check.flag_ids)
    assert "321" not in answer.replies[0].text

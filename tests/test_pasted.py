"""Long pasted text gets the fallback or is answered on the question added to it (bot/pasted.py),
through the real engine, never at the expense of adverts or emergencies.

The texts are tests/data/pasted.yml (news reports, legal texts, chain messages, song verses, a
copied group chat, in eight languages; before bot/pasted.py, seven of them were answered with a
topic, and an Arabic question under an English article in English); the adverts are
tests/data/offers.yml's.
"""

from __future__ import annotations

import pytest
import yaml
from hostile import ROOT

from bot.benchmarks.chat import CHAT_SETS, load_chat_set
from bot.pasted import Pasted, pasted

PASTED = yaml.safe_load((ROOT / "tests" / "data" / "pasted.yml").read_text(encoding="utf-8"))
OFFERS = yaml.safe_load((ROOT / "tests" / "data" / "offers.yml").read_text(encoding="utf-8"))
ADVERTS = [
    (f"{language}-{i}", " ".join(advert["text"].split()))
    for language, kinds in OFFERS.items()
    for i, advert in enumerate(kinds["smuggler"])
]


def ids(items) -> list[str]:
    return [f"{item['language']}-{item.get('kind', i)}" for i, item in enumerate(items)]


# -- the rule alone (no model) ---------------------------------------------------------------------


def test_what_counts_as_pasted():
    assert len({item["language"] for item in PASTED["pasted"]}) >= 6
    for item in PASTED["pasted"]:
        assert pasted(item["text"], item["language"]) == Pasted(None), item["kind"]
    for item in PASTED["with_question"]:
        question = item["text"].splitlines()[-1].strip()
        assert pasted(item["text"], item["language"]) == Pasted(question)
    for item in PASTED["stories"] + PASTED["danger"]:
        assert pasted(item["text"], item["language"]) is None, item["text"][:40]


def test_no_question_of_the_chat_sets_counts_as_pasted():
    items = [item for folder in CHAT_SETS.values() for item in load_chat_set(folder)]
    taken = [
        turn
        for item in items
        if not item.advert
        for turn in item.turns
        if pasted(turn, item.language)
    ]
    assert len(items) > 600 and not taken, taken


# -- through the real engine -----------------------------------------------------------------------


@pytest.mark.parametrize("item", PASTED["pasted"], ids=ids(PASTED["pasted"]))
def test_a_pasted_text_without_a_question_gets_the_fallback(ask, item):
    answer = ask(f"pasted-{item['language']}-{item['kind']}", item["text"])
    assert answer.topic == "fallback", answer.topic
    assert not answer.emergency and answer.replies and answer.replies[0].text
    assert answer.language == item["language"]
    if item.get("nearest"):  # the topic the classifier would have named is offered, not imposed
        assert answer.replies[0].buttons[0].payload == f"/{item['nearest']}"


@pytest.mark.parametrize("item", PASTED["with_question"], ids=ids(PASTED["with_question"]))
def test_a_pasted_text_is_answered_on_the_question_added_to_it(ask, item):
    answer = ask(f"pasted-question-{item['language']}", item["text"])
    assert answer.topic in item["topics"], answer.topic
    assert answer.language == item["language"]  # the question's language, not the article's


@pytest.mark.parametrize("item", PASTED["stories"], ids=ids(PASTED["stories"]))
def test_a_long_story_of_the_users_own_is_read_whole(ask, item):
    answer = ask(f"pasted-story-{item['language']}", item["text"])
    assert answer.topic in ("asylum_rejected", "legal_aid"), answer.topic
    assert answer.language == item["language"]


@pytest.mark.parametrize("item", PASTED["danger"], ids=ids(PASTED["danger"]))
def test_a_long_message_that_describes_danger_gets_the_numbers_first(ask, item):
    answer = ask(f"pasted-danger-{item['language']}", item["text"])
    assert answer.emergency and answer.topic in item["topics"], answer.topic
    assert answer.language == item["language"]
    if item.get("number"):  # the place is named ("near Lampedusa"): that country's number
        assert item["number"] in answer.replies[0].text.split("\n")[0]


@pytest.mark.parametrize(("name", "advert"), ADVERTS, ids=[name for name, _ in ADVERTS])
def test_every_long_smuggler_advert_still_gets_the_offer_check(ask, name, advert):
    assert ask(f"pasted-advert-{name}", advert).topic == "offer_check"

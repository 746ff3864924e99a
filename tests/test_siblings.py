"""Close sibling topics are answered, not sent to the fallback (bot/nlu/fallback.py).

"What is asylum" sits between asylum_basics and asylum_how_to_apply; Rasa's FallbackClassifier
called that ambiguous and gave the generic fallback. Masar answers the better of two sibling
topics and offers the other as the first button; between unrelated topics the fallback stays.
"""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from bot.nlu.fallback import SIBLING, TopicFallback, sibling_of_best


def ranking(*pairs):
    return [{"name": n, "confidence": c} for n, c in pairs]


def parsed(*pairs) -> Message:
    r = ranking(*pairs)
    return Message(data={"text": "x", "intent": r[0], "intent_ranking": r})


FALLBACK = TopicFallback(
    {**TopicFallback.get_default_config(), "threshold": 0.25, "ambiguity_threshold": 0.1}
)


def test_two_close_asylum_topics_are_siblings():
    r = ranking(("asylum_how_to_apply", 0.46), ("asylum_basics", 0.44), ("find_help", 0.02))
    assert sibling_of_best(r, 0.4) == "asylum_basics"


def test_topics_of_different_families_or_the_conversation_are_not():
    assert sibling_of_best(ranking(("health_care", 0.4), ("detention", 0.35)), 0.4) is None
    assert sibling_of_best(ranking(("about_bot", 0.4), ("human_help", 0.38)), 0.4) is None
    assert sibling_of_best(ranking(("fallback", 0.3), ("greet", 0.28)), 0.4) is None
    assert sibling_of_best(ranking(("asylum_basics", 0.9)), 0.4) is None


def test_siblings_that_are_not_confident_together_are_not_enough():
    assert sibling_of_best(ranking(("offer_check", 0.2), ("sea_crossing_risks", 0.15)), 0.4) is None
    assert sibling_of_best(ranking(("offer_check", 0.22), ("job_offer_scams", 0.2)), 0.4)


def test_the_fallback_keeps_the_better_sibling_and_names_the_other():
    message = parsed(("asylum_how_to_apply", 0.46), ("asylum_basics", 0.44))
    FALLBACK.process([message])
    assert message.get("intent")["name"] == "asylum_how_to_apply"
    assert message.get(SIBLING) == "asylum_basics"


def test_the_fallback_still_comes_for_unrelated_or_weak_rankings():
    for pairs in (
        (("health_care", 0.41), ("detention", 0.38)),  # close, different families
        (("work_migration", 0.2), ("find_help", 0.18)),  # weak, different families
        (("visa_basics", 0.18), ("study_abroad", 0.15)),  # siblings, weak together
    ):
        message = parsed(*pairs)
        FALLBACK.process([message])
        assert message.get("intent")["name"] == "nlu_fallback", pairs
        assert message.get(SIBLING) is None


def test_a_clear_answer_needs_no_sibling():
    message = parsed(("asylum_basics", 0.8), ("asylum_how_to_apply", 0.1))
    FALLBACK.process([message])
    assert message.get("intent")["name"] == "asylum_basics" and message.get(SIBLING) is None


def test_the_sibling_is_the_first_button_of_the_answer(content):
    from bot.answers import Renderer, Situation

    renderer = Renderer(content)
    [reply] = renderer.topic("asylum_how_to_apply", Situation("en", sibling="asylum_basics"))
    assert reply.buttons[0].payload == "/asylum_basics"
    assert len({b.payload for b in reply.buttons}) == len(reply.buttons)
    [plain] = renderer.topic("asylum_how_to_apply", Situation("en"))
    assert (
        plain.buttons[0].payload != "/asylum_basics"
        or "asylum_basics" in (content.topics["asylum_how_to_apply"].follow_up[:1])
    )


def test_close_asylum_topics_are_answered_through_the_real_model(engine, ask):
    """One word, or a short question in Spanish, sits between asylum_basics and
    asylum_how_to_apply: the trained model's ranking names the sibling, and the person gets an
    asylum answer, never the fallback."""
    from bot.engine import Turn

    for i, (language, text) in enumerate((("en", "asylum"), ("es", "asilo que es"))):
        parse = engine._parse(text, f"siblings-parse-{i}", "test", Turn(language=language))
        intent = parse["intent"]["name"]
        assert intent in ("asylum_basics", "asylum_how_to_apply"), parse["intent"]
        assert parse.get(SIBLING) in ("asylum_basics", "asylum_how_to_apply"), parse
        assert parse[SIBLING] != intent
        answer = ask(f"siblings-{i}", text)
        assert answer.topic == intent and answer.language == language
        assert answer.replies[0].buttons[0].payload == f"/{parse[SIBLING]}"


def test_definitional_questions_get_the_basics(ask):
    for i, text in enumerate(
        ("asylum, what does it even mean", "qu'est-ce que ça veut dire, l'asile ?")
    ):
        assert ask(f"definition-{i}", text).topic == "asylum_basics", text


def test_messages_about_nothing_masar_knows_still_get_the_fallback(ask):
    for i, text in enumerate(("what's the weather in paris", "je veux acheter une voiture")):
        assert ask(f"elsewhere-{i}", text).topic == "fallback", text

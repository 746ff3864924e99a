"""Through the real trained model: follow-ups keep the conversation's topic, and the country
the user is in stays apart from countries they only mention."""

from __future__ import annotations

import itertools

import pytest

from bot.i18n import _

SEA = "is it dangerous to take the boat to italy"
_users = itertools.count()


@pytest.fixture
def user():
    return f"context-{next(_users)}"


def texts(answer) -> str:
    return "\n".join(r.text for r in answer.replies)


def test_a_question_starts_the_topic(ask, user):
    assert ask(user, SEA, lang="en").topic == "sea_crossing_risks"


def test_an_offer_after_the_sea_answer_reaches_the_offer_topics(ask, user):
    ask(user, SEA, lang="en")
    answer = ask(user, "I know a man who takes 2000 dollars", lang="en")
    assert answer.topic in ("offer_check", "smuggler_false_promises", "smuggler_contact_request")


def test_and_in_another_country_keeps_the_topic_and_shows_that_countrys_help(ask, user):
    ask(user, SEA, lang="en")
    answer = ask(user, "and in Germany?", lang="en")
    assert answer.topic == "sea_crossing_risks"
    assert _("en", "Official help in {country}:", country="Germany") in texts(answer)


def test_what_about_my_children_stays_on_the_topic(ask, user):
    ask(user, SEA, lang="en")
    assert ask(user, "what about my children?", lang="en").topic == "sea_crossing_risks"


@pytest.mark.parametrize(
    ("first", "follow_up", "lang"),
    [
        ("هل الطريق بالبحر إلى إيطاليا خطير", "وبالنسبة لأولادي؟", "ar"),
        ("el ba7r la italia 5atar?", "w el wlad?", "ar"),
        ("comment demander l'asile en France", "et en Belgique ?", "fr"),
        ("asylum ke liye apply kaise karun", "aur bachon ka kya?", "ur"),
    ],
)
def test_follow_ups_in_other_languages_keep_the_topic(ask, user, first, follow_up, lang):
    topic = ask(user, first, lang=lang).topic
    assert topic != "fallback"
    assert ask(user, follow_up, lang=lang).topic == topic


@pytest.mark.parametrize(
    ("first", "follow_up", "lang"),
    [
        ("how do I apply for asylum in France", "Belgium?", "en"),
        ("comment demander l'asile en France", "Belgique ?", "fr"),
        ("Fransa'da iltica başvurusu nasıl yapılır", "Almanya'da?", "tr"),
        ("چطور در فرانسه درخواست پناهندگی بدم", "ایتالیا چطور؟", "fa"),
        ("sideen magangalyo ugu codsadaa Faransiiska", "Talyaaniga?", "so"),
    ],
)
def test_a_country_alone_after_an_answer_asks_the_same_about_that_country(
    ask, user, first, follow_up, lang
):
    topic = ask(user, first, lang=lang).topic
    assert topic == "asylum_how_to_apply"
    assert ask(user, follow_up, lang=lang).topic == topic


def test_a_country_alone_as_a_first_message_shows_its_help(ask, user):
    assert ask(user, "Belgique ?", lang="fr").topic == "find_help"


def test_a_country_with_a_question_is_not_a_follow_up(engine):
    assert engine.names_little_but_a_country("Jarmalkana?")
    assert engine.names_little_but_a_country("تو آلمان چی؟")
    assert engine.names_little_but_a_country("en Italie ?")
    assert engine.names_little_but_a_country("is it the same in Bulgaria?")
    assert engine.names_little_but_a_country("bulgaristanda da aynı mı")
    assert engine.names_little_but_a_country("w b holanda nafs el shi?")
    assert not engine.names_little_but_a_country("asylum in Germany")
    assert not engine.names_little_but_a_country("how do I apply for asylum in Germany")
    assert not engine.names_little_but_a_country("is it dangerous")


def test_a_new_question_after_an_answer_changes_the_topic(ask, user):
    ask(user, SEA, lang="en")
    answer = ask(user, "how do i apply for asylum when i arrive in germany", lang="en")
    assert answer.topic == "asylum_how_to_apply"


def test_a_mentioned_country_does_not_move_the_user(ask, user):
    ask(user, "/country EG", lang="en")
    ask(user, "my brother was going to Libya", lang="en")
    answer = ask(user, "help our boat is sinking", lang="en")
    assert answer.emergency
    assert "122" in texts(answer)  # Egypt's emergency number
    assert "Libya" not in texts(answer).split("\n")[0]


def test_emergency_command_follows_the_country_the_user_is_in(ask, user):
    ask(user, "/country TN", lang="en")
    ask(user, "my husband got refugee status in Germany", lang="en")
    answer = ask(user, "/emergency", lang="en")
    assert "197" in texts(answer)  # Tunisia's
    assert "Germany" not in texts(answer)


@pytest.mark.parametrize(
    "said",
    ["I am in Tunisia now", "je suis en Tunisie", "انا في تونس", "ana fi tounes", "Tunus'tayım"],
)
def test_saying_where_you_are_sets_the_country(ask, user, said):
    ask(user, said)
    assert "197" in texts(ask(user, "/emergency"))


def test_when_the_country_is_unknown_the_emergency_answer_says_so(ask, user):
    answer = ask(user, "/emergency", lang="en")
    text = texts(answer)
    assert _("en", "We don't know which country you are in: send /country to tell us.") in text
    assert "112" in text


def test_stated_country_tells_being_there_from_mentioning():
    from bot.locations import stated_country

    names = {"tunisia": "TN", "germany": "DE", "libya": "LY", "تونس": "TN", "türkiye": "TR"}
    assert stated_country("i'm in tunisia", names) == "TN"
    assert stated_country("we are stuck in libya", names) == "LY"
    assert stated_country("انا في تونس", names) == "TN"
    assert stated_country("türkiye'deyim", names) == "TR"
    assert stated_country("my husband is in germany", names) is None
    assert stated_country("i want to go to germany", names) is None
    assert stated_country("i'm from tunisia", names) is None


@pytest.mark.parametrize(
    "text",
    [
        "and in Germany?",
        "what about my children?",
        "وبالنسبة لأولادي؟",
        "w el wlad?",
        "et en Belgique ?",
        "aur bachon ka kya?",
        "y en España?",
        "peki Almanya'da?",
        "а в Польщі?",
    ],
)
def test_follow_up_openings_are_recognised(text):
    from bot.nlu.context import looks_like_follow_up

    assert looks_like_follow_up(text)


@pytest.mark.parametrize(
    "text",
    [
        "how do i apply for asylum",
        "I know a man who takes 2000 dollars",
        "وين بقدم لجوء",
        "waxaan u baahanahay caawimaad",
        "and so on and so forth, I have been travelling for many months now",
    ],
)
def test_ordinary_questions_are_not_follow_ups(text):
    from bot.nlu.context import looks_like_follow_up

    assert not looks_like_follow_up(text)


def _ranked(text, ranking, previous):
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.context import ConversationContext

    message = Message(data={"text": text, "metadata": {"previous_topic": previous}})
    message.set("intent", {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking])
    ConversationContext(ConversationContext.get_default_config()).process([message])
    return message.get("intent")["name"]


def test_the_context_component_keeps_the_topic_only_where_it_should():
    unsure = [("unaccompanied_children", 0.4), ("family_reunification", 0.3)]
    assert _ranked("what about my children?", unsure, "sea_crossing_risks") == "sea_crossing_risks"
    # a clear new question keeps its own topic, follow-up or not
    sure = [("family_reunification", 0.9), ("asylum_basics", 0.05)]
    assert (
        _ranked("and family reunification?", sure, "sea_crossing_risks") == "family_reunification"
    )
    assert _ranked("I know a man", [("offer_check", 0.5)], "sea_crossing_risks") == "offer_check"
    # an unsure short message leans on the previous topic; a longer one goes by its own words
    vague = [("offer_check", 0.25), ("smuggler_contact_request", 0.24)]
    assert _ranked("how long does it take?", vague, "sea_crossing_risks") == "sea_crossing_risks"
    long_one = "I know a man who takes 2000 dollars for it"
    assert _ranked(long_one, vague, "sea_crossing_risks") == "offer_check"
    # conversation topics and emergencies are never carried over; nothing without a previous topic
    assert _ranked("and now?", unsure, "greet") == "unaccompanied_children"
    assert _ranked("and now?", unsure, None) == "unaccompanied_children"


def test_in_an_emergency_a_place_nearby_is_where_the_user_is():
    from bot.locations import stated_country

    names = {"italy": "IT", "greece": "GR", "libya": "LY", "اليونان": "GR", "yunanistan": "GR"}
    assert stated_country("boat sinking near lampedusa italy", names, emergency=True) == "IT"
    assert stated_country("we are sinking off the coast of libya", names, emergency=True) == "LY"
    assert stated_country("المركب بيغرق قرب اليونان", names, emergency=True) == "GR"
    assert stated_country("yunanistan açıklarında batıyoruz", names, emergency=True) == "GR"
    assert stated_country("my brother is near libya", names) is None  # not an emergency

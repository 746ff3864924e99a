"""The emergency net: recall and false alarms per language, and the emergency answer first,
from every state a conversation can be in, through the real engine and model."""

from __future__ import annotations

import shutil
import textwrap

import pytest

from bot.content.catalogue import LANGUAGES
from bot.safety.checks import check_safety_files
from bot.safety.emergency import EmergencyNet, load_net
from bot.safety.evaluate import LABELLED, load_labelled, score_content, score_labelled

ROOT = LABELLED.parent.parent.parent


@pytest.fixture(scope="module")
def net():
    """Both layers: the reviewed patterns and the model."""
    return load_net(ROOT / "content")


@pytest.fixture(scope="module")
def patterns():
    """The reviewed patterns alone."""
    return load_net(ROOT / "content", model=False)


@pytest.fixture(scope="module")
def scores(patterns):
    return score_labelled(patterns, load_labelled())


# -- the labelled set and the numbers ----------------------------------------------------------


def test_labelled_set_covers_every_launch_language_with_enough_messages():
    labelled = load_labelled()
    for language in LANGUAGES:
        assert len(labelled[language]["emergency"]) >= 15, language
        assert len(labelled[language]["not_emergency"]) >= 25, language


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_emergency_is_caught(scores, language):
    score = scores[language]
    assert score.recall == 1.0, f"missed in {language}: {score.missed}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_patterns_false_alarms_stay_under_five_percent_per_language(scores, language):
    score = scores[language]
    assert score.false_alarm_rate < 0.05, f"false alarms in {language}: {score.false_alarms}"


def test_the_patterns_false_alarms_stay_under_five_percent_overall(scores):
    assert scores["all"].false_alarm_rate < 0.05, scores["all"].false_alarms


def test_both_layers_catch_every_labelled_emergency_with_bounded_false_alarms(net):
    """The model layer trades false alarms for recall (measured on 2026-12-02: 5.2% of the
    ordinary labelled messages, 0% for the patterns alone; the goal is under 3%)."""
    both = score_labelled(net, load_labelled())["all"]
    assert both.recall == 1.0, both.missed
    assert both.false_alarm_rate < 0.08, both.false_alarms


def test_content_examples_of_other_topics_rarely_raise_the_alarm(net, content):
    """The net alone, before the engine's doubt rule (bot/engine.py, UNSURE_DANGER): measured
    4.8% on 2026-12-02 with the recall-tuned threshold (0.13); the engine answers the topic
    where the classifier is sure of it, and test_chat_set.py bounds what people see (1%)."""
    _emergencies, others = score_content(net, content)
    assert others.ordinary > 1000
    assert others.false_alarm_rate < 0.06, others.false_alarms


@pytest.mark.training  # trains the emergency model from the shipped examples
def test_evaluation_prints_a_table_per_language(capsys):
    from bot.safety.evaluate import main

    assert main() == 0
    out = capsys.readouterr().out
    for language in LANGUAGES:
        assert f"\n{language} " in out
    assert "\nall " in out and "recall" in out


# -- how the net matches -----------------------------------------------------------------------


def test_a_question_about_risks_is_blanked_out_but_a_real_emergency_after_it_is_not(net):
    assert net.check("what happens if the boat sinks?") is None
    alarm = net.check("what happens if the boat sinks? we are sinking now")
    assert alarm is not None and alarm.topic == "emergency_at_sea"


def test_typing_without_accents_or_with_persian_letters_matches_the_same_pattern(net):
    assert net.check("bot batiyo yardim edin") is not None  # Turkish without Turkish letters
    assert net.check("le bato coule aidez nous") is not None  # French without accents
    assert net.check("قایق داره غرق می‌شه") is not None  # Persian with a half-space
    assert net.check("قايق داره غرق ميشه") is not None  # Arabic yeh instead of Persian


def test_one_broken_pattern_does_not_switch_the_net_off():
    net = EmergencyNet({"emergency_general": {"en": ["(unclosed", r"\bbleeding\b"]}})
    assert net.check("my friend is bleeding") is not None


def test_a_broken_file_gives_an_empty_net_and_the_check_names_the_line(tmp_path):
    (tmp_path / "safety").mkdir()
    (tmp_path / "safety" / "emergency.yml").write_text("topics: [unclosed\n", encoding="utf-8")
    assert load_net(tmp_path).check("help our boat is sinking") is None
    problems = check_safety_files(tmp_path)
    assert problems and problems[0].line >= 1


def test_content_check_reports_bad_pattern_missing_language_and_review_with_lines(tmp_path):
    safety = tmp_path / "safety"
    safety.mkdir()
    shutil.copy(ROOT / "content" / "safety" / "emergency.yml", safety / "emergency.yml")
    text = (safety / "emergency.yml").read_text(encoding="utf-8")
    text = text.replace("review:\n", "reviewed:\n", 1)  # no review block
    text = text.replace(
        "    uk:\n      - '\\b(човен", "    xx:\n      - '\\b(човен", 1
    )  # a language gone
    text = text.replace("      - '\\bmayday\\b'", "      - '(mayday'", 1)  # a broken pattern
    text = text.replace("      - '\\boverboard\\b'", "      - '.*'", 1)  # matches everything
    (safety / "emergency.yml").write_text(text, encoding="utf-8")
    problems = check_safety_files(tmp_path)
    messages = [f"{p.line}: {p.message}" for p in problems if p.severity == "error"]
    lines = text.splitlines()
    assert any("missing 'review'" in m for m in messages)
    assert any("unknown language 'xx'" in m for m in messages)
    assert any("has no patterns for 'uk'" in m for m in messages)
    broken = next(p for p in problems if "invalid pattern" in p.message)
    assert "(mayday" in lines[broken.line - 1]
    everything = next(p for p in problems if "matches every message" in p.message)
    assert "'.*'" in lines[everything.line - 1]


def test_shipped_safety_files_pass_the_content_check():
    errors = [p for p in check_safety_files(ROOT / "content") if p.severity == "error"]
    assert errors == []


# -- through the engine: the emergency answer comes first, from every state -----------------------


def first_line(answer) -> str:
    return answer.replies[0].text.split("\n")[0]


def assert_emergency_first(answer, number: str = "112"):
    assert answer.emergency, answer.topic
    assert answer.topic in ("emergency_at_sea", "emergency_general")
    assert number in first_line(answer), first_line(answer)


def test_after_start_before_choosing_a_language(ask):
    ask("em-start", "/start")
    assert_emergency_first(ask("em-start", "help our boat is sinking"))


def test_while_choosing_a_language(ask):
    ask("em-language", "how do i ask for asylum")
    chooser = ask("em-language", "/language")
    assert chooser.topic == "change_language"
    assert_emergency_first(ask("em-language", "المركب عم يغرق الحقونا"))


def test_in_the_middle_of_the_country_question_with_the_country_named(ask):
    question = ask("em-country", "/find_help", lang="en")
    assert any(b.payload.startswith("/country ") for b in question.replies[0].buttons)
    answer = ask("em-country", "boat sinking near lampedusa italy")
    assert_emergency_first(answer, "112")
    assert "Ital" in first_line(answer)
    assert "1530" in answer.replies[0].text  # Italy's sea rescue number follows


def test_a_country_with_another_number_gets_that_number_first(ask):
    assert_emergency_first(
        ask("em-gb", "we are in a dinghy in the channel near england and water is coming in"), "999"
    )
    assert_emergency_first(ask("em-gr", "the boat is sinking near greece"), "112")


def test_after_a_fallback(ask):
    assert (
        ask("em-fallback", "what's the best pizza topping in naples", lang="en").topic == "fallback"
    )
    assert_emergency_first(ask("em-fallback", "my friend is bleeding a lot"))


def test_after_forget(ask):
    ask("em-forget", "hello")
    ask("em-forget", "/forget")
    assert_emergency_first(ask("em-forget", "they are beating us right now"))


def test_with_a_language_forced_the_answer_is_in_that_language(ask):
    answer = ask("em-forced", "help our boat is sinking", lang="fr")
    assert_emergency_first(answer)
    assert answer.language == "fr"


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_emergency_in_every_launch_language_gets_the_numbers_first(ask, language):
    message = load_labelled()[language]["emergency"][0]
    assert_emergency_first(ask(f"em-lang-{language}", message))


# -- /emergency at any time --------------------------------------------------------------------


@pytest.mark.parametrize(
    "before",
    [[], ["/start"], ["/language"], ["/find_help"], ["how do i ask for asylum"], ["/forget"]],
)
def test_the_emergency_command_works_at_any_time(ask, before):
    user = "em-cmd-" + "-".join(b.strip("/").replace(" ", "_") for b in before)
    for text in before:
        ask(user, text)
    answer = ask(user, "/emergency")
    assert_emergency_first(answer)
    assert answer.topic == "emergency_general"


def test_the_emergency_command_uses_the_known_country(ask):
    ask("em-cmd-country", "/country GB", lang="en")
    assert_emergency_first(ask("em-cmd-country", "/emergency"), "999")


def test_emergency_answers_never_start_with_a_menu_or_a_question(ask):
    answer = ask("em-no-menu", "SOS engine dead we are in the middle of the sea")
    assert_emergency_first(answer)
    assert not answer.replies[0].text.rstrip().endswith("?")


def test_a_small_file_with_patterns_and_exclusions_per_language_loads(tmp_path):
    path = tmp_path / "emergency.yml"
    path.write_text(
        textwrap.dedent("""\
        topics:
          emergency_general:
            en: ['\\bbleeding\\b']
        not_emergency:
          en: ['\\bnose ?bleeding\\b']
        """),
        encoding="utf-8",
    )
    net = EmergencyNet.from_file(path)
    assert net.check("he is bleeding") is not None
    assert net.check("i have a nosebleeding, is it normal") is None


# -- the model layer: danger described in any words ------------------------------------------------


@pytest.fixture(scope="module")
def chat_items():
    from bot.benchmarks.chat import load_chat_set

    return load_chat_set()


def test_the_model_layer_is_trained_with_a_threshold_tuned_for_recall(net):
    model = net.model
    assert model is not None, "the model layer did not load"
    # All dev emergencies, curated and the topics' examples. The romanised examples of the
    # emergency topics (Arabizi, Finglish, Roman Urdu) are the hardest: with them the dev
    # recall measured 0.927 (0.95 before they were added). Raising it is open work.
    assert model.dev_recall >= 0.92
    assert 0.0 < model.threshold <= 0.5
    # 7.7% on 2026-12-02 (recall 98.5%): the engine's doubt rule takes the model's unsure
    # alarms on messages the topic classifier is sure about (docs/benchmarks/chat-2026-12-02.md)
    assert model.dev_false_alarms < 0.09
    assert model.examples > 3000


def test_the_model_layer_catches_what_the_patterns_miss_on_the_labelled_set(net):
    model_only = EmergencyNet({}, model=net.model)  # no patterns: the model layer alone
    labelled = load_labelled()
    caught = [m for sets in labelled.values() for m in sets["emergency"] if model_only.check(m)]
    total = sum(len(sets["emergency"]) for sets in labelled.values())
    assert len(caught) / total > 0.8


def test_the_model_layer_catches_emergencies_of_the_chat_set_the_patterns_miss(
    net, patterns, chat_items
):
    """Held-out chat set: the patterns alone caught 52% of its emergencies, both layers 97%
    (2026-12-02; the goal is 100%, see docs/benchmarks/chat-2026-12-02.md)."""
    emergencies = [i.turns[-1] for i in chat_items if i.emergency]
    by_patterns = sum(patterns.check(t) is not None for t in emergencies)
    by_both = sum(net.check(t) is not None for t in emergencies)
    assert by_patterns / len(emergencies) < 0.7
    assert by_both / len(emergencies) >= 0.97


def test_false_alarms_of_the_net_alone_on_the_chat_set_stay_bounded(net, chat_items):
    """The net alone: 6.1% on 2026-12-02. Through the engine, with the doubt rule, 1.0%
    (test_chat_set.py::test_the_engine_understands_the_chat_sets holds that under 3%)."""
    ordinary = [i.turns[-1] for i in chat_items if not i.emergency]
    alarms = [t for t in ordinary if net.check(t)]
    assert len(alarms) / len(ordinary) < 0.08, alarms


def test_a_sea_emergency_described_in_other_words_is_a_sea_emergency(net, chat_items):
    """The model layer also tells the sea from land (12 of the chat set's 13 on 2026-12-02; a
    Pashto "the engine stopped, waves come into the boat" was answered as a general emergency,
    with the same numbers)."""
    at_sea = [i.turns[-1] for i in chat_items if i.topic == "emergency_at_sea"]
    topics = [getattr(net.check(text), "topic", None) for text in at_sea]
    assert None not in topics
    assert topics.count("emergency_at_sea") >= len(at_sea) - 1, topics


@pytest.mark.parametrize(
    "user,message",
    [
        ("em-birth", "my wifes waters broke, were in the woods near the border and theres nobody"),
        ("em-arabizi", "sa7bi we2e3 mn fo2 el 3arabeya w mesh 3aref yetnafes"),
        ("em-somali", "walaashay ayaa suuxday oo ma soo kacayso, maxaan sameeyaa"),
    ],
)
def test_emergencies_without_the_usual_words_get_the_numbers_through_the_engine(
    net, ask, user, message
):
    assert net.check(message) is not None
    assert_emergency_first(ask(user, message))


def test_a_described_emergency_comes_first_in_the_middle_of_a_conversation(ask):
    ask("em-model-mid", "how do i apply for asylum in france", lang="en")
    ask("em-model-mid", "and in germany?")
    assert_emergency_first(
        ask("em-model-mid", "grandpa collapsed and isnt answering when we shake him")
    )


@pytest.mark.parametrize(
    "user,message,topic",
    [
        (
            "em-doubt-gbv",
            "a man in our shelter follows me and touches me, i cant sleep anymore",
            "gbv_support",
        ),
        (
            "em-doubt-gbv-fr",
            "un type du foyer me suit et me touche, je n'arrive plus a dormir",
            "gbv_support",
        ),
        (
            "em-doubt-missing",
            "my brother left khartoum two months ago and we have no news since",
            "missing_relatives",
        ),
    ],
)
def test_where_the_model_doubts_and_the_topic_is_clear_the_topic_answers_after_the_numbers(
    engine, ask, user, message, topic
):
    answer = ask(user, message)
    assert answer.topic == topic and not answer.emergency
    alarm = engine.emergency.check(message)
    if alarm is not None:  # the model raised it: the numbers come first all the same
        assert alarm.pattern == "model" and alarm.score < 0.7
        first = answer.replies[0].text
        assert "112" in first and first != answer.replies[1].text


def test_a_net_without_examples_still_answers_with_its_patterns(tmp_path):
    shutil.copytree(ROOT / "content" / "safety", tmp_path / "safety")
    (tmp_path / "safety" / "emergency_examples.yml").unlink()
    net = load_net(tmp_path, tmp_path / "build")
    assert net.model is None
    assert net.check("help our boat is sinking") is not None

"""The conversation tests themselves: the file format, the checks, the reports, `masar test`.

The broken fixture (tests/fixtures/conversations_broken/) has one wrong translation, in
Persian: running it must fail in Persian and only there, with a readable diff in the report.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from bot.content.catalogue import GROUPS, LANGUAGES
from bot.evaluation import report
from bot.evaluation.conversations import Expect, Turn, load_conversations, read_conversation
from bot.evaluation.runner import Checker, last_checked_label, personal_data, plain, run, run_all
from bot.i18n import bidi
from bot.messages import Answer, Button, Reply

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "tests" / "conversations"
BROKEN = ROOT / "tests" / "fixtures" / "conversations_broken"


def _write(tmp_path: Path, text: str, name: str = "c.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the shipped conversations ---------------------------------------------------------------


def test_shipped_conversations_cover_every_group_in_every_language():
    conversations, problems = load_conversations(SHIPPED)
    assert not problems, "\n".join(map(str, problems))
    per_group = Counter(c.group for c in conversations)
    for group in GROUPS:
        assert per_group[group] >= 3, f"only {per_group[group]} conversations in group {group}"
    for c in conversations:
        assert set(c.languages) == set(LANGUAGES), f"{c.name} does not run in every launch language"
        for turn in c.turns:
            for code in LANGUAGES:
                assert turn.text_for(code), (
                    f"{c.where}: turn at line {turn.line} has no '{code}' text"
                )


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", plain(text).casefold()).split())


def test_user_turns_are_not_copied_from_the_training_examples(content):
    """A test that only replays the training data would say nothing about real users."""
    examples = {
        _norm(e)
        for t in content.topics.values()
        for tr in t.translations.values()
        for e in tr.examples
    }
    conversations, _problems = load_conversations(SHIPPED)
    copied = [
        (c.name, text)
        for c in conversations
        for turn in c.turns
        if turn.kind == "user"
        for text in turn.texts.values()
        if _norm(text) in examples
    ]
    assert not copied, copied


# -- the file format -------------------------------------------------------------------------


def test_a_good_file_reads_with_per_language_texts_and_expectations(tmp_path):
    path = _write(
        tmp_path,
        """\
conversation: demo
group: asylum
languages: [en, ar]
expect_throughout: {same_language: true, no_personal_data: [Ahmed, أحمد]}
turns:
  - user: {en: how do i ask for asylum, ar: كيف اطلب لجوء}
    expect:
      topic: [asylum_how_to_apply, asylum_basics]
      contains: {all: UNHCR, ar: [لجوء]}
      emergency_number_first: 112
  - press: legal_aid
  - command: /language {language}
""",
    )
    conversation, problems = read_conversation(path)
    assert problems == []
    assert conversation.languages == ("en", "ar") and conversation.same_language
    first, press, command = conversation.turns
    assert first.text_for("ar") == "كيف اطلب لجوء" and first.line == 6
    assert first.expect.topic == ("asylum_how_to_apply", "asylum_basics")
    assert first.expect.emergency_number_first == "112"
    assert press.kind == "press" and press.text_for("ar") == "legal_aid"
    assert command.text_for("ar") == "/language ar"
    assert conversation.personal_words == {"all": ("Ahmed", "أحمد")}


@pytest.mark.parametrize(
    "text, line, words",
    [
        (
            "conversation: x\nturns:\n  - user: hi\n    expekt: {topic: greet}\n",
            4,
            ["unknown key 'expekt'", "expect"],
        ),
        (
            "conversation: x\nturns:\n  - user: hi\n    expect:\n      topic: asylum_how_to_aply\n",
            5,
            ["unknown topic 'asylum_how_to_aply'", "did you mean 'asylum_how_to_apply'"],
        ),
        ("conversation: x\nturns:\n  - user: hi\n    press: legal_aid\n", 3, ["exactly one of"]),
        (
            "conversation: x\nlanguages: [en, farsi]\nturns:\n  - user: hi\n",
            2,
            ["'farsi' is not a launch language"],
        ),
        (
            "conversation: x\nturns:\n  - user:\n      en: hi\n      xx: hallo\n",
            5,
            ["'xx' is not a launch language"],
        ),
        ("conversation: x\nturns:\n  - command: emergency\n", 3, ["must start with '/'"]),
        ("conversation: x\ngroup: asyl\nturns:\n  - user: hi\n", 2, ["group must be one of"]),
        ("conversation: x\nturns: []\n", 2, ["at least one turn"]),
        (
            "conversation: x\nturns:\n  - user: hi\n    expect:\n      contains_link: yes please\n",
            5,
            ["true or false"],
        ),
        ("conversation: x\nturns:\n  - user: 'hi\n", 3, []),  # broken YAML: yamlio's own message
    ],
)
def test_mistakes_are_reported_with_file_and_line(tmp_path, text, line, words):
    path = _write(tmp_path, text)
    conversation, problems = read_conversation(path)
    assert conversation is None
    assert problems, "expected a problem"
    assert any(p.line == line and all(w in p.message for w in words) for p in problems), [
        f"{p.line}: {p.message}" for p in problems
    ]


def test_a_broken_file_does_not_stop_the_others(tmp_path):
    _write(tmp_path, "conversation: good\nturns:\n  - user: hi\n", "a.yml")
    _write(tmp_path, "conversation: bad\nturns: nothing\n", "b.yml")
    _write(tmp_path, "conversation: good\nturns:\n  - user: hello\n", "c.yml")
    conversations, problems = load_conversations(tmp_path)
    assert [c.name for c in conversations] == ["good"]
    assert [p.path.name for p in problems] == ["b.yml", "c.yml"]
    assert "also used in a.yml" in problems[1].message


# -- the checks, on answers built by hand ----------------------------------------------------


def _answer(
    text: str, language: str = "ar", topic: str = "emergency_general", buttons=()
) -> Answer:
    return Answer(
        "u", "x", language, topic, 1.0, [Reply(text, [Button(b, f"/{b}") for b in buttons])]
    )


def test_checks_see_through_direction_marks_in_right_to_left_answers():
    text = bidi("طوارئ: اتصل بـ 112\nالمصدر: UNHCR Help – https://help.unhcr.org/", "ar")
    assert "\u2068112\u2069" in text  # the number is isolated for display ...
    expect = Expect(
        topic=("emergency_general",),
        language="same",
        contains={"all": ("112",), "ar": ("اتصل",)},
        emergency_number_first="112",
        contains_link=True,
        buttons_include=("find_help",),
    )
    checks = Checker(["https://help.unhcr.org/"]).answer(
        Turn("user", {"all": "x"}, expect, 1), _answer(text, buttons=["find_help"]), "ar", False
    )
    assert [c.name for c in checks if not c.passed] == []  # ... and still found by the checks
    assert {c.name for c in checks} >= {
        "topic",
        "language",
        "contains",
        "emergency number first",
        "official link",
        "buttons",
    }


def test_failed_checks_say_what_was_expected_and_what_came():
    expect = Expect(
        topic=("asylum_basics",),
        contains={"all": ("UNHCR",)},
        not_contains={"all": ("smuggler",)},
        emergency_number_first=True,
        contains_link=True,
        source_and_date=True,
        buttons_include=("legal_aid",),
    )
    answer = _answer("Ask the smuggler. https://example.com/offer", "en", "fallback", ["menu"])
    checks = {
        c.name: c
        for c in Checker(["https://help.unhcr.org/"]).answer(
            Turn("user", {"all": "x"}, expect, 1), answer, "en", same_language=False
        )
    }
    assert not any(c.passed for c in checks.values())
    assert checks["topic"].expected == "asylum_basics" and checks["topic"].got == "fallback"
    assert checks["official link"].got == "not an official source: https://example.com/offer"
    assert checks["buttons"].got == "missing /legal_aid; offered: /menu"
    assert checks["last checked"].expected.startswith("«Last checked")
    assert checks["emergency number first"].got == "«Ask the smuggler. https://example.com/offer»"


def test_last_checked_label_is_the_translated_interface_string():
    assert last_checked_label("en") == "Last checked"
    for code in LANGUAGES:
        assert last_checked_label(code) and "{" not in last_checked_label(code)


def test_personal_data_is_found_in_what_the_user_wrote():
    found = personal_data(
        "my number is +49 151 2345 6789, mail ahmed.k@example.org, i am Ahmed", ("Ahmed",)
    )
    assert "+49 151 2345 6789" in found and "ahmed.k@example.org" in found and "Ahmed" in found
    assert personal_data("call 112 now", ()) == []


# -- through the real engine ------------------------------------------------------------------


@pytest.fixture(scope="module")
def broken_results(engine):
    conversations, problems = load_conversations(BROKEN)
    assert not problems
    return asyncio.run(run_all(engine, conversations))


@pytest.mark.model
def test_a_broken_translation_fails_in_exactly_that_language(broken_results):
    failed = {r.language for r in broken_results if not r.passed}
    assert failed == {"fa"}, report.summary(broken_results)
    fa = next(r for r in broken_results if r.language == "fa")
    text = "\n".join(fa.failures())
    assert "topic: expected asylum_how_to_apply" in text
    assert "contains: expected «وکیل خصوصی گران»; got not in the answer" in text
    assert "asylum_wrong_translation.yml:" in text


@pytest.mark.model
def test_a_missing_translation_is_a_failing_language_not_silence(engine, tmp_path):
    path = _write(
        tmp_path,
        "conversation: gap\nlanguages: [en, so]\nturns:\n"
        "  - user: {en: hello there}\n    expect: {topic: greet}\n",
    )
    conversation, _problems = read_conversation(path)
    en, so = (asyncio.run(run(engine, conversation, code)) for code in ("en", "so"))
    assert en.passed
    assert not so.passed and "translation: expected the user's words in 'so'" in so.failures()[0]


@pytest.mark.model
def test_pressing_a_button_that_was_not_offered_fails(engine, tmp_path):
    path = _write(
        tmp_path,
        "conversation: press\nlanguages: [en]\nturns:\n"
        "  - user: thank you so much, bye\n  - press: dublin_rules\n",
    )
    conversation, _problems = read_conversation(path)
    result = asyncio.run(run(engine, conversation, "en"))
    assert not result.passed
    assert (
        "button to press: expected /dublin_rules among the last answer's buttons"
        in result.failures()[0]
    )


@pytest.mark.model
def test_junit_has_one_suite_per_language_and_the_failure_in_persian(broken_results):
    root = ET.fromstring(report.junit(broken_results))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {f"conversations.{code}" for code in LANGUAGES}
    failing = {name for name, s in suites.items() if s.get("failures") != "0"}
    assert failing == {"conversations.fa"}
    failure = suites["conversations.fa"].find("testcase/failure")
    assert "asylum_how_to_apply" in failure.get("message")


def _masar(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "MASAR_DATA_DIR": str(tmp_path / "var"),
        "MASAR_USER_KEY_SECRET": "test-secret",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=900,
    )


@pytest.mark.subprocess
@pytest.mark.model
def test_masar_test_on_the_broken_fixture_fails_in_persian_with_a_readable_report(engine, tmp_path):
    html_file, xml_file = tmp_path / "report.html", tmp_path / "junit.xml"
    proc = _masar(
        "test",
        "--dir",
        str(BROKEN),
        "--report",
        str(html_file),
        "--junit",
        str(xml_file),
        tmp_path=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "Conversation tests: 11 of 12 passed" in proc.stdout
    assert re.search(r"^fa Persian\s+0/1", proc.stdout, re.M), proc.stdout
    assert re.search(r"^ar Arabic\s+1/1", proc.stdout, re.M), proc.stdout
    page = html_file.read_text(encoding="utf-8")
    assert page.count('<section class="failure"') == 1  # only Persian has a failure section
    section = page[page.index('id="asylum_wrong_translation-fa"') :]
    assert 'lang="fa" dir="rtl"' in section  # right-to-left transcript
    assert "خیلی ممنون، خداحافظ" in section  # what the user wrote
    assert (
        "✗ topic<br>expected: asylum_how_to_apply<br>got: " in section
    )  # expected next to what came
    assert (
        "«<bdi>وکیل خصوصی گران</bdi>»" in section and "not in the answer" in section
    )  # isolated RTL words
    assert 'src="data:image/png;base64,' in page  # the chart is inside the page
    assert 'class="matrix"' in page
    assert ET.parse(xml_file).getroot().get("failures") == "1"


@pytest.mark.model
def test_masar_test_selects_languages_and_conversations(engine, capsys):
    from bot.evaluation import command

    assert command.main(lambda: engine, BROKEN, languages=["en", "uk"]) == 0
    assert "Conversation tests: 2 of 2 passed" in capsys.readouterr().out
    assert command.main(lambda: engine, BROKEN, names=["nope"]) == 1
    assert "no conversation named nope" in capsys.readouterr().err
    assert command.main(lambda: engine, BROKEN, languages=["farsi"]) == 1
    assert "farsi is not a launch language" in capsys.readouterr().err


def test_the_readme_example_is_a_valid_conversation(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## For evaluators") :]
    example = section[
        section.index("```yaml\n") + 8 : section.index("```\n", section.index("```yaml"))
    ]
    conversation, problems = read_conversation(_write(tmp_path, example))
    assert problems == [] and conversation.name == "asylum_refused"
    assert [t.kind for t in conversation.turns] == ["user", "press", "command"]

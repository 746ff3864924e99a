"""Bounded cost per message: what each stage reads of the worst inputs, and no safety pattern
that can take quadratic time. Counts and lengths only, never timings (those are for
`masar bench cost`, docs/benchmarks/serve-2026-12-02.md)."""

from __future__ import annotations

import re

from bot.benchmarks.cost import NORMAL, report, stages, worst_inputs
from bot.engine import NLU_TEXT
from bot.messages import MAX_TEXT, clean_text
from bot.nlu.embeddings import MAX_CHARS
from bot.safety.emergency import load_net
from bot.safety.offers import load_checker
from bot.safety.text import compile_pattern, fold, fold_pattern
from bot.safety.trafficking import load_signs
from bot.settings import ROOT

CONTENT = ROOT / "content"
# an unbounded run at the very start of a pattern, not anchored by a look-behind
UNANCHORED_RUN = re.compile(r"^(\\[SsWwDd]|\.|\[[^\]]*\])[*+]")


def shipped_patterns() -> list[re.Pattern]:
    net = load_net(CONTENT, model=False)
    offers, signs = load_checker(CONTENT), load_signs(CONTENT)
    out = [rx for items in net.patterns.values() for _lang, _p, rx in items] + net.exclusions
    out += [rx for flag in offers.flags for rx in flag.patterns] + list(offers.ignore)
    for _sign, found, ignored in signs.signs:
        out += list(found) + list(ignored)
    return out


def test_the_worst_inputs_are_what_the_issue_names():
    inputs = worst_inputs()
    assert len(inputs["2,048 emoji"]) >= 2048
    assert len(inputs["4,000 CJK"]) == 4000
    assert len(inputs["4,000 combining marks"]) == 4001
    assert len(inputs["3,000 bytes Latin-1"]) == 3000
    assert len(inputs["4,096 chars normal text"]) == 4096
    assert worst_inputs(7) == worst_inputs(7)  # seeded: the same run every time


def test_every_stage_reads_a_bounded_text():
    for name, text in worst_inputs().items():
        cleaned = clean_text(text)
        assert len(cleaned) <= MAX_TEXT, name
    assert NLU_TEXT <= MAX_CHARS  # Rasa reads no more than the embedding does


def test_no_safety_pattern_starts_with_an_unanchored_run():
    """A leading `\\S*` is tried from every position and runs to the end of the word from
    each: quadratic in a 4,000-character word (one such pattern cost 0.33 s)."""
    patterns = shipped_patterns()
    assert len(patterns) > 300
    bad = [rx.pattern for rx in patterns if UNANCHORED_RUN.match(rx.pattern)]
    assert bad == []


def test_anchoring_a_leading_run_keeps_what_the_pattern_finds():
    raw = r"\S*(ضرب|بهدد)\S*\s+(\S+\s+){0,1}?(كل يوم|دايما)"
    anchored = compile_pattern(raw)
    assert anchored.pattern.startswith(r"(?<!\S)\S*")
    plain = re.compile(fold_pattern(raw), re.IGNORECASE)  # folded like messages, not anchored
    found = 0
    for text in (
        "هو يضربني كل يوم",
        "بيضربوا دايما",
        "كان بيضربني دايما وبهددني كل يوم",
        "ضرب",
        "中" * 50 + " ضرب كل يوم",
    ):
        spans = [m.span() for m in plain.finditer(fold(text))]
        assert [m.span() for m in anchored.finditer(fold(text))] == spans, text
        found += bool(spans)
    assert found == 4  # all but the lone word
    assert compile_pattern(r"\bhelp\b").pattern == r"\bhelp\b"  # others are left as written


def test_the_report_names_the_worst_ratio():
    from io import StringIO

    from bot.benchmarks.cost import Timing

    results = {
        "whole engine": {
            "normal question": Timing(10.0, 12.0),
            "4,000 CJK": Timing(55.0, 60.0),
        }
    }
    out = StringIO()
    assert report(results, out) == 5.5
    assert "within the goal of 10x" in out.getvalue()
    assert callable(stages) and NORMAL

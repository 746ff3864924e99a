"""The evaluators' conversation tests (tests/conversations/*.yml) under pytest.

Each conversation in each of its languages is one test case, run through the real trained
model and dialogue engine as a new user, so `make test` fails on a wrong or missing answer
in any language, and names the file, line and language.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.evaluation.conversations import load_conversations, problem_line
from bot.evaluation.report import transcript
from bot.evaluation.runner import run

CONVERSATIONS, PROBLEMS = load_conversations(Path(__file__).resolve().parent / "conversations")
CASES = [
    pytest.param(c, code, id=f"{c.name}-{code}") for c in CONVERSATIONS for code in c.languages
]


def test_every_conversation_file_can_be_read():
    assert not PROBLEMS, "\n".join(problem_line(p) for p in PROBLEMS)


@pytest.mark.model
@pytest.mark.parametrize("conversation, language", CASES)
def test_conversation(engine, conversation, language):
    result = asyncio.run(run(engine, conversation, language))
    assert result.passed, "\n".join(result.failures()) + "\n\n" + transcript(result)

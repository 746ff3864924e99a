"""A valid topic file, as text, for tests that break it in one place at a time."""

from __future__ import annotations

import textwrap

from bot.content.catalogue import LANGUAGES

# line numbers: 1 topic, 6 source url, 7 review, 9 written_on, 10 expires_on, 12 languages
TOPIC_HEAD = textwrap.dedent("""\
    topic: asylum_basics
    group: asylum
    follow_up: [asylum_how_to_apply]
    sources:
      - name: UNHCR
        url: https://www.unhcr.org/
    review:
      written_by: Tester
      written_on: 2026-01-01
      expires_on: 2099-01-01
    needs_verification: []
    languages:
    """)


def languages(skip=(), answer: str = "An answer.", examples=None) -> str:
    """The `languages:` block for every launch language but `skip`, ten examples each."""
    out = ""
    for lang in LANGUAGES:
        if lang in skip:
            continue
        exs = examples or [f"question {lang} {n}" for n in range(10)]
        out += f"  {lang}:\n    native_review: false\n    examples:\n"
        out += "".join(f"      - {e}\n" for e in exs)
        out += f"    answer: {answer}\n"
    return out

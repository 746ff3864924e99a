""" "Add as an example to topic X": a suggestion file under content/suggestions/ for review.

Never straight into training: the loader reads content/topics/, not this folder, so a
suggestion changes nothing until an editor moves the example into the topic's file through
the normal review (and `masar content check`). One YAML file per suggestion, named so that
two never collide; the example is the masked question, exactly as staff saw it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import yaml

FOLDER = "suggestions"


def write(content_dir: Path, topic: str, language: str, examples: list[str], staff: str) -> Path:
    folder = content_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    path = folder / f"{today}-{topic}-{language}-{secrets.token_hex(3)}.yml"
    data = {
        "suggestion": "add as examples to a topic",
        "topic": topic,
        "language": language,
        "examples": examples,
        "suggested_by": staff,
        "suggested_on": today,
        "status": "to review",
        "note": (
            "Questions Masar could not answer, masked. Review them, then copy the good ones "
            f"into content/topics/{topic}.yml under languages: {language}: examples, and "
            "delete this file."
        ),
    }
    path.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
    )
    return path

"""Move content files written for the first edition to the review fields of today.

The first edition recorded `reviewed_by` and `reviewed_on`, but the day in it was the day the
text was written, not a day anyone checked it against its sources. This rewrites, in place and
line by line (comments and layout stay as they are):

- topics and safety files: `reviewed_by` -> `written_by`, `reviewed_on` -> `written_on`; in
  topics, `verified_by: null` and `verified_on: null` are added, so editors see where to record
  a check against the sources (nothing is marked as verified);
- services files: `written_on` is added after `country:`, the day the file first entered the
  repository (from git), if known.

Running it again changes nothing. Usage: `python -m bot.content.migrate [content_dir]`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

RENAMES = {"reviewed_by": "written_by", "reviewed_on": "written_on"}
_REVIEW_LINE = re.compile(r"^(\s+)(reviewed_by|reviewed_on|written_on)(\s*:.*)$")


def migrate_review(text: str, add_verified: bool) -> str:
    """The file with its `review:` block renamed (and, for topics, the verified lines added)."""
    lines = text.split("\n")
    out: list[str] = []
    in_review = False
    has_verified = "verified_on:" in text
    for line in lines:
        if re.match(r"^review\s*:\s*$", line):
            in_review = True
            out.append(line)
            continue
        if in_review and line and not line[0].isspace():
            in_review = False
        match = _REVIEW_LINE.match(line) if in_review else None
        if match is None:
            out.append(line)
            continue
        indent, key, rest = match.groups()
        key = RENAMES.get(key, key)
        out.append(f"{indent}{key}{rest}")
        if key == "written_on" and add_verified and not has_verified:
            out.append(f"{indent}verified_by: null")
            out.append(f"{indent}verified_on: null")
            has_verified = True
    return "\n".join(out)


def first_added(path: Path) -> str | None:
    """The day `path` first entered the git repository (YYYY-MM-DD), or None."""
    try:
        result = subprocess.run(
            ["git", "log", "--diff-filter=A", "--follow", "--format=%as", "--", path.name],
            cwd=path.parent,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    days = result.stdout.split()
    return days[-1] if result.returncode == 0 and days else None


def migrate_services(text: str, written_on: str | None) -> str:
    if written_on is None or re.search(r"^written_on\s*:", text, re.M):
        return text
    return re.sub(r"^(country\s*:.*)$", rf"\1\nwritten_on: {written_on}", text, count=1, flags=re.M)


def main(content_dir: Path) -> int:
    changed = 0
    for folder, verified in (("topics", True), ("safety", False)):
        for path in sorted((content_dir / folder).glob("*.y*ml")):
            old = path.read_text(encoding="utf-8")
            new = migrate_review(old, verified)
            if new != old:
                path.write_text(new, encoding="utf-8")
                changed += 1
    for path in sorted((content_dir / "services").glob("*.y*ml")):
        old = path.read_text(encoding="utf-8")
        new = migrate_services(old, first_added(path))
        if new != old:
            path.write_text(new, encoding="utf-8")
            changed += 1
    print(f"{changed} files updated in {content_dir}")
    return 0


if __name__ == "__main__":
    root = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "content"
    )
    sys.exit(main(root))

"""Similar questions side by side, so staff read ten ways of asking one thing as one group.

Questions of one language are compared by their character trigrams (robust to spelling,
Arabizi and missing spaces, and needs no model): a question joins the first group whose first
question shares at least SIMILAR of their trigrams (Jaccard), else starts a group.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .store import Question

SIMILAR = 0.3


def trigrams(text: str) -> set[str]:
    words = " ".join(text.lower().split())
    padded = f"  {words} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    x, y = trigrams(a), trigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


@dataclass
class Group:
    language: str
    questions: list[Question] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [q.id for q in self.questions]

    @property
    def topics(self) -> list[str]:
        """The closest topics of the group's questions, most often named first."""
        seen: dict[str, float] = {}
        for q in self.questions:
            for topic, confidence in q.topics:
                seen[topic] = seen.get(topic, 0.0) + confidence
        return sorted(seen, key=lambda t: -seen[t])


def group(questions: list[Question], similar: float = SIMILAR) -> list[Group]:
    """Groups of similar questions, the largest first."""
    groups: list[Group] = []
    grams: list[set[str]] = []
    for q in questions:
        mine = trigrams(q.text)
        for g, first in zip(groups, grams, strict=True):
            if g.language == q.language and len(mine & first) / len(mine | first) >= similar:
                g.questions.append(q)
                break
        else:
            groups.append(Group(q.language, [q]))
            grams.append(mine)
    return sorted(groups, key=lambda g: -len(g.questions))

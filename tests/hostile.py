"""Hostile input, generated from a seed: the same seed gives the same inputs on every machine.

Each `Case` is one request in two wire forms: a REST body (with its headers) for `masar serve`
and a JSON line for `masar ask`. It says whether a careful server must answer it (`answerable`)
or may refuse it with a clear 4xx message, and, when the user's language is clear (a sentence
of the shipped content in one launch language, only decorated with noise), which language the
reply must be in. `noise` marks text that carries no question at all (random scripts, keyboard
mashing, binary, emoji floods): Masar must answer it with the fallback, never a topic.

Kinds of input, after the issue's probe of `masar serve` and `masar ask`:
lone surrogates, invalid UTF-8, deep nesting, wrong JSON types, odd sender ids, huge messages
(emoji, combining marks, CJK, binary, repeated tokens), random scripts, keyboard mashing,
zero-width and bidi controls, odd headers, oversized bodies.

    python tests/hostile.py 20 --seed 7    # print a sample
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
LATIN = {"en", "fr", "es", "tr", "so"}  # launch languages written in Latin letters
REST_LIMIT = 1024 * 1024  # masar serve's largest body (bot/channels/http.py)

# Scripts a text can be written in, as ranges of letters (launch-language scripts and others).
SCRIPTS = {
    "latin": [(0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F)],
    "arabic": [(0x621, 0x64A), (0x66E, 0x6D3)],
    "ethiopic": [(0x1200, 0x1357)],
    "cyrillic": [(0x410, 0x44F)],
    "bengali": [(0x985, 0x9B9)],
    "greek": [(0x391, 0x3C9)],
    "hebrew": [(0x5D0, 0x5EA)],
    "devanagari": [(0x905, 0x939)],
    "thai": [(0xE01, 0xE30)],
    "cjk": [(0x4E00, 0x9FFF)],
    "hangul": [(0xAC00, 0xD7A3)],
    "georgian": [(0x10D0, 0x10FA)],
    "armenian": [(0x531, 0x556)],
    "tamil": [(0xB85, 0xBB9)],
}
EMOJI = [(0x1F300, 0x1F5FF), (0x1F600, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F900, 0x1F9FF)]
COMBINING = (0x300, 0x36F)
CONTROLS = "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
KEYBOARDS = [
    "qwertyuiopasdfghjklzxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "ضصثقفغعهخحجچشسیبلاتنمکگظطزرذدپو",
]


@dataclass
class Case:
    kind: str
    body: bytes  # the REST request body
    line: bytes  # the `masar ask` line (no newline)
    headers: dict[str, str] = field(default_factory=dict)
    answerable: bool = True  # a careful server answers it (200), else refuses it (4xx)
    ask_answerable: bool | None = None  # the same for `masar ask`, when it differs
    language: str | None = None  # the reply's language when the user's language is clear
    noise: bool = False  # no question in it: the answer must be the fallback


def clear_sentences(content_dir: Path = ROOT / "content") -> dict[str, list[str]]:
    """Examples of the shipped content, by language, long enough to say their language
    (four words or more, and not romanised: those can be read as more than one language)."""
    from bot.language import detect

    found: dict[str, list[str]] = {}
    for path in sorted((content_dir / "topics").glob("*.yml")):
        topic = yaml.safe_load(path.read_text(encoding="utf-8"))
        for lang, block in (topic.get("languages") or {}).items():
            for example in block.get("examples") or []:
                words = example.split()
                if len(words) < 4 or len(example) > 200:
                    continue
                detection = detect(example)
                native = lang in LATIN or not any(c.isascii() and c.isalpha() for c in example)
                if native and detection.language == lang and detection.confidence >= 0.9:
                    found.setdefault(lang, []).append(example)
    return found


class Generator:
    """`Generator(seed).cases(n)`: n reproducible hostile cases."""

    def __init__(self, seed: int = 14, sentences: dict[str, list[str]] | None = None) -> None:
        self.rng = random.Random(seed)
        self.sentences = sentences if sentences is not None else clear_sentences()
        self.languages = sorted(self.sentences)
        self.users = 0

    # -- pieces of text -------------------------------------------------------------------
    def _char(self, ranges) -> str:
        low, high = self.rng.choice(ranges)
        return chr(self.rng.randint(low, high))

    def _word(self, script: str) -> str:
        return "".join(self._char(SCRIPTS[script]) for _ in range(self.rng.randint(1, 9)))

    def random_script(self, words: int) -> str:
        scripts = self.rng.sample(sorted(SCRIPTS), self.rng.randint(1, 3))
        return " ".join(self._word(self.rng.choice(scripts)) for _ in range(words))

    def mash(self) -> str:
        keys = self.rng.choice(KEYBOARDS)
        runs = [
            "".join(self.rng.choice(keys) for _ in range(self.rng.randint(3, 14)))
            for _ in range(self.rng.randint(1, 6))
        ]
        return " ".join(runs)

    def emoji(self, n: int) -> str:
        return "".join(self._char(EMOJI) for _ in range(n))

    def combining(self, n: int) -> str:
        base = self._word("latin")[:1] or "a"
        return base + "".join(chr(self.rng.randint(*COMBINING)) for _ in range(n))

    def binary(self, n: int) -> str:
        return bytes(self.rng.randrange(256) for _ in range(n)).decode("latin-1")

    def controls(self, text: str) -> str:
        """The text with zero-width and bidi controls sprinkled between its characters."""
        out = []
        for ch in text:
            out.append(ch)
            if self.rng.random() < 0.3:
                out.append(self.rng.choice(CONTROLS))
        return "".join(out)

    def sender(self) -> object:
        self.users += 1
        n = self.users
        return self.rng.choice(
            [
                f"u{n}",
                n,
                f"\ud8cc{n}",
                f"{n}\udfff",
                f"{'x' * 2000}{n}",
                f"{n} 🙂 \u202e{n}",
                f"{n}\u200b",
                f"../../{n}",
                f"'; DROP TABLE events; -- {n}",
                f"+49 151 {n:08d}",
            ]
        )

    # -- whole cases -----------------------------------------------------------------------
    def _request(
        self,
        kind: str,
        message: object,
        *,
        noise: bool = False,
        language: str | None = None,
        answerable: bool = True,
    ) -> Case:
        sender = self.sender()
        body = {"sender": sender, "message": message}
        line = {"user": sender, "text": message}
        return Case(
            kind,
            json.dumps(body).encode(),  # ASCII with \u escapes: lone surrogates travel too
            json.dumps(line).encode(),
            answerable=answerable,
            language=language,
            noise=noise,
        )

    def case(self) -> Case:
        rng = self.rng
        kind = rng.choice(KINDS)
        if kind == "clear":
            lang = rng.choice(self.languages)
            return self._request(kind, rng.choice(self.sentences[lang]), language=lang)
        if kind == "clear+controls":
            lang = rng.choice(self.languages)
            text = self.controls(rng.choice(self.sentences[lang]))
            return self._request(kind, text, language=lang)
        if kind == "clear+surrogates":
            lang = rng.choice(self.languages)
            text = f"\ud8cc {rng.choice(self.sentences[lang])} \udfff"
            return self._request(kind, text, language=lang)
        if kind == "clear+emoji":
            lang = rng.choice(self.languages)
            text = f"{rng.choice(self.sentences[lang])} {self.emoji(rng.randint(1, 5))}"
            return self._request(kind, text, language=lang)
        if kind == "random script":
            return self._request(kind, self.random_script(rng.randint(1, 30)), noise=True)
        if kind == "keyboard mash":
            return self._request(kind, self.mash(), noise=True)
        if kind == "emoji flood":
            return self._request(kind, self.emoji(rng.choice([50, 500, 2048, 5000])), noise=True)
        if kind == "combining marks":
            return self._request(kind, self.combining(rng.choice([100, 1000, 4000])), noise=True)
        if kind == "cjk":
            cjk = "".join(self._char(SCRIPTS["cjk"]) for _ in range(rng.choice([10, 1000, 4000])))
            return self._request(kind, cjk, noise=True)
        if kind == "binary":
            return self._request(kind, self.binary(rng.choice([16, 300, 3000])), noise=True)
        if kind == "repeated token":
            token = rng.choice(["help", "asylum", "a", "😀", "لجوء", "?", "boat"])
            return self._request(kind, " ".join([token] * rng.choice([200, 2000, 20000])))
        if kind == "lone surrogates":
            text = "".join(chr(rng.randint(0xD800, 0xDFFF)) for _ in range(rng.randint(1, 50)))
            return self._request(kind, text)
        if kind == "controls only":
            return self._request(kind, "".join(rng.choice(CONTROLS) for _ in range(50)))
        if kind == "empty":
            return self._request(kind, rng.choice(["", " ", "\n\t", "\x00"]))
        if kind == "command":
            name = rng.choice(["start", "language xx", "country ??", "forget", "menu", "zzz"])
            return self._request(kind, f"/{name}{rng.choice(['', '@bot', ' ' + self.mash()])}")
        if kind == "wrong type":
            message = rng.choice([None, 42, 4.2, True, [], ["hi"], {"text": "hi"}])
            return self._request(kind, message, answerable=False)
        if kind == "odd sender":
            sender = rng.choice([None, True, 1.5, [], {}, "", "   ", ["u1"]])
            body = json.dumps({"sender": sender, "message": "hello"}).encode()
            line = json.dumps({"user": sender, "text": "hello"}).encode()
            # masar ask takes any string as a user (REST refuses an empty one), not other types
            ask = isinstance(sender, str)
            return Case(kind, body, line, answerable=False, ask_answerable=ask)
        if kind == "deep nesting":
            depth = rng.choice([100, 5000, 50000])
            nested = "[" * depth + "]" * depth
            body = ('{"sender": "n", "message": "hi", "metadata": ' + nested + "}").encode()
            line = ('{"user": "n", "text": "hi", "x": ' + nested + "}").encode()
            return Case(kind, body, line, answerable=depth <= 100)
        if kind == "invalid utf-8":
            raw = b'{"sender": "b", "message": "caf\xe9 \xff\xfe \xc3("}'
            line = b'{"user": "b", "text": "caf\xe9 \xff\xfe \xc3("}'
            return Case(kind, raw, line, answerable=False)
        if kind == "not json":
            junk = rng.choice([b"", b"hello", b"{", b"[1, 2", b"null", b"\x00\x01", b'{"a":}'])
            return Case(kind, junk, junk or b"{", answerable=False)
        if kind == "odd headers":
            case = self._request("odd headers", rng.choice(self.sentences["en"]), language="en")
            case.headers = rng.choice(
                [
                    {"Content-Type": "text/plain"},
                    {"Content-Type": "application/json; charset=latin-1"},
                    {"Content-Type": "application/x-www-form-urlencoded"},
                    {"X-Forwarded-For": "1.2.3.4, " * 200},
                    {"Accept-Language": "fa-IR," * 300},
                    {"Content-Encoding": "gzip"},
                ]
            )
            if case.headers.get("Content-Encoding") == "gzip":  # says gzip, is not
                case.answerable = False
            case.ask_answerable = True  # masar ask has no headers
            return case
        if kind == "oversized":
            text = "a " * (REST_LIMIT // 2 + 1000)
            body = json.dumps({"sender": "big", "message": text}).encode()
            # masar ask has no size limit of its own: a long line is cut to the engine's limit
            line = json.dumps({"user": "big", "text": text[:200_000]}).encode()
            return Case(kind, body, line, answerable=False, ask_answerable=True)
        raise AssertionError(kind)

    def cases(self, n: int) -> list[Case]:
        out = [self.case() for _ in range(n)]
        for case in out:
            if case.ask_answerable is None:
                case.ask_answerable = case.answerable
        return out


KINDS = [
    "clear",
    "clear",
    "clear+controls",
    "clear+surrogates",
    "clear+emoji",
    "random script",
    "random script",
    "keyboard mash",
    "keyboard mash",
    "emoji flood",
    "combining marks",
    "cjk",
    "binary",
    "repeated token",
    "lone surrogates",
    "controls only",
    "empty",
    "command",
    "wrong type",
    "odd sender",
    "deep nesting",
    "invalid utf-8",
    "not json",
    "odd headers",
    "oversized",
]


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=20)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    for case in Generator(args.seed).cases(args.n):
        print(case.kind, case.line[:120])

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

`run_rest` and `run_ask` send the cases through a real `masar serve` (REST, real HTTP) and a
real `masar ask` process and count what came back; tests/test_fuzz.py runs them in a bounded
size, and by hand, larger (counts printed; exit 1 on any problem):

    PYTHONPATH=$PWD python tests/hostile.py --rest --ask --count 10000 --seed 14
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from servers import masar_serve
from telegram_emulator import free_port

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


# -- through the real channels ---------------------------------------------------------------


def masar_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a `masar` process of its own: no MASAR_ setting leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MASAR_")}
    env.update(MASAR_DATA_DIR=str(data_dir), OMP_NUM_THREADS="1", **extra)
    return env


def reply_language(text: str) -> str | None:
    """The language a reply is written in (the answers are long and clean: detection is sure)."""
    from bot.language import detect

    return detect(text).language


def run_rest(cases: list[Case], data_dir: Path, concurrency: int = 4) -> tuple[Counter, list[str]]:
    """Send every case to a real `masar serve` over HTTP: the counts, and the problems (a 5xx,
    a dropped connection, an answerable case refused or the other way round, an empty reply, a
    reply in another language than the user's clear one, a refusal without a message)."""
    import aiohttp

    from bot.benchmarks.load import wait_ready

    port = free_port()
    counts: Counter[str] = Counter(requests=len(cases))
    problems: list[str] = []

    async def send(http, base: str, case: Case, limit: asyncio.Semaphore) -> None:
        async with limit:
            try:
                async with http.post(
                    f"{base}/webhooks/rest/webhook", data=case.body, headers=case.headers
                ) as response:
                    status, raw = response.status, await response.read()
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                counts["connection failed"] += 1
                problems.append(f"{case.kind}: {type(exc).__name__}")
                return
        counts[f"HTTP {status}"] += 1
        if status >= 500:
            problems.append(f"{case.kind}: HTTP {status}")
        elif case.answerable != (status == 200):
            counts["answered or refused wrongly"] += 1
            problems.append(f"{case.kind}: HTTP {status} {raw[:200]!r}")
        elif status == 200:
            replies = json.loads(raw)
            if not replies or not all(r.get("text") for r in replies):
                counts["empty reply"] += 1
                problems.append(f"{case.kind}: empty reply")
            elif case.language:
                counts["clear language"] += 1
                said = reply_language(replies[0]["text"])
                if said != case.language:
                    counts["reply in another language"] += 1
                    problems.append(f"{case.kind}: {case.language} answered in {said}")
        elif not raw.strip():
            counts["refused without a message"] += 1
            problems.append(f"{case.kind}: HTTP {status} without a message")

    async def main() -> None:
        process = await masar_serve(
            masar_env(data_dir, MASAR_PORT=str(port)), data_dir / "stderr.log"
        )
        base = f"http://127.0.0.1:{port}"
        try:
            timeout = aiohttp.ClientTimeout(total=60)
            async with aiohttp.ClientSession(timeout=timeout) as http:
                with contextlib.suppress(TimeoutError):  # a server that never starts: counted
                    await wait_ready(base, patience=120)  # loading the model
                limit = asyncio.Semaphore(concurrency)
                await asyncio.gather(*(send(http, base, case, limit) for case in cases))
                try:
                    async with http.get(f"{base}/health") as response:
                        counts["health after"] = response.status
                except aiohttp.ClientError:
                    counts["health after"] = 0
            counts["server crashed"] = int(process.returncode is not None)
        finally:
            if process.returncode is None:
                process.terminate()
            await process.wait()

    asyncio.run(main())
    log = (data_dir / "stderr.log").read_text(encoding="utf-8", errors="replace")
    counts["tracebacks in the log"] = log.count('"traceback"') + log.count("Traceback")
    counts["HTTP 5xx"] = sum(v for k, v in counts.items() if k.startswith("HTTP 5"))
    return counts, problems


def run_ask(
    cases: list[Case], data_dir: Path, timeout: float | None = None
) -> tuple[Counter, list[str]]:
    """Send every case as one line to a real `masar ask`: the counts, and the problems (a line
    neither answered nor named on stderr, an empty reply, a reply in another language than the
    user's clear one, a crash). `noise given a topic` counts noise not sent to the fallback."""
    lines = [case.line for case in cases]
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask"],
        input=b"\n".join(lines) + b"\n",
        capture_output=True,
        cwd=ROOT,
        env=masar_env(data_dir),
        timeout=timeout,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    out = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    expected = [case for case in cases if case.ask_answerable]
    counts: Counter[str] = Counter(
        lines=len(cases),
        answered=len(out),
        refused=stderr.count("; line skipped"),
        tracebacks=stderr.count("Traceback"),
        exit_code=proc.returncode,
    )
    problems = [] if proc.returncode == 0 else [f"exit code {proc.returncode}: {stderr[-500:]}"]
    for number, case in enumerate(cases, start=1):
        if not case.ask_answerable and f"line {number}: " not in stderr:
            problems.append(f"line {number} ({case.kind}) neither answered nor named")
    counts["unanswered"] = max(0, len(expected) - len(out))
    if len(out) != len(expected):
        problems.append(f"{len(out)} answers for {len(expected)} answerable lines")
    for case, answer in zip(expected, out, strict=False):  # a missing line is a problem above
        sent = json.loads(case.line)
        if answer["user"] != str(sent.get("user", "anonymous")):
            problems.append(f"{case.kind}: answer for another user")
        if not answer["replies"] or not all(r["text"] for r in answer["replies"]):
            counts["empty reply"] += 1
            problems.append(f"{case.kind}: empty reply")
        if case.language:
            counts["clear language"] += 1
            if answer["language"] != case.language:
                counts["reply in another language"] += 1
                problems.append(f"{case.kind}: {case.language} answered in {answer['language']}")
        if case.noise:
            counts["noise"] += 1
            if answer["topic"] != "fallback":
                counts["noise given a topic"] += 1
    if counts["refused"] != len(cases) - len(expected):
        problems.append(f"{counts['refused']} lines refused, {len(cases) - len(expected)} expected")
    if counts["tracebacks"]:
        problems.append(f"{counts['tracebacks']} tracebacks on stderr")
    return counts, problems


if __name__ == "__main__":
    import argparse
    import tempfile
    import time

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=20, help="cases to print (no channel)")
    parser.add_argument("--count", type=int, help="cases to send (default: n)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--rest", action="store_true", help="through a real `masar serve`")
    parser.add_argument("--ask", action="store_true", help="through a real `masar ask`")
    parser.add_argument("--json", type=Path, help="also write the counts to this file")
    parser.add_argument("--kinds", help="send only these kinds (comma-separated) of the cases")
    args = parser.parse_args()
    count = args.count or args.n
    if not (args.rest or args.ask):
        for case in Generator(args.seed).cases(count):
            print(case.kind, case.line[:120])
        raise SystemExit(0)
    cases = Generator(args.seed).cases(count)
    if args.kinds:  # the same cases as the whole run, fewer of them
        cases = [case for case in cases if case.kind in args.kinds.split(",")]
    print(
        f"{len(cases)} cases, seed {args.seed}:",
        dict(sorted(Counter(c.kind for c in cases).items())),
    )
    results, failed = {}, False
    for name, run, on in (("rest", run_rest, args.rest), ("ask", run_ask, args.ask)):
        if not on:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            started = time.monotonic()
            found, problems = run(cases, Path(tmp))
            found["seconds"] = round(time.monotonic() - started)
        results[name] = {"counts": dict(sorted(found.items())), "problems": problems[:50]}
        print(f"{name}:", dict(sorted(found.items())))
        for problem in problems[:50]:
            print("  problem:", problem)
        failed = failed or bool(problems)
    if args.json:
        summary = {"seed": args.seed, "count": count, "kinds": args.kinds, **results}
        args.json.write_text(json.dumps(summary, indent=1))
    raise SystemExit(1 if failed else 0)

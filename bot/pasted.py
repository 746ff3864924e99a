"""Long pasted text: answer the question that comes with it, or ask what the user needs.

People forward what reaches them: a news article, a law, a chain message ("share with everyone:
the border opens on Monday"), song lyrics, a copied group chat. A topic classifier reads such a
text as a question and names its nearest topic with confidence: an article about a migration law
is "how to apply for asylum", and it is most confident exactly when the text is full of a
topic's words. What Masar does with a long message, like a careful help desk:

1. The safety checks read the whole text first, and nothing here runs before them: danger gets
   the emergency numbers, signs of trafficking get protection, an advert gets the offer check;
   a text with any of an offer's red flags is left to the offer check too (never at the expense
   of adverts).
2. A long text (PASTED_MIN_WORDS words or more: none of the 677 questions of the held-out chat
   sets has more than 33 words, only the pasted adverts do) that is the user's own story is
   read by the classifier as before, whole, with the question it may end with: written in the
   first person (I, my, we ... in the launch languages: FIRST_PERSON_SHARE of its words) and
   shaped like a message, not like a copied chat (names or times at the start of the lines) or
   verses (many short lines, or a line repeated).
3. Any other long text that ends, or else starts, with a question the user added ("is this
   true?", "what does this mean for me?") is answered on that question, in the question's
   language: the user's own words say what they want to know.
4. Any other long text gets the fallback: what Masar can help with, and as buttons the topics
   nearest to the text (the classifier's ranking), so an article about family reunification
   offers that answer instead of imposing it.

Known limit: Turkish, Spanish, Arabic and Persian often say "I" only in a verb's ending; the
commonest such forms are listed, so a long story without a question may still get the fallback,
whose buttons offer the nearest topics: one more tap, not a wrong answer.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .messages import MAX_TEXT, clean_text
from .safety.text import fold

PASTED_MIN_WORDS = 60  # words (runs of letters) from which a message counts as long
QUESTION_MAX_WORDS = 30  # a question the user added is short
FIRST_PERSON_SHARE = 0.03  # share of first-person words that makes a long text the user's story
FIRST_PERSON_MIN = 2
VERSE_LINES = 6  # this many lines or more, most of them short, are verses
VERSE_LINE_WORDS = 8

# "I", "my", "we" and the commonest first-person verbs of each launch language (folded like the
# messages), read in the message's language: "من" is "I" in Persian and "from" in Arabic. Words
# that are also something else in their own language ("میں": "I" and "in" in Urdu) are left out.
FIRST_PERSON = {
    "en": "i im ive id me my mine myself we our ours",
    "fr": "je j moi mon ma mes nous notre nos suis ai",
    "es": "yo mi mis me conmigo estoy tengo soy quiero necesito puedo nosotros nosotras "
    "nuestro nuestra nuestros nuestras estamos tenemos",
    "tr": "ben benim bana beni bende biz bizim bize bizi",
    "so": "aniga anigu waxaan waan ayaan annaga anaga ii iga igu waxaannu waannu",
    "ar": "انا أنا أنني انني إني اني احنا إحنا نحن عندي بدي أريد اريد ابني بنتي زوجي زوجتي أخي "
    "اخي أمي امي معي مني ana ena ani 3andi bdi baddi ehna e7na 7na",
    "fa": "من ما مرا هستم دارم میخواهم میخوام نمیدانم نمیدونم میتوانم میتونم دانم توانم خواهم "
    "خودم شوهرم همسرم پسرم دخترم برادرم مادرم پدرم",
    "ps": "زه زما زموږ موږ یم غواړم لرم",
    "ur": "مجھے مجھ میرا میری میرے ہوں ہم ہمارا ہماری ہمیں",
    "bn": "আমি আমার আমাকে আমায় আমরা আমাদের",
    "ti": "ኣነ ናተይ ኣለኹ ይደሊ ኣሎኒ ንሕና ናትና ኣሎና",
    "uk": "я мені мене мій моя моє мої мною ми нам нас наш наша наші маю хочу можу",
}
_FIRST_PERSON = {lang: {fold(w) for w in words.split()} for lang, words in FIRST_PERSON.items()}
_FIRST_PERSON_ENDINGS = ("yorum", "yoruz")  # Turkish: "bilmiyorum", "kalıyoruz"

_TOKEN = re.compile(r"[^\W\d_][\w'\u200c]*")
_QUESTION_END = re.compile(r"[?؟፧？]\W*$")
# a sentence ends at . ! ? and their Arabic, Ethiopic, Urdu and Bengali forms, or a line break
_SENTENCE_END = re.compile(r"(?<=[.!?؟።፧۔।？])\s+|\s*\n+\s*")
# a copied chat's line: a time ("12:03", "[02/12/26, 14:03]") or a short name and a colon
_CHAT_LINE = re.compile(r"^\s*(\[?\d{1,2}[:./]\d{2}|[^\s:]{1,20}( [^\s:]{1,20})?:\s)")


@dataclass(frozen=True)
class Pasted:
    """A long text that is not the user's own message; `question`: the one they added, if any."""

    question: str | None


def tokens(text: str) -> list[str]:
    """The folded words of a text (runs of letters, with the apostrophes inside them split)."""
    return [part for word in _TOKEN.findall(fold(text)) for part in word.split("'") if part]


def first_person(words: list[str], language: str) -> int:
    """How many of the words say "I" or "we" in the language (Turkish also by a verb's ending)."""
    mine = _FIRST_PERSON.get(language, set())
    endings = _FIRST_PERSON_ENDINGS if language == "tr" else ()
    return sum(1 for w in words if w in mine or (endings and w.endswith(endings)))


def added_question(text: str) -> str | None:
    """The short question the text ends with, or else starts with (see module docstring)."""
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]
    for sentence in (sentences[-1], sentences[0]) if sentences else ():
        if (
            _QUESTION_END.search(sentence)
            and 0 < len(tokens(sentence)) <= QUESTION_MAX_WORDS
            and not _CHAT_LINE.match(sentence)  # a line of a copied chat is someone else's
        ):
            return sentence
    return None


def copied_shape(text: str) -> bool:
    """A copied chat (two or more lines opened by a time or a name and a colon) or verses."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if sum(1 for line in lines if _CHAT_LINE.match(line)) >= 2:
        return True
    if len(lines) >= 4 and max(Counter(lines).values()) >= 2:  # a chorus
        return True
    short = sum(1 for line in lines if len(tokens(line)) <= VERSE_LINE_WORDS)
    return len(lines) >= VERSE_LINES and short >= 0.7 * len(lines)


def own_story(text: str, language: str) -> bool:
    """Written in the first person and shaped like a message (module docstring, point 2)."""
    words = tokens(text)
    mine = first_person(words, language)
    return (
        mine >= FIRST_PERSON_MIN
        and mine >= FIRST_PERSON_SHARE * len(words)
        and not copied_shape(text)
    )


def pasted(text: str, language: str) -> Pasted | None:
    """None for the user's own message (short, or their story); else the pasted text and the
    question the user added to it, if any. A story that ends with a question is the user's own
    and read whole: "... my claim was rejected last week. What can I do?" needs its story.

    `text`: the message as sent, with its lines (the engine's cleaned text is one line; each
    line is cleaned here); `language`: its language. Call it only for a text the safety checks
    have let through (module docstring, point 1)."""
    lines = (clean_text(line) for line in text[:MAX_TEXT].splitlines())
    text = "\n".join(line for line in lines if line)
    if len(tokens(text)) < PASTED_MIN_WORDS:
        return None
    question = added_question(text)
    if own_story(text.replace(question, " ", 1) if question else text, language):
        return None
    return Pasted(question)

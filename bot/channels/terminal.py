"""`masar chat`: the bot in a terminal, with numbered buttons (type the number to press)."""

from __future__ import annotations

import getpass
import sys

from ..i18n import RTL
from ..masar import Masar
from ..messages import Answer, Incoming


def show(answer: Answer, out=sys.stdout) -> list[str]:
    """Print the replies; return the button payloads in the order they were numbered."""
    payloads: list[str] = []
    for reply in answer.replies:
        print(f"\nmasar> {reply.text}", file=out)
        for button in reply.buttons:
            payloads.append(button.payload)
            mark = "\u200f" if answer.language in RTL else ""
            print(f"  [{len(payloads)}] {mark}{button.title}", file=out)
    out.flush()
    return payloads


async def run(masar: Masar, stdin=sys.stdin, out=sys.stdout) -> None:
    user = getpass.getuser()
    print(
        "Masar — type a message, a button number, /language, /menu, /forget; Ctrl-D to quit.",
        file=out,
    )
    payloads = show(await masar.handle(Incoming(user, "/start", channel="terminal")), out)
    while True:
        print("\nyou> ", end="", file=out, flush=True)
        line = stdin.readline()
        if not line:
            print("", file=out)
            return
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(payloads):
            text = payloads[int(text) - 1]
        payloads = show(await masar.handle(Incoming(user, text, channel="terminal")), out)

"""`masar console add-user NAME --password-stdin | remove-user NAME | list-users`.

Staff accounts live in the console's store in the data directory; the first one turns the
console on (restart not needed). A password is read from standard input (for scripts and
secret managers: `printf '%s' "$PW" | masar console add-user amina --password-stdin`) or
typed twice at a prompt; it is never an argument, so it never shows in the process list or
the shell's history.
"""

from __future__ import annotations

import getpass
import re
import sys

from . import passwords
from .store import ConsoleStore

NAME = re.compile(r"^[\w.@-]{2,64}$")


def _password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        print("masar console: the two passwords differ", file=sys.stderr)
        return None
    return first


def main(action: str, name: str | None, password_stdin: bool, data_dir) -> int:
    store = ConsoleStore.in_dir(data_dir)
    try:
        if action == "list-users":
            for user, created in store.staff():
                print(f"{user}\t{created}")
            return 0
        if not name or not NAME.match(name):
            print(
                "masar console: give a NAME of 2-64 letters, digits, '.', '@', '_' or '-'",
                file=sys.stderr,
            )
            return 2
        if action == "remove-user":
            if not store.remove_staff(name):
                print(f"masar console: no staff account named {name}", file=sys.stderr)
                return 1
            print(f"removed {name}; their sessions have ended")
            return 0
        password = _password(password_stdin)
        if password is None:
            return 1
        problem = passwords.weakness(password)
        if problem:
            print(f"masar console: password refused: {problem}", file=sys.stderr)
            return 1
        store.add_staff(name, passwords.hash_password(password))
        print(f"staff account {name} saved; the console is at /console of `masar serve`")
        return 0
    finally:
        store.close()

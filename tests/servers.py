"""Real servers for tests: PostgreSQL and Redis, each in a temporary folder on a free port, and
`masar serve` itself as its own process (`masar_serve`).

The tests start and stop them themselves; the binaries come from Debian's packages, which
`make servers` (run by `make test`) installs when they are missing. Where they cannot be
installed (no root, no sudo) the tests that need them are skipped and say so.

Both refuse nothing as root except PostgreSQL, which will not run as root: as root it runs as
the `postgres` user the Debian package creates.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from telegram_emulator import ROOT, free_port

MISSING = "{what} is not installed: run `make servers` (as root or with sudo) to install it"


class Postgres:
    """A real PostgreSQL server in a temporary folder (skipped where PostgreSQL is missing)."""

    def __init__(self) -> None:
        self.bin = next(
            (
                Path(p).parent
                for p in (
                    shutil.which("initdb"),
                    *sorted(str(p) for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")),
                )
                if p
            ),
            None,
        )
        if self.bin is None:
            pytest.skip(MISSING.format(what="PostgreSQL"))
        self.folder = Path(tempfile.mkdtemp(prefix="masar-pg-"))
        self.port = free_port()
        self.user: list[str] = []
        if os.geteuid() == 0:
            import pwd

            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root without a postgres user")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.user = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(  # no pipes: the server started by pg_ctl would hold them open
            [*self.user, str(self.bin / tool), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        data, log = str(self.folder / "data"), str(self.folder / "server.log")
        self._run("pg_ctl", "-D", data, "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def query(self, sql: str) -> list[tuple]:
        """Rows of one SQL statement, read with the server's own client library."""
        import sqlalchemy

        engine = sqlalchemy.create_engine(self.url)
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(sqlalchemy.text(sql))]
        finally:
            engine.dispose()


class Redis:
    """A real Redis server in a temporary folder, nothing saved to disk (skipped where
    redis-server is missing)."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            pytest.skip(MISSING.format(what="redis-server"))
        self.folder = Path(tempfile.mkdtemp(prefix="masar-redis-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = self.client()
        for _attempt in range(200):  # bounded: 10 s
            with contextlib.suppress(Exception):
                if client.ping():
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, decode_responses=True)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres():
    """A running PostgreSQL server for the module's tests."""
    server = Postgres()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="module")
def redis_server():
    """A running Redis server for the module's tests."""
    server = Redis()
    try:
        server.start()
        yield server
    finally:
        server.remove()


async def masar_serve(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    """`masar serve` as its own process with `env` (its MASAR_ settings), its log in `log`:
    what an operator runs, so the tests see start-up, readiness and signals as they are."""
    with log.open("wb") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "serve",
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )

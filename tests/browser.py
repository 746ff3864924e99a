"""A real browser for tests: Debian's headless Chromium, driven over the DevTools protocol.

No driver library: Chromium is started with a fresh profile and --remote-debugging-port=0,
writes the port it chose into the profile (DevToolsActivePort), and this module speaks the
protocol over the `websockets` package Rasa already brings. Pages are real pages: the
console's HTML, CSS, cookies, forms and redirects, as a phone-sized Chromium renders them.

`make browser` installs chromium when it is missing (tests that need it are marked
`subprocess` and fail, not skip, without it under `make test`).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import websockets

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--remote-debugging-port=0",
]
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """`async with Browser() as page:` one tab, phone-sized, in a throw-away profile."""

    def __init__(self, language: str = "en") -> None:
        self.language = language
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future] = {}

    async def __aenter__(self) -> Browser:
        binary = chromium()
        if binary is None:
            raise RuntimeError("chromium is not installed: run `make browser` (as root)")
        self._profile = Path(tempfile.mkdtemp(prefix="masar-chromium-"))
        self._process = subprocess.Popen(
            [
                binary,
                *FLAGS,
                f"--user-data-dir={self._profile}",
                f"--lang={self.language}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = self._profile / "DevToolsActivePort"
        for _attempt in range(300):  # Chromium starts in a second or two; 30 s at most
            if port_file.exists() and len(port_file.read_text().split()) >= 2:
                break
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError("chromium did not open its DevTools port")
        port, path = port_file.read_text().split()[:2]
        self._socket = await websockets.connect(f"ws://127.0.0.1:{port}{path}", max_size=None)
        self._reader = asyncio.create_task(self._read())
        target = await self.send("Target.createTarget", url="about:blank")
        attached = await self.send(
            "Target.attachToTarget", targetId=target["targetId"], flatten=True
        )
        self._session = attached["sessionId"]
        await self.send("Page.enable", session=True)
        await self.send("Emulation.setDeviceMetricsOverride", session=True, **PHONE)
        return self

    async def __aexit__(self, *exc) -> None:
        self._reader.cancel()
        await self._socket.close()
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        shutil.rmtree(self._profile, ignore_errors=True)

    async def _read(self) -> None:
        async for raw in self._socket:
            message = json.loads(raw)
            waiting = self._waiting.pop(message.get("id", -1), None)
            if waiting is not None and not waiting.done():
                waiting.set_result(message)

    async def send(self, method: str, session: bool = False, **params: Any) -> dict:
        call_id = next(self._ids)
        message: dict[str, Any] = {"id": call_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        done = asyncio.get_running_loop().create_future()
        self._waiting[call_id] = done
        await self._socket.send(json.dumps(message))
        answer = await asyncio.wait_for(done, 60)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    async def run(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (DevTools, not the page's own
        scripts: the console has none and its CSP allows none)."""
        result = await self.send(
            "Runtime.evaluate",
            session=True,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def _loaded(self, marker: bool) -> None:
        """Wait until the page that replaced the marked one has loaded."""
        until = time.monotonic() + 60
        while time.monotonic() < until:
            try:
                gone = not marker or await self.run("window.__masarOld === undefined")
                if gone and await self.run("document.readyState") == "complete":
                    return
            except RuntimeError:  # the page is between documents
                pass
            await asyncio.sleep(0.05)
        raise TimeoutError("the page did not load")

    async def open(self, url: str) -> None:
        await self.run("window.__masarOld = true")
        await self.send("Page.navigate", session=True, url=url)
        await self._loaded(True)

    async def click(self, selector: str) -> None:
        """Click an element that leads to a new page (a submit button, a link)."""
        await self.run("window.__masarOld = true")
        await self.run(f"document.querySelector({json.dumps(selector)}).click()")
        await self._loaded(True)

    async def type(self, selector: str, text: str) -> None:
        await self.run(f"document.querySelector({json.dumps(selector)}).value = {json.dumps(text)}")

    async def text(self, selector: str = "body") -> str:
        return await self.run(f"document.querySelector({json.dumps(selector)}).innerText")

    async def count(self, selector: str) -> int:
        return await self.run(f"document.querySelectorAll({json.dumps(selector)}).length")

    async def screenshot(self, path: Path) -> Path:
        shot = await self.send(
            "Page.captureScreenshot", session=True, format="png", captureBeyondViewport=True
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

"""End-to-end fixtures: a real server, a real browser, screenshots of every step.

`demo_instance` runs `voting init` and `voting demo` once; each live server gets its own copy
of that instance folder and runs `voting serve --workers 2` (gunicorn) on a free port:
`booth_server` with ballot #1 minted and open (the deputies' journeys), `sitting_server` with
ballot #1 minted and still in draft (the clerk opens and closes it in the browser).
The browser is Debian's Chromium driven by Playwright (`executable_path`, no browser
download); `shot(page, name)` saves test-artifacts/e2e/<test>/<nn>-<name>.png.
"""

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import deque
from contextlib import closing
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
VOTING = Path(sys.executable).with_name("voting")
DATABASE_FILE = "voting.sqlite3"
SERVER_START_SECONDS = 60  # a generous bound on a busy 2-core machine, not a measurement

# A phone in WeChat's built-in browser: how most deputies open a slip's QR code.
WECHAT_UA = ("Mozilla/5.0 (Linux; Android 13; V2218A Build/TP1A.220624.014; wv) "
             "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile "
             "Safari/537.36 XWEB/1160083 MMWEBSDK/20240404 MMWEBID/6258 "
             "MicroMessenger/8.0.49.2600(0x28003133) WeChat/arm64 Weixin NetType/WIFI "
             "Language/zh_CN ABI/arm64")


def phone(width: int = 375, height: int = 667, **kw) -> dict:
    """new_context() options of a touch phone at device scale 2 in WeChat, in Chinese."""
    return {"viewport": {"width": width, "height": height}, "device_scale_factor": 2,
            "is_mobile": True, "has_touch": True, "user_agent": WECHAT_UA,
            "locale": "zh-CN", **kw}


# ---------------------------------------------------------------- the server


def run_cli(instance: Path, *args: str, input: str | None = None, **env_vars: str) -> str:
    """Run the `voting` CLI on `instance`; fail the test with its stderr when it fails."""
    env = {**os.environ, "VOTING_INSTANCE": str(instance), **env_vars}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([str(VOTING), *args], env=env, input=input, capture_output=True,
                          text=True, timeout=120)
    if done.returncode:
        pytest.fail(f"voting {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_instance(source: Path, target: Path) -> Path:
    """A copy of an instance folder; SQLite's backup reads through the write-ahead log."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(f"{DATABASE_FILE}*"))
    with closing(sqlite3.connect(source / DATABASE_FILE)) as src, \
            closing(sqlite3.connect(target / DATABASE_FILE)) as dst:
        src.backup(dst)
    return target


class LiveServer:
    """`voting serve --workers 2` on its own instance folder and a free port, started at once;
    call wait_until_healthy() before sending it requests."""

    def __init__(self, instance: Path, log: Path):
        self.instance = instance
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tokens: deque[str] = deque()
        env = {**os.environ, "VOTING_INSTANCE": str(instance), "PORT": str(self.port),
               "PUBLIC_BASE_URL": self.url}
        env.pop("DATABASE_URL", None)
        self.log = log
        self._log_file = open(log, "w")  # closed in stop()
        self.process = subprocess.Popen(
            [str(VOTING), "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", "2"], env=env, stdout=self._log_file, stderr=subprocess.STDOUT)

    def wait_until_healthy(self) -> None:
        """Block until /healthz answers 200 (the server boots while the CLI prepares data)."""
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                health = f"{self.url}/healthz"
                with urllib.request.urlopen(health, timeout=2) as answer:  # noqa: S310 (http)
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"voting serve did not come up:\n{self.log.read_text()[-3000:]}")

    def cli(self, *args: str, input: str | None = None) -> str:
        return run_cli(self.instance, *args, input=input, PUBLIC_BASE_URL=self.url)

    def mint(self, ballot_id: int, count: int) -> list[str]:
        """Mint `count` tokens of a draft ballot through the CLI; returns the tokens."""
        out = self.instance.parent / f"tokens-{ballot_id}-{time.monotonic_ns()}.txt"
        self.cli("ballot", "tokens", str(ballot_id), "--count", str(count), "--format", "txt",
                 "--out", str(out))
        urls = out.read_text().split()
        assert all(u.startswith(f"{self.url}/v/") for u in urls), urls[:1]
        return [u.rsplit("/", 1)[1] for u in urls]

    def take_token(self) -> str:
        """An unused token of the ballot this server was prepared with."""
        return self.tokens.popleft()

    def api(self, path: str, body: dict | None = None) -> tuple[int, dict]:
        """GET (or POST JSON to) /api/v1/<path>: (status, answer)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 (our own http:// server)
            f"{self.url}/api/v1/{path}", data=data, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                return answer.status, json.load(answer)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()


@pytest.fixture(scope="session")
def demo_instance(tmp_path_factory) -> Path:
    """An instance folder with `voting demo` loaded: 青川县, ballot #1 (12 选 10) in draft."""
    folder = tmp_path_factory.mktemp("e2e-demo") / "instance"
    run_cli(folder, "init")
    run_cli(folder, "demo")
    return folder


def start_server(demo_instance: Path, tmp_path_factory, name: str) -> LiveServer:
    base = tmp_path_factory.mktemp(f"e2e-{name}")
    return LiveServer(copy_instance(demo_instance, base / "instance"), base / "server.log")


@pytest.fixture(scope="session")
def booth_server(demo_instance, tmp_path_factory):
    """Ballot #1 open, with unused tokens to take (`booth_server.take_token()`)."""
    server = start_server(demo_instance, tmp_path_factory, "booth")
    try:
        server.tokens.extend(server.mint(1, 40))
        server.cli("ballot", "open", "1")
        server.wait_until_healthy()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sitting_server(demo_instance, tmp_path_factory):
    """Ballot #1 still in draft, with 100 minted tokens in `sitting_server.tokens`."""
    server = start_server(demo_instance, tmp_path_factory, "sitting")
    try:
        server.tokens.extend(server.mint(1, 100))
        server.wait_until_healthy()
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser() -> Browser:
    """Debian's Chromium, headless. Fails (never skips) when it is missing."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the end-to-end tests need Debian's chromium "
                    "(make system-deps, or apt-get install -y chromium poppler-utils)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


def artifact_folder(node) -> Path:
    return ARTIFACTS / re.sub(r"[^\w.-]+", "_", node.name)


@pytest.fixture
def context_factory(browser, request):
    """new_context(**options), closed after the test; default: a desktop in Chinese. When the
    test fails, every page still open is saved as failure-<n>.png among its artifacts."""
    contexts = []

    def new_context(**options):
        options = {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN", **options}
        context = browser.new_context(**options)
        context.set_default_timeout(30_000)  # generous: a busy 2-core machine
        contexts.append(context)
        return context

    yield new_context
    failed = getattr(request.node, "e2e_failed", False)
    for n, page in enumerate(p for c in contexts for p in c.pages if failed and not p.is_closed()):
        folder = artifact_folder(request.node)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"failure-{n + 1}.png"), full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def shot(request):
    """shot(page, name): save a PNG of what the page shows to test-artifacts/e2e/<test>/."""
    folder = artifact_folder(request.node)
    shutil.rmtree(folder, ignore_errors=True)
    taken = []

    def take(page: Page, name: str, full_page: bool = False) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{len(taken) + 1:02d}-{name}.png"
        # A click that submits a form returns once the navigation starts; a screenshot taken
        # between the old page and the new one fails ("Unable to capture screenshot").
        page.wait_for_load_state()
        page.screenshot(path=str(path), full_page=full_page)
        taken.append(path)
        return path

    return take


@pytest.fixture
def artifacts(request, shot) -> Path:
    """This test's artifact folder (PDFs and the like), next to its screenshots."""
    folder = artifact_folder(request.node)
    folder.mkdir(parents=True, exist_ok=True)
    return folder

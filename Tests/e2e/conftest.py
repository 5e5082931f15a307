"""Browser journeys and accessibility checks: one LabAtlas server for the session,
Chromium through Selenium, with JavaScript on and off.

The server is the already-built `labatlas` binary (`LABATLAS_BIN`, default
`.build/debug/labatlas` from the repository root), started on a free loopback
port with a fresh data directory and the demo content. Accounts are created
with `labatlas user create` before it serves; everything else (invitations,
editor rights, items) goes through the browser like a person would.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from helpers import Account

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

# Accounts made on the command line before the server starts (passwords ≥ 12 characters).
ADMIN = Account(email="admin@e2e.labatlas.test", name="Camille Administratrice", password="mot-de-passe-admin-2026")
OUTSIDER = Account(email="visiteur@e2e.labatlas.test", name="Dominique Sans-Rattachement", password="mot-de-passe-visiteur-2026")


def _binary() -> Path:
    path = Path(os.environ.get("LABATLAS_BIN", ".build/debug/labatlas"))
    return path if path.is_absolute() else REPO / path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_environment() -> dict[str, str]:
    """The caller's environment without what would point the server elsewhere (PostgreSQL, SMTP, a public URL)."""
    environment = dict(os.environ)
    for name in ("DATABASE_URL", "LABATLAS_DATA_DIR", "LABATLAS_PUBLIC_URL", "SMTP_URL"):
        environment.pop(name, None)
    return environment


def _create_user(binary: Path, data_dir: Path, account: Account, admin: bool) -> None:
    command = [str(binary), "user", "create", "--email", account.email, "--name", account.name,
               "--password-stdin", "--data-dir", str(data_dir)]
    if admin:
        command.append("--admin")
    result = subprocess.run(command, input=account.password + "\n", cwd=REPO, env=_server_environment(),
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"labatlas user create {account.email} failed:\n{result.stdout}\n{result.stderr}")


@dataclass
class Server:
    url: str
    data_dir: Path
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="session")
def server():
    binary = _binary()
    if not binary.exists():
        pytest.exit(f"no labatlas binary at {binary}: build it (swift build) or set LABATLAS_BIN", returncode=2)
    data_dir = Path(tempfile.mkdtemp(prefix="labatlas-e2e-"))
    _create_user(binary, data_dir, ADMIN, admin=True)
    _create_user(binary, data_dir, OUTSIDER, admin=False)
    port = _free_port()
    log = data_dir / "server.log"
    with open(log, "w") as out:
        # The working directory is the repository: templates and the stylesheet are read from it.
        process = subprocess.Popen(
            [str(binary), "serve", "--data-dir", str(data_dir), "--demo", "--hostname", "127.0.0.1", "--port", str(port)],
            cwd=REPO, env=_server_environment(), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    instance = Server(url=f"http://127.0.0.1:{port}", data_dir=data_dir, log=log)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"labatlas serve exited with {process.returncode}:\n{instance.log_tail()}")
            try:
                with urllib.request.urlopen(instance.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"labatlas serve did not answer /healthz within 120 s:\n{instance.log_tail()}")
            time.sleep(0.25)
        yield instance
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if os.environ.get("LABATLAS_E2E_KEEP_DATA"):
            print(f"\ne2e data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


# --- Browsers ---------------------------------------------------------------

def _chrome_binary() -> str | None:
    for candidate in (os.environ.get("CHROME_BIN"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


def _chromedriver() -> str:
    for candidate in (os.environ.get("CHROMEDRIVER"), "chromedriver", "/usr/lib/chromium/chromedriver"):
        if candidate and (found := shutil.which(candidate)):
            return found
    pytest.exit("chromedriver not found: apt-get install chromium chromium-driver", returncode=2)


def new_browser(javascript: bool = True, width: int = 1280, height: int = 900) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    if binary := _chrome_binary():
        options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--lang=fr-FR", "--force-device-scale-factor=1", "--hide-scrollbars",
                     # The stylesheet scrolls smoothly unless motion is reduced: clicks need elements to stay put.
                     "--force-prefers-reduced-motion",
                     f"--window-size={width},{height}"):
        options.add_argument(argument)
    prefs = {"intl.accept_languages": "fr-FR,fr", "credentials_enable_service": False,
             "profile.password_manager_enabled": False}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    # The driver comes from the system (Debian's chromium-driver): Selenium Manager never downloads one.
    driver = webdriver.Chrome(service=Service(_chromedriver()), options=options)
    driver.set_page_load_timeout(60)
    driver.javascript_enabled = javascript  # for the helpers and the reports
    return driver


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test (for the browsers' teardown) and, on a failure, adds the server log's end."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, "report_" + report.when, report)
    if report.failed and isinstance(item.funcargs.get("server"), Server):
        report.sections.append(("labatlas serve (last lines)", item.funcargs["server"].log_tail(25)))


def save_failure(request, drivers) -> None:
    """A failed test leaves each of its browsers' screen and HTML in screenshots/failures/."""
    report = getattr(request.node, "report_call", None)
    if not (report and report.failed):
        return
    folder = SCREENSHOTS / "failures"
    folder.mkdir(parents=True, exist_ok=True)
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)
    for index, driver in enumerate(drivers, start=1):
        try:
            driver.save_screenshot(str(folder / f"{name}-{index}.png"))
            (folder / f"{name}-{index}.html").write_text(f"<!-- {driver.current_url} -->\n" + driver.page_source)
        except Exception:
            pass


@pytest.fixture
def make_browser(request):
    """A factory of browsers, each one a separate session (its own cookies), all closed at the end."""
    opened: list[webdriver.Chrome] = []

    def make(javascript: bool = True, width: int = 1280, height: int = 900) -> webdriver.Chrome:
        driver = new_browser(javascript, width, height)
        opened.append(driver)
        return driver

    yield make
    save_failure(request, opened)
    for driver in opened:
        try:
            driver.quit()
        except Exception:
            pass


@pytest.fixture(params=["js", "nojs"], ids=["js", "sans-js"])
def javascript(request) -> bool:
    """Every journey runs twice: JavaScript enabled, and disabled (the site has none and must not need it)."""
    return request.param == "js"


@pytest.fixture
def browser(make_browser, javascript):
    return make_browser(javascript=javascript)


# --- Accounts made through the browser --------------------------------------

_invited: dict[str, Account] = {}


@pytest.fixture
def lab_editor(server, javascript) -> Account:
    """An editor of the demo lab EDITOR_LAB, set up as the invitation journey does it (once per JS variant)."""
    from journeys import EDITOR_LAB, invite_and_accept

    key = "js" if javascript else "nojs"
    if key not in _invited:
        account = Account(email=f"editrice-{key}@e2e.labatlas.test", name=f"Lou Éditrice {key.upper()}",
                          password=f"mot-de-passe-editrice-{key}")
        driver = new_browser(javascript=javascript)
        try:
            invite_and_accept(driver, server.url, ADMIN, account, lab=EDITOR_LAB, role="editor")
        finally:
            driver.quit()
        _invited[key] = account
    return _invited[key]


@pytest.fixture(scope="session")
def admin() -> Account:
    return ADMIN


@pytest.fixture(scope="session")
def outsider() -> Account:
    return OUTSIDER


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# --- axe-core findings, printed at the end of the run -------------------------

_AXE_LOG: list[tuple[str, list[dict]]] = []


@pytest.fixture(scope="session")
def axe_log() -> list[tuple[str, list[dict]]]:
    """(page label, violations of every impact) for each axe-core run, reported in the terminal summary."""
    return _AXE_LOG


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _AXE_LOG:
        return
    from a11y import AXE_VERSION, describe_violations

    runs = len(_AXE_LOG)
    with_findings = [(label, violations) for label, violations in _AXE_LOG if violations]
    counts: dict[str, int] = {}
    for _, violations in with_findings:
        for violation in violations:
            counts[violation["impact"] or "unknown"] = counts.get(violation["impact"] or "unknown", 0) + 1
    terminalreporter.section(f"axe-core {AXE_VERSION}: every finding, all impacts")
    for label, violations in with_findings:
        terminalreporter.write_line(describe_violations(label, violations))
    summary = ", ".join(f"{n} {impact}" for impact, n in sorted(counts.items())) or "none"
    terminalreporter.write_line(f"axe-core {AXE_VERSION}: {runs} page checks, violations: {summary}")
    import json
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "axe-report.json").write_text(json.dumps(
        {"axe_version": AXE_VERSION, "runs": [{"page": label, "violations": violations} for label, violations in _AXE_LOG]},
        ensure_ascii=False, indent=1))

"""What the durability scripts share: the binary, its command line, a server
process on loopback, and plain HTTP. Standard library only, so CI installs nothing.

The binary is `LABATLAS_BIN` (default `.build/debug/labatlas` from the
repository root). PostgreSQL is used when `DATABASE_URL` is set, otherwise a
fresh SQLite data directory.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def binary() -> Path:
    path = Path(os.environ.get("LABATLAS_BIN", ".build/debug/labatlas"))
    path = path if path.is_absolute() else REPO / path
    if not path.exists():
        raise SystemExit(f"no labatlas binary at {path}: build it (swift build) or set LABATLAS_BIN")
    return path


def postgres_tool(name: str) -> str | None:
    """A PostgreSQL client tool (createdb, dropdb…): in PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                      key=lambda p: [int(x) for x in p.parent.name.split(".") if x.isdigit()])
    for directory in reversed(versions):
        if (directory / name).exists():
            return str(directory / name)
    return None


def database_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "").strip()
    return url or None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def environment(db_url: str | None) -> dict[str, str]:
    """The caller's environment, pointing at `db_url` (PostgreSQL) or at nothing (SQLite in --data-dir)."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "LABATLAS_DATA_DIR", "LABATLAS_PUBLIC_URL", "SMTP_URL"):
        env.pop(name, None)
    if db_url:
        env["DATABASE_URL"] = db_url
    return env


def storage_args(data_dir: Path, db_url: str | None) -> list[str]:
    return [] if db_url else ["--data-dir", str(data_dir)]


def cli(args: list[str], data_dir: Path, db_url: str | None, stdin: str | None = None, timeout: float = 180) -> str:
    """Runs `labatlas ARGS` and returns its standard output; raises with both streams on failure."""
    command = [str(binary()), *args, *storage_args(data_dir, db_url)]
    result = subprocess.run(command, input=stdin, cwd=REPO, env=environment(db_url),
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:2])} failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return result.stdout


def create_admin(data_dir: Path, db_url: str | None, email: str, name: str, password: str) -> None:
    cli(["user", "create", "--email", email, "--name", name, "--admin", "--password-stdin"],
        data_dir, db_url, stdin=password + "\n")


def create_token(data_dir: Path, db_url: str | None, email: str) -> str:
    out = cli(["token", "create", "--email", email, "--label", "durability"], data_dir, db_url)
    lines = [line.strip() for line in out.splitlines() if re.fullmatch(r"[A-Za-z0-9_\-]{20,}", line.strip())]
    if not lines:
        raise RuntimeError(f"token create printed no token:\n{out[-1000:]}")
    return lines[-1]


# --- HTTP -------------------------------------------------------------------

@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def revision(self) -> int | None:
        """The `ETag` header as a revision number (`"7"` or `W/"7"`)."""
        tag = self.headers.get("etag", "").replace("W/", "").strip().strip('"')
        return int(tag) if tag.isdigit() else None


def request(base: str, method: str, path: str, *, headers: dict[str, str] | None = None,
            body: bytes | str | dict | None = None, timeout: float = 15) -> Reply:
    """One request on a fresh connection; raises OSError (refused, reset, timeout) when no answer arrives."""
    parsed = urllib.parse.urlsplit(base)
    assert parsed.hostname == HOST, "only loopback"
    all_headers = dict(headers or {})
    if isinstance(body, dict):
        body = json.dumps(body, ensure_ascii=False)
        all_headers.setdefault("Content-Type", "application/json")
    if isinstance(body, str):
        body = body.encode("utf-8")
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        data = response.read()
        # Several Set-Cookie headers may come: keep them all, joined by newlines.
        merged: dict[str, str] = {}
        for name, value in response.getheaders():
            key = name.lower()
            merged[key] = merged[key] + "\n" + value if key in merged else value
        return Reply(response.status, merged, data)
    except http.client.HTTPException as error:  # a half-sent reply from a dying server: no answer
        raise ConnectionError(str(error)) from error
    finally:
        connection.close()


# --- The server ---------------------------------------------------------------

@dataclass
class Server:
    data_dir: Path
    db_url: str | None
    port: int = field(default_factory=free_port)
    log: Path | None = None
    process: subprocess.Popen | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 120) -> float:
        """Starts `labatlas serve` (migrating first) and waits for /healthz; returns the seconds it took."""
        assert self.process is None or self.process.poll() is not None, "already running"
        self.log = self.log or self.data_dir / f"server-{self.port}.log"
        self.starts += 1
        began = time.monotonic()
        with open(self.log, "a") as out:
            out.write(f"\n===== start {self.starts} =====\n")
            out.flush()
            self.process = subprocess.Popen(
                [str(binary()), "serve", "--hostname", HOST, "--port", str(self.port), *storage_args(self.data_dir, self.db_url)],
                cwd=REPO, env=environment(self.db_url), stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = began + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"labatlas serve exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if request(self.url, "GET", "/healthz", timeout=2).status == 200:
                    return time.monotonic() - began
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"labatlas serve did not answer /healthz within {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.1)

    def kill9(self) -> None:
        """SIGKILL to the server's whole process group: no shutdown code runs."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log and self.log.exists() else ""

    def log_since_last_start(self) -> str:
        text = self.log_text()
        marker = f"===== start {self.starts} ====="
        return text[text.rfind(marker):] if marker in text else text

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


def error_lines(log: str) -> list[str]:
    """The server log's error and critical lines (Vapor's `[ ERROR ]`, `[ CRITICAL ]`) and fatal errors."""
    return [line for line in log.splitlines()
            if "[ ERROR ]" in line or "[ CRITICAL ]" in line or "Fatal error" in line]

#!/usr/bin/env python3
"""`labatlas backup` while writes are running gives a file that `labatlas restore`
turns into a working instance with every acknowledged write up to the backup.

Starts `labatlas serve` (LABATLAS_BIN, default .build/debug/labatlas) on a free
loopback port with a fresh data dir and the demo content, keeps several API
writers creating labs and projects, takes `labatlas backup` in the middle,
restores it into a fresh data dir (with DATABASE_URL: a fresh database next to
the one named), serves that, and checks that every write acknowledged before
the backup began is there, that the search finds them and (SQLite) that the
backup and the restored database pass `PRAGMA integrity_check`. Also checks that
a restore is refused while a server uses the database and that a backup does not
replace an existing file. Python 3 standard library only; prints
`N passed, M failed` last and exits non-zero on failure.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import REPO, binary, environment, free_port  # noqa: E402

WRITERS = 4
WRITES_PER_WRITER = 400          # an upper bound: writers stop when told, long before on a normal run
ACKS_BEFORE_BACKUP = 30          # writes acknowledged before the backup starts
SERVER_START_SECONDS = 180
COMMAND_SECONDS = 300
RUN = f"{os.getpid()}{int(time.time()) % 100000}"

results: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: str = "") -> bool:
    results.append((name, ok, detail))
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f" — {detail}" if detail else ""), flush=True)
    return ok


# --- The binary and its environment ---------------------------------------------

def labatlas(args: list[str], data_dir: Path, database_url: str | None, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary()), *args, "--data-dir", str(data_dir)], input=stdin, cwd=REPO,
                          env=environment(database_url), capture_output=True, text=True, timeout=COMMAND_SECONDS)


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


def serve(data_dir: Path, database_url: str | None, demo: bool) -> Server:
    port = free_port()
    log = data_dir.parent / f"{data_dir.name}-server.log"
    command = [str(binary()), "serve", "--data-dir", str(data_dir), "--hostname", "127.0.0.1", "--port", str(port)]
    if demo:
        command.append("--demo")
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=REPO, env=environment(database_url), stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"labatlas serve exited with {process.returncode}:\n{server.tail()}")
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(f"labatlas serve did not answer /healthz within {SERVER_START_SECONDS} s:\n{server.tail()}")


def request(method: str, url: str, token: str | None = None, body: dict | None = None, timeout: float = 30) -> tuple[int, str]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


# --- PostgreSQL: a fresh database for each instance ------------------------------

def postgres_tool(name: str) -> str:
    found = harness.postgres_tool(name)
    if not found:
        raise RuntimeError(f"{name} not found in PATH or /usr/lib/postgresql/*/bin")
    return found


def postgres_environment(url: str) -> dict[str, str]:
    parts = urllib.parse.urlsplit(url)
    env = dict(os.environ)
    env.update({key: value for key, value in {
        "PGHOST": parts.hostname, "PGPORT": str(parts.port) if parts.port else None,
        "PGUSER": urllib.parse.unquote(parts.username) if parts.username else None,
        "PGPASSWORD": urllib.parse.unquote(parts.password) if parts.password else None,
    }.items() if value})
    if not parts.hostname or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise RuntimeError(f"DATABASE_URL must name a loopback server, not {parts.hostname}")
    return env


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def postgres_database(url: str, name: str, create: bool) -> None:
    env = postgres_environment(url)
    subprocess.run([postgres_tool("dropdb"), "--if-exists", name], env=env, capture_output=True, text=True, timeout=60)
    if create:
        result = subprocess.run([postgres_tool("createdb"), name], env=env, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"createdb {name} failed: {result.stderr.strip()}")


# --- Writers ----------------------------------------------------------------------

@dataclass
class Write:
    type: str
    slug: str
    title: str
    sent: float
    acknowledged: float | None = None
    status: int = 0


@dataclass
class WriteLog:
    writes: list[Write] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, write: Write) -> None:
        with self.lock:
            self.writes.append(write)

    def acknowledged_count(self) -> int:
        with self.lock:
            return sum(1 for w in self.writes if w.acknowledged is not None)


def writer(server: Server, token: str, number: int, log: WriteLog, stop: threading.Event) -> None:
    for index in range(WRITES_PER_WRITER):
        if stop.is_set():
            return
        slug = f"durabilite-{RUN}-{number}-{index}"
        if index % 2 == 0:
            kind, title = "labs", f"Laboratoire durabilite {RUN} {number} {index}"
            body = {"slug": slug, "name": title, "visibility": "public", "city": "Lyon"}
        else:
            kind, title = "projects", f"Projet durabilite {RUN} {number} {index}"
            body = {"slug": slug, "title": title, "visibility": "public", "stage": "exploration",
                    "summary": "Écrit pendant une sauvegarde."}
        write = Write(kind, slug, title, sent=time.monotonic())
        try:
            status, _ = request("POST", f"{server.url}/api/v1/{kind}", token, body)
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            status = 0
        write.status = status
        if status == 201:
            write.acknowledged = time.monotonic()
        log.add(write)


# --- The run ----------------------------------------------------------------------

def integrity(path: Path) -> str:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return ", ".join(row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()[:3])
    finally:
        connection.close()


def main() -> int:
    if not binary().exists():
        print(f"no labatlas binary at {binary()}: build it (swift build --product labatlas) or set LABATLAS_BIN", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    base_url = os.environ.get("DATABASE_URL") or None
    engine = "PostgreSQL" if base_url else "SQLite"
    print(f"== backup during writes ({engine}, {binary()})", flush=True)
    root = Path(tempfile.mkdtemp(prefix="labatlas-backup-durability-"))
    source_dir, restored_dir = root / "source", root / "restored"
    source_dir.mkdir()
    restored_dir.mkdir()
    source_url = restored_url = None
    databases: list[str] = []
    if base_url:
        source_name, restored_name = f"labatlas_backup_src_{RUN}", f"labatlas_backup_dst_{RUN}"
        databases = [source_name, restored_name]
        postgres_database(base_url, source_name, create=True)
        postgres_database(base_url, restored_name, create=True)
        source_url, restored_url = with_database(base_url, source_name), with_database(base_url, restored_name)
    backup_file = root / "atlas.backup"
    servers: list[Server] = []
    try:
        created = labatlas(["user", "create", "--email", "sauvegarde@durability.test", "--name", "Sauvegarde",
                            "--admin", "--password-stdin"], source_dir, source_url, stdin="mot-de-passe-durabilite-2026\n")
        if not check("admin account created", created.returncode == 0, created.stderr.strip()[-300:]):
            return finish(root)
        token_run = labatlas(["token", "create", "--email", "sauvegarde@durability.test"], source_dir, source_url)
        token = (token_run.stdout.strip().splitlines() or [""])[-1].strip()
        if not check("API token created", token_run.returncode == 0 and len(token) > 10, token_run.stderr.strip()[-300:]):
            return finish(root)

        source = serve(source_dir, source_url, demo=True)
        servers.append(source)
        log, stop = WriteLog(), threading.Event()
        threads = [threading.Thread(target=writer, args=(source, token, n, log, stop), daemon=True) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        while log.acknowledged_count() < ACKS_BEFORE_BACKUP and time.monotonic() < deadline and any(t.is_alive() for t in threads):
            time.sleep(0.05)

        backup_started = time.monotonic()
        backup = labatlas(["backup", str(backup_file)], source_dir, source_url)
        backup_ended = time.monotonic()
        time.sleep(1.0)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

        writes = list(log.writes)
        refused = [w for w in writes if w.status != 201]
        before = [w for w in writes if w.acknowledged is not None and w.acknowledged < backup_started]
        during = [w for w in writes if w.acknowledged is not None and backup_started <= w.acknowledged <= backup_ended]
        check("every API write was acknowledged", not refused,
              f"{len(writes)} writes" + (f", {len(refused)} not acknowledged (statuses {sorted({w.status for w in refused})})" if refused else ""))
        check("backup succeeded while writers ran", backup.returncode == 0 and backup_file.exists(),
              (backup.stdout.strip().splitlines() or [""])[-1] if backup.returncode == 0 else backup.stderr.strip()[-400:])
        check("writes went on during the backup", len(during) > 0,
              f"{len(before)} acknowledged before, {len(during)} during the {backup_ended - backup_started:.1f} s backup")
        if not backup_file.exists():
            return finish(root, servers)

        again = labatlas(["backup", str(backup_file)], source_dir, source_url)
        check("backup does not replace an existing file", again.returncode != 0 and "--force" in again.stderr,
              again.stderr.strip().splitlines()[-1] if again.stderr.strip() else f"exit {again.returncode}")

        if not base_url:
            refused_restore = labatlas(["restore", str(backup_file)], source_dir, None)
            lines = [line for line in refused_restore.stderr.strip().splitlines() if line.strip()]
            check("restore is refused while the server uses the database",
                  refused_restore.returncode != 0 and any("in use" in line for line in lines),
                  lines[-1] if lines else f"exit {refused_restore.returncode}")
            check("backup file passes integrity_check", integrity(backup_file) == "ok", integrity(backup_file))
        source.stop()

        restore = labatlas(["restore", str(backup_file)], restored_dir, restored_url)
        check("restore into a fresh instance succeeded", restore.returncode == 0,
              (restore.stdout.strip().splitlines() or [""])[-1] if restore.returncode == 0 else restore.stderr.strip()[-400:])
        if restore.returncode != 0:
            return finish(root, servers)

        restored = serve(restored_dir, restored_url, demo=False)
        servers.append(restored)
        missing = []
        for write in before:
            status, body = request("GET", f"{restored.url}/api/v1/{write.type}/{write.slug}", token)
            if status != 200 or write.title not in body:
                missing.append(f"{write.type}/{write.slug} ({status})")
        check("every write acknowledged before the backup began is restored", not missing,
              f"{len(before) - len(missing)}/{len(before)} present" + (f"; missing: {', '.join(missing[:5])}" if missing else ""))
        status, body = request("GET", f"{restored.url}/api/v1/search?q={urllib.parse.quote('durabilite ' + RUN)}")
        total = json.loads(body).get("total", -1) if status == 200 else -1
        check("the search index finds the restored writes", total >= len(before), f"search answered {status}, total {total}")
        status, _ = request("GET", f"{restored.url}/labs")
        check("the restored instance serves its pages", status == 200, f"/labs answered {status}")
        restored.stop()
        if not base_url:
            verdict = integrity(restored_dir / "labatlas.sqlite")
            check("restored database passes integrity_check", verdict == "ok", verdict)
        return finish(root, servers)
    except Exception as error:  # one line for an unexpected failure, then the summary
        check("run completed", False, f"{type(error).__name__}: {str(error).strip()[-600:]}")
        return finish(root, servers)
    finally:
        for server in servers:
            server.stop()
        for name in databases:
            try:
                postgres_database(base_url, name, create=False)
            except Exception:
                pass


def finish(root: Path, servers: list[Server] = ()) -> int:
    for server in servers:
        server.stop()
    failed = [name for name, ok, _ in results if not ok]
    if os.environ.get("LABATLAS_KEEP_DATA") or failed:
        print(f"data kept in {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

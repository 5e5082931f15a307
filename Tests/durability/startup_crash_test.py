#!/usr/bin/env python3
"""Crash during start-up: `labatlas serve` migrates before it serves; a
`kill -9` while it migrates (a deploy that adds migrations, a fresh install)
must leave a database that the next start finishes migrating.

Each trial starts `labatlas serve` on an empty store (a fresh SQLite data
directory, or with DATABASE_URL a fresh PostgreSQL database made with
`createdb` next to the one named), watches its log, and sends SIGKILL a few
milliseconds after a migration of several statements has started; then it
starts the server again and expects `/healthz` and the API to answer.

Prints one line per trial and `N passed, M failed` (trials) last; exits 1 on
any failure. Bounded: a count of trials, a time limit on each start. Loopback only.

With PostgreSQL, `--simultaneous N` more trials (default 3) start two servers
at the same instant on an empty database, as two instances of one deployment
do after an upgrade: both must come up.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import Server, request  # noqa: E402

# Migrations made of several statements (tables, then indexes): a kill can fall between them.
TARGETS = ["CreateLabs", "CreateItemLinks", "CreateItemFacets", "AddListIndexes", "CreateSearchIndex"]


class PostgresDatabases:
    """Fresh databases on the server DATABASE_URL names, made and dropped with createdb/dropdb."""

    def __init__(self, url: str) -> None:
        self.url = urllib.parse.urlsplit(url)
        self.createdb, self.dropdb = harness.postgres_tool("createdb"), harness.postgres_tool("dropdb")

    def available(self) -> bool:
        return bool(self.createdb and self.dropdb)

    def _args(self) -> list[str]:
        return ["-h", self.url.hostname or harness.HOST, "-p", str(self.url.port or 5432), "-U", self.url.username or "postgres"]

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.url.password:
            env["PGPASSWORD"] = urllib.parse.unquote(self.url.password)
        return env

    def create(self, name: str) -> str:
        subprocess.run([self.createdb, *self._args(), name], env=self._env(), check=True, capture_output=True, timeout=60)
        return urllib.parse.urlunsplit(self.url._replace(path="/" + name))

    def drop(self, name: str) -> None:
        subprocess.run([self.dropdb, *self._args(), "--if-exists", name], env=self._env(), capture_output=True, timeout=60)


def start_and_kill_during(server: Server, target: str, delay: float, timeout: float = 60) -> str:
    """Starts the server, kills it `delay` s after the log shows `target` starting; says what the log showed by then."""
    server.log = server.data_dir / f"server-{server.port}.log"
    server.starts += 1
    with open(server.log, "a") as out:
        out.write(f"\n===== start {server.starts} (to be killed during {target}) =====\n")
        out.flush()
        server.process = subprocess.Popen(
            [str(harness.binary()), "serve", "--hostname", harness.HOST, "--port", str(server.port),
             *harness.storage_args(server.data_dir, server.db_url)],
            cwd=harness.REPO, env=harness.environment(server.db_url), stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
    marker = f"Starting prepare [database-id: {'psql' if server.db_url else 'sqlite'}, migration: LabAtlasServer.{target}]"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.process.poll() is None:
        if marker in server.log_since_last_start():
            time.sleep(delay)
            break
        time.sleep(0.001)
    server.kill9()
    log = server.log_since_last_start()
    finished = log.count("Finished prepare")
    starts = [line.split("migration: ")[-1].rstrip("]") for line in log.splitlines() if "Starting prepare" in line]
    cut = starts[-1] if len(starts) > finished else None
    # Fluent logs "Finished prepare" before it records the migration: the last one may be cut after it too.
    return f"{finished} migrations logged as finished" + (f", {cut} cut" if cut else "")


def start_two_at_once(work: Path, url: str) -> tuple[bool, str]:
    """Two servers on one empty database, started together: (both answer, what each did)."""
    servers = [Server(work, url), Server(work, url)]
    outcomes: dict[int, str] = {}
    barrier = threading.Barrier(2, timeout=30)

    def start(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = f"up in {servers[index].start(timeout=60):.1f} s"
        except RuntimeError:
            errors = harness.error_lines(servers[index].log_since_last_start())
            outcomes[index] = "FAILED to start: " + (errors[0][:300] if errors else "exited")

    threads = [threading.Thread(target=start, args=(index,)) for index in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        for server in servers:
            server.stop()
    ok = all(outcomes.get(index, "").startswith("up") for index in range(2))
    return ok, "; ".join(f"{'AB'[index]} {outcomes.get(index, 'no answer')}" for index in range(2))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=6, help="kill / restart trials (default 6)")
    parser.add_argument("--simultaneous", type=int, default=3, help="PostgreSQL: two-servers-at-once trials (default 3)")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int(time.time()) % 100_000
    rng = random.Random(seed)
    db_url = harness.database_url()
    engine = "postgresql" if db_url else "sqlite"
    databases = PostgresDatabases(db_url) if db_url else None
    if databases and not databases.available():
        print("startup crash test skipped on PostgreSQL: createdb/dropdb not found (install postgresql-client)")
        print("0 passed, 0 failed")
        return 0
    run = "".join(random.Random().choice(string.ascii_lowercase) for _ in range(6))
    print(f"startup crash test: {engine}, {args.trials} trials, seed {seed}, binary {harness.binary()}", flush=True)
    began = time.monotonic()
    passed = failed = 0
    kept: list[Path] = []
    for trial in range(1, args.trials + 1):
        target, delay = TARGETS[(trial - 1) % len(TARGETS)], rng.uniform(0.0, 0.02)
        work = Path(tempfile.mkdtemp(prefix="labatlas-startup-crash-"))
        name = f"labatlas_startup_{run}_{trial}"
        url = databases.create(name) if databases else None
        server = Server(work, url)
        ok, detail = False, ""
        try:
            cut = start_and_kill_during(server, target, delay)
            try:
                seconds = server.start(timeout=60)
                labs = request(server.url, "GET", "/api/v1/labs")
                ok = labs.status == 200
                detail = f"restart {seconds:.1f} s" + ("" if ok else f", /api/v1/labs answered {labs.status}")
            except RuntimeError:
                errors = harness.error_lines(server.log_since_last_start())
                tail = [line for line in server.log_since_last_start().splitlines() if line.startswith("labatlas:")]
                detail = "RESTART FAILED: " + " | ".join((errors or tail)[:2])[:500]
        finally:
            server.stop()
            if databases:
                databases.drop(name)
        passed += ok
        failed += not ok
        print(f"trial {trial}/{args.trials} {engine}: {'passed' if ok else 'FAILED'} — killed {delay * 1000:.0f} ms after {target} started "
              f"({cut}); {detail}", flush=True)
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            kept.append(work)
    for trial in range(1, (args.simultaneous if databases else 0) + 1):
        work = Path(tempfile.mkdtemp(prefix="labatlas-startup-crash-"))
        name = f"labatlas_startup_{run}_two_{trial}"
        try:
            ok, detail = start_two_at_once(work, databases.create(name))
        finally:
            databases.drop(name)
        passed += ok
        failed += not ok
        print(f"two at once {trial}/{args.simultaneous} {engine}: {'passed' if ok else 'FAILED'} — {detail}", flush=True)
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            kept.append(work)
    if kept:
        print("server logs kept in " + ", ".join(map(str, kept)))
    print(f"{engine}: {time.monotonic() - began:.0f} s in all")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

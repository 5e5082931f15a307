#!/usr/bin/env python3
"""Crash durability: concurrent API writes, `kill -9` of the server at a random
moment, restart, and check that every acknowledged write is there and nothing
is half-written. SQLite (a fresh data directory) by default; PostgreSQL when
DATABASE_URL is set.

Each round: start `labatlas serve`; several writer threads create items of
every type (with explicit slugs) and update their own items with PATCH or PUT
and `If-Match`, recording what each write sent and whether it was
acknowledged (2xx, with the ETag it returned); the killer sends SIGKILL after
a random delay; on SQLite, `PRAGMA integrity_check` and `foreign_key_check`
run on a copy of the files the crash left (and again, read-only, on the
database the restarted server recovered); then the server restarts and every
item this round touched (all items in the last round) is checked:

- acknowledged create, update or delete: the item answers 200 with exactly the
  acknowledged content at the acknowledged revision, or (if a later write was
  in flight at the kill) exactly that later write's content at the next
  revision, or 404 everywhere once deleted; nothing else;
- a write answered with an error (or a create never answered) changed nothing,
  or (in flight at the kill) committed completely;
- the history page lists revisions 1…current, the current one marked, and its
  last change shows the text written at that revision;
- full-text search on the item's unique word finds it (and finds nothing for
  an item that does not exist);
- each type's API list holds exactly the items that exist.

Prints one line per round and `N passed, M failed` (rounds) last; exits 1 on
any failure. Bounded: each loop has a count and a time limit; loopback only.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sqlite3
import string
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import Reply, Server, request  # noqa: E402

ADMIN_PASSWORD = "mot-de-passe-durabilite-2026"
TYPES = ["labs", "projects", "methods", "networks", "experiences", "events", "sessions"]
# The text field each type's updates change (the other fields stay as created).
MUTABLE = {"labs": "highlight", "projects": "summary", "methods": "description", "networks": "description",
           "experiences": "description", "events": "description", "sessions": "outcome"}
ROUND_TIME_LIMIT = 60  # seconds of writing per round at most, whatever the kill delay
WRITER_MAX_OPS = 2000
TOTAL_TIME_LIMIT = 60 * 60  # the whole run, checked between rounds


def long_text(marker: str) -> str:
    """Some 800 characters (summaries take at most 1000), the marker at both ends and inside,
    so a torn value cannot pass as whole."""
    middle = " ".join(f"{marker}-{index} é à ç « » — ligne" for index in range(20))
    return f"{marker} début.\n\n{middle}\n\nfin {marker}"


def base_fields(kind: str, slug: str, word: str, lab: str) -> dict:
    title = f"Durabilité {word} {kind}"
    common = {"slug": slug, "visibility": "public", "themes": ["numerique", f"t{word}"]}
    if kind == "labs":
        return {**common, "name": title, "city": "Lyon", "maturity": "active"}
    if kind == "projects":
        return {**common, "title": title, "stage": "exploration", "labs": [lab], "organisation": "Essai"}
    if kind == "methods":
        return {**common, "name": title, "category": "ideation"}
    if kind == "networks":
        return {**common, "name": title}  # a network's `labs` are the labs' `networks`: read-only here
    if kind == "experiences":
        return {**common, "title": title, "lab": lab, "cooperation": "open"}
    if kind == "events":
        return {**common, "title": title, "labs": [lab],
                "timings": [{"begin": "2027-03-04T10:00:00+01:00", "end": "2027-03-04T12:00:00+01:00"}]}
    if kind == "sessions":
        return {**common, "title": title, "date": "2026-10-05", "lab": lab}
    raise ValueError(kind)


@dataclass
class Item:
    kind: str
    slug: str
    word: str
    base: dict             # the fields sent at creation
    acked: dict | None = None      # the content of the last acknowledged write
    acked_rev: int = 0             # its revision (0: the create was never acknowledged)
    pending: dict | None = None    # a write sent and not answered (in flight at the kill)
    pending_rev: int = 0
    deleted: bool = False          # an acknowledged DELETE
    pending_delete: bool = False   # a DELETE sent and not answered
    touched_round: int = 0

    @property
    def in_flight(self) -> bool:
        return self.pending is not None or self.pending_delete

    def path(self) -> str:
        return f"/api/v1/{self.kind}/{self.slug}"


class Tally:
    """Checks counted across threads; failures kept with their message."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.passed = 0
        self.failures: list[str] = []

    def check(self, ok: bool, message: str) -> bool:
        with self.lock:
            if ok:
                self.passed += 1
            else:
                self.failures.append(message)
        return ok


def same(expected: dict, actual: dict) -> list[str]:
    """The fields of `expected` whose value differs in `actual` (the server adds fields of its own)."""
    return [key for key, value in expected.items() if actual.get(key) != value]


# --- Writing --------------------------------------------------------------------

class Writer(threading.Thread):
    def __init__(self, number: int, base: str, token: str, lab: str, items: list[Item], words, rng: random.Random,
                 stop: threading.Event, round_number: int, tally: Tally) -> None:
        super().__init__(name=f"writer-{number}", daemon=True)
        self.base, self.token, self.lab, self.items = base, token, lab, items
        self.words, self.rng, self.stop, self.round, self.tally = words, rng, stop, round_number, tally
        self.acknowledged = 0
        self.errors = 0
        self.lost_at: float | None = None  # when a request got no answer (the kill, or a hang before it)
        self.lost_error = ""

    def headers(self, revision: int | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}", "X-Change-Summary": f"durability round {self.round}"}
        if revision is not None:
            headers["If-Match"] = f'"{revision}"'
        return headers

    def run(self) -> None:
        deadline = time.monotonic() + ROUND_TIME_LIMIT
        for _ in range(WRITER_MAX_OPS):
            if self.stop.is_set() or time.monotonic() > deadline:
                return
            live = [item for item in self.items if item.acked_rev > 0 and not item.deleted and not item.in_flight]
            try:
                choice = self.rng.random()
                if not live or choice < 0.35:
                    self.create()
                elif choice < 0.40:
                    self.delete(self.rng.choice(live))
                else:
                    self.update(self.rng.choice(live))
            except OSError as error:
                # The server is gone (what was in flight stays pending), unless this came before the kill.
                self.lost_at, self.lost_error = time.monotonic(), f"{type(error).__name__}: {error}"
                return

    def create(self) -> None:
        kind = self.rng.choice(TYPES)
        word = next(self.words)
        slug = f"dur-{word}"
        fields = base_fields(kind, slug, word, self.lab)
        fields[MUTABLE[kind]] = long_text(f"{word}v1")
        item = Item(kind, slug, word, base=dict(fields), pending=fields, pending_rev=1, touched_round=self.round)
        self.items.append(item)
        reply = request(self.base, "POST", f"/api/v1/{kind}", headers=self.headers(), body=fields)
        self.answered(item, reply, expected_status=201)

    def update(self, item: Item) -> None:
        revision = item.acked_rev
        marker = f"{item.word}v{revision + 1}"
        item.touched_round = self.round
        if self.rng.random() < 0.5:
            change = {MUTABLE[item.kind]: long_text(marker)}
            item.pending, item.pending_rev = {**item.acked, **change}, revision + 1
            reply = request(self.base, "PATCH", item.path(), headers=self.headers(revision), body=change)
        else:
            full = {**item.acked, MUTABLE[item.kind]: long_text(marker)}
            item.pending, item.pending_rev = full, revision + 1
            reply = request(self.base, "PUT", item.path(), headers=self.headers(revision), body=full)
        self.answered(item, reply, expected_status=200)

    def delete(self, item: Item) -> None:
        item.touched_round, item.pending_delete = self.round, True
        reply = request(self.base, "DELETE", item.path(), headers=self.headers(item.acked_rev))
        item.pending_delete = False
        if self.tally.check(reply.status == 204, f"{item.kind}/{item.slug}: DELETE answered {reply.status}: {reply.text[:300]}"):
            item.deleted, item.acked_rev = True, item.acked_rev + 1
            self.acknowledged += 1
        else:
            self.errors += 1

    def answered(self, item: Item, reply: Reply, expected_status: int) -> None:
        where = f"{item.kind}/{item.slug} (write of revision {item.pending_rev})"
        if 200 <= reply.status < 300:
            self.tally.check(reply.status == expected_status, f"{where}: answered {reply.status}, expected {expected_status}")
            self.tally.check(reply.revision == item.pending_rev, f"{where}: acknowledged with ETag {reply.headers.get('etag')}")
            try:
                wrong = same(item.pending, reply.json())
            except ValueError:
                wrong = ["(body is not JSON)"]
            self.tally.check(not wrong, f"{where}: the acknowledgement's body differs in {wrong}")
            item.acked, item.acked_rev = item.pending, item.pending_rev
            self.acknowledged += 1
        else:
            # An answered failure must have changed nothing: the verification checks it.
            self.errors += 1
            self.tally.check(False, f"{where}: answered {reply.status}: {reply.text[:300]}")
        item.pending, item.pending_rev = None, 0


def word_source(run: str, start: int):
    """Unique words that the search analyzer keeps whole: letters, then digits, then a letter."""
    counter = start
    while True:
        counter += 1
        yield f"{run}{counter:05d}q"


# --- Checking ---------------------------------------------------------------------

def history_revisions(base: str, item: Item) -> tuple[list[int], int | None, str]:
    """The history page's revision numbers, the one marked current, and the page (which shows the last change)."""
    page = request(base, "GET", f"/{item.kind}/{item.slug}/history")
    if page.status != 200:
        return [], None, ""
    numbers = [int(n) for n in re.findall(r"<td>(\d+)(?: <span|</td>)", page.text)]
    current = re.search(r"<td>(\d+) <span class=\"badge badge-info\">actuelle", page.text)
    return numbers, int(current.group(1)) if current else None, page.text


def search_slugs(base: str, word: str) -> set[tuple[str, str]]:
    reply = request(base, "GET", f"/api/v1/search?q={word}&limit=50")
    if reply.status != 200:
        return {("error", str(reply.status))}
    return {(result["type"], result["slug"]) for result in reply.json()["results"]}


def listed_slugs(base: str, kind: str, prefix: str, tally: Tally) -> set[str]:
    slugs: set[str] = set()
    cursor = None
    for _ in range(1000):
        reply = request(base, "GET", f"/api/v1/{kind}?limit=100" + (f"&cursor={cursor}" if cursor else ""))
        if not tally.check(reply.status == 200, f"list {kind}: {reply.status}"):
            return slugs
        body = reply.json()
        slugs |= {item["slug"] for item in body["items"] if item["slug"].startswith(prefix)}
        cursor = body["next_cursor"]
        if not cursor:
            break
    return slugs


def verify_item(base: str, item: Item, tally: Tally) -> str:
    """Checks one item after a restart and adopts what survived; returns 'present' or 'absent'."""
    name = f"{item.kind}/{item.slug}"
    reply = request(base, "GET", item.path())
    if reply.status == 404:
        if item.pending_delete:
            item.deleted, item.acked_rev = True, item.acked_rev + 1  # the DELETE in flight committed
        tally.check(item.acked_rev == 0 or item.deleted, f"{name}: acknowledged at revision {item.acked_rev}, now 404")
        tally.check((item.kind, item.slug) not in search_slugs(base, item.word), f"{name}: absent but found by search")
        numbers, _, _ = history_revisions(base, item)  # a deleted item's history is for administrators only
        tally.check(not numbers, f"{name}: absent but its history lists revisions {numbers} to a visitor")
        item.pending, item.pending_rev, item.pending_delete = None, 0, False
        return "absent"
    item.pending_delete = False  # a DELETE in flight did not commit: the item is as acknowledged
    if item.deleted:
        tally.check(False, f"{name}: deleted (acknowledged) but answers {reply.status}")
        return "present"
    if not tally.check(reply.status == 200, f"{name}: detail answered {reply.status}"):
        return "present"
    actual, revision = reply.json(), reply.revision
    if revision == item.acked_rev and item.acked is not None:
        wrong = same(item.acked, actual)
        tally.check(not wrong, f"{name}: revision {revision} (acknowledged) but {wrong} differ from what was acknowledged")
    elif item.pending is not None and revision == item.pending_rev:
        wrong = same(item.pending, actual)
        tally.check(not wrong, f"{name}: the write in flight committed as revision {revision} but half-written: {wrong} differ")
        item.acked, item.acked_rev = item.pending, item.pending_rev  # it is durable: later rounds build on it
    else:
        tally.check(False, f"{name}: at revision {revision}, expected {item.acked_rev} (acknowledged)"
                           + (f" or {item.pending_rev} (in flight)" if item.pending else ""))
        if revision:
            item.acked, item.acked_rev = actual, revision
    item.pending, item.pending_rev = None, 0
    numbers, current, page = history_revisions(base, item)
    expected = list(range(item.acked_rev, 0, -1))
    tally.check(numbers == expected and current == item.acked_rev,
                f"{name}: history lists {numbers} (current {current}), expected {expected}")
    if item.acked_rev >= 2:
        # The page shows the last revision's changes: its snapshot holds the text written at that revision.
        marker = f"{item.word}v{item.acked_rev} début"
        tally.check(marker in page, f"{name}: the history's last change does not show « {marker} » (revision snapshot)")
    tally.check((item.kind, item.slug) in search_slugs(base, item.word), f"{name}: search on « {item.word} » does not find it")
    return "present"


def sqlite_integrity(data_dir: Path, scratch: Path) -> list[str]:
    """integrity_check and foreign_key_check on a copy of the files the crash left (the server recovers the originals)."""
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    for suffix in ("", "-wal"):
        source = data_dir / f"labatlas.sqlite{suffix}"
        if source.exists():
            shutil.copy2(source, scratch / source.name)
    return sqlite_checks(sqlite3.connect(scratch / "labatlas.sqlite", timeout=10))


def sqlite_integrity_live(data_dir: Path) -> list[str]:
    """The same checks, read-only, on the database the restarted server recovered and is serving."""
    return sqlite_checks(sqlite3.connect(f"file:{data_dir / 'labatlas.sqlite'}?mode=ro", uri=True, timeout=10))


def sqlite_checks(connection: sqlite3.Connection) -> list[str]:
    problems: list[str] = []
    try:
        rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        if rows != ["ok"]:
            problems.append("integrity_check: " + "; ".join(rows[:10]))
        fk = connection.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {fk[:10]}")
    finally:
        connection.close()
    return problems


# --- Rounds -------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="kill -9 / restart rounds (default 20)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (printed; default: from the clock)")
    parser.add_argument("--writers", type=int, default=6, help="concurrent writer threads (default 6)")
    parser.add_argument("--min-delay", type=float, default=0.3, help="earliest kill, seconds after writes start")
    parser.add_argument("--max-delay", type=float, default=2.5, help="latest kill, seconds after writes start")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and server log")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int(time.time()) % 100_000
    rng = random.Random(seed)
    db_url = harness.database_url()
    engine = "postgresql" if db_url else "sqlite"
    # The run's name keeps its slugs apart from earlier runs on the same database (not from the seed).
    fresh = random.Random()
    run = "".join(fresh.choice(string.ascii_lowercase) for _ in range(4)) + "".join(fresh.choice("bcdfghjklmnpqrstvwxz") for _ in range(2))
    prefix = f"dur-{run}"
    work = Path(tempfile.mkdtemp(prefix="labatlas-crash-"))
    print(f"crash test: {engine}, {args.rounds} rounds, {args.writers} writers, seed {seed}, run {run}, binary {harness.binary()}", flush=True)
    started = time.monotonic()

    email = f"durability-{run}@crash.labatlas.test"
    harness.create_admin(work, db_url, email, "Durabilité Test", ADMIN_PASSWORD)
    token = harness.create_token(work, db_url, email)
    server = Server(work, db_url)
    server.start()
    lab = f"{prefix}-lab"
    setup = request(server.url, "POST", "/api/v1/labs", headers={"Authorization": f"Bearer {token}"},
                    body={"slug": lab, "name": f"Lab {run} durabilité", "visibility": "public"})
    if setup.status != 201:
        print(f"setup: creating the lab answered {setup.status}: {setup.text[:300]}")
        server.stop()
        print("0 passed, 1 failed")
        return 1

    items_by_writer: list[list[Item]] = [[] for _ in range(args.writers)]
    words = word_source(run, 0)
    words_lock = threading.Lock()

    def next_word():
        while True:
            with words_lock:
                value = next(words)
            yield value

    passed_rounds = failed_rounds = 0
    for number in range(1, args.rounds + 1):
        tally = Tally()
        stop = threading.Event()
        shared_words = next_word()
        writers = [Writer(index, server.url, token, lab, items_by_writer[index], shared_words,
                          random.Random(rng.random()), stop, number, tally) for index in range(args.writers)]
        for writer in writers:
            writer.start()
        delay = rng.uniform(args.min_delay, args.max_delay)
        time.sleep(delay)
        killed_at = time.monotonic()
        server.kill9()
        stop.set()
        for writer in writers:
            writer.join(timeout=30)
        tally.check(not any(writer.is_alive() for writer in writers), "a writer did not stop within 30 s")
        for writer in writers:
            tally.check(writer.lost_at is None or writer.lost_at >= killed_at,
                        f"{writer.name}: a request got no answer while the server was up ({writer.lost_error})")
        crashed_log = server.log_since_last_start()
        server_errors = harness.error_lines(crashed_log)
        tally.check(not server_errors, "server logged errors before the kill: " + " | ".join(server_errors[:3]))

        integrity = "n/a"
        if not db_url:
            problems = sqlite_integrity(work, work / "integrity-copy")
            integrity = ("ok" if tally.check(not problems, "; ".join(problems)) else "FAILED") + " on the crash's files"

        try:
            restart_seconds = server.start()
        except RuntimeError as error:
            tally.check(False, f"restart failed: {error}")
            failed_rounds += 1
            print(f"round {number}/{args.rounds} {engine}: FAILED — restart: {str(error)[:500]}", flush=True)
            break
        restart_errors = harness.error_lines(server.log_since_last_start())
        tally.check(not restart_errors, "restart logged errors: " + " | ".join(restart_errors[:3]))

        everything = [item for items in items_by_writer for item in items]
        last = number == args.rounds
        in_flight = sum(1 for item in everything if item.in_flight)
        committed_in_flight = 0
        for item in everything:
            if last or item.touched_round == number or item.in_flight:
                had_pending, before = item.in_flight, (item.acked_rev, item.deleted)
                verify_item(server.url, item, tally)
                committed_in_flight += had_pending and (item.acked_rev, item.deleted) != before
        # Items never created drop out; the list of each type must hold exactly the others.
        for items in items_by_writer:
            items[:] = [item for item in items if item.acked_rev > 0]
        present = {kind: {item.slug for items in items_by_writer for item in items if item.kind == kind and not item.deleted}
                   for kind in TYPES}
        for kind in TYPES:
            listed = listed_slugs(server.url, kind, prefix + "0", tally)  # the writers' slugs, not the setup lab
            tally.check(listed == present[kind], f"list {kind}: listed but unknown {sorted(listed - present[kind])[:5]}, "
                                                 f"existing but not listed {sorted(present[kind] - listed)[:5]}")

        if not db_url:
            problems = sqlite_integrity_live(work)
            tally.check(not problems, "after the restart: " + "; ".join(problems))
            integrity += ", ok after the restart" if not problems else ", FAILED after the restart"

        acknowledged = sum(writer.acknowledged for writer in writers)
        ok = not tally.failures
        passed_rounds += ok
        failed_rounds += not ok
        total = sum(1 for items in items_by_writer for item in items if not item.deleted)
        deleted = sum(1 for items in items_by_writer for item in items if item.deleted)
        print(f"round {number}/{args.rounds} {engine}: {'passed' if ok else 'FAILED'} — killed after {delay:.2f} s, "
              f"{acknowledged} writes acknowledged, {in_flight} in flight ({committed_in_flight} had committed), "
              f"{total} items ({deleted} deleted), integrity {integrity}, restart {restart_seconds:.1f} s, {tally.passed} checks ok"
              + ("" if ok else f", {len(tally.failures)} failed"), flush=True)
        for failure in tally.failures[:15]:
            print(f"    {failure}", flush=True)
        if time.monotonic() - started > TOTAL_TIME_LIMIT:
            print(f"time limit ({TOTAL_TIME_LIMIT // 60} min) reached after round {number}: stopping", flush=True)
            break

    server.stop()
    if args.keep or failed_rounds:
        print(f"data and server log kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{engine}: {time.monotonic() - started:.0f} s in all")
    print(f"{passed_rounds} passed, {failed_rounds} failed")
    return 0 if failed_rounds == 0 and passed_rounds == args.rounds else 1


if __name__ == "__main__":
    sys.exit(main())

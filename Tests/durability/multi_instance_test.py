#!/usr/bin/env python3
"""Two `labatlas serve` processes on one PostgreSQL database (DATABASE_URL):

- signed in on A through the HTML login form (cookie + CSRF), still signed in
  on B with the same cookie, and B accepts a form carrying that session's
  CSRF token;
- an edit on A (API with a token, and the HTML edit form) is seen on B at once:
  the API item and its ETag, the item page, the list and full-text search;
- a conflicting edit across them is caught: both read the same ETag, A saves,
  then B's PUT and PATCH with the old If-Match answer 412 and change nothing,
  and B's HTML edit form, opened before A's save, answers the conflict page (409).

Without DATABASE_URL there is nothing to test: says so and prints
`0 passed, 0 failed`. Prints each check and `N passed, M failed` (checks)
last; exits 1 on any failure. Loopback only.
"""

from __future__ import annotations

import random
import re
import shutil
import string
import sys
import tempfile
import threading
import time
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import Reply, Server, request  # noqa: E402

PASSWORD = "mot-de-passe-multi-instance-2026"


class Results:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, ok: bool, label: str, detail: str = "") -> bool:
        if ok:
            self.passed += 1
            print(f"ok      {label}", flush=True)
        else:
            self.failed += 1
            print(f"FAILED  {label}" + (f": {detail[:600]}" if detail else ""), flush=True)
        return ok


class Browser:
    """A cookie jar over `request`: one person's session, usable against any instance."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def go(self, base: str, method: str, path: str, form: list[tuple[str, str]] | None = None) -> Reply:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(form)
        reply = request(base, method, path, headers=headers, body=body)
        for line in reply.headers.get("set-cookie", "").split("\n"):
            if "=" in line:
                name, value = line.split(";", 1)[0].split("=", 1)
                self.cookies[name.strip()] = value.strip()
        return reply


class FormReader(HTMLParser):
    """The fields of the form posting to `action`, as a browser would submit them unchanged."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.fields = action, False, []
        self.textarea: str | None = None
        self.select: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action and a.get("method", "").lower() == "post"
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), ""
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append((self.select, a.get("value") or ""))

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            # A browser drops the single newline that follows <textarea>.
            self.fields.append((self.textarea, self.text[1:] if self.text.startswith("\n") else self.text))
            self.textarea = None
        elif tag == "select":
            self.select = None


def form_fields(html: str, action: str) -> list[tuple[str, str]]:
    reader = FormReader(action)
    reader.feed(html)
    return reader.fields


def replaced(fields: list[tuple[str, str]], changes: dict[str, str]) -> list[tuple[str, str]]:
    return [(name, changes.get(name, value)) for name, value in fields]


def hidden(html: str, name: str) -> str | None:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    return match.group(1) if match else None


def listed_slugs(base: str, kind: str, pages: int = 200) -> set[str]:
    """Every slug of an API list, page after page (bounded)."""
    slugs: set[str] = set()
    cursor = None
    for _ in range(pages):
        reply = request(base, "GET", f"/api/v1/{kind}?limit=100" + (f"&cursor={cursor}" if cursor else ""))
        if reply.status != 200:
            break
        body = reply.json()
        slugs |= {item["slug"] for item in body["items"]}
        cursor = body["next_cursor"]
        if not cursor:
            break
    return slugs


def race_puts(a: str, b: str, api: dict[str, str], slug: str, full: dict, rounds: int) -> list[list[int]]:
    """Each round reads the ETag, then PUTs from it on A and B at once (a barrier); the statuses, sorted."""
    outcomes: list[list[int]] = []
    for number in range(rounds):
        tag = request(a, "GET", f"/api/v1/projects/{slug}").headers.get("etag", "")
        barrier = threading.Barrier(2, timeout=30)
        statuses: list[int] = []

        def put(base: str, label: str) -> None:
            body = {**full, "summary": f"Course {number} gagnée par {label}."}
            barrier.wait()
            try:
                statuses.append(request(base, "PUT", f"/api/v1/projects/{slug}", headers={**api, "If-Match": tag}, body=body).status)
            except OSError as error:
                statuses.append(0)
                print(f"        race {number} on {label}: {error}")

        threads = [threading.Thread(target=put, args=(a, "A")), threading.Thread(target=put, args=(b, "B"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        outcomes.append(sorted(statuses))
    return outcomes


def main() -> int:
    db_url = harness.database_url()
    if not db_url:
        print("multi-instance test skipped: it needs PostgreSQL (set DATABASE_URL, e.g. from scripts/postgres-test-server.sh)")
        print("0 passed, 0 failed")
        return 0
    started = time.monotonic()
    run = "".join(random.Random().choice(string.ascii_lowercase) for _ in range(6))
    work = Path(tempfile.mkdtemp(prefix="labatlas-multi-"))
    email, name = f"multi-{run}@instances.labatlas.test", f"Instance Admin {run}"
    results = Results()
    print(f"multi-instance test: two servers on PostgreSQL, run {run}, binary {harness.binary()}", flush=True)
    harness.create_admin(work, db_url, email, name, PASSWORD)
    token = harness.create_token(work, db_url, email)
    api = {"Authorization": f"Bearer {token}"}
    a, b = Server(work, db_url), Server(work, db_url)
    try:
        a.start()
        b.start()
        A, B = a.url, b.url
        print(f"instance A {A}, instance B {B}", flush=True)

        # --- Signed in on A, still signed in on B --------------------------------
        person = Browser()
        results.check(person.go(B, "GET", "/account").status in (302, 303, 401),
                      "B: /account before signing in is not served")
        login = person.go(A, "GET", "/login")
        csrf = hidden(login.text, "_csrf")
        results.check(login.status == 200 and bool(csrf) and "labatlas_session" in person.cookies,
                      "A: the login form gives a session cookie and a CSRF token")
        signed = person.go(A, "POST", "/login", [("_csrf", csrf or ""), ("next", "/"), ("email", email), ("password", PASSWORD)])
        results.check(signed.status in (302, 303), "A: signing in through the form redirects", f"{signed.status} {signed.text[:300]}")
        on_a, on_b = person.go(A, "GET", "/account"), person.go(B, "GET", "/account")
        results.check(on_a.status == 200 and name in on_a.text, "A: /account shows the account", str(on_a.status))
        results.check(on_b.status == 200 and name in on_b.text, "B: the same cookie is signed in (/account shows the name)",
                      f"{on_b.status} {on_b.headers.get('location', '')}")

        # --- An edit on A is seen on B at once -----------------------------------
        slug, word, lab = f"multi-{run}", f"{run}42premier", f"multi-{run}-lab"
        made_lab = request(A, "POST", "/api/v1/labs", headers=api, body={"slug": lab, "name": f"Lab multi {run}"})
        results.check(made_lab.status == 201, "A: API create of a lab", f"{made_lab.status} {made_lab.text[:300]}")
        # With a lab: the edit form requires one (the API does not).
        created = request(A, "POST", "/api/v1/projects", headers=api,
                          body={"slug": slug, "title": f"Projet multi {word}", "stage": "exploration", "summary": "Première version.",
                                "labs": [lab]})
        results.check(created.status == 201, "A: API create", f"{created.status} {created.text[:300]}")
        seen = request(B, "GET", f"/api/v1/projects/{slug}")
        results.check(seen.status == 200 and seen.json().get("summary") == "Première version." and seen.revision == 1,
                      "B: reads the item A just created (revision 1)", f"{seen.status} {seen.text[:200]}")
        word2 = f"{run}43second"
        patched = request(A, "PATCH", f"/api/v1/projects/{slug}", headers={**api, "If-Match": '"1"'},
                          body={"summary": f"Deuxième version {word2}."})
        results.check(patched.status == 200 and patched.revision == 2, "A: API PATCH with If-Match", f"{patched.status} {patched.text[:300]}")
        seen = request(B, "GET", f"/api/v1/projects/{slug}")
        results.check(seen.status == 200 and seen.json().get("summary") == f"Deuxième version {word2}." and seen.revision == 2,
                      "B: at once sees A's edit and its new ETag", f"{seen.revision} {seen.text[:200]}")
        page = request(B, "GET", f"/projects/{slug}")
        results.check(page.status == 200 and word2 in page.text, "B: the item page shows A's edit", str(page.status))
        found = request(B, "GET", f"/api/v1/search?q={word2}")
        results.check(found.status == 200 and any(r["slug"] == slug for r in found.json()["results"]),
                      "B: full-text search finds the word A's edit added", found.text[:300])
        results.check(slug in listed_slugs(B, "projects"), "B: the API list holds A's item")

        # The HTML edit form: opened on A, saved on A, read on B.
        edit = person.go(A, "GET", f"/projects/{slug}/edit")
        fields = form_fields(edit.text, f"/projects/{slug}")
        results.check(edit.status == 200 and ("_base_revision", "2") in fields, "A: the edit form starts from revision 2",
                      f"{edit.status} {[f for f in fields if f[0].startswith('_')]}")
        word3 = f"{run}44formulaire"
        saved = person.go(A, "POST", f"/projects/{slug}", replaced(fields, {"summary": f"Troisième version {word3}."}))
        results.check(saved.status in (302, 303), "A: saving the edit form redirects", f"{saved.status} {saved.text[:300]}")
        seen = request(B, "GET", f"/api/v1/projects/{slug}")
        results.check(seen.revision == 3 and seen.json().get("summary") == f"Troisième version {word3}.",
                      "B: at once sees the form edit made on A", f"{seen.revision} {seen.text[:200]}")

        # B accepts a form with the CSRF token of the session A started (the session is in the database).
        edit_b = person.go(B, "GET", f"/projects/{slug}/edit")
        fields_b = form_fields(edit_b.text, f"/projects/{slug}")
        results.check(edit_b.status == 200 and ("_base_revision", "3") in fields_b, "B: the edit form starts from revision 3",
                      f"{edit_b.status}")
        results.check(hidden(edit_b.text, "_csrf") == hidden(edit.text, "_csrf"),
                      "B: the form carries the same CSRF token as A's (one session)")

        # --- A conflicting edit across them is caught ------------------------------
        read_a, read_b = request(A, "GET", f"/api/v1/projects/{slug}"), request(B, "GET", f"/api/v1/projects/{slug}")
        etag_a, etag_b = read_a.headers.get("etag"), read_b.headers.get("etag")
        base = read_b.revision or 0
        results.check(etag_a == etag_b and base > 0, "A and B give the same ETag", f"A {etag_a}, B {etag_b}")
        full = {k: v for k, v in read_a.json().items() if k not in ("created_at", "updated_at")}
        put_a = request(A, "PUT", f"/api/v1/projects/{slug}", headers={**api, "If-Match": etag_a or ""},
                        body={**full, "summary": "Version de A."})
        results.check(put_a.status == 200 and put_a.revision == base + 1, f"A: PUT with the ETag saves revision {base + 1}",
                      f"{put_a.status} {put_a.text[:300]}")
        put_b = request(B, "PUT", f"/api/v1/projects/{slug}", headers={**api, "If-Match": etag_b or ""},
                        body={**full, "summary": "Version de B."})
        results.check(put_b.status == 412, "B: PUT with the old If-Match answers 412", f"{put_b.status} {put_b.text[:300]}")
        patch_b = request(B, "PATCH", f"/api/v1/projects/{slug}", headers={**api, "If-Match": etag_b or ""},
                          body={"summary": "Version de B."})
        results.check(patch_b.status == 412, "B: PATCH with the old If-Match answers 412", f"{patch_b.status}")
        no_match = request(B, "PATCH", f"/api/v1/projects/{slug}", headers=api, body={"summary": "Version de B."})
        results.check(no_match.status == 428, "B: PATCH without If-Match answers 428", f"{no_match.status}")
        after = request(A, "GET", f"/api/v1/projects/{slug}")
        results.check(after.revision == base + 1 and after.json().get("summary") == "Version de A.",
                      f"A: the item is A's revision {base + 1}, untouched by B's attempts", f"{after.revision} {after.text[:200]}")

        # B's HTML form, opened at revision 3, saved after A's revision 4: the conflict page, input kept.
        conflict = person.go(B, "POST", f"/projects/{slug}", replaced(fields_b, {"summary": "Saisie de B dans le formulaire."}))
        results.check(conflict.status == 409 and 'class="conflict"' in conflict.text
                      and "Saisie de B dans le formulaire." in conflict.text
                      and ("_base_revision", str(base + 1)) in form_fields(conflict.text, f"/projects/{slug}"),
                      f"B: the stale edit form answers the conflict page (409), input kept, now based on revision {base + 1}",
                      f"{conflict.status} {conflict.text[:300]}")
        final = request(A, "GET", f"/api/v1/projects/{slug}")
        results.check(final.revision == base + 1 and final.json().get("summary") == "Version de A.",
                      f"A: still revision {base + 1} after B's stale form", f"{final.revision}")

        # The same race, at the same instant: two PUTs from one ETag, one on each instance; exactly one wins.
        races = race_puts(A, B, api, slug, full, rounds=10)
        results.check(all(pair == [200, 412] for pair in races),
                      "A and B: 10 simultaneous PUTs from the same ETag, each time exactly one saved (200) and one 412",
                      f"{races}")
        summary = request(B, "GET", f"/api/v1/projects/{slug}")
        numbers = [int(n) for n in re.findall(r"<td>(\d+)(?: <span|</td>)", request(A, "GET", f"/projects/{slug}/history").text)]
        results.check(summary.revision == base + 11 and numbers == list(range(base + 11, 0, -1)),
                      f"A and B: the races left revisions 1…{base + 11}, one per win, none lost or doubled",
                      f"ETag {summary.revision}, history {numbers[:12]}")

        # Signing out on B signs out everywhere.
        logout_csrf = hidden(person.go(B, "GET", "/account").text, "_csrf") or ""
        out = person.go(B, "POST", "/logout", [("_csrf", logout_csrf)])
        results.check(out.status in (302, 303), "B: signing out redirects", str(out.status))
        gone = person.go(A, "GET", "/account")
        results.check(gone.status in (302, 303, 401), "A: signed out too after signing out on B", str(gone.status))

        for server, label in ((a, "A"), (b, "B")):
            errors = harness.error_lines(server.log_text())
            results.check(not errors, f"{label}: no error in the server log", " | ".join(errors[:3]))
    except (OSError, RuntimeError, ValueError, KeyError) as error:
        results.check(False, "the test ran to its end", f"{type(error).__name__}: {error}")
    finally:
        a.stop()
        b.stop()
    if results.failed:
        print(f"server logs kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(f"multi-instance: {time.monotonic() - started:.0f} s in all")
    print(f"{results.passed} passed, {results.failed} failed")
    return 0 if results.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

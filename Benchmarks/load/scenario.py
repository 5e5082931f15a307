#!/usr/bin/env python3
"""Builds the load benchmark's request list from a running LabAtlas.

    scenario.py BASE_URL OUT_DIR SEED

Everything comes from the data actually served: slugs from the JSON API
(`/api/v1/{type}?limit=100`) and from search results (so detail pages are
spread over the whole atlas, not only its first slugs), facet values seen on
those items, search words taken from their titles. Each GET is fetched once,
one at a time on an idle server: a URL that does not answer 200 is left out
and listed (it would only measure an error page), the slowest are printed,
and the body is saved under OUT_DIR/static/ for the nginx comparison.

Writes OUT_DIR/dynamic.tsv (category, method, path[, lab slug for a write])
and OUT_DIR/static.tsv (the same GETs, as the saved files' paths).
"""
import collections
import hashlib
import http.client
import json
import os
import random
import re
import sys
import time
import unicodedata
import urllib.parse

BASE, OUT, SEED = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(SEED)
host = urllib.parse.urlsplit(BASE)
connection = None

# The atlas's types; the synthetic load fills the first four.
TYPES = ["labs", "projects", "experiences", "sessions", "events", "methods", "networks"]
DETAILS_PER_TYPE = 50
QUERIES = 60


def get(path):
    """(status, body, seconds, content type), on one kept-alive connection."""
    global connection
    for attempt in range(2):
        if connection is None:
            connection = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        try:
            start = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            return response.status, body, time.perf_counter() - start, response.getheader("Content-Type", "")
        except (http.client.HTTPException, OSError):
            connection.close()
            connection = None
            if attempt:
                raise


def get_json(path):
    status, body, _, _ = get(path)
    return json.loads(body) if status == 200 else None


def with_query(path, **params):
    return path + "?" + urllib.parse.urlencode(params) if params else path


def pick(values, count):
    values = sorted(set(values))
    return rng.sample(values, min(count, len(values)))


# 1. Items and cursors from the API lists.
items = {}
cursors = {}
for kind in TYPES:
    page = get_json(with_query(f"/api/v1/{kind}", limit=100)) or {"items": []}
    items[kind] = page["items"]
    cursors[kind] = page.get("next_cursor")
types = [kind for kind in TYPES if items[kind]]


def values(kind, field):
    found = []
    for item in items[kind]:
        value = item.get(field)
        if isinstance(value, list):
            found += [v for v in value if isinstance(v, str)]
        elif isinstance(value, (str, int)) and value != "":
            found.append(str(value))
    return found


def years(kind, field):
    return [str(v)[:4] for v in values(kind, field)]


# 2. Search words from the corpus: the titles of those items.
words = collections.Counter()
titles = []
for kind in types:
    for item in items[kind]:
        title = item.get("title") or item.get("name") or ""
        tokens = [w.lower() for w in re.findall(r"\w+", title) if len(w) >= 5 and not w.isdigit()]
        titles.append(tokens)
        words.update(tokens)


def unaccented(text):
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


common = [w for w, _ in words.most_common(30)]
rare = sorted(w for w, n in words.items() if n == 1)
queries = pick(common, 15) + pick(rare, 25)
queries += [unaccented(w) for w in pick(common, 5)]
queries += [" ".join(rng.sample(t, 2)) for t in rng.sample([t for t in titles if len(t) >= 2], 15)]
queries = queries[:QUERIES]

# 3. Detail slugs: the list's first page, and search hits spread over the atlas.
slugs = {kind: [item["slug"] for item in items[kind]] for kind in types}
for query in queries:
    found = get_json(with_query("/api/v1/search", q=query)) or {"results": []}
    for hit in found.get("results", []):
        if hit.get("type") in slugs:
            slugs[hit["type"]].append(hit["slug"])
detail_slugs = {kind: pick(slugs[kind], DETAILS_PER_TYPE) for kind in types}

# 4. Lists with real facet values, and their JSON counterparts.
lab_slugs = [item["slug"] for item in items.get("labs", [])]
regions = values("labs", "region")
themes = values("projects", "themes") or values("labs", "themes")
filters = []  # (type, {parameter: value})
if "labs" in types:
    filters += [("labs", {})] + [("labs", {"maturity": m}) for m in pick(values("labs", "maturity"), 5)]
    filters += [("labs", {"government_level": g}) for g in pick(values("labs", "government_level"), 3)]
    filters += [("labs", {"region": r}) for r in pick(regions, 4)]
    filters += [("labs", {"theme": t, "maturity": m}) for t, m in zip(pick(themes, 2), pick(values("labs", "maturity"), 2))]
if "projects" in types:
    filters += [("projects", {})] + [("projects", {"stage": s}) for s in pick(values("projects", "stage"), 7)]
    filters += [("projects", {"theme": t}) for t in pick(themes, 3)]
    filters += [("projects", {"stage": s, "theme": t}) for s, t in zip(pick(values("projects", "stage"), 3), pick(themes, 3))]
    filters += [("projects", {"lab": lab}) for lab in pick(values("projects", "labs"), 3)]
    filters += [("projects", {"region": r}) for r in pick(regions, 2)]
if "experiences" in types:
    filters += [("experiences", {})] + [("experiences", {"cooperation": c}) for c in pick(values("experiences", "cooperation"), 2)]
    filters += [("experiences", {"year": y}) for y in pick(years("experiences", "year"), 3)]
    filters += [("experiences", {"theme": t}) for t in pick(themes, 3)]
    filters += [("experiences", {"cooperation": c, "year": y})
                for c, y in zip(pick(values("experiences", "cooperation"), 2), pick(years("experiences", "year"), 2))]
    filters += [("experiences", {"lab": lab}) for lab in pick(values("experiences", "lab"), 2)]
if "sessions" in types:
    filters += [("sessions", {})] + [("sessions", {"nature": n}) for n in pick(values("sessions", "nature"), 7)]
    filters += [("sessions", {"format": f}) for f in pick(values("sessions", "format"), 3)]
    filters += [("sessions", {"year": y}) for y in pick(years("sessions", "date"), 3)]
    filters += [("sessions", {"nature": n, "year": y})
                for n, y in zip(pick(values("sessions", "nature"), 3), pick(years("sessions", "date"), 3))]
    filters += [("sessions", {"lab": lab}) for lab in pick(values("sessions", "lab"), 3)]
    filters += [("sessions", {"region": r}) for r in pick(regions, 2)]

scenario = collections.defaultdict(list)  # category -> paths
scenario["home"] = ["/"]
for kind, params in filters:
    scenario["lists"].append(with_query(f"/{kind}", **params))
    scenario["api_lists"].append(with_query(f"/api/v1/{kind}", limit=20, **params))
for kind in types:
    # Pages within the list's real page count ("Page 1 sur N"), from the
    # second to the last: a page past the end is not what readers ask for.
    status, body, _, _ = get(f"/{kind}")
    found = re.search(r"Page 1 sur (\d+)", body.decode("utf-8", "replace")) if status == 200 else None
    count = int(found.group(1)) if found else 1
    pages = sorted({p for p in (2, 3, count // 10, count // 2, count) if 2 <= p <= count})
    scenario["lists"] += [with_query(f"/{kind}", page=p) for p in pages]
    if cursors.get(kind):
        scenario["api_lists"].append(with_query(f"/api/v1/{kind}", limit=20, cursor=cursors[kind]))
for kind in ["events", "methods", "networks"]:  # empty in the synthetic atlas, but pages all the same
    if kind not in types:
        scenario["lists"].append(f"/{kind}")
for kind in types:
    scenario["details"] += [f"/{kind}/{urllib.parse.quote(slug)}" for slug in detail_slugs[kind]]
    scenario["api_details"] += [f"/api/v1/{kind}/{urllib.parse.quote(slug)}" for slug in detail_slugs[kind]]
for query in queries:
    scenario["search"].append(with_query("/search", q=query))
    scenario["api_search"].append(with_query("/api/v1/search", q=query))
for query, kind in zip(queries[:8], ["projects", "sessions", "experiences", "labs"] * 2):
    scenario["search"].append(with_query("/search", q=query, type=kind))

# Pages and feeds that later issues add join as soon as they answer.
optional = {"feeds": ["/feed.atom", "/events.ics"] + [f"/labs/{lab}/events.ics" for lab in lab_slugs[:3]],
            "lists": ["/map", "/events?when=upcoming"]}

# 5. Fetch every GET once: check it, time it, save it.
static_dir = os.path.join(OUT, "static")
dynamic_rows, static_rows, dropped, timings = [], [], [], []
by_category = collections.defaultdict(list)
for category, paths in list(scenario.items()) + list(optional.items()):
    for path in dict.fromkeys(paths):
        status, body, seconds, content_type = get(path)
        if status != 200:
            if category not in optional or path not in optional[category]:
                dropped.append((status, path))
            continue
        timings.append((seconds, path))
        by_category[category].append(seconds)
        extension = "json" if "json" in content_type else ("ics" if "calendar" in content_type else
                                                           ("xml" if "xml" in content_type else "html"))
        name = f"/{category}/{hashlib.sha1(path.encode()).hexdigest()[:16]}.{extension}"
        os.makedirs(os.path.join(static_dir, category), exist_ok=True)
        with open(static_dir + name, "wb") as file:
            file.write(body)
        dynamic_rows.append(f"{category}\tGET\t{path}")
        static_rows.append(f"{category}\tGET\t{name}")
for lab in pick(lab_slugs, 10) or [""]:
    dynamic_rows.append(f"writes\tPOST\t/api/v1/projects\t{lab}")

with open(os.path.join(OUT, "dynamic.tsv"), "w") as file:
    file.write("\n".join(dynamic_rows) + "\n")
with open(os.path.join(OUT, "static.tsv"), "w") as file:
    file.write("\n".join(static_rows) + "\n")

counts = collections.Counter(row.split("\t")[0] for row in dynamic_rows)
print("scenario_urls=" + str(len(dynamic_rows)) + " (" + ", ".join(f"{c} {n}" for c, n in sorted(counts.items())) + ")")
timings.sort(reverse=True)
print(f"idle_median_ms={timings[len(timings) // 2][0] * 1000:.1f} (each GET once, one at a time, before the load)")
print("idle latency by category (median / max):")
for category, seconds in sorted(by_category.items()):
    seconds.sort()
    print(f"  {category:12} {seconds[len(seconds) // 2] * 1000:7.1f} / {seconds[-1] * 1000:7.1f} ms  ({len(seconds)} URLs)")
print("slowest on an idle server:")
for seconds, path in timings[:8]:
    print(f"  {seconds * 1000:7.1f} ms  {path}")
for status, path in dropped:
    print(f"left out, answered {status}: {path}")

"""axe-core through axe-selenium-python, and the structural checks the journeys and page tests share."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

from axe_selenium_python import Axe
from selenium.webdriver.remote.webdriver import WebDriver

FAILING_IMPACTS = ("serious", "critical")


def _package_file(package: str, *parts: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent.joinpath(*parts)
    return path if path.exists() else None


def _version(script: Path) -> tuple[int, ...]:
    head = script.read_text(encoding="utf-8", errors="replace")[:200000]
    match = re.search(r"axe v(\d+)\.(\d+)\.(\d+)", head) or re.search(r'\.version="(\d+)\.(\d+)\.(\d+)"', head)
    return tuple(int(n) for n in match.groups()) if match else (0,)


def axe_script() -> Path:
    """The newest axe-core at hand. axe-selenium-python (the runner) bundles axe-core 3.1.1 from 2018, whose
    rules predate current browsers; axe-core-python (requirements.txt) ships a later axe-core, and
    LABATLAS_AXE_JS can name any axe.min.js."""
    if chosen := os.environ.get("LABATLAS_AXE_JS"):
        return Path(chosen)
    candidates = [path for path in (
        _package_file("axe_playwright_python", "axe.min.js"),
        _package_file("axe_core_python", "axe.min.js"),
        _package_file("axe_selenium_python", "node_modules", "axe-core", "axe.min.js"),
    ) if path]
    if not candidates:
        raise RuntimeError("no axe-core script found: pip install -r Tests/e2e/requirements.txt")
    return max(candidates, key=_version)


AXE_SCRIPT = axe_script()
AXE_VERSION = ".".join(str(n) for n in _version(AXE_SCRIPT))


def axe_findings(driver: WebDriver) -> list[dict]:
    """Every violation axe-core finds on the page as it is now, whatever its impact (all rules axe runs by default)."""
    axe = Axe(driver, script_url=str(AXE_SCRIPT))
    axe.inject()
    results = axe.run()
    return results["violations"]


def describe_violations(label: str, violations: list[dict]) -> str:
    lines = [f"axe-core {AXE_VERSION} — {label}: {len(violations)} violation(s)"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:10]:
            lines.append(f"      {' '.join(node['target'])}: {node['html'][:160]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"      … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


_STRUCTURE_JS = r"""
const problems = [];
const lang = document.documentElement.getAttribute('lang');
if (lang !== 'fr') problems.push('<html lang> is ' + JSON.stringify(lang) + ', not "fr"');
const h1s = document.querySelectorAll('h1');
if (h1s.length !== 1) problems.push(h1s.length + ' h1 elements (exactly one expected)');
if (!document.title.trim()) problems.push('empty <title>');
if (document.querySelectorAll('main').length !== 1) problems.push('not exactly one <main>');
const text = el => (el ? el.textContent : '').replace(/\s+/g, ' ').trim();
const fields = document.querySelectorAll('input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), select, textarea');
for (const el of fields) {
  const byLabel = [...(el.labels || [])].some(label => text(label));
  const byAria = (el.getAttribute('aria-label') || '').trim() ||
      (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean).some(id => text(document.getElementById(id)));
  if (!byLabel && !byAria) problems.push('field without a label: ' + el.outerHTML.slice(0, 140));
}
for (const el of document.querySelectorAll('button, a[href]')) {
  if (!text(el) && !(el.getAttribute('aria-label') || '').trim()) problems.push('control without a name: ' + el.outerHTML.slice(0, 140));
}
const ids = {};
for (const el of document.querySelectorAll('[id]')) ids[el.id] = (ids[el.id] || 0) + 1;
for (const [id, n] of Object.entries(ids)) if (n > 1) problems.push('id "' + id + '" used ' + n + ' times');
for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby]'))
  for (const attr of ['aria-describedby', 'aria-labelledby'])
    for (const id of (el.getAttribute(attr) || '').split(/\s+/).filter(Boolean))
      if (!document.getElementById(id)) problems.push(attr + ' of ' + (el.id || el.tagName) + ' names missing #' + id);
return problems;
"""


def structure_problems(driver: WebDriver) -> list[str]:
    """<html lang="fr">, one h1, a title, one main, a label for every field, unique ids, no dangling ARIA reference."""
    return driver.execute_script(_STRUCTURE_JS)

"""Every page template, signed out and signed in, at 375 px and 1280 px: axe-core (no "serious" or
"critical" violation), the structural checks axe leaves to us, and a full-page screenshot of each."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Callable

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from a11y import FAILING_IMPACTS, axe_findings, describe_violations, structure_problems
from conftest import new_browser
from helpers import (choose, click_link, css, error_links, fill, h1, path_of, press, sign_in,
                     visit)

WIDTHS = (375, 1280)
WITNESS_TITLE = "Projet témoin pour l'accessibilité"


@dataclass
class Context:
    """What the signed-in setup made, for the pages that need it."""
    base: str
    details: dict[str, str] = field(default_factory=dict)   # type → path of one item
    witness: str = ""                                        # a project with several revisions
    invitation: str = ""                                     # an unused invitation path


def first_card(driver: WebDriver, base: str, listing: str) -> str:
    visit(driver, base, listing)
    return path_of_href(css(driver, ".card-list .card-title a").get_attribute("href"))


def path_of_href(href: str) -> str:
    return re.sub(r"^https?://[^/]+", "", href)


def open_edit_form_with_errors(driver: WebDriver, ctx: Context) -> None:
    visit(driver, ctx.base, ctx.witness + "/edit")
    fill(driver, "champ-title", "")
    fill(driver, "champ-product-url", "pas une adresse")
    press(driver, "Enregistrer")


def open_creation_form_with_errors(driver: WebDriver, ctx: Context) -> None:
    visit(driver, ctx.base, "/projects/new")
    press(driver, "Créer")


def open_conflict(driver: WebDriver, ctx: Context) -> None:
    """Saving from revision 1 while the witness project is at a later one."""
    visit(driver, ctx.base, ctx.witness + "/edit")
    driver.execute_script("document.querySelector('input[name=_base_revision]').value = '1'")
    fill(driver, "champ-description", "Ma version, commencée avant les autres modifications.")
    press(driver, "Enregistrer")
    assert driver.title.startswith("Conflit de modification")


def open_login_with_error(driver: WebDriver, ctx: Context) -> None:
    visit(driver, ctx.base, "/login")
    fill(driver, "champ-email", "personne@e2e.labatlas.test")
    fill(driver, "champ-password", "ce-n-est-pas-le-bon")
    press(driver, "Se connecter")


def open_invitation_created(driver: WebDriver, ctx: Context) -> None:
    visit(driver, ctx.base, "/invitations/new")
    fill(driver, "champ-email", "invitee-a11y@e2e.labatlas.test")
    press(driver, "Créer le lien d'invitation")


def go(path: str | Callable[[Context], str]) -> Callable[[WebDriver, Context], None]:
    def opener(driver: WebDriver, ctx: Context) -> None:
        visit(driver, ctx.base, path(ctx) if callable(path) else path)
    return opener


LISTS = ["labs", "projects", "experiences", "sessions", "events", "methods", "networks"]

# name → how to get there; which states show it.
PAGES: dict[str, tuple[Callable[[WebDriver, Context], None], tuple[str, ...]]] = {
    "accueil": (go("/"), ("anonyme", "connecte")),
    **{f"liste-{t}": (go(f"/{t}"), ("anonyme", "connecte")) for t in LISTS},
    "liste-labs-filtree": (go("/labs?maturity=active&region=Bretagne"), ("anonyme",)),
    "liste-vide": (go("/events?when=upcoming&status=cancelled&attendance=online&year=1999"), ("anonyme",)),
    **{f"fiche-{t}": (go(lambda ctx, t=t: ctx.details[t]), ("anonyme", "connecte")) for t in LISTS},
    "recherche-resultats": (go("/search?q=mobilites"), ("anonyme", "connecte")),
    "recherche-sans-resultat": (go("/search?q=zzyzxquokkaqwv"), ("anonyme", "connecte")),
    "recherche-suggestion": (go("/search?q=mobilitees"), ("anonyme",)),
    "recherche-vide": (go("/search"), ("anonyme",)),
    "connexion": (go("/login"), ("anonyme",)),
    "connexion-erreur": (open_login_with_error, ("anonyme",)),
    "mot-de-passe-oublie": (go("/password/forgot"), ("anonyme",)),
    "invitation": (go(lambda ctx: ctx.invitation), ("anonyme",)),
    "compte": (go("/account"), ("connecte",)),
    "creation": (go("/projects/new"), ("connecte",)),
    "creation-erreurs": (open_creation_form_with_errors, ("connecte",)),
    "modification": (go(lambda ctx: ctx.witness + "/edit"), ("connecte",)),
    "modification-erreurs": (open_edit_form_with_errors, ("connecte",)),
    "conflit": (open_conflict, ("connecte",)),
    "historique": (go(lambda ctx: ctx.witness + "/history"), ("anonyme", "connecte")),
    "historique-comparaison": (go(lambda ctx: ctx.witness + "/history?from=1&to=2"), ("anonyme", "connecte")),
    "suppression-confirmation": (go(lambda ctx: ctx.witness + "/delete"), ("connecte",)),
    "invitation-nouvelle": (go(lambda ctx: f"/invitations/new?type=labs&slug={path_of_href(ctx.details['labs']).split('/')[-1]}"), ("connecte",)),
    "invitation-creee": (open_invitation_created, ("connecte",)),
    "erreur-404": (go("/labs/ce-lab-n-existe-pas"), ("anonyme", "connecte")),
    "erreur-400": (go("/labs?page=0"), ("anonyme",)),
}

CASES = [(name, state) for name, (_, states) in PAGES.items() for state in states]


@pytest.fixture(scope="module")
def context(server, admin) -> Context:
    """Signed in as the administrator: one item of each type, a witness project with three revisions, an invitation."""
    driver = new_browser()
    try:
        ctx = Context(base=server.url)
        for t in LISTS:
            ctx.details[t] = first_card(driver, server.url, f"/{t}")
        sign_in(driver, server.url, admin)
        visit(driver, server.url, "/projects/new")
        fill(driver, "champ-title", WITNESS_TITLE)
        fill(driver, "champ-summary", "Un projet pour vérifier l'historique, les conflits et les formulaires.")
        css(driver, "input[name='labs']").click()
        choose(driver, "champ-stage", "exploration")
        press(driver, "Créer")
        assert h1(driver) == WITNESS_TITLE
        ctx.witness = path_of(driver)
        for text in ("Première description.", "Deuxième description, plus longue :\n- un point ;\n- un autre."):
            visit(driver, server.url, ctx.witness + "/edit")
            fill(driver, "champ-description", text)
            press(driver, "Enregistrer")
        visit(driver, server.url, ctx.details["labs"])
        click_link(driver, "Inviter une personne", within=".item-facts")
        fill(driver, "champ-email", "invitation-a11y@e2e.labatlas.test")
        press(driver, "Créer le lien d'invitation")
        ctx.invitation = path_of_href(css(driver, "#code-a-copier").get_attribute("value"))
        return ctx
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def browsers(server, admin):
    """One browser per state for the whole module (signing in once)."""
    anonymous, signed_in = new_browser(), new_browser()
    sign_in(signed_in, server.url, admin)
    yield {"anonyme": anonymous, "connecte": signed_in}
    anonymous.quit()
    signed_in.quit()


def set_width(driver: WebDriver, width: int) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})


def full_page_screenshot(driver: WebDriver, path) -> None:
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.parametrize("name,state", CASES, ids=[f"{state}-{name}" for name, state in CASES])
def test_page(name, state, context, browsers, screenshots, axe_log):
    driver = browsers[state]
    opener, _ = PAGES[name]
    set_width(driver, 1280)
    opener(driver, context)
    problems: list[str] = []
    failing: list[str] = []
    for width in sorted(WIDTHS, reverse=True):  # the page opens at 1280 px, then narrows
        set_width(driver, width)
        label = f"{name} ({state}, {width} px, {path_of(driver)})"
        if width == 1280:
            problems += structure_problems(driver)
            if name.endswith("erreurs") or name == "connexion-erreur":
                found = error_links(driver)
                if found["errors"] == 0:
                    problems.append("the form with errors shows no field error")
                problems += found["problems"]
        overflow = driver.execute_script("return document.documentElement.scrollWidth")
        if overflow > width:
            problems.append(f"{label}: the page scrolls sideways ({overflow} px of content for {width} px)")
        # Before axe, which scrolls containers while it checks contrast.
        full_page_screenshot(driver, screenshots / f"{name}-{state}-{width}.png")
        violations = axe_findings(driver)
        axe_log.append((label, violations))
        if violations:
            print(describe_violations(label, violations))
        failing += [f"{label}: {v['id']} ({v['impact']}) — {v['help']}" for v in violations if v["impact"] in FAILING_IMPACTS]
    set_width(driver, 1280)
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert not problems, f"{name} ({state}): " + "\n".join(problems)
    assert not failing, "axe-core found serious or critical violations:\n" + "\n".join(failing)

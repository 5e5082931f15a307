"""A lab editor (invited into the lab as editor) looks after a project from the browser."""

import re

from helpers import (all_css, choose, click_link, css, field_value, fill, h1, http_status, main_text, path_of, press,
                     sign_in, visit, wait_for_new_page, assert_errors_linked)
from journeys import EDITOR_LAB, EDITOR_LAB_NAME


def variant(javascript: bool) -> str:
    return "avec JS" if javascript else "sans JS"


def form_with_button(driver, label: str):
    for form in all_css(driver, "form"):
        if any(b.text.strip() == label for b in all_css(form, "button")):
            return form
    raise AssertionError(f"no form with the button « {label} »")


def timeline(driver) -> list[tuple[str, bool]]:
    return [(li.find_element("css selector", ".timeline-stage").text.replace(" PHASE ACTUELLE", "").replace(" phase actuelle", ""),
             "current" in (li.get_attribute("class") or ""))
            for li in all_css(driver, "ol.timeline > li")]


def history_rows(driver) -> list[dict]:
    rows = []
    for tr in all_css(driver, "section[aria-labelledby='versions'] tbody tr"):
        cells = all_css(tr, "td")
        rows.append({"number": int(re.match(r"\d+", cells[0].text).group(0)), "current": "actuelle" in cells[0].text,
                     "author": cells[2].text, "action": cells[3].text, "summary": cells[4].text, "row": tr})
    return rows


def create_project(driver, base: str, title: str, summary: str, visibility: str = "public") -> str:
    """Fills the creation form (the lab of the editor, stage Exploration) and returns the new project's path."""
    visit(driver, base, "/projects")
    click_link(driver, "Ajouter : projet", within="main")
    assert h1(driver) == "Nouveau : projet"
    fill(driver, "champ-title", title)
    fill(driver, "champ-summary", summary)
    css(driver, f"input[name='labs'][value='{EDITOR_LAB}']").click()
    choose(driver, "champ-stage", "exploration")
    choose(driver, "champ-visibility", visibility)
    press(driver, "Créer")
    assert h1(driver) == title, main_text(driver)[:600]
    assert re.fullmatch(r"/projects/[a-z0-9-]+", path_of(driver)), path_of(driver)
    return path_of(driver)


def test_editor_creates_moves_edits_meets_a_conflict_and_restores_a_revision(server, make_browser, javascript, lab_editor):
    title = f"Guichet unique des aides au vélo ({variant(javascript)})"
    browser = make_browser(javascript=javascript)
    sign_in(browser, server.url, lab_editor)

    # Creating: saves with missing fields come back with the input kept and each error next to its field.
    visit(browser, server.url, "/projects")
    click_link(browser, "Ajouter : projet", within="main")
    assert h1(browser) == "Nouveau : projet"
    fill(browser, "champ-summary", "Un seul guichet pour les aides à l'achat de vélos.")
    press(browser, "Créer")
    assert h1(browser) == "Nouveau : projet"
    assert re.search(r"Le formulaire contient \d+ erreur\(s\)", css(browser, ".error-summary").text)
    assert "Choisissez au moins un lab accompagnateur." in css(browser, "#champ-labs-erreur").text
    assert_errors_linked(browser)
    assert field_value(browser, "champ-summary") == "Un seul guichet pour les aides à l'achat de vélos."

    css(browser, f"input[name='labs'][value='{EDITOR_LAB}']").click()
    choose(browser, "champ-stage", "exploration")
    press(browser, "Créer")
    assert h1(browser) == "Nouveau : projet"
    title_field = css(browser, "#champ-title")
    assert css(browser, "#champ-title-erreur").text, "the missing title is said next to the field"
    assert "champ-title-erreur" in (title_field.get_attribute("aria-describedby") or "").split()
    assert_errors_linked(browser)
    assert css(browser, f"input[name='labs'][value='{EDITOR_LAB}']").is_selected(), "the ticked lab is kept"
    assert field_value(browser, "champ-summary") == "Un seul guichet pour les aides à l'achat de vélos."

    fill(browser, "champ-title", title)
    press(browser, "Créer")
    assert h1(browser) == title
    path = path_of(browser)
    assert timeline(browser) == [("Exploration", True)]
    assert EDITOR_LAB_NAME in css(browser, ".item-facts").text

    # A committee decision, then the next stage, from the project page.
    decision = form_with_button(browser, "Enregistrer la décision")
    choose(decision, "comite-champ-kind", "end_of_investigation")
    choose(decision, "comite-champ-outcome", "continue")
    fill(decision, "comite-champ-note", "Le comité valide le passage au prototype.")
    press(browser, "Enregistrer la décision", within=decision)
    assert path_of(browser).split("#")[0] == path
    table = css(browser, "#comites").find_element("xpath", "..")
    assert "Fin d'investigation" in table.text and "Poursuite" in table.text
    assert "Le comité valide le passage au prototype." in table.text

    stage = form_with_button(browser, "Enregistrer la phase")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", field_value(stage, "phase-champ-since")), "the date defaults to today"
    choose(stage, "phase-champ-stage", "prototyping")
    fill(stage, "phase-champ-note", "Prototype testé dans deux mairies.")
    press(browser, "Enregistrer la phase", within=stage)
    assert timeline(browser) == [("Exploration", False), ("Prototypage", True)]
    assert "Prototype testé dans deux mairies." in css(browser, "ol.timeline").text
    assert "Prototypage" in css(browser, ".page-header .badges").text

    # Editing.
    click_link(browser, "Modifier", within=".page-header")
    assert h1(browser) == f"Modifier « {title} »"
    fill(browser, "champ-summary", "Un seul guichet, en ligne et en mairie, pour les aides au vélo.")
    fill(browser, "champ--summary", "Résumé précisé")
    press(browser, "Enregistrer")
    assert path_of(browser) == path
    assert css(browser, ".page-header .lead").text == "Un seul guichet, en ligne et en mairie, pour les aides au vélo."

    # Two windows edit the same project: the second save meets the conflict page, with its text kept.
    first, second = browser, make_browser(javascript=javascript)
    sign_in(second, server.url, lab_editor)
    visit(first, server.url, path + "/edit")
    visit(second, server.url, path + "/edit")
    fill(first, "champ-description", "Version écrite dans la première fenêtre.")
    press(first, "Enregistrer")
    assert "Version écrite dans la première fenêtre." in main_text(first)

    mine = "Ma version, écrite dans la seconde fenêtre :\n- trois guichets pilotes ;\n- « aucun caractère perdu » — ça, c'est promis."
    fill(second, "champ-description", mine)
    fill(second, "champ--summary", "Ma reprise")
    press(second, "Enregistrer")
    assert second.title.startswith("Conflit de modification")
    conflict = css(second, "section.conflict")
    assert conflict.find_element("css selector", "h2").text == "Quelqu'un a modifié cet élément pendant que vous le modifiiez"
    assert "elle est intégralement conservée" in conflict.text
    assert "Version écrite dans la première fenêtre." in conflict.text, "the conflict page shows what the other save changed"
    assert field_value(second, "champ-description").replace("\r\n", "\n") == mine, "every character typed is kept"
    assert field_value(second, "champ--summary") == "Ma reprise"
    press(second, "Enregistrer")
    assert path_of(second) == path
    description = next(s for s in all_css(second, "section.prose") if s.find_element("css selector", "h2").text == "Description")
    assert "Ma version, écrite dans la seconde fenêtre" in description.text
    assert "« aucun caractère perdu » — ça, c'est promis." in description.text

    # The history lists every save; restoring the version before the two windows is a new revision.
    visit(first, server.url, path)
    click_link(first, "Historique", within=".item-facts")
    assert h1(first) == f"Historique de « {title} »"
    rows = history_rows(first)
    assert len(rows) == 6, [(r["number"], r["action"], r["summary"]) for r in rows]
    assert rows[0]["current"] and rows[0]["summary"] == "Ma reprise"
    assert all(r["author"] == lab_editor.name for r in rows)
    assert [r["number"] for r in rows] == sorted((r["number"] for r in rows), reverse=True)
    assert "Changements de la version" in main_text(first), "the latest change is shown by default"
    target = next(r for r in rows if r["summary"] == "Résumé précisé")
    restore = target["row"].find_element("css selector", "form[action$='/restore']")
    restore_button = restore.find_element("css selector", "button")
    assert restore_button.get_attribute("textContent") == f"Restaurer la version {target['number']}"
    old = css(first, "html")
    restore_button.click()
    wait_for_new_page(first, old)
    assert path_of(first) == path + "/history"
    rows = history_rows(first)
    assert len(rows) == 7
    assert rows[0]["current"] and rows[0]["summary"] == f"Restauration de la version {target['number']}"
    visit(first, server.url, path)
    assert "Ma version, écrite dans la seconde fenêtre" not in main_text(first)
    assert "Version écrite dans la première fenêtre." not in main_text(first)
    assert css(first, ".page-header .lead").text == "Un seul guichet, en ligne et en mairie, pour les aides au vélo."


def test_a_members_only_project_stays_invisible_to_those_outside_the_lab(server, make_browser, javascript, lab_editor, outsider):
    word = "Quetzalcoatlus" + ("js" if javascript else "nojs")
    title = f"Projet confidentiel {word}"
    editor = make_browser(javascript=javascript)
    sign_in(editor, server.url, lab_editor)
    path = create_project(editor, server.url, title, "Réservé à l'équipe du lab.", visibility="members")
    visit(editor, server.url, f"/search?q={word.lower()}")
    assert [a.text for a in all_css(editor, "ol.search-results .card-title a")] == [title], "the editor finds it"

    anonymous = make_browser(javascript=javascript)
    signed_in_outsider = make_browser(javascript=javascript)
    sign_in(signed_in_outsider, server.url, outsider)
    for reader in (anonymous, signed_in_outsider):
        visit(reader, server.url, path)
        assert h1(reader) == "Page introuvable"
        assert "Code : 404" in main_text(reader)
        assert title not in reader.page_source
        visit(reader, server.url, path + "/history")
        assert h1(reader) == "Page introuvable"
        for listing in ("/projects?sort=recent", "/projects?stage=exploration", f"/labs/{EDITOR_LAB}", "/"):
            visit(reader, server.url, listing)
            assert word not in reader.page_source, f"{listing} shows the members-only project"
        visit(reader, server.url, f"/search?q={word.lower()}")
        assert css(reader, "#resultats").text == "0 résultat"
        assert not all_css(reader, "ol.search-results > li")
    assert http_status(server.url + path) == 404
    assert http_status(server.url + "/api/v1" + path) == 404
    visit(anonymous, server.url, path + "/edit")
    assert h1(anonymous) in ("Se connecter", "Page introuvable"), "an anonymous edit never shows the form"
    assert title not in anonymous.page_source

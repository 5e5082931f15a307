"""A visitor, signed out, browses and searches the atlas (with JavaScript on and off)."""

import re
import unicodedata

from selenium.webdriver.common.keys import Keys

from helpers import all_css, click_link, css, h1, main_text, path_of, visit, wait_for_new_page


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


def count_in(text: str) -> int:
    match = re.search(r"(\d+)\s*résultats?", text) or re.search(r"\((\d+)\)", text)
    assert match, f"no count in {text!r}"
    return int(match.group(1))


def test_browse_labs_by_facet_then_a_lab_a_project_and_its_timeline(server, browser):
    visit(browser, server.url, "/")
    assert h1(browser) == "Qui a déjà fait quelque chose de semblable ?"
    assert "Chiffres clés" in main_text(browser)

    click_link(browser, "Labs", within="nav.main-nav")
    assert path_of(browser) == "/labs"
    assert h1(browser) == "Labs"
    assert css(browser, "nav.main-nav a[aria-current='page']").text == "Labs"
    everything = count_in(css(browser, "#resultats").text)

    facet = css(browser, "a[href='/labs?maturity=active']")
    assert facet.text.startswith("Actif, fonctionnel")
    expected = count_in(facet.text)
    assert 0 < expected < everything
    facet.click()
    assert path_of(browser) == "/labs?maturity=active"
    assert count_in(css(browser, "#resultats").text) == expected, "the facet count announces the number of results"
    assert "Filtres actifs" in css(browser, ".active-filters").text
    assert "Actif, fonctionnel" in css(browser, ".active-filters").text
    selected = css(browser, ".facet a[aria-current='true']")
    assert "Actif, fonctionnel" in selected.text
    cards = all_css(browser, ".card-list .card")
    assert len(cards) == min(expected, 20)
    assert all("Actif, fonctionnel" in card.text for card in cards), "every lab listed is active"

    # Sorting is a plain form: it keeps the filter.
    from selenium.webdriver.support.ui import Select
    Select(css(browser, "#tri")).select_by_value("recent")
    old = css(browser, "html")
    css(browser, ".sort-form button").click()
    wait_for_new_page(browser, old)
    assert "maturity=active" in path_of(browser) and "sort=recent" in path_of(browser)
    assert count_in(css(browser, "#resultats").text) == expected

    # Open the Métropole lilloise lab (active in the demo content).
    lab_link = css(browser, "a[href='/labs/lab-metropole-lille']")
    lab_name = lab_link.text
    lab_link.click()
    assert path_of(browser) == "/labs/lab-metropole-lille"
    assert h1(browser) == lab_name
    assert css(browser, ".kicker").text.lower() == "lab"
    assert [li.text for li in all_css(browser, ".breadcrumb li")] == ["Accueil", "Labs", lab_name]
    assert "En bref" in css(browser, ".item-facts").text
    assert "Hauts-de-France" in css(browser, ".item-facts").text
    related = {section.find_element("css selector", "h2").text: section for section in all_css(browser, "section.related")}
    projects_heading = next(heading for heading in related if heading.startswith("Projets accompagnés"))

    # A project the lab supports, with its dated stage timeline and committee decisions.
    project_link = related[projects_heading].find_element("css selector", "a[href='/projects/navette-demande-communes-rurales']")
    project_title = project_link.text
    project_link.click()
    assert h1(browser) == project_title
    assert css(browser, ".kicker").text.lower() == "projet"
    timeline = css(browser, "#phases").find_element("xpath", "..")
    assert timeline.find_element("css selector", "h2").text == "Historique des phases"
    stages = [li.find_element("css selector", ".timeline-stage").text for li in all_css(timeline, "ol.timeline > li")]
    assert len(stages) == 3 and stages[0] == "Exploration" and stages[1] == "Prototypage"
    current = all_css(timeline, "ol.timeline > li.current")
    assert len(current) == 1 and "phase actuelle" in current[0].text and "Abandonné" in current[0].text
    dates = [time.get_attribute("datetime") for time in all_css(timeline, "time")]
    assert dates == sorted(dates) and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates)
    assert "depuis le 7 juin 2022" in timeline.text
    decisions = css(browser, "#comites").find_element("xpath", "..")
    assert "Décisions des comités" in decisions.text and "Revue périodique" in decisions.text and "Arrêt" in decisions.text
    assert lab_name in css(browser, ".item-facts").text, "the project links back to its lab"
    assert "Modifier" not in css(browser, ".page-header").text, "a visitor gets no edit button"
    assert not all_css(browser, "section.workflow"), "a visitor gets no stage form"


def test_search_from_the_header_box_finds_highlighted_results_and_opens_one(server, browser):
    visit(browser, server.url, "/projects")
    box = css(browser, "header .header-search input[type='search']")
    assert css(browser, "label[for='recherche-entete']").get_attribute("textContent") == "Rechercher dans l'atlas"
    box.send_keys("mobilites")
    old = css(browser, "html")
    box.send_keys(Keys.ENTER)
    wait_for_new_page(browser, old)
    assert path_of(browser) == "/search?q=mobilites"
    assert h1(browser) == "Résultats pour « mobilites »"
    assert css(browser, "#recherche").get_attribute("value") == "mobilites", "the query stays in the search box"
    total = count_in(css(browser, "#resultats").text)
    results = all_css(browser, "ol.search-results > li")
    assert total > 0 and len(results) == min(total, 20)
    marks = all_css(browser, "ol.search-results mark")
    assert marks, "matched words are highlighted with <mark>"
    assert any(fold(mark.text).startswith("mobilit") for mark in marks), [mark.text for mark in marks]
    assert "Mobilités" in main_text(browser) or any("mobilité" in mark.text.lower() for mark in marks), \
        "the unaccented query finds the accented word"
    assert [h.get_attribute("textContent") for h in all_css(browser, "aside.facets h3")][:1] == ["Type"]

    # Narrow to projects with the type facet, then open the first result.
    projects = css(browser, "aside.facets a[href='/search?q=mobilites&type=projects']")
    expected = count_in(projects.text)
    projects.click()
    assert count_in(css(browser, "#resultats").text) == expected
    assert all(r.find_element("css selector", ".card-kicker").text.lower() == "projet" for r in all_css(browser, "ol.search-results > li"))
    first = css(browser, "ol.search-results > li .card-title a")
    title, href = first.text, first.get_attribute("href")
    first.click()
    assert browser.current_url == href
    assert h1(browser) == title


def test_search_page_answers_directly_and_says_when_nothing_is_found(server, browser):
    visit(browser, server.url, "/search?q=mobilites")
    assert h1(browser) == "Résultats pour « mobilites »"
    assert all_css(browser, "ol.search-results mark")
    assert "header-search" not in browser.page_source, "the search page has one search box, not two"

    visit(browser, server.url, "/search?q=zzyzxquokkaqwv")
    assert not all_css(browser, "ol.search-results > li")
    assert css(browser, "#resultats").text == "0 résultat"
    assert css(browser, "p.empty").text.startswith("Aucun résultat pour « zzyzxquokkaqwv »")

    # Searching again from the page's own form.
    box = css(browser, "#recherche")
    box.clear()
    box.send_keys("visieres")
    old = css(browser, "html")
    css(browser, "form.search-form button").click()
    wait_for_new_page(browser, old)
    assert path_of(browser) == "/search?q=visieres"
    assert any(fold(mark.text).startswith("visiere") for mark in all_css(browser, "ol.search-results mark"))


def test_unknown_pages_answer_a_french_404(server, browser):
    visit(browser, server.url, "/labs/ce-lab-n-existe-pas")
    assert h1(browser) == "Page introuvable"
    assert "Code : 404" in main_text(browser)
    click_link(browser, "Revenir à l'accueil", within="main")
    assert path_of(browser) == "/"

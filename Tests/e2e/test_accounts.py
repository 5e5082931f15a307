"""An administrator invites someone into a lab by link; that person accepts, then signs in."""

import pytest

from helpers import Account, all_css, css, fill, h1, main_text, path_of, press, sign_in, sign_out, visit
from journeys import EDITOR_LAB, EDITOR_LAB_NAME, invite_and_accept


def test_admin_invites_a_user_who_accepts_then_signs_in(server, browser, make_browser, javascript, admin):
    key = "js" if javascript else "nojs"
    invitee = Account(email=f"membre-{key}@e2e.labatlas.test", name=f"Sacha Membre {key.upper()}",
                      password=f"mot-de-passe-membre-{key}")
    invitation = invite_and_accept(browser, server.url, admin, invitee, lab=EDITOR_LAB, role="member")

    # The link served once.
    visit(browser, server.url, invitation)
    assert h1(browser) == "Page introuvable"
    assert "Ce lien d'invitation n'est plus valable" in main_text(browser)

    # Later, in another browser: a wrong password is refused with a French message next to the field…
    other = make_browser(javascript=javascript)
    visit(other, server.url, "/login")
    fill(other, "champ-email", invitee.email)
    fill(other, "champ-password", "pas-le-bon-mot-de-passe")
    press(other, "Se connecter")
    assert h1(other) == "Se connecter"
    assert "Adresse électronique ou mot de passe incorrect." in css(other, "#champ-password-erreur").text
    assert css(other, "#champ-email").get_attribute("value") == invitee.email, "the address typed is kept"
    assert css(other, "#champ-password").get_attribute("value") == "", "the password is never sent back"

    # …the right one signs in, and the account shows the lab membership.
    sign_in(other, server.url, invitee)
    visit(other, server.url, "/account")
    assert h1(other) == "Mon compte"
    facts = css(other, ".account-facts").text
    assert invitee.name in facts and invitee.email in facts
    rows = [row.text for row in all_css(other, "section[aria-labelledby='mes-espaces'] tbody tr")]
    assert any(EDITOR_LAB_NAME in row and "Membre" in row for row in rows), rows
    sign_out(other)
    assert path_of(other) == "/"

    # The administrator sees the new member on the lab page.
    sign_in(browser, server.url, admin)
    visit(browser, server.url, f"/labs/{EDITOR_LAB}")
    members = [li.text for li in all_css(browser, ".item-facts ul.members li")]
    assert f"{invitee.name} — Membre" in members, members


def test_a_page_that_needs_an_account_sends_to_the_sign_in_form_and_back(server, browser, admin):
    visit(browser, server.url, "/account")
    assert h1(browser) == "Se connecter"
    fill(browser, "champ-email", admin.email)
    fill(browser, "champ-password", admin.password)
    press(browser, "Se connecter")
    assert path_of(browser) == "/account"
    assert h1(browser) == "Mon compte"
    assert "Administrateur·rice du site" in main_text(browser)


def test_password_fields_are_masked(server, make_browser):
    browser = make_browser()
    visit(browser, server.url, "/login")
    field = css(browser, "#champ-password")
    assert field.get_attribute("type") == "password"
    assert field.get_attribute("autocomplete") == "current-password"

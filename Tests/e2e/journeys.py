"""Journeys that more than one test walks through (each step checks what the page says)."""

from __future__ import annotations

import re

from selenium.webdriver.remote.webdriver import WebDriver

from helpers import (Account, all_css, choose, click_link, css, field_value, fill, h1, main_text, path_of, press,
                     sign_in, sign_out, visit)

# The demo lab the journeys' editor is invited into.
EDITOR_LAB = "lab-metropole-lille"
EDITOR_LAB_NAME = "LabM — laboratoire d'innovation de la Métropole lilloise"


def invite_and_accept(driver: WebDriver, base: str, admin: Account, invitee: Account, lab: str, role: str) -> str:
    """An administrator invites `invitee` into `lab` with `role`; the invitee accepts by creating an account.
    Returns the invitation path (single use)."""
    sign_in(driver, base, admin)
    visit(driver, base, f"/labs/{lab}")
    lab_name = h1(driver)
    members = css(driver, ".item-facts")
    assert "Membres" in members.text, "an administrator sees the members panel of a lab"
    click_link(driver, "Inviter une personne", within=".item-facts")
    assert h1(driver) == f"Inviter dans « {lab_name} »"
    assert "valable 14 jours" in main_text(driver)
    fill(driver, "champ-email", invitee.email)
    choose(driver, "champ-role", role)
    press(driver, "Créer le lien d'invitation")
    assert h1(driver) == "Invitation créée"
    assert invitee.email in main_text(driver)
    link = field_value(driver, "code-a-copier")
    match = re.search(r"(/invitations/[^/?#\s]+)$", link)
    assert match, f"the invitation link looks wrong: {link!r}"
    invitation = match.group(1)
    sign_out(driver)

    # The invitee opens the link, signed out.
    visit(driver, base, invitation)
    assert h1(driver) == f"Rejoindre « {lab_name} »"
    assert f"Cette invitation est adressée à {invitee.email}" in main_text(driver)
    fill(driver, "champ-name", invitee.name)
    fill(driver, "champ-password", invitee.password)
    fill(driver, "champ-confirm-password", invitee.password)
    press(driver, "Créer mon compte et rejoindre")
    assert path_of(driver) == f"/labs/{lab}", f"accepting leads to the lab page, not {path_of(driver)}"
    assert h1(driver) == lab_name
    assert invitee.name in css(driver, ".account-links").text, "the new account is signed in after accepting"

    visit(driver, base, "/account")
    assert h1(driver) == "Mon compte"
    rows = [row.text for row in all_css(driver, "section[aria-labelledby='mes-espaces'] tbody tr")]
    role_label = {"admin": "Administrateur·rice", "editor": "Éditeur·rice", "member": "Membre"}[role]
    assert any(lab_name in row and role_label in row for row in rows), f"membership not listed on /account: {rows}"
    sign_out(driver)
    return invitation

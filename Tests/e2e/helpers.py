"""Small helpers the journeys share: reading pages, filling forms, signing in."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select


@dataclass(frozen=True)
class Account:
    email: str
    name: str
    password: str


def css(driver: WebDriver | WebElement, selector: str) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, selector)


def all_css(driver: WebDriver | WebElement, selector: str) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, selector)


def h1(driver: WebDriver) -> str:
    headings = all_css(driver, "h1")
    assert len(headings) == 1, f"{driver.current_url}: {len(headings)} h1 on the page"
    return headings[0].text


def main_text(driver: WebDriver) -> str:
    return css(driver, "main").text


def path_of(driver: WebDriver) -> str:
    return re.sub(r"^https?://[^/]+", "", driver.current_url)


def visit(driver: WebDriver, base: str, path: str) -> None:
    driver.get(base + path)
    assert_no_server_error(driver)


def assert_no_server_error(driver: WebDriver) -> None:
    text = driver.find_element(By.TAG_NAME, "body").text
    assert "Code : 500" not in text, f"{driver.current_url} answered a server error:\n{text[:800]}"


def link(driver: WebDriver | WebElement, text: str) -> WebElement:
    """The link whose visible text is exactly `text` (or, failing that, contains it)."""
    exact = [a for a in driver.find_elements(By.TAG_NAME, "a") if a.text.strip() == text]
    if exact:
        return exact[0]
    return driver.find_element(By.PARTIAL_LINK_TEXT, text)


def click_link(driver: WebDriver, text: str, within: str | None = None) -> None:
    scope = css(driver, within) if within else driver
    target = link(scope, text)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
    target.click()
    assert_no_server_error(driver)


def button(driver: WebDriver | WebElement, text: str) -> WebElement:
    for candidate in driver.find_elements(By.CSS_SELECTOR, "button"):
        if candidate.text.strip() == text:
            return candidate
    raise AssertionError(f"no button « {text} » on the page")


def press(driver: WebDriver, text: str, within: WebElement | None = None) -> None:
    """Clicks a form's submit button by its French label, and waits for the next page."""
    target = button(within or driver, text)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
    old = driver.find_element(By.TAG_NAME, "html")
    target.click()
    wait_for_new_page(driver, old)
    assert_no_server_error(driver)


def wait_for_new_page(driver: WebDriver, old: WebElement, timeout: float = 30) -> None:
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def replaced(_):
        try:
            old.tag_name
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            # While the old document is being torn down, Chromium can answer
            # "Node with given id does not belong to the document" instead of
            # a stale reference: the page is being replaced all the same.
            if "does not belong to the document" in str(error) or "No node with given id" in str(error):
                return True
            raise

    def loaded(_):
        try:
            return driver.execute_script("return document.readyState") == "complete"
        except WebDriverException:
            return False

    WebDriverWait(driver, timeout).until(replaced)
    WebDriverWait(driver, timeout).until(loaded)


def fill(driver: WebDriver | WebElement, field_id: str, value: str) -> None:
    field = css(driver, f"#{field_id}")
    field.clear()
    if value:
        field.send_keys(value)


def fill_date(driver: WebDriver | WebElement, field_id: str, iso: str) -> None:
    """Date inputs take the date as typed in the browser's locale: set the value through the DOM instead."""
    field = css(driver, f"#{field_id}")
    field.parent.execute_script("arguments[0].value = arguments[1]", field, iso)


def choose(driver: WebDriver | WebElement, field_id: str, value: str) -> None:
    Select(css(driver, f"#{field_id}")).select_by_value(value)


def selected_value(driver: WebDriver | WebElement, field_id: str) -> str:
    return Select(css(driver, f"#{field_id}")).first_selected_option.get_attribute("value")


def field_value(driver: WebDriver | WebElement, field_id: str) -> str:
    return css(driver, f"#{field_id}").get_attribute("value")


def sign_in(driver: WebDriver, base: str, account: Account) -> None:
    visit(driver, base, "/login")
    assert h1(driver) == "Se connecter"
    fill(driver, "champ-email", account.email)
    fill(driver, "champ-password", account.password)
    press(driver, "Se connecter")
    assert account.name in css(driver, ".account-links").text, \
        f"after signing in as {account.email}, the header does not show the name:\n{main_text(driver)[:500]}"


def sign_out(driver: WebDriver) -> None:
    press(driver, "Se déconnecter")
    assert "Se connecter" in css(driver, ".account-links").text


def http_status(url: str) -> int:
    """The status an anonymous client gets (urllib sends no cookie)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# Run in the page: every error message is tied to its field, every summary link reaches a field.
_ERROR_LINKS_JS = r"""
const problems = [];
const errors = [...document.querySelectorAll('.field-error[id]')];
for (const message of errors) {
  const field = message.closest('.field');
  if (!field) { problems.push('error ' + message.id + ' is outside any .field'); continue; }
  const owners = field.matches('fieldset') ? [field]
      : [...field.querySelectorAll('input:not([type=hidden]), select, textarea')];
  if (!owners.length) problems.push('error ' + message.id + ' has no field next to it');
  for (const owner of owners) {
    const ids = (owner.getAttribute('aria-describedby') || '').split(/\s+/);
    if (!ids.includes(message.id)) problems.push((owner.id || owner.tagName) + ' is not aria-describedby its error ' + message.id);
    if (owner.matches('input, select, textarea') && owner.getAttribute('aria-invalid') !== 'true')
      problems.push(owner.id + ' has an error but no aria-invalid="true"');
  }
}
for (const link of document.querySelectorAll('.error-summary a[href^="#"]')) {
  const target = document.getElementById(decodeURIComponent(link.getAttribute('href').slice(1)));
  if (!target) problems.push('summary link ' + link.getAttribute('href') + ' points to nothing');
  else if (!target.closest('.field')) problems.push('summary link ' + link.getAttribute('href') + ' does not point to a field');
}
for (const ref of document.querySelectorAll('[aria-describedby]'))
  for (const id of ref.getAttribute('aria-describedby').split(/\s+/).filter(Boolean))
    if (!document.getElementById(id)) problems.push((ref.id || ref.tagName) + ' is described by a missing #' + id);
return {errors: errors.length, problems};
"""


def error_links(driver: WebDriver) -> dict:
    """{'errors': number of field errors shown, 'problems': [what is not linked]}."""
    return driver.execute_script(_ERROR_LINKS_JS)


def assert_errors_linked(driver: WebDriver, at_least: int = 1) -> None:
    found = error_links(driver)
    assert found["errors"] >= at_least, f"{driver.current_url}: expected field errors, found {found['errors']}"
    assert not found["problems"], f"{driver.current_url}: errors not linked to their fields:\n" + "\n".join(found["problems"])

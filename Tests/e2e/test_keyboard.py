"""Keyboard only: the skip link comes first and works, focus is always visible, Tab never gets stuck."""

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from helpers import h1, path_of, sign_in, visit

SIGNED_OUT_PAGES = ["/", "/labs", "/projects/navette-demande-communes-rurales", "/search?q=mobilites", "/login",
                    "/labs/ce-lab-n-existe-pas"]
SIGNED_IN_PAGES = ["/projects/navette-demande-communes-rurales", "/account", "/projects/new",
                   "/projects/navette-demande-communes-rurales/history"]

# What Tab should reach, in document order (no positive tabindex is used anywhere).
TABBABLES_JS = r"""
const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
return [...document.querySelectorAll(selector)].filter(el => {
  if (el.disabled || el.closest('[inert]')) return false;
  const index = el.getAttribute('tabindex');
  if (index !== null && parseInt(index, 10) < 0) return false;
  if (el.matches('input[type=radio]') && !el.checked && document.querySelector(`input[type=radio][name="${el.name}"]:checked`)) return false;
  const style = getComputedStyle(el);
  return el.getClientRects().length > 0 && style.visibility !== 'hidden';
});
"""

# A focus indicator the eye can see: an outline of some width, or a box shadow.
FOCUS_STYLE_JS = r"""
const el = arguments[0], style = getComputedStyle(el);
const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
const shadow = style.boxShadow && style.boxShadow !== 'none';
return {outline: outline, shadow: !!shadow, describe: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className ? '.' + String(el.className).trim().replace(/\s+/g, '.') : '') + ' « ' + (el.textContent || el.value || '').trim().slice(0, 40) + ' »',
        outlineStyle: style.outlineStyle, outlineWidth: style.outlineWidth, outlineColor: style.outlineColor};
"""

VISIBLE_JS = r"""
const el = arguments[0], r = el.getBoundingClientRect();
const inside = r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
return inside && hit !== null && (hit === el || el.contains(hit));
"""


def tab(driver, shift: bool = False):
    actions = ActionChains(driver)
    if shift:
        actions.key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT)
    else:
        actions.send_keys(Keys.TAB)
    actions.perform()
    return driver.switch_to.active_element


def start_from_top(driver, base: str, path: str) -> None:
    visit(driver, base, path)
    driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")


def check_skip_link(driver, base: str, path: str) -> None:
    start_from_top(driver, base, path)
    first = tab(driver)
    assert "skip-link" in (first.get_attribute("class") or ""), f"{path}: the first Tab stop is {first.tag_name} « {first.text} »"
    assert first.get_attribute("textContent") == "Aller au contenu"
    try:  # it slides in (a short transition): give it a moment
        WebDriverWait(driver, 3, poll_frequency=0.05).until(lambda d: d.execute_script(VISIBLE_JS, first))
    except TimeoutException:
        raise AssertionError(f"{path}: the skip link is not visible when focused") from None
    style = driver.execute_script(FOCUS_STYLE_JS, first)
    assert style["outline"] or style["shadow"], f"{path}: the skip link shows no focus indicator: {style}"
    first.send_keys(Keys.ENTER)
    assert path_of(driver).endswith("#contenu")
    focused = driver.switch_to.active_element
    assert focused.tag_name == "main" and focused.get_attribute("id") == "contenu", \
        f"{path}: after the skip link, focus is on {focused.tag_name}#{focused.get_attribute('id')}"
    following = tab(driver)
    assert driver.execute_script("return document.querySelector('main').contains(arguments[0])", following), \
        f"{path}: the Tab after the skip link leaves the main content"


DATE_TYPES = ("date", "datetime-local", "time", "month", "week")
FOCUSABLE_TAGS = ("a", "button", "input", "select", "textarea", "summary")


def walk(driver, count: int, shift: bool = False, on_stop=None) -> list:
    """Presses Tab (or Shift+Tab) until `count` distinct stops were reached. Date fields take one Tab per
    part (day, month, year…) inside the same element: those presses stay on one stop."""
    stops = []
    for _ in range(count * 6 + 10):
        if len(stops) == count:
            break
        focused = tab(driver, shift)
        if stops and focused == stops[-1] and focused.get_attribute("type") in DATE_TYPES:
            continue
        stops.append(focused)
        if on_stop:
            on_stop(focused)
    return stops


def check_tab_walk(driver, base: str, path: str) -> None:
    start_from_top(driver, base, path)
    expected = driver.execute_script(TABBABLES_JS)
    assert expected, f"{path}: nothing to focus"
    unseen_focus = []

    def focus_visible(element):
        if element.tag_name in FOCUSABLE_TAGS:
            style = driver.execute_script(FOCUS_STYLE_JS, element)
            if not (style["outline"] or style["shadow"]):
                unseen_focus.append(style)

    seen = walk(driver, len(expected), on_stop=focus_visible)
    describe = lambda el: driver.execute_script("return arguments[0].outerHTML.slice(0, 120)", el)
    for index, (want, got) in enumerate(zip(expected, seen)):
        assert want == got, (f"{path}: Tab stop {index + 1} is {describe(got)}, expected {describe(want)} "
                             "(focus stuck or out of document order)")
    assert not unseen_focus, f"{path}: focus not visible on:\n" + "\n".join(str(s) for s in unseen_focus)
    # Shift+Tab retraces the same stops backwards…
    steps = min(6, len(expected) - 1)
    back = walk(driver, steps, shift=True)
    assert back == list(reversed(expected))[1:steps + 1], f"{path}: Shift+Tab does not retrace the Tab order"
    walk(driver, steps)
    # …and one Tab after the last stop leaves the page (or wraps to its start): nothing holds the focus.
    after = tab(driver)
    assert after not in expected[1:], f"{path}: after the last stop, Tab went back to {describe(after)}"


@pytest.mark.parametrize("path", SIGNED_OUT_PAGES)
def test_keyboard_signed_out(server, browser, path):
    check_skip_link(browser, server.url, path)
    check_tab_walk(browser, server.url, path)


def test_keyboard_signed_in(server, browser, admin):
    sign_in(browser, server.url, admin)
    for path in SIGNED_IN_PAGES:
        check_skip_link(browser, server.url, path)
        check_tab_walk(browser, server.url, path)
        assert h1(browser)

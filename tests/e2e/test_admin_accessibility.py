"""Every admin page checked for accessibility in the browser with axe-core (WCAG 2 A and AA: labels, names,
contrast, landmarks, ARIA), and the keyboard path through the frame: skip link, then the navigation."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import screenshot
from web.admin.context import NAV

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
#: WCAG 2.0/2.1 level A and AA rules; "serious" and "critical" findings fail the test.
RUN = "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"


@pytest.mark.parametrize("key,path", [(key, path) for key, path, _ in NAV])
def test_each_admin_page_passes_axe(demo, browser, key: str, path: str) -> None:
    base, _ = demo
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)  # to add axe itself
    page = context.new_page()
    page.goto(f"{base}{path}")
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(RUN)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:5])
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
    if serious:
        screenshot(page, f"a11y-{key}")
    context.close()
    assert serious == [], "\n".join(serious)


def test_the_keyboard_reaches_the_content_and_every_page(demo, browser) -> None:
    base, _ = demo
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/admin")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.goto(f"{base}/admin")
    page.focus('nav.sidenav a[data-nav="cases"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/cases*")
    assert page.locator('nav.sidenav a[aria-current="page"]').inner_text() == "Cases"
    page.close()

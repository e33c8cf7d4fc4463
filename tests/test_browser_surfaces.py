"""Finished surfaces in Debian's chromium (issue 18): every page at 1280x720 (a projector)
and 1920x1080 with no text cut or overflowing its box (tiles, buttons, links, tabs, labels,
the heatmap's names and counts inside their cells), from a machine that is offline: every
request that would leave 127.0.0.1 is blocked and recorded, and none may be attempted; every
Material icon is drawn from the bundled font (a missing font shows the icon's name as a
word). Screenshots go to screenshots/surfaces-<page>-<width>.png."""

from __future__ import annotations

import pytest

from aims_core.ui.navigation import all_pages
from tests.browser_kit import SHOTS, Server, settle

pytestmark = pytest.mark.browser

SIZES = ((1280, 720), (1920, 1080))
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")

# Text boxes whose content must fit (scrollWidth > clientWidth: cut), and in the main area
# every box that would cut its text with an ellipsis.
TEXT_BOXES = ", ".join([
    "[data-testid='stMetricLabel'] p", "[data-testid='stMetricValue'] div",
    "[data-testid='stMetricDelta'] div", "button p", "[data-testid='stPageLink'] p",
    "[data-testid='stTab'] p", "[data-testid='stExpander'] summary p",
    "[data-testid='stWidgetLabel'] p", "[data-baseweb='tag'] span",
])
OVERFLOWING = f"""() => [...document.querySelectorAll(`{TEXT_BOXES}`),
                          ...[...document.querySelectorAll('main *')].filter(
                              e => getComputedStyle(e).textOverflow === 'ellipsis')]
    .filter(e => e.offsetParent !== null && e.innerText.trim()
                 && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.innerText.slice(0, 60))"""
# Fixed-height boxes (the Overview's tiles) that would scroll inside.
SCROLLING_BOXES = """() => [...document.querySelectorAll(
        "[data-testid='stVerticalBlockBorderWrapper'] > div[style*='height']")]
    .filter(e => e.scrollHeight > e.clientHeight + 1).map(e => e.innerText.slice(0, 60))"""
# Each printed count and band name of a risk matrix inside the cell (a shape) under it.
HEATMAP_TEXT_OUTSIDE = """() => {
    const out = [];
    for (const plot of document.querySelectorAll('.js-plotly-plot')) {
        if (!plot.data.some(t => t.name === 'residual' || t.name === 'inherent')) continue;
        const cells = [...plot.querySelectorAll('.shapelayer path')]
            .map(p => p.getBoundingClientRect());
        if (!cells.length) continue;
        for (const text of plot.querySelectorAll('.scatterlayer .textpoint text')) {
            const t = text.getBoundingClientRect();
            if (!t.width) continue;
            const inside = cells.some(c => t.left >= c.left - 1 && t.right <= c.right + 1
                                         && t.top >= c.top - 1 && t.bottom <= c.bottom + 1);
            if (!inside) out.push(text.textContent);
        }
    }
    return out;
}"""
# A Material icon drawn from its font is about square; without the font it is a word.
ICONS_AS_WORDS = """() => [...document.querySelectorAll("[data-testid='stIconMaterial']")]
    .filter(e => e.offsetParent !== null)
    .filter(e => e.getBoundingClientRect().width > 1.6 * e.getBoundingClientRect().height)
    .map(e => e.innerText)"""


def _open(page: object, title: str) -> None:
    """Open a page from the sidebar, as a person does (no full reload)."""
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
    settle(page)
    page.wait_for_timeout(300)  # charts draw after the script has finished


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_page_fits_the_screen_offline(server: Server, browser: object, width: int,
                                            height: int) -> None:
    SHOTS.mkdir(exist_ok=True)
    attempted: list[str] = []
    problems: list[str] = []
    context = browser.new_context(viewport={"width": width, "height": height})

    def offline(route: object) -> None:
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    context.route("**/*", offline)
    page = context.new_page()
    page.goto(server.url)
    settle(page)
    for spec in all_pages():
        _open(page, spec.title)
        where = f"{spec.url_path} at {width}x{height}"
        assert page.locator("h1").first.inner_text().strip() == spec.title, where
        assert page.locator("[data-testid='stException']").count() == 0, where
        for kind, script in (("cut text", OVERFLOWING), ("box scrolls", SCROLLING_BOXES),
                             ("heatmap text outside its cell", HEATMAP_TEXT_OUTSIDE),
                             ("icon without its font", ICONS_AS_WORDS)):
            found = page.evaluate(script)
            if found:
                problems.append(f"{where}: {kind}: {found}")
        if spec.default:
            main = page.evaluate("document.querySelector("
                                 "'[data-testid=stMainBlockContainer]').scrollHeight")
            if main / height > (2.4 if width == 1280 else 2.0):
                problems.append(f"{where}: the Overview is {main / height:.1f} screens tall")
            icon = page.evaluate("document.querySelector('link[rel*=icon]').href")
            assert icon.startswith(server.url), icon
        page.screenshot(path=str(SHOTS / f"surfaces-{spec.url_path}-{width}.png"))
    assert page.evaluate("document.fonts.check('24px \"Material Symbols Rounded\"')")
    context.close()
    assert not attempted, f"requests that would leave the machine: {sorted(set(attempted))}"
    assert not problems, "\n".join(problems)

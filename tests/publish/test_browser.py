"""The site in a real browser: accessible (axe-core, WCAG 2.2 AA), searchable, right to left
in Arabic, usable with a keyboard and on a phone. Screenshots go to tests/artifacts/screenshots/.

The site is built once for the module from a SQLite store; the browser is launched once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from publish import SiteSettings, build_site, search
from publish.themes import refresh_themes
from store import ConsultationSettings, StoreSettings, open_store
from tests.conftest import NEW_YORK
from tests.publish.browser import CHROMIUM_ARGS, SCREENSHOTS, chromium_path, serve
from tests.publish.sample import ATTACHMENT_PHRASE, Comment, populate

pytestmark = pytest.mark.browser
MERGED_PHRASE = "yearly stocktaking"  # only in the last submission: in a shard merged in

# WCAG 2.0, 2.1 and 2.2, levels A and AA, and axe's best practices on top.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("browser-site")
    consultation = ConsultationSettings(
        title="Consultations on enhanced cooperation",
        reference="DESA-10/3078",
        address="unpan@un.org",
        organiser="United Nations Department of Economic and Social Affairs",
        timezone="America/New_York",
        deadline=datetime(2010, 11, 15, 23, 59, 59, tzinfo=NEW_YORK),
        posting_date=datetime(2010, 12, 1, 0, 0, tzinfo=NEW_YORK),
    )
    store = open_store(
        StoreSettings(url=f"sqlite:///{folder / 'mailroom.db'}", archive=folder / "archive")
    )
    try:
        later = Comment(
            "A later English comment",
            "Sam Lee",
            f"We also ask for a {MERGED_PHRASE} of the forum.\n",
            datetime(2010, 11, 10, 12, 0, tzinfo=NEW_YORK),
            language="en",
        )
        references = populate(folder, store, consultation, extra=[later])
        settings = SiteSettings(output=folder / "public" / "site")
        refresh_themes(store, consultation.posting_date)
        # One submission a shard: every search below must merge several Pagefind bundles.
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(search, "SHARD_SIZE", 1)
            build_site(store, consultation, settings, consultation.posting_date)
    finally:
        store.close()
    shards = json.loads((settings.output / "pagefind" / "shards.json").read_text())["shards"]
    english = [shard for shard in shards if "en" in shard["languages"]]
    assert len(english) >= 2
    with serve(settings.output.resolve()) as address:
        yield address, {subject: ref.replace("/", "-") for subject, ref in references.items()}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(site: tuple[str, dict[str, str]], browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield opened
    finally:
        context.close()
    assert errors == [], f"script errors on the page: {errors}"


def pages(references: dict[str, str]) -> dict[str, str]:
    kenya = references["Position of the Government of Kenya"]
    arabic = references["تعليق على التعاون المعزز"]
    return {
        "home": "index.html",
        "group": "en/groups/governments/index.html",
        "submission": f"en/submissions/{kenya}/index.html",
        "search": f"en/search/index.html?q={ATTACHMENT_PHRASE.replace(' ', '+')}",
        "arabic-submission": f"ar/submissions/{arabic}/index.html",
        "chinese-home": "zh/index.html",
        "facet": "en/organisations/index.html",
        "withdrawn": f"en/submissions/{references['Please withdraw my comment']}/index.html",
        "themes": "en/themes/index.html",
        "arabic-themes": "ar/themes/index.html",
    }


def violations(page: Page) -> list[dict[str, Any]]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        {"rule": v["id"], "impact": v["impact"], "where": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize(
    "name",
    [
        "home",
        "group",
        "submission",
        "search",
        "arabic-submission",
        "chinese-home",
        "facet",
        "withdrawn",
        "themes",
        "arabic-themes",
    ],
)
def test_axe_finds_no_accessibility_violation(
    page: Page, site: tuple[str, dict[str, str]], name: str
) -> None:
    address, references = site
    page.goto(address + pages(references)[name])
    if name == "search":
        page.wait_for_selector("#search-results li")
    assert violations(page) == []


def test_screenshots_of_the_home_and_a_submission_page(
    page: Page, site: tuple[str, dict[str, str]]
) -> None:
    address, references = site
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name in ("home", "submission", "arabic-submission", "search"):
        page.goto(address + pages(references)[name])
        if name == "search":
            page.wait_for_selector("#search-results li")
        target = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(address + pages(references)["submission"])
    page.screenshot(path=str(SCREENSHOTS / "submission-phone.png"), full_page=True)


def test_a_phrase_only_in_an_attachment_finds_its_submission(
    page: Page, site: tuple[str, dict[str, str]]
) -> None:
    address, references = site
    page.goto(address + "en/search/index.html")
    page.fill("#q", f'"{ATTACHMENT_PHRASE}"')
    page.press("#q", "Enter")
    page.wait_for_selector("#search-results li")
    links = page.eval_on_selector_all("#search-results li a", "as => as.map(a => a.href)")
    kenya = references["Position of the Government of Kenya"]
    assert links == [f"{address}en/submissions/{kenya}/index.html"]
    assert "1" in page.inner_text("#search-status")
    page.click("#search-results li a")
    assert page.url == f"{address}en/submissions/{kenya}/index.html"


def test_search_merges_the_shards_of_the_index(
    page: Page, site: tuple[str, dict[str, str]]
) -> None:
    address, references = site
    page.goto(f'{address}es/search/index.html?q="{MERGED_PHRASE}"')
    page.wait_for_selector("#search-results li")
    links = page.eval_on_selector_all("#search-results li a", "as => as.map(a => a.href)")
    later = references["A later English comment"]
    assert links == [f"{address}es/submissions/{later}/index.html"]


def test_search_finds_chinese_and_arabic_text(page: Page, site: tuple[str, dict[str, str]]) -> None:
    address, references = site
    for query, subject in (
        ("加强合作", "关于加强合作的意见"),
        ("المشاورة", "تعليق على التعاون المعزز"),
    ):
        page.goto(f"{address}fr/search/index.html?q={query}")
        page.wait_for_selector("#search-results li")
        links = page.eval_on_selector_all("#search-results li a", "as => as.map(a => a.href)")
        assert f"{address}fr/submissions/{references[subject]}/index.html" in links, query


def test_the_arabic_page_runs_right_to_left(page: Page, site: tuple[str, dict[str, str]]) -> None:
    address, references = site
    page.goto(address + pages(references)["arabic-submission"])
    assert page.eval_on_selector("html", "e => getComputedStyle(e).direction") == "rtl"
    assert page.eval_on_selector(".text", "e => getComputedStyle(e).direction") == "rtl"
    first = page.locator("h1 .ref").bounding_box()  # the heading's first words
    body = page.locator("main").bounding_box()
    assert first is not None and body is not None
    # Right to left: the heading starts at the right edge of the column, not the left.
    assert (body["x"] + body["width"]) - (first["x"] + first["width"]) < 40
    assert first["x"] - body["x"] > 200


def test_keyboard_reaches_everything_with_a_visible_focus(
    page: Page, site: tuple[str, dict[str, str]]
) -> None:
    address, references = site
    page.goto(address + pages(references)["submission"])
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.className")
    assert skip == "skip"
    assert page.eval_on_selector(".skip", "e => e.getBoundingClientRect().left") >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    seen = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return [e.tagName, e.textContent.trim().slice(0, 40), s.outlineStyle, s.boxShadow];"
            " })()"
        )
        tag, text, outline, shadow = focused
        if tag == "BODY":
            break
        assert outline != "none" or shadow != "none", f"no visible focus on {tag} {text}"
        seen.add(text)
    assert any("position.pdf" in t for t in seen)  # the attachment is reachable by keyboard


def test_usable_on_a_phone_sized_screen(page: Page, site: tuple[str, dict[str, str]]) -> None:
    address, references = site
    page.set_viewport_size({"width": 360, "height": 740})
    for name in ("home", "submission", "arabic-submission", "search"):
        page.goto(address + pages(references)[name])
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways on a phone"
        assert violations(page) == [], name


def test_print_styles_hide_the_navigation(page: Page, site: tuple[str, dict[str, str]]) -> None:
    address, references = site
    page.goto(address + pages(references)["submission"])
    page.emulate_media(media="print")
    assert page.eval_on_selector("nav.languages", "e => getComputedStyle(e).display") == "none"
    assert page.eval_on_selector(".text", "e => getComputedStyle(e).display") != "none"
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF")


def test_screenshots_folder_is_ignored_by_git() -> None:
    ignored = (Path(__file__).resolve().parents[2] / ".gitignore").read_text().splitlines()
    assert "/tests/artifacts/" in ignored

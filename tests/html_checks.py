"""What a browser would run, found by parsing a page (never by grepping it)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

RUNNABLE_TAGS = frozenset(
    "script iframe frame frameset object embed applet form base link meta svg math style "
    "template portal".split()
)
URL_ATTRIBUTES = frozenset("href src action formaction xlink:href data poster background".split())


HEAD_TAGS = frozenset({"meta", "link"})  # the page's own, in <head>; never in <body>
# The search page's own script and form, from our static folder: nothing a sender wrote.
OWN_SCRIPT = re.compile(r"^(\.\./)*static/search\.js$")


class ExecutableContent(HTMLParser):
    """Collects script elements, on* handlers, javascript:/data: URLs, frames, forms, remote
    images and the like. <meta> and <link> pass in <head> only, where the templates put them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_head = False
        self.found: list[str] = []
        self.text: list[str] = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self.in_head = True
        if _ours(tag, dict(attrs)):
            return
        if tag in RUNNABLE_TAGS and not (self.in_head and tag in HEAD_TAGS):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name == "style":
                self.found.append(f"{tag} style=")
            cleaned = "".join((value or "").split()).lower()
            if name in URL_ATTRIBUTES and cleaned.startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag} {name}={value}")
            if tag == "img" and name == "src" and "//" in cleaned:
                self.found.append(f"remote image {value}")
            if tag == "meta" and name == "http-equiv" and (value or "").lower() == "refresh":
                self.found.append("meta refresh")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _ours(tag: str, attrs: dict[str, str | None]) -> bool:
    if tag == "script":
        return bool(OWN_SCRIPT.match(attrs.get("src") or ""))
    if tag == "form":
        return attrs.get("role") == "search" and attrs.get("action") == "index.html"
    return False


def executable_content(html: str) -> list[str]:
    parser = ExecutableContent()
    parser.feed(html)
    parser.close()
    return parser.found

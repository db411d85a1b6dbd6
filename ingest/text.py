"""HTML mail as readable plain text."""

from __future__ import annotations

import html2text
import nh3


def html_to_text(markup: str) -> str:
    """Readable text from an HTML body: paragraphs and lists kept, links as their text."""
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_images = True
    converter.ignore_links = True
    converter.ignore_emphasis = True
    converter.ignore_tables = False
    converter.unicode_snob = True
    converter.single_line_break = False
    text = converter.handle(markup)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl",
    "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "li", "ol", "p", "pre", "q",
    "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "u", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def sanitise_html(markup: str) -> str:
    """An HTML body as nh3 (the ammonia allowlist sanitiser) leaves it: structure and text only.

    No script, style, event handler, form, iframe or image (so no remote image);
    links keep only http, https and mailto URLs and get rel="noopener noreferrer
    nofollow". The site still sets a strict Content-Security-Policy on every page.
    """
    return nh3.clean(
        markup,
        tags=_ALLOWED_TAGS,
        clean_content_tags={"script", "style", "title", "head", "template", "noscript"},
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )

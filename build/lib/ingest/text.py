"""HTML mail as readable plain text."""

from __future__ import annotations

import html2text


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

"""Header text as 2010 mail clients wrote it: RFC 2047 words (B and Q), RFC 2231 file names.

Written by hand rather than with `email.message`, for speed and so that each imitated client
can encode the way it really did (Outlook encodes single words, Gmail whole subjects).
"""

from __future__ import annotations

import base64
import re
from urllib.parse import quote

_TOKEN = re.compile(r"\S+\s*")
_Q_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")
MAX_WORD = 75


def _q(data: bytes) -> str:
    return "".join(chr(b) if b in _Q_SAFE else "_" if b == 0x20 else f"={b:02X}" for b in data)


def encoded_word(text: str, charset: str, mode: str) -> str:
    data = text.encode(charset)
    payload = base64.b64encode(data).decode("ascii") if mode == "B" else _q(data)
    return f"=?{charset}?{mode}?{payload}?="


def _chunks(text: str, charset: str, mode: str) -> list[str]:
    """Encoded words of at most ~75 characters, split only between characters (never inside
    a multi-byte sequence); whitespace between adjacent encoded words is not part of the text."""
    words: list[str] = []
    chunk = ""
    for char in text:
        if chunk and len(encoded_word(chunk + char, charset, mode)) > MAX_WORD:
            words.append(encoded_word(chunk, charset, mode))
            chunk = ""
        chunk += char
    if chunk:
        words.append(encoded_word(chunk, charset, mode))
    return words


def unstructured(text: str, charset: str, style: str) -> list[str]:
    """Atoms of an unstructured header (Subject) to be joined by single spaces.

    style: "B" or "Q" encodes the whole text; "outlook" leaves ASCII words as they are and
    encodes each run of other words, the way Outlook did.
    """
    if text.isascii():
        return text.split()
    if style in ("B", "Q"):
        return _chunks(text, charset, style)
    atoms: list[str] = []
    run = ""
    for token in _TOKEN.findall(text):
        if token.isascii():
            if run:
                atoms.extend(_chunks(run.rstrip(), charset, "B"))
                run = ""
            atoms.append(token.strip())
        else:
            run += token
    if run:
        atoms.extend(_chunks(run.rstrip(), charset, "Q"))
    return atoms


def display_name(name: str, charset: str, mode: str) -> str:
    """A display name as one encoded word (Python 3.11 doubles the space between two)."""
    if name.isascii():
        if re.search(r"[^A-Za-z0-9 !#$%&*+/=?^_`{|}~-]", name):
            return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return name
    return encoded_word(name, charset, mode)


def fold(name: str, atoms: list[str], width: int = 76) -> str:
    """`Name: atoms…`, folded at spaces so no line passes `width` where that can be avoided."""
    line = f"{name}:"
    lines: list[str] = []
    for atom in atoms:
        if len(line) + 1 + len(atom) > width and line.strip() != f"{name}:":
            lines.append(line)
            line = " " + atom
        else:
            line += " " + atom
    lines.append(line)
    return "\n".join(lines)


def filename_params(filename: str, style: str) -> str:
    """`filename=…` for Content-Disposition: plain, RFC 2231 (with continuations), or RFC 2047
    inside quotes (Outlook and Gmail did that, against the standard)."""
    if filename.isascii() and style != "2231-long":
        return f'filename="{filename}"'
    if style == "2047":
        return f'filename="{encoded_word(filename, "utf-8", "B")}"'
    encoded = quote(filename, safe="")
    if len(encoded) < 60 and style != "2231-long":
        return f"filename*=utf-8''{encoded}"
    pieces = [encoded[i : i + 50] for i in range(0, len(encoded), 50)]
    # never split a %XX escape across two continuations
    for n in range(len(pieces) - 1):
        cut = pieces[n].rfind("%")
        if cut >= len(pieces[n]) - 2 and cut != -1:
            pieces[n + 1] = pieces[n][cut:] + pieces[n + 1]
            pieces[n] = pieces[n][:cut]
    parts = [f"filename*0*=utf-8''{pieces[0]}"]
    parts += [f"filename*{n}*={piece}" for n, piece in enumerate(pieces[1:], start=1)]
    return ";\n ".join(parts)


def name_param(filename: str) -> str:
    """The Content-Type `name=` parameter: RFC 2047 in quotes for non-ASCII names."""
    if filename.isascii():
        return f'name="{filename}"'
    return f'name="{encoded_word(filename, "utf-8", "B")}"'

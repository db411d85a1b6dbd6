"""The online form: recognising a form's email, and reading its fields there or from a
JSON-lines export. `[form] fields` maps our names to the form's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ingest.rule_settings import FormFields, FormSettings

OUR_FIELDS = tuple(FormFields.model_fields)


@dataclass(frozen=True, slots=True)
class FormRecord:
    """One form submission in our names; "" where the form left a field empty."""

    name: str = ""
    organisation: str = ""
    email: str = ""
    group: str = ""
    country: str = ""
    subject: str = ""
    comment: str = ""
    language: str = ""
    received_at: str = ""
    id: str = ""


def is_form_mail(subject: str, sender: str, form: FormSettings) -> bool:
    """A mail the form sent: its subject matches `[form] subject`, or it comes from `sender`."""
    if form.subject and re.search(form.subject, subject):
        return True
    return bool(form.sender) and fnmatchcase(sender.lower(), form.sender.lower())


def fields_from_mail(body: str, form: FormSettings) -> FormRecord:
    """`Label: value` lines; a value runs on over following lines until the next label."""
    labels = {getattr(form.fields, ours).casefold(): ours for ours in OUR_FIELDS}
    pattern = re.compile(
        r"^\s*(" + "|".join(re.escape(label) for label in labels) + r")\s*:\s?(.*)$",
        re.IGNORECASE,
    )
    values: dict[str, list[str]] = {}
    current: str | None = None
    for line in body.splitlines():
        match = pattern.match(line)
        if match:
            current = labels[match.group(1).casefold()]
            values[current] = [match.group(2)]
        elif current is not None:
            values[current].append(line)
    return FormRecord(**{k: "\n".join(v).strip() for k, v in values.items()})


def fields_from_json(item: dict[str, object], form: FormSettings) -> FormRecord:
    """One JSON object of a form's export, read through the same mapping."""
    found: dict[str, str] = {}
    for ours in OUR_FIELDS:
        value = item.get(getattr(form.fields, ours))
        if value is None:
            continue
        found[ours] = value if isinstance(value, str) else str(value)
    return FormRecord(**{k: v.strip() for k, v in found.items()})

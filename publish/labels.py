"""The words the site prints for the store's values, marked for translation."""

from __future__ import annotations

from publish.i18n import N_

GROUPS = {
    "governments": N_("Governments"),
    "civil_society": N_("Civil society"),
    "intergovernmental": N_("Intergovernmental and international organizations"),
    "private_sector": N_("Private sector"),
    "technical_community": N_("Internet technical community"),
    "unclassified": N_("Not yet classified"),
}

CHANNELS = {
    "email": N_("Email"),
    "form": N_("Web form"),
    "fax": N_("Fax"),
    "post": N_("Post"),
}

TIMING = {
    "on-time": N_("On time"),
    "late": N_("Late"),
}

TEXT_STATUS = {
    "extracted": N_("Text extracted from the file"),
    "no_text": N_("The file has no text layer (for example, a scan)"),
    "unsupported": N_("Text cannot be extracted from this type of file"),
    "too_large": N_("The file is too large to extract its text"),
    "failed": N_("The text could not be extracted"),
    "timed_out": N_("The text could not be extracted in time"),
}

SEGMENTS = {
    "quote": N_("Quoted text"),
    "signature": N_("Signature"),
}

# What the site publishes of an attachment (publish.attachments), and why not.
WITHHELD = {
    "policy": N_("Received, not published: this type of file is not published"),
    "operator": N_("Received, not published, by decision of the secretariat"),
    "privacy": N_(
        "Received, not published: it holds an email address, a telephone number or a "
        "location that could not be removed"
    ),
    "failed": N_(
        "Received, not published: its hidden data (author, dates, location) could not be removed"
    ),
    "no_text": N_(
        "Received, not published: only the text of such files is published, and none was found"
    ),
}

POLICIES = {
    "stripped": N_("Published with its hidden data (author, dates, location) removed"),
    "text": N_("Published as text, without email addresses and telephone numbers"),
}

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

"""Comments built the way a mail client builds them, for tests that need many."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime


def comment(
    number: int,
    *,
    subject: str | None = None,
    sender: str = "Amina Diallo",
    address: str | None = None,
    body: str | None = None,
    html: str | None = None,
    received: datetime | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
    message_id: bool = True,
    organisation: str = "",
) -> bytes:
    """A comment to unpan@un.org; `received` adds a top Received header as a server would."""
    message = EmailMessage()
    message["From"] = f"{sender} <{address or f'sender{number}@example.org'}>"
    message["To"] = "unpan@un.org"
    message["Subject"] = subject if subject is not None else f"Comment number {number}"
    message["Date"] = "Mon, 08 Nov 2010 10:00:00 -0500"
    if message_id:
        message["Message-ID"] = f"<comment-{number}@example.org>"
    if organisation:
        message["Organization"] = organisation
    message.set_content(body if body is not None else f"This is comment {number}.\n")
    if html is not None:
        message.add_alternative(html, subtype="html")
    for name, content_type, data in attachments or []:
        maintype, subtype = content_type.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    data = message.as_bytes(policy=SMTP)
    if received is not None:
        stamp = format_datetime(received)
        data = (
            f"Received: from mail.example.org by mx.un.example with ESMTPS; {stamp}\r\n".encode()
            + data
        )
    return data

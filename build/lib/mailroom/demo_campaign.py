"""More of the sample mailbox: what a real consultation mailbox also gets.

A letter-writing campaign (twelve near-copies of one letter, each signed by its sender),
an advertisement the operator hides, mail a spam filter marked, and a message that
claims to come from a ministry but fails DMARC. Fictional, like the rest of the demo.
"""

from __future__ import annotations

from mailroom.demo_mailbox import Mail

CAMPAIGN_SUBJECT = "[Civil society] Keep enhanced cooperation open to all"
CAMPAIGN_LETTER = """We write to ask that enhanced cooperation on international public policy
issues pertaining to the Internet remain open to every stakeholder, as paragraph 35 of the
Tunis Agenda foresees.

Decisions about the network we all use every day should not be taken behind closed doors.
Civil society, the private sector and the technical community must be able to take part on an
equal footing with governments, with documents published in advance and remote participation
in every meeting.

We ask that all comments received be published in full, in the six official languages, and
that the meeting of 14 December 2010 be broadcast online."""
SIGNERS = (
    ("Nadia Haddad", "nadia.haddad@openvoices.example.org", "Open Voices Network", ""),
    ("Tom Okello", "tokello@kampala-net.example.org", "Kampala Net Users", ""),
    ("Luisa Ferreira", "luisa@direitos.example.org", "Direitos na Rede", ""),
    ("Pham Thi Lan", "lan.pham@hanoi-ict.example.org", "Hanoi ICT Forum", ""),
    ("Jakob Nilsen", "jakob@nettfolk.example.org", "Nettfolk", ""),
    ("Amal Yousef", "amal@arabdigital.example.org", "Arab Digital Citizens", ""),
    ("Rosa Quispe", "rquispe@andes-red.example.org", "Red Andina de Usuarios", ""),
    ("Kwame Boateng", "kboateng@ghanaweb-users.example.org", "Ghana Web Users", ""),
    ("Irina Popescu", "irina@liberweb.example.org", "LiberWeb", ""),
    ("Sam Taufa", "sam.taufa@pacificvoices.example.org", "Pacific Voices", ""),
    ("Elena Marsh", "elena.marsh@example.com", "", "I am a librarian and see every day "),
    ("David Cohen", "dcohen@example.net", "", "As a teacher I would add one thing: "),
)
PERSONAL = "how much people rely on the Internet for their work and their studies."


def _letter(name: str, organisation: str, personal: str, n: int) -> str:
    greeting = ("Dear Secretary-General,", "Dear colleagues,", "To the Secretariat,")[n % 3]
    closing = ("Yours sincerely,", "With best regards,", "Sincerely,")[n % 3]
    body = CAMPAIGN_LETTER
    if personal:
        body += f"\n\n{personal}{PERSONAL}"
    signature = f"{name}\n{organisation}" if organisation else name
    return f"{greeting}\n\n{body}\n\n{closing}\n{signature}"


CAMPAIGN: tuple[Mail, ...] = tuple(
    Mail(
        f"2010-11-{8 + n // 2:02d} {9 + n:02d}:{(n * 7) % 60:02d}:{(n * 13) % 60:02d}",
        "Europe/London",
        name,
        address,
        "en",
        CAMPAIGN_SUBJECT,
        _letter(name, organisation, personal, n),
        organization=organisation,
    )
    for n, (name, address, organisation, personal) in enumerate(SIGNERS)
)

ADVERT = Mail(
    "2010-11-09 04:12:09",
    "Asia/Singapore",
    "Premium Domains Sales",
    "offers@premium-domains.example.com",
    "en",
    "Your perfect .com domain is waiting",
    """Hello!

Premium domain names at unbeatable prices. Secure your brand today before someone else
does: hundreds of short .com and .net names available this week only.

Visit our shop and use the code NOVEMBER for an extra discount.

The Premium Domains team""",
)

SPAM = Mail(
    "2010-11-11 02:31:44",
    "Europe/Moscow",
    "Lottery Office",
    "winner@intl-lottery.example.net",
    "en",
    "Congratulations, you have won",
    """Dear winner,

Your email address has won one million dollars in our international lottery. Send your bank
details to claim the prize.""",
    headers=(
        ("X-Spam-Flag", "YES"),
        ("X-Spam-Status", "Yes, score=14.2 required=5.0 tests=LOTTERY,FREEMAIL"),
    ),
)

SPOOFED = Mail(
    "2010-11-13 23:05:51",
    "America/New_York",
    "Ministry of Foreign Affairs",
    "minister@mofa.estmere.gov.example",
    "en",
    "Estmere withdraws its earlier contribution",
    """The Government of Estmere withdraws its earlier contribution to these consultations
and asks that it not be published.""",
    headers=(
        (
            "Authentication-Results",
            "mx.un.example; spf=fail smtp.mailfrom=mofa.estmere.gov.example; dkim=none; "
            "dmarc=fail (p=reject dis=none) header.from=mofa.estmere.gov.example",
        ),
    ),
)

EXTRA: tuple[Mail, ...] = (*CAMPAIGN, ADVERT, SPAM, SPOOFED)

"""Who wrote from where, read from the letter when the headers do not say: the organisation
and the country in the signature block ("Head of External Relations, OCNIC", "Digital Rights
Forum, Nairobi"), a mission's letterhead ("Permanent Mission of ... to the United Nations"),
or the sender's own words ("I am a teacher in Lyon"), in the UN's six languages.

Pure and cheap: a few lines of text in, each finding with the words it was read from, for
the operator to confirm. When two readings disagree, nothing is suggested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.places import country_name_code, place_country

SIGNATURE_LINES = 7  # the signature block: the last lines of the sender's own text
SIGNATURE_WIDTH = 70  # longer lines are the letter's paragraphs
_SENTENCE_END = (
    ".",
    "。",
    "!",
    "?",
    ":",
    "：",
    "！",
    "？",
)  # a letter's sentences, not a signature
OPENING_CHARS = 1500  # the letter's opening, where writers say who and where they are
QUOTE_CHARS = 80

# Words of a job title, before the organisation: "Head of External Relations, OCNIC".
ROLE_WORDS = (
    "head", "director", "chair", "chairman", "chairperson", "president", "coordinator",
    "secretary", "officer", "counsel", "manager", "fellow", "adviser", "advisor", "executive",
    "member", "founder", "researcher", "professor", "spokesperson", "representative",
    "directeur", "directrice", "coordinateur", "coordinatrice", "président", "présidente",
    "secrétaire", "chargé", "chargée", "responsable", "conseiller", "conseillère",
    "director", "directora", "coordinador", "coordinadora", "presidente", "presidenta",
    "secretario", "secretaria", "asesor", "asesora", "jefe", "jefa", "investigador",
    "директор", "руководитель", "председатель", "координатор", "секретарь", "советник",
    "начальник", "президент", "сотрудник", "эксперт",
    "مدير", "مديرة", "رئيس", "رئيسة", "منسق", "منسقة", "أمين", "مستشار", "مستشارة",
    "主任", "主席", "经理", "秘书长", "所长", "部长", "研究员", "总监",
)  # fmt: skip
_ROLES = frozenset(ROLE_WORDS)
_CJK_ROLES = tuple(w for w in ROLE_WORDS if "\u4e00" <= w[0] <= "\u9fff")
# Words that make a line an organisation's name: "Digital Rights Forum".
ORGANISATION_WORDS = (
    "association", "network", "forum", "coalition", "council", "centre", "center", "institute",
    "ministry", "company", "ltd", "plc", "inc", "secretariat", "alliance", "chamber",
    "committee", "group", "society", "university", "foundation", "federation", "union",
    "agency", "authority", "office", "organisation", "organization", "commission", "registry",
    "réseau", "conseil", "ministère", "institut", "fédération", "université", "comité",
    "secrétariat", "chambre", "fondation", "agence", "autorité", "organisation",
    "red", "asociación", "cámara", "ministerio", "consejo", "fundación", "centro", "instituto",
    "universidad", "secretaría", "organización", "comisión", "federación",
    "центр", "министерство", "ассоциация", "совет", "сеть", "институт", "университет",
    "фонд", "союз", "комитет", "организация", "секретариат",
)  # fmt: skip
ORGANISATION_MARKS = (
    "الشبكة", "المنظمة", "وزارة", "جمعية", "مركز", "مجلس", "الأمانة", "اتحاد", "هيئة",
    "研究所", "公司", "协会", "中心", "委员会", "大学", "研究院", "联盟", "部",
)  # fmt: skip
# A part of an organisation, not the organisation: "Director, Government Affairs".
UNIT_WORDS = frozenset(
    "affairs relations department division directorate unit section desk bureau service "
    "département direction servicio departamento dirección отдел департамент управление "
    "إدارة قسم".split()
)
PARTICLES = frozenset(
    "of the for and on in at by with de du des la le les l d el los las y por para et pour un "
    "une en sur aux au à dans entre sobre con del una и по в для за о об при на al".split()
)
_BEHALF = re.compile(
    r"(?:on behalf of|au nom de|en nombre de|от имени|بالنيابة عن|باسم)\s+"
    r"(?:the |la |l'|le |les |el |los |las )?([^,.;:\n()،]{2,90})",
    re.IGNORECASE,
)
_BEHALF_CJK = re.compile(r"代表([\u4e00-\u9fff]{2,30}?)(?:提交|发表|向|，|。|,)")
_QUOTED = re.compile(r"[«“\"]([^«»“”\"]{2,90})[»”\"]")
_MISSION = re.compile(
    r"(?:permanent mission of|mission permanente d[eu']\s?|misión permanente d[e]l?|"
    r"постоянное представительство|البعثة الدائمة ل)\s*"
    r"(?:the |la |l'|le |el |de )?([^,.;\n]{2,80}?)\s*"
    r"(?:to the united nations|auprès de|ante las naciones|при организации|لدى|,|\.|\n|$)",
    re.IGNORECASE,
)
_KINGDOM = re.compile(
    r"^(?:the )?(?:kingdom|republic|state|principality|commonwealth|federation|"
    r"royaume|république|reino|república|estado|королевство|республика|"
    r"مملكة|جمهورية|دولة)\s+(?:of |de |du |de la |del |)\s*",
    re.IGNORECASE,
)
_PREPOSITION = re.compile(
    r"(?<![\w'])(?:in|from|based in|à|au|en|desde|в|во|из|في|من)\s+"
    r"((?:[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’.-]*)(?:\s+[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’.-]*){0,2}"
    r"|[\u0621-\u064a][\u0600-\u06ff]+)"
)
_FIRST_PERSON = re.compile(
    r"(?<!\w)(?:i|we|my|our|je|nous|j'|yo|soy|somos|nosotros|я|мы|أنا|نحن|我|我们)(?!\w)",
    re.IGNORECASE,
)
_SEGMENT = re.compile(r"\s*(?:,|;|\s[-–—]\s|\u3000|\|)\s*")
_ACRONYM = re.compile(r"^[A-ZА-ЯЁ][A-ZА-ЯЁ&-]{1,9}$")
_WORD = re.compile(r"[\w'’-]+")
_CJK = re.compile("[\u4e00-\u9fff]")
_SPACES = re.compile(r"[ \t]+")
_ELISION = re.compile(r"^(?:l'|d'|l’|d’)", re.IGNORECASE)
_DIGITS = re.compile(r"\b[\d-]{2,}\b|\b[A-Z]{1,2}\d[\w ]*$")


@dataclass(frozen=True, slots=True)
class Finding:
    value: str
    reason: str  # where it was read, with the words: for the operator

    @property
    def source(self) -> str:
        """ "signature" or "letter": where in the text it was read."""
        return self.reason.partition(":")[0]


@dataclass(frozen=True, slots=True)
class SenderFindings:
    organisation: Finding | None = None
    country: Finding | None = None


def read_sender(
    own_text: str,
    signature: str,
    *,
    sender_name: str = "",
    context: str = "",
) -> SenderFindings:
    """The organisation and the country the letter gives for its writer.

    `own_text` is what the sender wrote (quotes left out), `signature` the block the parser
    marked (or ""), `context` more text to expand an acronym from (attachments' openings).
    """
    lines = _signature_lines(own_text, signature)
    return SenderFindings(
        organisation=_organisation(lines, own_text, sender_name, context),
        country=_country(lines, own_text, sender_name),
    )


def _signature_lines(own_text: str, signature: str) -> list[str]:
    """The marked signature, else the short lines that end the text (a paragraph's lines
    are long: they stop the block)."""
    if signature.strip():
        lines = [_SPACES.sub(" ", line).strip() for line in signature.splitlines()]
        return [line for line in lines if line][:SIGNATURE_LINES]
    block: list[str] = []
    for paragraph in reversed(re.split(r"\n\s*\n", own_text.strip())[-2:]):
        lines = [_SPACES.sub(" ", line).strip() for line in paragraph.splitlines()]
        lines = [line for line in lines if line]
        if any(_width(line) > SIGNATURE_WIDTH or line.endswith(_SENTENCE_END) for line in lines):
            break
        block[:0] = lines
        if len(block) >= SIGNATURE_LINES:
            break
    return block[-SIGNATURE_LINES:]


def _width(line: str) -> int:
    return len(line) + len(_CJK.findall(line))


def _said(where: str, words: str) -> str:
    return f"{where}: “{_quote(words)}”"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


# --- country -------------------------------------------------------------------------------


def _country(lines: list[str], own_text: str, sender_name: str) -> Finding | None:
    opening = own_text[:OPENING_CHARS]
    mission = _MISSION.search(opening)
    if mission:
        name = _KINGDOM.sub("", mission.group(1).strip())
        code = country_name_code(name) or country_name_code(mission.group(1).strip())
        # A mission's letter says whose it is: its city (New York, Geneva) is not the answer.
        return Finding(code, _said("letter", mission.group(0))) if code else None
    skip = _personal_names(sender_name)
    found: dict[str, str] = {}
    for line in lines:
        for code, _name in _places_in_line(line, skip):
            found.setdefault(code, _said("signature", line))
    if len(found) == 1:
        code, reason = found.popitem()
        return Finding(code, reason)
    if found:
        return None  # two countries in the signature: which one?
    return _country_in_opening(opening, skip)


def _personal_names(sender_name: str) -> set[str]:
    """The words of a person's name, never read as places (Charlotte, Victoria)."""
    words = _WORD.findall(sender_name)
    if len(words) > 3 or _looks_like_organisation(sender_name, allow_acronym=False):
        return set()
    return {w.casefold() for w in words}


def _places_in_line(line: str, skip: set[str]) -> list[tuple[str, str]]:
    """Countries named in a line, and cities that stand alone in one of its parts
    ("Digital Rights Forum, Nairobi", "1211 Geneva 20", "- بيروت")."""
    found = []
    for part in _SEGMENT.split(line):
        part = _DIGITS.sub(" ", part).strip(" .()")
        if not part or part.casefold() in skip:
            continue
        code = place_country(part)
        if code:
            found.append((code, part))
            continue
        for name in _ngrams(part):
            if name.casefold() not in skip and (code := country_name_code(name)):
                found.append((code, name))
    return found


def _ngrams(text: str) -> list[str]:
    """Candidate names in a text: runs of one to four capitalised words, or CJK substrings."""
    if _CJK.search(text):
        run = "".join(_CJK.findall(text))
        return [run[i : i + n] for n in range(2, 7) for i in range(len(run) - n + 1)]
    words = _WORD.findall(text)
    names = []
    for size in range(4, 0, -1):
        for start in range(len(words) - size + 1):
            chunk = words[start : start + size]
            if chunk[0][:1].isupper() or not chunk[0][:1].isalpha() or _arabic(chunk[0]):
                names.append(" ".join(chunk))
    return names


def _arabic(word: str) -> bool:
    return "\u0600" <= word[:1] <= "\u06ff"


def _country_in_opening(opening: str, skip: set[str]) -> Finding | None:
    """ "I am a software developer in Germany": a place after a preposition, in a sentence
    where the writers speak of themselves."""
    found: dict[str, str] = {}
    for sentence in re.split(r"(?<=[。！？])|(?<=[.!?])\s+|\n\s*\n", opening):
        if not _FIRST_PERSON.search(sentence) and "我" not in sentence:
            continue
        for match in _PREPOSITION.finditer(sentence):
            words = match.group(1).split()
            for size in range(len(words), 0, -1):
                name = " ".join(words[:size]).rstrip(".,")
                if name.casefold() in skip:
                    continue
                code = place_country(name)
                if code:
                    found.setdefault(code, _said("letter", match.group(0).rstrip(".,")))
                    break
        for place in _cjk_places(sentence):
            found.setdefault(place[0], _said("letter", place[1]))
    if len(found) == 1:
        code, reason = found.popitem()
        return Finding(code, reason)
    return None


def _cjk_places(sentence: str) -> list[tuple[str, str]]:
    match = re.search(r"(?:在|来自)([\u4e00-\u9fff]{2,6})", sentence)
    if not match:
        return []
    run = match.group(1)
    for size in range(len(run), 1, -1):
        code = place_country(run[:size])
        if code:
            return [(code, match.group(0)[: size + 1])]
    return []


# --- organisation --------------------------------------------------------------------------


def _organisation(
    lines: list[str], own_text: str, sender_name: str, context: str
) -> Finding | None:
    corpus = f"{own_text}\n{context}"
    for line in lines:
        parts = [p for p in _SEGMENT.split(line) if p]
        for index, part in enumerate(parts):
            after_role = _after_role(part)
            if after_role is not None:
                name = after_role or (parts[index + 1] if index + 1 < len(parts) else "")
                name = _strip_place(name)
                if name and _looks_like_organisation(name, allow_acronym=True):
                    return Finding(_expand(name, corpus, sender_name), _said("signature", line))
    behalf = _BEHALF.search(own_text) or _BEHALF_CJK.search(own_text)
    if behalf:
        name = behalf.group(1).strip()
        quoted = _QUOTED.search(name)
        name = _strip_place(quoted.group(1) if quoted else name)
        if _looks_like_organisation(name, allow_acronym=True) and not name[:1].islower():
            return Finding(_expand(name, corpus, sender_name), _said("letter", behalf.group(0)))
    for line in lines:
        for part in _SEGMENT.split(line):
            part = _strip_place(part)
            if _looks_like_organisation(part, allow_acronym=False):
                return Finding(_expand(part, corpus, sender_name), _said("signature", line))
    return None


def _after_role(part: str) -> str | None:
    """What follows a job title in one part of a line ("директор РЦИИ" -> "РЦИИ"); "" when
    the part is the title alone (the organisation is the next part); None: no title here."""
    words = part.split()
    if not words:
        return None
    folded = [w.casefold().strip(".,") for w in words]
    if not any(w in _ROLES for w in folded[:4]) and not part.startswith(_CJK_ROLES):
        return None
    first = next(i for i, w in enumerate(folded) if w in _ROLES or i == len(folded) - 1)
    rest = " ".join(words[first + 1 :])
    if rest and _looks_like_organisation(rest, allow_acronym=True) and rest[:1].isupper():
        return rest
    if rest and _looks_like_organisation(rest, allow_acronym=False):
        return rest
    return ""


def _strip_place(name: str) -> str:
    """An organisation's name without a trailing city ("Digital Rights Forum, Nairobi")."""
    parts = [p for p in _SEGMENT.split(name) if p]
    while len(parts) > 1 and place_country(parts[-1]):
        parts.pop()
    return (parts[0] if parts else "").strip(" .")


def _looks_like_organisation(name: str, *, allow_acronym: bool) -> bool:
    if not name or len(name) > 90 or place_country(name):
        return False
    if any(w.casefold() in UNIT_WORDS for w in _WORD.findall(name)):
        return False
    if allow_acronym and _ACRONYM.match(name):
        return True
    words = [w.casefold() for w in _WORD.findall(name)]
    if any(w in ORGANISATION_WORDS for w in words) and (len(words) >= 2 or not allow_acronym):
        return len(words) >= 2
    if any(mark in name for mark in ORGANISATION_MARKS):
        return True
    return allow_acronym and len(words) >= 2 and name[:1].isupper()


def _expand(name: str, corpus: str, sender_name: str) -> str:
    """An acronym written out where the letter defines it: "Oceanic Network Information
    Centre (OCNIC)"; or the sender's display name, when its initials spell it."""
    if not _ACRONYM.match(name):
        return name
    for match in re.finditer(r"\(\s*" + re.escape(name) + r"\s*\)", corpus):
        words = corpus[: match.start()].split()[-12:]
        long = _spelled(words, name)
        if long:
            return f"{long} ({name})"
    if sender_name and _initials(sender_name.split()) == name.casefold():
        return f"{sender_name} ({name})"
    return name


def _spelled(words: list[str], acronym: str) -> str | None:
    """The words just before "(ACRONYM)" whose initials run through it, first letter first."""
    shown: list[str] = []
    cleaned: list[str] = []
    best = None
    for word in reversed(words):
        if word[-1:] in ",.;:":
            break  # the sentence before the name
        plain = word.strip('«»"')
        clean = _ELISION.sub("", plain)
        if not clean:
            break
        shown.insert(0, plain)
        cleaned.insert(0, clean)
        if clean.casefold() in PARTICLES:
            continue
        initials = _initials(cleaned)
        if not _subsequence(initials, acronym.casefold()):
            break
        if clean[:1].casefold() == acronym[:1].casefold() and len(initials) >= 2:
            best = " ".join([clean, *shown[1:]])
    return best


def _initials(words: list[str]) -> str:
    letters = []
    for word in words:
        for piece in word.split("-"):
            if piece and piece.casefold() not in PARTICLES:
                letters.append(piece[0].casefold())
    return "".join(letters)


def _subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(ch in it for ch in small)

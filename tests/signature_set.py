"""A labelled set of letters in the six UN languages, each with the organisation and the
country a reader would give its writer (or None where the letter does not say).

Made here, from small tables: signatures with a job title and an acronym the letter writes
out, an organisation's line with its city, "on behalf of", a mission's letterhead, a writer
who says where they live, and people who say neither (the set's negatives).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Letter:
    language: str
    text: str
    sender_name: str
    organisation: str | None  # what a reader would give; None: the letter does not say
    country: str | None


# (long name, acronym) of fictional organisations, a role, a person, and places per language:
# (city as written in a signature, city after the language's "in", country code, country name).
TABLES: dict[str, dict[str, object]] = {
    "en": {
        "orgs": [
            ("Pacific Digital Rights Network", "PDRN"),
            ("Centre for Internet Policy Research", "CIPR"),
            ("Open Networks Alliance", "ONA"),
        ],
        "role": "Head of Policy",
        "people": ["Sarah Mitchell", "David Okoro", "Linh Tran"],
        "places": [
            ("Nairobi", "Nairobi", "KE", "Kenya"),
            ("Toronto", "Toronto", "CA", "Canada"),
            ("Manila", "Manila", "PH", "Philippines"),
        ],
        "greeting": "Dear Secretariat,",
        "intro": "The {long} ({acr}) is pleased to submit its comments on enhanced cooperation.",
        "behalf": "On behalf of the {long}, I attach our comments on enhanced cooperation.",
        "lives": "I am a retired teacher living in {city_in} and I follow these debates closely.",
        "plain": "I would like to add my voice in support of an open and inclusive process.",
        "closing": "Kind regards,",
        "mission": (
            "The Permanent Mission of {country} to the United Nations presents its compliments "
            "to the Department and has the honour to transmit the views of its Government."
        ),
    },
    "fr": {
        "orgs": [
            ("Association pour les libertés numériques", "ALN"),
            ("Réseau africain des usagers de l'Internet", "RAUI"),
            ("Institut de recherche sur la gouvernance", "IRG"),
        ],
        "role": "Coordinatrice",
        "people": ["Claire Martin", "Amadou Diallo", "Sophie Laurent"],
        "places": [
            ("Dakar", "Dakar", "SN", "Sénégal"),
            ("Lyon", "Lyon", "FR", "France"),
            ("Montréal", "Montréal", "CA", "Canada"),
        ],
        "greeting": "Madame, Monsieur,",
        "intro": "L'{long} ({acr}) a l'honneur de vous transmettre sa contribution.",
        "behalf": "Au nom de l'{long}, je vous transmets nos observations.",
        "lives": "Je suis enseignante à {city_in} et j'utilise l'Internet tous les jours.",
        "plain": "Je souhaite simplement que le processus reste ouvert à tous les citoyens.",
        "closing": "Cordialement,",
        "mission": (
            "La Mission permanente de la {country} auprès de l'Organisation des Nations Unies "
            "présente ses compliments au Département."
        ),
    },
    "es": {
        "orgs": [
            ("Red Latinoamericana de Derechos Digitales", "RLDD"),
            ("Asociación por una Internet Abierta", "AIA"),
            ("Centro de Estudios de Políticas Digitales", "CEPD"),
        ],
        "role": "Coordinadora general",
        "people": ["María López", "Jorge Ramírez", "Ana Torres"],
        "places": [
            ("Bogotá", "Bogotá", "CO", "Colombia"),
            ("Lima", "Lima", "PE", "Perú"),
            ("Buenos Aires", "Buenos Aires", "AR", "Argentina"),
        ],
        "greeting": "Estimados señores:",
        "intro": "La {long} ({acr}) les envía su contribución a la consulta.",
        "behalf": "En nombre de la {long}, les envío nuestros comentarios.",
        "lives": "Soy investigador en derecho de las telecomunicaciones en {city_in}.",
        "plain": "Quisiera expresar mi apoyo a un proceso abierto y transparente.",
        "closing": "Atentamente,",
        "mission": (
            "La Misión Permanente de {country} ante las Naciones Unidas saluda atentamente al "
            "Departamento."
        ),
    },
    "ru": {
        "orgs": [
            ("Центр исследований цифровой политики", "ЦИЦП"),
            ("Ассоциация пользователей сети", "АПС"),
            ("Региональный институт интернет-права", "РИИП"),
        ],
        "role": "директор",
        "people": ["Андрей Смирнов", "Ольга Иванова", "Игорь Петров"],
        "places": [
            ("Новосибирск", "Новосибирске", "RU", "Россия"),
            ("Алматы", "Алматы", "KZ", "Казахстан"),
            ("Минск", "Минске", "BY", "Беларусь"),
        ],
        "greeting": "Уважаемые коллеги!",
        "intro": "{long} ({acr}) направляет свои предложения к консультациям.",
        "behalf": "Направляю комментарии от имени организации «{long}».",
        "lives": "Я работаю инженером в {city_in} и слежу за этими обсуждениями.",
        "plain": "Я поддерживаю открытый и прозрачный процесс консультаций.",
        "closing": "С уважением,",
        "mission": None,
    },
    "ar": {
        "orgs": [
            ("الشبكة العربية للحقوق الرقمية", None),
            ("جمعية مستخدمي الإنترنت", None),
            ("مركز دراسات السياسات الرقمية", None),
        ],
        "role": "منسقة",
        "people": ["ليلى حداد", "أحمد منصور", "سارة خليل"],
        "places": [
            ("القاهرة", "القاهرة", "EG", "مصر"),
            ("بيروت", "بيروت", "LB", "لبنان"),
            ("الرباط", "الرباط", "MA", "المغرب"),
        ],
        "greeting": "السادة المحترمون،",
        "intro": "يسر {long} أن تقدم مساهمتها في المشاورات.",
        "behalf": "بالنيابة عن {long}، أرفق ملاحظاتنا.",
        "lives": "أنا مهندس أعمل في {city_in} وأتابع هذه النقاشات.",
        "plain": "أود أن أعبر عن دعمي لعملية مفتوحة وشفافة.",
        "closing": "مع خالص التحية،",
        "mission": None,
    },
    "zh": {
        "orgs": [
            ("东方网络治理研究所", None),
            ("数字政策研究中心", None),
            ("华信数据通信有限公司", None),
        ],
        "role": "主任",
        "people": ["王立新", "刘晓燕", "陈建国"],
        "places": [
            ("北京", "北京", "CN", "中国"),
            ("上海", "上海", "CN", "中国"),
            ("新加坡", "新加坡", "SG", "新加坡"),
        ],
        "greeting": "尊敬的联合国经济和社会事务部：",
        "intro": "{long}现就加强合作问题提出以下意见。",
        "behalf": "我谨代表{long}提交意见。",
        "lives": "我是一名在{city_in}工作的工程师，长期关注互联网治理。",
        "plain": "我支持一个公开透明的磋商进程。",
        "closing": "此致",
        "mission": None,
    },
}

BODY = {
    "en": "Enhanced cooperation should include every stakeholder on an equal footing.",
    "fr": "La coopération renforcée doit associer toutes les parties prenantes.",
    "es": "La cooperación reforzada debe incluir a todas las partes interesadas.",
    "ru": "Расширенное сотрудничество должно включать все заинтересованные стороны.",
    "ar": "يجب أن يشمل التعاون المعزز جميع أصحاب المصلحة.",
    "zh": "加强合作应当包括所有利益相关方。",
}


def letters() -> list[Letter]:
    """Every letter of the set, in a fixed order."""
    found: list[Letter] = []
    for language, table in TABLES.items():
        orgs = table["orgs"]
        people = table["people"]
        places = table["places"]
        assert isinstance(orgs, list) and isinstance(people, list) and isinstance(places, list)
        for i, ((long, acronym), person, place) in enumerate(
            zip(orgs, people, places, strict=True)
        ):
            city, city_in, code, country = place
            found += _variants(language, table, long, acronym, person, city, city_in, code, i)
            mission = table["mission"]
            if isinstance(mission, str):
                text = f"{mission.format(country=country)}\n\n{BODY[language]}\n\n{city}, 2010"
                found.append(Letter(language, text, "Permanent Mission", None, code))
            del country
    return found


def _variants(
    language: str,
    t: dict[str, object],
    long: str,
    acronym: str | None,
    person: str,
    city: str,
    city_in: str,
    code: str,
    i: int,
) -> list[Letter]:
    greeting, closing, body = str(t["greeting"]), str(t["closing"]), BODY[language]
    sep = "\u3000" if language == "zh" else (" - " if language == "ar" else ", ")
    short = acronym or long
    named = f"{long} ({acronym})" if acronym else long
    intro = str(t["intro"]).format(long=long, acr=acronym)
    titled = f"{t['role']}{sep}{short}" if language != "zh" else f"{long}{sep}{t['role']}"
    return [
        # A job title and the organisation's acronym, which the letter writes out; the city.
        Letter(
            language,
            f"{greeting}\n\n{intro}\n\n{body}\n\n{closing}\n{person}\n{titled}\n{city}",
            person,
            named,
            code,
        ),
        # The organisation's own line, with its city after it.
        Letter(
            language,
            f"{greeting}\n\n{body}\n\n{closing}\n{person}\n{long}{sep}{city}",
            person,
            long,
            code,
        ),
        # On behalf of an organisation; no place anywhere.
        Letter(
            language,
            f"{greeting}\n\n{str(t['behalf']).format(long=long)}\n\n{body}\n\n{closing}\n{person}",
            person,
            long,
            None,
        ),
        # A person who says where they live, and no organisation.
        Letter(
            language,
            f"{greeting}\n\n{str(t['lives']).format(city_in=city_in)}\n\n{body}\n\n"
            f"{closing}\n{person}",
            person,
            None,
            code,
        ),
        # Neither: whatever the rules suggest here is wrong.
        Letter(
            language,
            f"{greeting}\n\n{t['plain']}\n\n{body}\n\n{closing}\n{people_of(t, i + 1)}",
            people_of(t, i + 1),
            None,
            None,
        ),
    ]


def people_of(t: dict[str, object], i: int) -> str:
    people = t["people"]
    assert isinstance(people, list)
    return str(people[i % len(people)])

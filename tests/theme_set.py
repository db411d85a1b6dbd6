"""A labelled set for themes: six known topics, each said twice in each of the six UN
languages (72 comments), written for these tests. A good grouping puts each topic's twelve
comments together whatever their language; the agreement is measured with the adjusted Rand
index (scikit-learn), 1 for a perfect match and about 0 for chance.
"""

from __future__ import annotations

TOPICS: dict[str, dict[str, tuple[str, str]]] = {
    "remote participation": {
        "en": (
            "The meeting on 14 December should be webcast, with remote participation so that "
            "people who cannot travel to New York can ask questions online.",
            "Please make it possible to follow the consultations remotely: a live video stream "
            "and the chance to take the floor from a distance.",
        ),
        "fr": (
            "La réunion du 14 décembre devrait être retransmise en ligne, avec une participation "
            "à distance pour ceux qui ne peuvent pas se rendre à New York.",
            "Nous demandons que les consultations puissent être suivies à distance, en vidéo en "
            "direct, avec la possibilité d'intervenir à distance.",
        ),
        "es": (
            "La reunión del 14 de diciembre debería transmitirse por internet, con participación "
            "a distancia para quienes no pueden viajar a Nueva York.",
            "Pedimos que las consultas puedan seguirse a distancia, con video en directo y la "
            "posibilidad de intervenir de forma remota.",
        ),
        "ru": (
            "Заседание 14 декабря следует транслировать в интернете и обеспечить дистанционное "
            "участие для тех, кто не может приехать в Нью-Йорк.",
            "Просим обеспечить возможность следить за консультациями дистанционно: прямая "
            "видеотрансляция и возможность выступить удалённо.",
        ),
        "ar": (
            "ينبغي بث اجتماع 14 ديسمبر عبر الإنترنت مع إتاحة المشاركة عن بعد لمن لا يستطيع "
            "السفر إلى نيويورك.",
            "نطلب إتاحة متابعة المشاورات عن بعد، ببث فيديو مباشر وإمكانية أخذ الكلمة عن بعد.",
        ),
        "zh": (
            "12月14日的会议应当进行网络直播，并为无法前往纽约的人提供远程参与。",
            "请允许远程参加磋商：提供视频直播，并让与会者可以远程发言。",
        ),
    },
    "capacity building": {
        "en": (
            "Developing countries need funding and training so that their experts can take part "
            "in Internet governance meetings; capacity building must be a priority.",
            "Without travel support and training, officials from the least developed countries "
            "cannot participate. We ask for a fund for capacity building.",
        ),
        "fr": (
            "Les pays en développement ont besoin de financement et de formation pour que leurs "
            "experts participent aux réunions sur la gouvernance de l'Internet.",
            "Sans aide au voyage ni formation, les responsables des pays les moins avancés ne "
            "peuvent pas participer. Nous demandons un fonds pour le renforcement des capacités.",
        ),
        "es": (
            "Los países en desarrollo necesitan financiación y formación para que sus expertos "
            "participen en las reuniones sobre la gobernanza de Internet.",
            "Sin apoyo para viajes ni capacitación, los funcionarios de los países menos "
            "adelantados no pueden participar. Pedimos un fondo para el fomento de la capacidad.",
        ),
        "ru": (
            "Развивающимся странам нужны финансирование и обучение, чтобы их эксперты могли "
            "участвовать во встречах по управлению интернетом.",
            "Без поддержки поездок и обучения представители наименее развитых стран не могут "
            "участвовать. Просим создать фонд для наращивания потенциала.",
        ),
        "ar": (
            "تحتاج البلدان النامية إلى التمويل والتدريب حتى يتمكن خبراؤها من المشاركة في اجتماعات "
            "حوكمة الإنترنت.",
            "من دون دعم السفر والتدريب لا يستطيع مسؤولو أقل البلدان نمواً المشاركة. نطلب إنشاء "
            "صندوق لبناء القدرات.",
        ),
        "zh": (
            "发展中国家需要资金和培训，使其专家能够参加互联网治理会议。",
            "没有差旅资助和培训，最不发达国家的官员就无法参与。我们请求设立能力建设基金。",
        ),
    },
    "multilingualism": {
        "en": (
            "Internationalized domain names and local content in every language are essential: "
            "the Internet must speak the languages of its users.",
            "Multilingualism online matters. Domain names in Arabic, Cyrillic and Chinese scripts "
            "and support for local-language content should be extended.",
        ),
        "fr": (
            "Les noms de domaine internationalisés et les contenus locaux dans toutes les langues "
            "sont essentiels : l'Internet doit parler la langue de ses usagers.",
            "Le multilinguisme en ligne compte. Les noms de domaine en écritures arabe, cyrillique "
            "et chinoise et le soutien aux contenus en langues locales doivent être étendus.",
        ),
        "es": (
            "Los nombres de dominio internacionalizados y los contenidos locales en todos los "
            "idiomas son esenciales: Internet debe hablar la lengua de sus usuarios.",
            "El multilingüismo en línea importa. Deben ampliarse los nombres de dominio en "
            "escritura árabe, cirílica y china y el apoyo a los contenidos en lenguas locales.",
        ),
        "ru": (
            "Интернационализированные доменные имена и местный контент на всех языках крайне "
            "важны: интернет должен говорить на языках своих пользователей.",
            "Многоязычие в сети имеет значение. Следует расширять доменные имена на арабском, "
            "кириллице и китайском и поддерживать контент на местных языках.",
        ),
        "ar": (
            "أسماء النطاقات الدولية والمحتوى المحلي بجميع اللغات أمر أساسي: يجب أن يتحدث الإنترنت "
            "بلغات مستخدميه.",
            "التعدد اللغوي على الإنترنت مهم. ينبغي توسيع أسماء النطاقات بالحروف العربية "
            "والسيريلية والصينية ودعم المحتوى باللغات المحلية.",
        ),
        "zh": (
            "国际化域名和各种语言的本地内容至关重要：互联网必须使用其用户的语言。",
            "网络多语种很重要。应当推广阿拉伯文、西里尔文和中文域名，并支持本地语言内容。",
        ),
    },
    "privacy": {
        "en": (
            "Personal data must be protected: users' privacy online is a human right and "
            "governments should agree on common data protection principles.",
            "We are concerned about surveillance and the collection of personal information. "
            "Privacy and data protection should be at the heart of any cooperation.",
        ),
        "fr": (
            "Les données personnelles doivent être protégées : la vie privée en ligne est un droit "
            "humain et les gouvernements devraient s'accorder sur des principes communs.",
            "Nous sommes préoccupés par la surveillance et la collecte d'informations "
            "personnelles. La vie privée et la protection des données doivent être au cœur de "
            "toute coopération.",
        ),
        "es": (
            "Los datos personales deben protegerse: la privacidad en línea es un derecho humano y "
            "los gobiernos deberían acordar principios comunes de protección de datos.",
            "Nos preocupa la vigilancia y la recopilación de información personal. La privacidad y "
            "la protección de datos deben estar en el centro de toda cooperación.",
        ),
        "ru": (
            "Персональные данные должны быть защищены: неприкосновенность частной жизни в сети — "
            "право человека, и правительствам следует согласовать общие принципы.",
            "Нас беспокоят слежка и сбор личной информации. Защита частной жизни и персональных "
            "данных должна быть в центре любого сотрудничества.",
        ),
        "ar": (
            "يجب حماية البيانات الشخصية: الخصوصية على الإنترنت حق من حقوق الإنسان وعلى الحكومات "
            "الاتفاق على مبادئ مشتركة لحماية البيانات.",
            "نحن قلقون من المراقبة وجمع المعلومات الشخصية. يجب أن تكون الخصوصية وحماية البيانات "
            "في صميم أي تعاون.",
        ),
        "zh": (
            "个人数据必须受到保护：网络隐私是一项人权，各国政府应当就共同的数据保护原则达成一致。",
            "我们担心监控和个人信息的收集。隐私和数据保护应当成为任何合作的核心。",
        ),
    },
    "cybersecurity": {
        "en": (
            "Cybercrime crosses borders, so governments must cooperate on investigations and "
            "share information about attacks on critical infrastructure.",
            "Computer emergency response teams should work together across countries to respond "
            "to cyber attacks and protect networks.",
        ),
        "fr": (
            "La cybercriminalité ne connaît pas de frontières : les gouvernements doivent coopérer "
            "aux enquêtes et partager les informations sur les attaques contre les "
            "infrastructures critiques.",
            "Les équipes d'intervention en cas d'urgence informatique devraient travailler "
            "ensemble par-delà les frontières pour répondre aux cyberattaques et protéger les "
            "réseaux.",
        ),
        "es": (
            "La ciberdelincuencia cruza las fronteras, por lo que los gobiernos deben cooperar en "
            "las investigaciones y compartir información sobre ataques a infraestructuras "
            "críticas.",
            "Los equipos de respuesta a emergencias informáticas deberían trabajar juntos entre "
            "países para responder a los ciberataques y proteger las redes.",
        ),
        "ru": (
            "Киберпреступность не знает границ, поэтому правительства должны сотрудничать в "
            "расследованиях и обмениваться информацией об атаках на критическую инфраструктуру.",
            "Группы реагирования на компьютерные инциденты разных стран должны работать вместе, "
            "чтобы отвечать на кибератаки и защищать сети.",
        ),
        "ar": (
            "الجريمة الإلكترونية تعبر الحدود، لذا يجب على الحكومات التعاون في التحقيقات وتبادل "
            "المعلومات عن الهجمات على البنية التحتية الحيوية.",
            "ينبغي أن تعمل فرق الاستجابة لطوارئ الحاسوب معاً عبر البلدان للرد على الهجمات "
            "الإلكترونية وحماية الشبكات.",
        ),
        "zh": (
            "网络犯罪跨越国界，因此各国政府必须在调查方面开展合作，并交流针对关键基础设施的攻击信息。",
            "各国计算机应急响应小组应当协同工作，应对网络攻击，保护网络安全。",
        ),
    },
    "no new body": {
        "en": (
            "We oppose the creation of a new intergovernmental body for the Internet. The "
            "multistakeholder model works and should not be replaced.",
            "There is no need for a new UN agency to govern the Internet; existing institutions "
            "and the bottom-up multistakeholder process should continue.",
        ),
        "fr": (
            "Nous nous opposons à la création d'un nouvel organe intergouvernemental pour "
            "l'Internet. Le modèle multipartite fonctionne et ne doit pas être remplacé.",
            "Il n'est pas nécessaire de créer une nouvelle agence des Nations Unies pour gouverner "
            "l'Internet ; les institutions existantes et le processus multipartite doivent "
            "continuer.",
        ),
        "es": (
            "Nos oponemos a la creación de un nuevo organismo intergubernamental para Internet. El "
            "modelo de múltiples partes interesadas funciona y no debe sustituirse.",
            "No hace falta una nueva agencia de las Naciones Unidas para gobernar Internet; las "
            "instituciones existentes y el proceso de múltiples partes interesadas deben "
            "continuar.",
        ),
        "ru": (
            "Мы против создания нового межправительственного органа для интернета. "
            "Многосторонняя модель работает, и её не следует заменять.",
            "Нет необходимости в новом агентстве ООН для управления интернетом; существующие "
            "институты и многосторонний процесс должны продолжить работу.",
        ),
        "ar": (
            "نعارض إنشاء هيئة حكومية دولية جديدة للإنترنت. نموذج أصحاب المصلحة المتعددين ناجح ولا "
            "ينبغي استبداله.",
            "لا حاجة إلى وكالة جديدة تابعة للأمم المتحدة لحوكمة الإنترنت؛ يجب أن تستمر المؤسسات "
            "القائمة وعملية أصحاب المصلحة المتعددين.",
        ),
        "zh": (
            "我们反对为互联网设立新的政府间机构。多利益相关方模式行之有效，不应被取代。",
            "没有必要设立新的联合国机构来管理互联网；现有机构和多利益相关方进程应当继续。",
        ),
    },
}


def comments() -> list[tuple[str, str, str]]:
    """(topic, language, text) for every comment of the set, in a fixed order."""
    return [
        (topic, language, text)
        for topic, languages in TOPICS.items()
        for language, texts in languages.items()
        for text in texts
    ]

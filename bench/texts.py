"""Words for the generated mailbox: who writes, in which language, and what they say.

Fictional senders and organisations; sentences in the register of the 2010 consultation on
enhanced cooperation. Each language has its own pools, so bodies, subjects and names carry the
scripts and the legacy charsets a real UN mailbox sees.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    share: int  # per cent of messages
    legacy: tuple[str, ...]  # legacy charsets its mail clients used in 2010
    legacy_share: float  # fraction of its messages sent in one of them
    names: tuple[str, ...]
    organisations: tuple[str, ...]
    subjects: tuple[str, ...]
    greetings: tuple[str, ...]
    sentences: tuple[str, ...]
    closings: tuple[str, ...]
    joiner: str = " "  # between sentences: Chinese needs none


# fmt: off
# Hand-laid tables: names on a few lines each, then the sentences.
EN = Language(
    "en",
    55,
    ("iso-8859-1", "windows-1252"),
    0.05,
    (
        "Thomas Becker", "Mele Tupou", "Grace Wanyama", "John O'Neill", "Priya Raman",
        "Samuel Mensah", "Emily Carter", "David Kowalski", "Aisha Bello", "Kenji Watanabe",
        "Ingrid Solberg", "Carlos Mendes", "Fatima Zahra", "Oliver Hughes", "Nadia Haddad",
    ),
    (
        "Oceanic Network Information Centre", "Internet Society Kessaly Chapter",
        "Ministry of Communications of Kessaly", "Global Users Forum", "Open Net Institute",
        "Chamber of Digital Commerce", "University of Lagoon Bay", "",
    ),
    (
        "Comment on enhanced cooperation",
        "Contribution to the open consultation on enhanced cooperation",
        "Response to DESA-10/3078",
        "Submission: Internet public policy and enhanced cooperation",
        "RE: Invitation to comment on enhanced cooperation",
        "Our views on paragraph 69 of the Tunis Agenda",
        "Fwd: consultation on enhanced cooperation — comments",
        "Comments from civil society on enhanced cooperation",
    ),
    ("Dear Sir or Madam,", "Dear colleagues,", "To the Secretariat,", "Dear Mr. Sha,"),
    (
        "I am writing as an individual Internet user and software developer.",
        "We welcome the fact that this consultation is open to everyone and not only to "
        "accredited organisations.",
        "In our view, enhanced cooperation should mean that the existing institutions talk to "
        "each other and to the public more, not that a new body is created.",
        "Governments already have a voice through the Governmental Advisory Committee, and the "
        "Internet Governance Forum is the right place to discuss emerging issues.",
        "What is missing is follow-up: decisions taken in one forum are rarely explained in "
        "another.",
        "A simple public register of Internet public policy work, kept by the United Nations "
        "and updated by each organisation, would already help.",
        "Developing countries need capacity building before they can take part on equal terms.",
        "The cost of international connectivity remains the main barrier for small island "
        "states.",
        "We ask that the distinction between public policy and day-to-day technical operations "
        "be kept.",
        "Number resource allocation works because it is decided by the people who operate "
        "networks, in open and documented meetings.",
        "Any new arrangement must respect human rights, including freedom of expression and the "
        "right to privacy.",
        "We would be happy to provide further information on our policy development process.",
        "Remote participation should be offered for every meeting, with questions from afar.",
        "The report of the Secretary-General should summarise every contribution received.",
    ),
    ("Kind regards,", "Best regards,", "Yours faithfully,", "Sincerely,"),
)

FR = Language(
    "fr",
    12,
    ("iso-8859-1", "iso-8859-15", "windows-1252"),
    0.25,
    (
        "Claire Dubois", "Jean-François Lefèvre", "Amélie Girard", "Mamadou Diallo",
        "Hélène Moreau", "Théo Rousseau", "Aïcha Traoré", "Loïc Bénard",
    ),
    (
        "Association pour un Internet citoyen", "Ministère de l'Économie numérique",
        "Réseau francophone des régulateurs", "Université de Ouagadougou", "",
    ),
    (
        "Contribution de l'APIC sur la coopération renforcée",
        "Commentaires sur la coopération renforcée",
        "Réponse à la consultation DESA-10/3078",
        "Observations du gouvernement sur la coopération renforcée",
        "TR: consultation ouverte — coopération renforcée",
    ),
    ("Madame, Monsieur,", "Chers collègues,", "Monsieur le Secrétaire général,"),
    (
        "Nous remercions le Secrétaire général pour cette consultation ouverte.",
        "La coopération renforcée prévue au paragraphe 69 de l'Agenda de Tunis ne doit pas se "
        "réduire à un dialogue entre gouvernements.",
        "Les questions de politique publique liées à l'Internet concernent directement les "
        "usagers, et la société civile doit pouvoir participer à leur examen.",
        "Nous proposons que le Secrétariat publie chaque année un rapport sur les activités des "
        "organisations concernées.",
        "Une retransmission en ligne, avec des questions à distance, serait un minimum.",
        "La protection des données personnelles et la liberté d'expression doivent être au cœur "
        "de ce processus.",
        "Le coût de l'accès à Internet reste très élevé dans les pays les moins avancés.",
        "Il faut renforcer les capacités des délégations des pays en développement.",
        "Nous souhaitons que la diversité linguistique soit prise en compte à chaque étape.",
        "Le Forum sur la gouvernance de l'Internet a montré l'intérêt d'un dialogue ouvert.",
    ),
    (
        "Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
        "Cordialement,",
        "Bien à vous,",
    ),
)

ES = Language(
    "es",
    12,
    ("iso-8859-1", "iso-8859-15", "windows-1252"),
    0.25,
    (
        "María José Fernández", "Andrés Muñoz", "Lucía Peña", "José Ángel Núñez",
        "Begoña Ibáñez", "Raúl Gutiérrez", "Inés Cabañas",
    ),
    (
        "Asociación Latinoamericana de Usuarios de Internet", "Secretaría de Comunicaciones",
        "Fundación Redes Abiertas", "Universidad del Río de la Plata", "",
    ),
    (
        "Comentarios sobre la cooperación reforzada",
        "Contribución a la consulta abierta sobre cooperación reforzada",
        "Respuesta a la invitación DESA-10/3078",
        "Observaciones de la sociedad civil de América Latina",
        "RV: consulta — cooperación reforzada",
    ),
    ("Estimados señores:", "Estimados colegas:", "Señor Secretario General:"),
    (
        "Agradecemos la oportunidad de participar en esta consulta abierta.",
        "La cooperación reforzada no debe limitarse a un diálogo entre gobiernos.",
        "Las cuestiones de política pública relacionadas con Internet afectan directamente a "
        "los usuarios.",
        "Proponemos la creación de un registro público de las actividades de cada organización.",
        "El costo de la conectividad internacional sigue siendo la principal barrera en nuestra "
        "región.",
        "Es necesario fortalecer la participación de los países en desarrollo.",
        "La protección de la privacidad y la libertad de expresión deben guiar este proceso.",
        "El Foro para la Gobernanza de Internet ha demostrado el valor del diálogo abierto.",
        "Solicitamos que la reunión de diciembre sea transmitida en línea.",
        "La diversidad lingüística debe respetarse en todas las etapas.",
    ),
    ("Atentamente,", "Saludos cordiales,", "Un cordial saludo,"),
)

RU = Language(
    "ru",
    8,
    ("koi8-r", "windows-1251"),
    0.35,
    (
        "Сергей Соколов", "Ольга Иванова", "Дмитрий Петров", "Анна Кузнецова",
        "Игорь Смирнов", "Наталья Волкова",
    ),
    (
        "Координационный центр национального домена", "Министерство связи",
        "Ассоциация пользователей Интернета", "",
    ),
    (
        "Комментарии по вопросу расширенного сотрудничества",
        "Вклад в открытые консультации по расширенному сотрудничеству",
        "Ответ на приглашение DESA-10/3078",
        "Позиция ассоциации по пункту 69 Тунисской программы",
    ),
    ("Уважаемые коллеги!", "Уважаемый господин Генеральный секретарь!", "Добрый день!"),
    (
        "Благодарим Секретариат за возможность принять участие в консультациях.",
        "Расширенное сотрудничество должно охватывать вопросы международной публичной "
        "политики, связанные с Интернетом.",
        "Правительства должны иметь равные возможности участия в управлении Интернетом.",
        "Необходимо учитывать интересы всех заинтересованных сторон, включая гражданское "
        "общество.",
        "Мы предлагаем ежегодно публиковать доклад о деятельности соответствующих организаций.",
        "Важно обеспечить многоязычие Интернета и поддержку национальных доменов.",
        "Вопросы безопасности сетей требуют международного взаимодействия.",
        "Форум по управлению Интернетом доказал ценность открытого диалога.",
    ),
    ("С уважением,", "С наилучшими пожеланиями,"),
)

AR = Language(
    "ar",
    7,
    ("windows-1256", "iso-8859-6"),
    0.35,
    ("أحمد المصري", "فاطمة الزهراء", "محمد العلي", "ليلى حسن", "عمر الخطيب"),
    ("وزارة الاتصالات وتقنية المعلومات", "الجمعية العربية لمستخدمي الإنترنت", ""),
    (
        "تعليقات على التعاون المعزز",
        "مساهمة في المشاورات المفتوحة بشأن التعاون المعزز",
        "رد على الدعوة رقم DESA-10/3078",
    ),
    ("السادة الأفاضل،", "حضرة الأمين العام المحترم،"),
    (
        "نشكر الأمانة العامة على إتاحة الفرصة للمشاركة في هذه المشاورات.",
        "يجب أن يشمل التعاون المعزز جميع قضايا السياسة العامة المتعلقة بالإنترنت.",
        "نؤكد على أهمية مشاركة الحكومات على قدم المساواة.",
        "ينبغي دعم المحتوى العربي على الإنترنت وأسماء النطاقات باللغة العربية.",
        "نقترح إنشاء سجل عام لأنشطة المنظمات المعنية.",
        "تكلفة الاتصال الدولي ما زالت مرتفعة في كثير من البلدان النامية.",
        "أثبت منتدى إدارة الإنترنت قيمة الحوار المفتوح بين جميع الأطراف.",
    ),
    ("مع خالص التحية،", "وتفضلوا بقبول فائق الاحترام،"),
)

ZH = Language(
    "zh",
    6,
    ("gb2312", "gbk", "gb18030", "big5"),
    0.4,
    ("王伟", "李娜", "张强", "刘洋", "陈静"),
    ("中国互联网协会", "工业和信息化部", "北京大学网络研究中心", ""),
    (
        "关于加强合作的意见",
        "对加强合作公开磋商的意见",
        "答复 DESA-10/3078 邀请",
        "中国互联网协会关于加强合作的建议",
    ),
    ("尊敬的秘书长先生：", "各位同事：", "您好！"),
    (
        "感谢秘书处给予我们参加此次公开磋商的机会。",
        "加强合作应当涵盖与互联网有关的国际公共政策问题。",
        "各国政府应当平等参与互联网国际管理。",
        "我们建议每年发布一份关于相关组织活动的报告。",
        "发展中国家需要能力建设，才能平等参与。",
        "互联网治理论坛证明了开放对话的价值。",
        "应当重视多语种互联网和国际化域名的发展。",
        "网络安全问题需要国际社会共同应对。",
    ),
    ("此致\n敬礼", "顺祝商祺"),
    joiner="",
)

# Big5 has no simplified characters: a Big5 sender writes traditional Chinese.
ZH_TRADITIONAL = (
    "感謝秘書處給予我們參加此次公開磋商的機會。",
    "加強合作應當涵蓋與網際網路有關的國際公共政策問題。",
    "我們建議每年發布一份關於相關組織活動的報告。",
    "網際網路治理論壇證明了開放對話的價值。",
)
ZH_TRADITIONAL_SUBJECT = "關於加強合作的意見"
ZH_TRADITIONAL_NAME = "林志明"
# fmt: on

LANGUAGES: tuple[Language, ...] = (EN, FR, ES, RU, AR, ZH)

# Attachment titles stay Latin: the PDF writer uses the standard Helvetica font.
DOCUMENT_TITLES = (
    "Contribution on enhanced cooperation",
    "Submission to the open consultation",
    "Position paper - Internet public policy",
    "Comments on paragraph 69 of the Tunis Agenda",
    "Annex - survey of national Internet policy bodies",
)
ATTACHMENT_STEMS = {
    "en": ("Submission", "Contribution - enhanced cooperation", "Position paper", "Annex 1"),
    "fr": ("Contribution coopération renforcée", "Réponse APIC", "Annexe été 2010"),
    "es": ("Contribución cooperación reforzada", "Comentarios Asociación", "Anexo técnico"),
    "ru": ("Позиция по расширенному сотрудничеству", "Комментарии"),
    "ar": ("مساهمة التعاون المعزز", "تعليقات"),
    "zh": ("加强合作意见", "建议书"),
}

"""A sample consultation mailbox, so Mailroom can be tried and shown without a real one.

Thirty-eight comments to the 2010 UN DESA consultation on enhanced cooperation (invitation
DESA-10/3078), written for this demo, bring the variety a real mailbox brings: six languages,
legacy charsets, HTML, PDF and Word attachments, replies, wrong sender clocks, late comments and
one hostile message. Every organisation, person and address is fictional. The content is data,
and nothing depends on the clock or on chance, so every run writes the same bytes.
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
import textwrap
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from docx import Document
from fpdf import FPDF
from fpdf.enums import XPos, YPos

MAILBOX = "unpan@un.org"
NEW_YORK = ZoneInfo("America/New_York")
MX = "mx.un.example"
DOCUMENT_DATE = datetime(2010, 11, 1, tzinfo=UTC)
ZIP_DATE = (2010, 11, 1, 0, 0, 0)
DOCX_TYPE = "vnd.openxmlformats-officedocument.wordprocessingml.document"
MAILERS = ("Microsoft Outlook 12.0", "", "Apple Mail (2.1081)", "Lotus Notes Release 8.5.1")
NETWORKS = ("192.0.2", "198.51.100", "203.0.113")
# Raw headers (Received, legacy-charset From and Subject) stay exactly as written.
AS_WRITTEN = policy.default.clone(refold_source="none")


@dataclass(frozen=True)
class Doc:
    """An attachment made at build time: `.pdf` (fpdf2 core fonts: Latin-1 text) or `.docx`."""

    filename: str
    title: str
    text: str  # paragraphs separated by blank lines


@dataclass(frozen=True)
class Mail:
    """One comment as its sender's mail client sent it, and when the mailbox got it."""

    received: str  # when the mailbox received it, New York wall-clock time
    sender_tz: str  # the sender's zone, for the Date header
    name: str
    address: str
    lang: str
    subject: str
    body: str  # plain text, paragraphs separated by blank lines; "" for HTML only
    charset: str = "utf-8"  # legacy charsets also encode the Subject and the display name
    html: str = ""  # HTML as the sender's client wrote it
    alternative: bool = False  # add an HTML part made from the body
    docs: tuple[Doc, ...] = ()
    signature: str = ""  # goes after the "-- " line
    organization: str = ""
    in_reply_to: str = ""
    skew: int = 0  # minutes the sender's clock is off
    message_id: bool = True
    headers: tuple[tuple[str, str], ...] = ()  # what servers on the way added (spam marks...)


# fmt: off
# A hand-laid table: each entry's headers on two or three lines, then its text as sent.
MAILS: tuple[Mail, ...] = (
    Mail("2010-10-12 09:14:27", "Europe/Berlin", "Thomas Becker", "t.becker@example.net", "en",
         "Comment on enhanced cooperation", """Dear Sir or Madam,

I am writing as an individual Internet user and software developer in Germany. I welcome the
fact that this consultation is open to everyone and not only to accredited organisations.

In my view, enhanced cooperation should mean that the existing institutions talk to each other
and to the public more, not that a new body is created. Governments already have a voice in
ICANN through the Governmental Advisory Committee, and the Internet Governance Forum is the right
place to discuss emerging issues with everyone at the table.

What is missing is follow-up: decisions taken in one forum are rarely explained in another. A
simple public register of Internet public policy work, kept by the UN and updated by each
organisation, would already help.

Kind regards,
Thomas Becker"""),
    Mail("2010-10-15 11:40:02", "Europe/Paris", "Association pour un Internet citoyen",
         "contact@apic.example.org", "fr",
         "Contribution de l'APIC sur la coopération renforcée", """Madame, Monsieur,

L'Association pour un Internet citoyen (APIC) remercie le Secrétaire général pour cette
consultation ouverte et souhaite apporter les observations suivantes.

La coopération renforcée prévue au paragraphe 69 de l'Agenda de Tunis ne doit pas se réduire à
un dialogue entre gouvernements. Les questions de politique publique liées à l'Internet -
protection des données personnelles, liberté d'expression, accès des populations rurales -
concernent directement les usagers, et la société civile doit pouvoir participer à leur examen.

Nous proposons que le Secrétariat publie chaque année un rapport sur les activités des
organisations concernées, ouvert aux commentaires du public avant d'être transmis à l'Assemblée
générale.

Nous regrettons enfin que la réunion du 14 décembre ne soit pas ouverte à tous ; une
retransmission en ligne, avec des questions à distance, serait un minimum.

Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.

Claire Dubois
Coordinatrice, APIC""", charset="iso-8859-1"),
    Mail("2010-10-19 16:05:48", "Pacific/Auckland", "Mele Tupou", "mtupou@ocnic.example.net", "en",
         "OCNIC contribution to the consultation on enhanced cooperation", """Dear colleagues,

Please find attached the contribution of the Oceanic Network Information Centre (OCNIC), the
regional Internet registry serving the Pacific, to the open consultations on enhanced cooperation
convened under ECOSOC resolution 2010/2.

We would be happy to provide further information on the number resource policy process in our
region.

Best regards,

Mele Tupou
Head of External Relations, OCNIC""", alternative=True, docs=(Doc(
        "OCNIC submission - enhanced cooperation.pdf",
        "Contribution of the Oceanic Network Information Centre (OCNIC) on enhanced cooperation",
        """OCNIC is a not-for-profit membership organisation that distributes IP addresses and
Autonomous System numbers in the Pacific region. Its policies are developed in an open,
bottom-up process in which anyone, including governments, may take part.

The Tunis Agenda distinguishes international public policy issues from day-to-day technical and
operational matters. We ask that this distinction be kept: number resource allocation works
because it is decided by the people who operate networks, in open and documented meetings.

The coming exhaustion of the IPv4 address pool is a clear case where cooperation between
governments and the technical community matters. Governments can lead by deploying IPv6 in their
own networks and procurement; the registries can provide training and data.

OCNIC invites the governments of the region to its policy meetings, which are free of charge and
offer remote participation."""),)),
    Mail("2010-10-21 13:22:10", "America/Argentina/Buenos_Aires", "María Fernanda Ríos",
         "mfrios@reladd.example.org", "es",
         "Contribución de RELADD sobre la cooperación reforzada", """Estimados señores y señoras:

En nombre de la Red Latinoamericana por los Derechos Digitales (RELADD) les enviamos adjunta
nuestra contribución a la consulta sobre la cooperación reforzada en cuestiones de políticas
públicas internacionales relativas a Internet.

Quedamos a su disposición para cualquier aclaración.

Atentamente,

María Fernanda Ríos
Coordinadora general, RELADD""", docs=(Doc(
        "Contribución de la sociedad civil.pdf",
        "Contribución de la sociedad civil latinoamericana sobre la cooperación reforzada",
        """La cooperación reforzada debe permitir que todos los gobiernos, en pie de igualdad,
ejerzan sus funciones en materia de políticas públicas de Internet, sin excluir a la sociedad
civil, al sector privado ni a la comunidad técnica.

Para la sociedad civil de América Latina, las prioridades son el acceso asequible, la neutralidad
de la red, la protección de los datos personales y la libertad de expresión. Ninguna de estas
cuestiones puede resolverse sólo entre gobiernos.

Proponemos que el proceso sea transparente, que sus documentos se publiquen en los seis idiomas
oficiales de las Naciones Unidas y que se prevea la participación a distancia."""),)),
    Mail("2010-10-25 03:47:55", "Europe/Moscow", "Министерство связи и информатизации",
         "intl@mincom.severia.gov.example", "ru",
         "Позиция Министерства связи и информатизации Республики Северия", """Уважаемые коллеги!

Направляем Вам позицию Министерства связи и информатизации Республики Северия по вопросу о
расширенном сотрудничестве в области международной публичной политики, касающейся Интернета.

Позиция прилагается в формате Word. Просим подтвердить получение.

С уважением,
Департамент международного сотрудничества
Министерство связи и информатизации Республики Северия""", charset="koi8-r", docs=(Doc(
        "Severia position enhanced cooperation.docx",
        "Позиция Республики Северия по вопросу расширенного сотрудничества",
        """Республика Северия исходит из того, что в соответствии с пунктами 68 и 69 Тунисской
программы все правительства должны на равных основаниях участвовать в выработке международной
публичной политики, касающейся Интернета.

Ключевые решения об управлении критически важными ресурсами Интернета, в том числе о корневой
зоне системы доменных имён, принимаются без равноправного участия большинства государств. Мы
считаем необходимым создать в рамках системы ООН механизм, который позволил бы правительствам
рассматривать эти вопросы с учётом мнений всех заинтересованных сторон.

Запуск кириллических доменов верхнего уровня показал, что многоязычие в Интернете возможно, и
этот опыт следует распространить на все языки.

Республика Северия готова принять участие в консультациях 14 декабря 2010 года."""),)),
    Mail("2010-10-27 10:31:09", "Europe/Zurich", "ICTD Council Secretariat",
         "secretariat@ictd.int.example", "en",
         "Contribution of the ICTD Council - consultations on enhanced cooperation",
         """Dear Sir/Madam,

In response to the invitation of 7 October 2010 (ref. DESA-10/3078), the Secretariat of the
Intergovernmental Council for Telecommunication Development is pleased to transmit the attached
contribution.

The document summarises the Council's activities since 2006 that relate to paragraph 71 of the
Tunis Agenda, and offers some suggestions for the way forward.

Yours faithfully,

Secretariat of the ICTD Council
Geneva""", docs=(Doc(
        "ICTD contribution enhanced cooperation.docx",
        "ICTD Council: contribution on enhanced cooperation",
        """Since 2006 the Council has held annual open dialogues with its member States, sector
members and invited civil society organisations on Internet-related public policy issues,
including the cost of international connectivity, cybersecurity and the needs of least developed
countries.

The Council considers enhanced cooperation a process carried out by each relevant organisation
within its mandate, rather than a single institution. It would welcome a light mechanism through
which organisations report regularly on what they have done, as paragraph 71 foresees.

The Council stands ready to host a meeting of the relevant organisations in 2011 to prepare such
reporting."""),)),
    Mail("2010-10-29 06:18:40", "Asia/Riyadh", "وزارة الاتصالات - جمهورية الواحة",
         "intl@mcit.alwaha.gov.example", "ar",
         "مساهمة وزارة الاتصالات وتقنية المعلومات في المشاورات بشأن التعاون المعزز",
         """السادة الأفاضل في إدارة الشؤون الاقتصادية والاجتماعية،

تحية طيبة وبعد،

يسر وزارة الاتصالات وتقنية المعلومات في جمهورية الواحة أن تشارك في هذه المشاورات المفتوحة بشأن
التعاون المعزز في قضايا السياسات العامة الدولية المتعلقة بالإنترنت.

ترى الوزارة أن التعاون المعزز يجب أن يمكّن جميع الحكومات من الاضطلاع بأدوارها ومسؤولياتها على
قدم المساواة، كما نصت عليه الفقرة 69 من برنامج عمل تونس. ولا يزال كثير من الدول النامية بعيداً
عن مراكز اتخاذ القرار في ما يخص الموارد الحيوية للإنترنت.

كما نؤكد على أهمية دعم المحتوى العربي على الشبكة وتسريع العمل بأسماء النطاقات باللغة العربية،
وعلى ضرورة بناء القدرات في الدول النامية حتى تتمكن من المشاركة الفعالة.

وتفضلوا بقبول فائق الاحترام والتقدير،

إدارة التعاون الدولي
وزارة الاتصالات وتقنية المعلومات""", charset="windows-1256"),
    Mail("2010-10-30 19:02:33", "Pacific/Auckland", "Aroha Ngata", "aroha.ngata@example.com", "en",
         "Accessibility must be part of enhanced cooperation", """To the UN DESA secretariat,

I am a blind Internet user and I volunteer with a disability advocacy group in Wellington. I
would like to make a short comment.

Public policy on the Internet affects people with disabilities more than most: when a government
service moves online and the web site is not accessible, we lose the service altogether.
Accessibility standards exist, but they are not applied consistently across countries.

I ask that any process on enhanced cooperation treat accessibility for persons with disabilities
as an international public policy issue, and that the consultation documents be published in
accessible formats. Scanned PDF files cannot be read by screen readers.

Thank you for reading.
Aroha Ngata"""),
    Mail("2010-11-01 04:55:12", "Asia/Shanghai", "王立新", "wanglx@engi.example.org", "zh",
         "关于加强合作问题的意见", """尊敬的联合国经济和社会事务部：

我是东方网络治理研究所的研究人员，现就互联网公共政策领域的加强合作问题提出个人意见。

第一，加强合作应当以《突尼斯议程》第六十九段为基础，使各国政府能够在平等的基础上
履行其在互联网国际公共政策问题上的作用和责任。

第二，发展中国家在互联网治理中的参与程度仍然不足。建议联合国加强能力建设，为发展中
国家的专家参加相关会议提供资助。

第三，加强合作的进程应当公开透明，各利益相关方的意见应当以联合国六种正式语文公布。

此致
敬礼

王立新
东方网络治理研究所""", charset="gb2312"),
    Mail("2010-11-02 12:09:41", "Europe/London", "Jonathan Hale", "jhale@northwind.example.com",
         "en", "Northwind Telecom - submission on enhanced cooperation", """Dear Sir or Madam,

Northwind Telecom plc welcomes the opportunity to contribute to the consultations on enhanced
cooperation. Our submission is attached.

In short: we support cooperation among governments and all stakeholders on Internet public
policy, provided that it does not bring new regulation of the Internet's technical operations,
which have served users well.

Yours sincerely,

Jonathan Hale
Director, Government Affairs""", alternative=True, organization="Northwind Telecom plc",
         docs=(Doc("Northwind_Telecom_enhanced_cooperation.pdf",
                    "Northwind Telecom plc: submission on enhanced cooperation",
                    """Northwind Telecom operates fixed and mobile networks in eleven countries
and invests in international submarine capacity. Our customers depend on an Internet that is
open, stable and interoperable across borders.

We support enhanced cooperation understood as better coordination among existing institutions.
Cybersecurity, spam, child protection online and the cost of international connectivity require
governments to work together, and with industry, but not a new intergovernmental body.

Investment in broadband, especially in developing countries, follows predictable and light-touch
regulation. The outcome of these consultations should encourage that investment.

We strongly support the continuation of the Internet Governance Forum as the place where such
cooperation is discussed."""),)),
    Mail("2010-11-03 15:26:07", "Africa/Nairobi", "Digital Rights Forum",
         "info@drforum.example.org", "en", "Civil society views on enhanced cooperation", "",
         html="""<html><body>
<p>Dear colleagues,</p>
<p>The <strong>Digital Rights Forum</strong>, a network of forty civil society organisations in
East Africa, is pleased to submit the following comments.</p>
<ol>
<li>Enhanced cooperation must be grounded in the human rights commitments of the Geneva
Declaration of Principles, in particular freedom of expression and privacy.</li>
<li>It should include all stakeholders in their respective roles: civil society is not only a
beneficiary of Internet policy but a partner in making it.</li>
<li>Priority should go to access. In much of East Africa, broadband remains too expensive for
most people.</li>
</ol>
<p>We also ask that the meeting on 14 December be webcast.</p>
<p>With best regards,<br>Wanjiru Kamau<br><em>Digital Rights Forum, Nairobi</em></p>
</body></html>
"""),
    Mail("2010-11-04 09:48:19", "Europe/Paris", "Secrétariat du CIFN",
         "secretariat@cifn.int.example", "fr",
         "Contribution du Conseil intergouvernemental de la Francophonie numérique",
         """Madame, Monsieur,

Le Conseil intergouvernemental de la Francophonie numérique (CIFN) a l'honneur de vous transmettre
ci-joint sa contribution aux consultations sur la coopération renforcée.

Le CIFN reste à votre disposition pour tout complément d'information.

Veuillez agréer l'expression de notre haute considération.

Le Secrétariat du CIFN
Paris""", alternative=True, docs=(Doc(
        "Contribution CIFN - cooperation renforcee.pdf",
        "Contribution du CIFN aux consultations sur la coopération renforcée",
        """Le CIFN réunit vingt-huit États et gouvernements attachés à la diversité linguistique et
culturelle. Il considère que la coopération renforcée doit permettre à tous les gouvernements,
sur un pied d'égalité, de participer aux politiques publiques internationales relatives à
l'Internet.

La diversité linguistique est une question de politique publique à part entière : la présence
du français et des langues nationales sur l'Internet dépend de choix techniques, comme les noms
de domaine internationalisés, mais aussi du soutien aux contenus locaux.

Le CIFN recommande que le processus associe les organisations intergouvernementales régionales
et linguistiques, et que ses travaux soient disponibles en français."""),)),
    Mail("2010-11-05 08:30:00", "Africa/Accra", "Ministry of ICT, Lorvania",
         "intl.affairs@mict.lorvania.gov.example", "en",
         "Submission of the Republic of Lorvania on enhanced cooperation", """Dear Sir/Madam,

With reference to your letter DESA-10/3078 of 7 October 2010, please find attached the
submission of the Government of the Republic of Lorvania (PDF), together with an annex listing
national initiatives relevant to enhanced cooperation (Word).

Accept, Sir/Madam, the assurances of our highest consideration.

Directorate of International Affairs
Ministry of Information and Communications Technology
Republic of Lorvania""", docs=(Doc(
        "Lorvania submission.pdf", "Submission of the Government of the Republic of Lorvania",
        """The Government of Lorvania attaches great importance to paragraphs 69 to 71 of the
Tunis Agenda. Five years after the Summit, the process towards enhanced cooperation has not yet
started in a way that developing countries can recognise.

Governments should be able, on an equal footing, to discuss international public policy issues
such as the security of critical Internet resources, cross-border cybercrime and the cost of
international transit. A forum for this, open to the input of all stakeholders, is needed within
the United Nations system.

Lorvania values the contribution of the private sector, civil society and the technical
community, and set up a national multistakeholder Internet governance committee in 2009."""),
        Doc("Annex - national initiatives.docx",
            "Annex: national initiatives relevant to enhanced cooperation",
            """National Internet Governance Committee (2009): government, operators, universities
and civil society meet every quarter.

National IPv6 task force (2010): public networks to support IPv6 by 2012.

Computer emergency response team (2008): works with regional counterparts on incidents.

Community access centres: 120 centres opened in rural districts since 2006."""))),
    Mail("2010-11-05 11:12:54", "Asia/Yekaterinburg", "Андрей Волков", "volkov@rcii.example.org",
         "ru", "Комментарии Регионального центра интернет-исследований",
         """Уважаемые дамы и господа!

Региональный центр интернет-исследований (РЦИИ) благодарит Департамент по экономическим и
социальным вопросам за возможность высказать своё мнение.

По нашему мнению, «расширенное сотрудничество» не должно сводиться к созданию ещё одной
межправительственной структуры. Гораздо важнее, чтобы существующие организации – МСЭ, ЮНЕСКО,
ICANN и региональные регистратуры – работали открыто и отчитывались перед всеми сторонами.

Мы также предлагаем уделить внимание свободе выражения мнений и защите персональных данных
пользователей: эти вопросы становятся всё более острыми в нашем регионе.

С уважением,
Андрей Волков
директор РЦИИ, Екатеринбург""", charset="windows-1251"),
    Mail("2010-11-08 10:03:26", "America/Bogota", "Ministerio de Telecomunicaciones",
         "cooperacion@mintel.santaclara.gov.example", "es",
         "Posición de la República de Santa Clara del Sur - cooperación reforzada", """Señores:

Por medio de la presente, el Ministerio de Telecomunicaciones y Sociedad de la Información de la
República de Santa Clara del Sur remite la posición del Gobierno sobre la cooperación reforzada
(documento adjunto).

Aprovechamos la oportunidad para reiterarles las seguridades de nuestra más alta consideración.

Dirección de Asuntos Internacionales
Ministerio de Telecomunicaciones y Sociedad de la Información""", charset="iso-8859-1",
         docs=(Doc("Posicion Santa Clara del Sur.pdf",
                   "Posición del Gobierno de Santa Clara del Sur sobre la cooperación reforzada",
                   """El Gobierno considera que la cooperación reforzada es un compromiso
adquirido en Túnez que aún no se ha cumplido. Los gobiernos deben poder ejercer, en pie de
igualdad, sus funciones en materia de políticas públicas internacionales relativas a Internet.

Las cuestiones prioritarias para nuestro país son el costo de la conectividad internacional, la
seguridad de las redes y la protección de los consumidores en el comercio electrónico.

El Gobierno apoya que el Secretario General convoque reuniones periódicas con todas las
organizaciones pertinentes e informe de sus resultados a la Asamblea General por conducto del
Consejo Económico y Social."""),)),
    Mail("2010-11-08 14:03:11", "America/Port_of_Spain", "Marcus Charles",
         "marcus.charles@ecnog.example.net", "en",
         "Comments from the Eastern Caribbean Network Operators Group", """Dear DESA colleagues,

The Eastern Caribbean Network Operators Group is a volunteer community of engineers who run
networks in small island states. We would like to share three points.

First, small island states have few engineers and even fewer people who can follow global policy
processes. Enhanced cooperation will mean little to us unless it comes with capacity building
and meetings that can be followed remotely.

Second, many of our problems - the price of international bandwidth, the lack of local Internet
exchange points - need governments, operators and regional bodies to work together. This is the
kind of practical cooperation we would like to see more of.

Third, the technical coordination of names and numbers should stay in the open, bottom-up
processes where it sits today. Governments are welcome there, and we would like to see more.

Regards,
Marcus Charles
on behalf of ECNOG"""),
    Mail("2010-11-09 02:41:37", "Asia/Shanghai", "青山共和国工业和信息化部",
         "gjhz@miit.qingshan.gov.example", "zh", "青山共和国工业和信息化部关于加强合作的意见",
         """联合国经济和社会事务部：

青山共和国工业和信息化部感谢秘书长组织此次公开磋商，现提出以下意见：

一、根据信息社会世界峰会《突尼斯议程》，各国政府在互联网国际公共政策问题上应当平等地
发挥作用、承担责任。建议在联合国框架内建立一个政府间机制，以落实加强合作。

二、互联网关键资源的管理应当体现多边、透明和民主的原则，兼顾各国特别是发展中国家的利益。

三、我部支持各利益相关方根据各自的作用和责任参与这一进程，并愿同各方加强交流与合作。

青山共和国工业和信息化部
国际合作司""", charset="gbk", alternative=True),
    Mail("2010-11-09 09:57:03", "Africa/Cairo", "ليلى حداد", "l.haddad@andr.example.org", "ar",
         "مساهمة الشبكة العربية للحقوق الرقمية", """السادة في أمانة المشاورات،

نرفق طيه مساهمة الشبكة العربية للحقوق الرقمية في المشاورات الخاصة بالتعاون المعزز.

نأمل أن تؤخذ آراء المجتمع المدني العربي في الاعتبار، وأن تُنشر المساهمات باللغة العربية أيضاً.

مع خالص التحية،
ليلى حداد
منسقة الشبكة العربية للحقوق الرقمية - بيروت""", docs=(Doc(
        "ANDR contribution.docx", "مساهمة الشبكة العربية للحقوق الرقمية بشأن التعاون المعزز",
        """تؤمن الشبكة بأن التعاون المعزز لا يقتصر على الحكومات، بل يجب أن يشمل جميع أصحاب المصلحة
كل حسب دوره، كما نص على ذلك برنامج عمل تونس.

إن حرية التعبير وحماية الخصوصية على الإنترنت من أهم قضايا السياسات العامة في المنطقة العربية،
ويجب أن تكون في صلب أي عملية للتعاون المعزز.

ندعو إلى دعم المحتوى العربي على الإنترنت، وإلى توفير الترجمة الفورية والمشاركة عن بعد في جميع
الاجتماعات ذات الصلة."""),)),
    Mail("2010-11-10 13:15:45", "America/Chicago", "Eve <img src=x onerror=alert(1)>",
         "eve@example.net", "en", "<script>alert(1)</script> Comment on enhanced cooperation",
         """Hello,

I support an open Internet where everyone can take part.
<script>alert(1)</script>

Enhanced cooperation should be open to individuals too.
<img src=x onerror=alert(1)>

Eve""", html="""<html><head><script>alert(1)</script></head><body>
<p>Hello,</p>
<p>I support an open Internet where everyone can take part. <script>alert(1)</script></p>
<p>Enhanced cooperation should be open to individuals too. <img src=x onerror=alert(1)></p>
<p><a href="javascript:alert(1)">Read more</a></p>
<p>Eve</p>
</body></html>
"""),
    Mail("2010-11-10 16:44:20", "America/Los_Angeles", "Priya Raman",
         "praman@meridian-alliance.example.com", "en",
         "Meridian Software Alliance comments on enhanced cooperation", """Dear Sir or Madam,

On behalf of the Meridian Software Alliance, which represents sixty software and online services
companies, I attach our comments on enhanced cooperation on international public policy issues
pertaining to the Internet.

Best regards,
Priya Raman
Policy Counsel, Meridian Software Alliance""", docs=(Doc(
        "MSA comments - enhanced cooperation.pdf",
        "Meridian Software Alliance: comments on enhanced cooperation",
        """The Internet's success rests on a decentralised, multistakeholder model in which no
single entity, governmental or private, controls its development. Enhanced cooperation should
strengthen that model rather than replace it.

Privacy, consumer protection and the security of online transactions are already addressed by
the OECD, the Council of Europe and APEC, among others. Better exchange of information among
these organisations would add value; duplication would not.

Any follow-up to these consultations should be open to the private sector on the same terms as
other stakeholders, and its documents should be public."""),)),
    Mail("2010-11-08 17:02:37", "America/New_York", "Dr. Anjali Mehta", "a.mehta@cips.example.org",
         "en", "Centre for Internet Policy Studies - comments on enhanced cooperation",
         """Dear Secretariat,

The Centre for Internet Policy Studies, an independent research institute, submits the following
comments on enhanced cooperation on international public policy issues pertaining to the
Internet.

Enhanced cooperation will only earn the trust of all stakeholders if it is transparent. Every
document of the process should be published, and meetings should be open to observers and
followed remotely.

Governments have responsibilities for public policy, but the Tunis Agenda also recognises the
roles of the private sector, civil society and the technical community. Each should be able to
contribute in its own role, with clear and published procedures.

Best regards,
Anjali Mehta""", signature="Dr. Anjali Mehta\nSenior Fellow, Centre for Internet Policy Studies\n"
         "New York\nTel. +1 (212) 555-0147"),
    Mail("2010-11-11 08:20:58", "America/New_York", "Dr. Anjali Mehta", "a.mehta@cips.example.org",
         "en", "Re: Acknowledgement of your submission - consultations on enhanced cooperation",
         """Dear Secretariat,

Thank you for confirming receipt of our submission. On reflection we would like to add one
point, and would be grateful if this message could be posted together with it.

Our submission did not address how the outcome of these consultations will be reviewed. We
suggest that the Secretary-General's report to the General Assembly be published in draft for
comment, so that stakeholders can see how their inputs were used.

Best regards,
Anjali

On 8 November 2010, at 18:12, UNPAN Secretariat wrote:
> Dear Dr. Mehta,
>
> Thank you for your contribution to the consultations on enhanced
> cooperation on international public policy issues pertaining to the
> Internet. Your submission has been received and will be posted online
> by 1 December 2010.
>
> UNPAN Secretariat
> Division for Public Administration and Development Management""",
         signature="Dr. Anjali Mehta\nSenior Fellow, Centre for Internet Policy Studies\n"
         "New York\nTel. +1 (212) 555-0147",
         in_reply_to="<ack.20101108.0142@un.example>"),
    Mail("2010-11-11 12:33:14", "Europe/Paris", "Hélène Rousseau", "h.rousseau@example.net", "fr",
         "Coopération renforcée : avis d'une citoyenne", """Bonjour,

Je suis enseignante à Lyon et j'utilise l'Internet tous les jours avec mes élèves. Je voudrais
simplement dire que les décisions sur l'avenir de l'Internet ne devraient pas être prises loin
des citoyens.

La coopération renforcée entre les gouvernements est sans doute nécessaire, mais elle doit se
faire dans la transparence : publication des documents, consultations ouvertes comme celle-ci,
et explications claires sur ce qui a été décidé.

Je souhaite aussi que l'on parle davantage de l'éducation au numérique et de la protection des
enfants.

Cordialement,
Hélène Rousseau""", skew=-24 * 60),
    Mail("2010-11-12 09:31:05", "America/Los_Angeles", "Priya Raman",
         "praman@meridian-alliance.example.com", "en",
         "Corrected version: Meridian Software Alliance comments on enhanced cooperation",
         """Dear Sir or Madam,

Please find attached a corrected version of the Meridian Software Alliance comments, which
replaces the document we sent on 10 November: its second paragraph had been cut short.

Best regards,
Priya Raman
Policy Counsel, Meridian Software Alliance""", docs=(Doc(
        "MSA comments - enhanced cooperation v2.pdf",
        "Meridian Software Alliance: comments on enhanced cooperation (corrected version)",
        """The Internet's success rests on a decentralised, multistakeholder model in which no
single entity, governmental or private, controls its development. Enhanced cooperation should
strengthen that model rather than replace it.

Privacy, consumer protection and the security of online transactions are already addressed by
the OECD, the Council of Europe and APEC, among others. Better exchange of information among
these organisations would add value; duplication would not. Governments should cooperate on
cross-border data flows so that the rules of one country do not fragment the network.

Any follow-up to these consultations should be open to the private sector on the same terms as
other stakeholders, and its documents should be public."""),)),
    Mail("2010-11-12 07:05:29", "Pacific/Fiji", "Seru Naivalu",
         "secretariat@csis-ict.int.example", "en",
         "Council of Small Island States on ICT - input to the consultations", """Dear colleagues,

Attached please find the input of the Council of Small Island States on ICT to the consultations
on enhanced cooperation, as agreed by our members at the Council's meeting in Suva last month.

Kind regards,
Seru Naivalu
Executive Secretary""", docs=(Doc(
        "CSIS-ICT input.docx", "Input of the Council of Small Island States on ICT",
        """Small island developing States face high costs of international connectivity,
dependence on a few submarine cables or satellite links, and a shortage of skilled staff. These
are public policy issues with an international dimension.

Our members seldom have the resources to follow the many forums where Internet public policy is
discussed. Enhanced cooperation should reduce, not increase, the number of separate processes,
and should offer remote participation and travel support.

The Council asks that the situation of small island developing States be reflected in the
Secretary-General's report."""),)),
    Mail("2010-11-12 11:47:51", "America/Mexico_City", "Alejandro Vega Ortiz",
         "avega@crce.example.com", "es",
         "Comentarios de la Cámara Regional de Comercio Electrónico",
         """Estimados miembros de la Secretaría:

La Cámara Regional de Comercio Electrónico (CRCE), que agrupa a más de 300 empresas de México y
Centroamérica, desea hacer llegar sus comentarios a esta consulta.

Para el sector privado, la cooperación reforzada debe traducirse en reglas claras y compatibles
entre países en materia de protección de datos, firma electrónica y solución de controversias en
línea. La falta de armonización es hoy un obstáculo al comercio electrónico transfronterizo.

Consideramos que el modelo de múltiples partes interesadas ha funcionado bien y que no hace falta
un nuevo organismo intergubernamental para la gestión de Internet.

Atentamente,
Alejandro Vega Ortiz
Director de Asuntos Regulatorios, CRCE""", alternative=True),
    Mail("2010-11-12 15:09:36", "Europe/Moscow", "Координационный центр доменов",
         "info@cctld.example.net", "ru", "Предложения Координационного центра доменов",
         """Уважаемые коллеги,

Координационный центр доменов Республики Северия, администратор национальных доменов верхнего
уровня, направляет свои предложения к консультациям по расширенному сотрудничеству (файл
прилагается).

С уважением,
Елена Морозова
руководитель по международным связям""", docs=(Doc(
        "Предложения КЦ.docx", "Предложения Координационного центра доменов",
        """Опыт запуска национального кириллического домена показал, что сотрудничество между
правительством, регистратурой и международным техническим сообществом может быть быстрым и
эффективным, если роли участников ясно определены.

Вопросы повседневного технического управления доменами не должны переноситься в
межправительственные органы. В то же время правительства вправе участвовать в выработке
публичной политики, например в защите прав потребителей и борьбе с мошенничеством.

Предлагаем использовать Форум по вопросам управления Интернетом для регулярного обмена опытом
между администраторами национальных доменов и правительствами."""),)),
    Mail("2010-11-13 10:22:48", "Asia/Singapore", "Daniel Tan",
         "daniel.tan@harbourline.example.com", "en",
         "Enhanced cooperation - comments from Harbourline Networks", """Dear Sir/Madam,

Harbourline Networks is a data centre and Internet exchange operator in South-East Asia. We would
like to offer brief comments.

Cooperation between governments on cybercrime, lawful access to data and the protection of
critical infrastructure is essential for businesses like ours, which serve customers in many
jurisdictions. Conflicting national requirements are costly and can fragment the network.

We therefore support enhanced cooperation that produces common principles, developed with
industry and the technical community, which governments can then apply nationally.

Regards,
Daniel Tan
Head of Regulatory Affairs, Harbourline Networks""", message_id=False),
    Mail("2010-11-14 01:36:17", "Asia/Shanghai", "刘晓燕", "liu.xiaoyan@huaxin.example.com", "zh",
         "华信数据通信有限公司对加强合作问题的意见", """您好！

附件是华信数据通信有限公司关于互联网公共政策加强合作问题的书面意见，请查收。

如有任何问题，欢迎与我们联系。

刘晓燕
华信数据通信有限公司　政府事务部""", docs=(Doc(
        "Huaxin comments.docx", "华信数据通信有限公司关于加强合作的书面意见",
        """作为一家提供数据中心和国际专线服务的企业，我们认为互联网的稳定、安全和互联互通是
企业发展的基础。

加强合作应当有助于各国在网络安全、打击网络犯罪和保护用户个人信息等方面形成共识，减少
相互冲突的规定。

我们建议在加强合作的进程中听取企业特别是发展中国家中小企业的意见，并加强国际互联网带宽
建设方面的合作，降低发展中国家的接入成本。"""),)),
    Mail("2010-11-14 12:58:02", "Europe/Brussels", "Coalition for an Open and Inclusive Internet",
         "statement@openinclusive.example.org", "en",
         "Joint civil society statement on enhanced cooperation", """Dear Secretariat,

Attached is a joint statement on enhanced cooperation endorsed by 27 civil society organisations
from all regions.

We would appreciate confirmation that the statement has been received and will be published.

On behalf of the coalition,
Sofia Lindqvist""", signature="Sofia Lindqvist\nCoalition for an Open and Inclusive Internet\n"
         "sofia.lindqvist@openinclusive.example.org", docs=(Doc(
        "Joint statement on enhanced cooperation.pdf",
        "Joint civil society statement on enhanced cooperation",
        """We, the undersigned civil society organisations, believe that enhanced cooperation on
international public policy issues pertaining to the Internet must be open, inclusive and
accountable to all stakeholders, in line with paragraph 35 of the Tunis Agenda.

Five years after Tunis there is still no shared understanding of what enhanced cooperation
means. We call for a transparent process, with public documents and open consultations, to
develop that understanding.

Human rights, development and access to knowledge should be the reference points of any
discussion, and the Internet Governance Forum should be strengthened as the space where all
stakeholders discuss them.

Endorsed by 27 organisations from Africa, Asia-Pacific, Europe, Latin America and the Caribbean,
North America and the Arab region."""),)),
    Mail("2010-11-15 10:22:40", "America/New_York", "Permanent Mission of Estmere",
         "estmere.mission@un.estmere.gov.example", "en",
         "Kingdom of Estmere - contribution to the consultations on enhanced cooperation",
         """The Permanent Mission of the Kingdom of Estmere to the United Nations presents its
compliments to the Department of Economic and Social Affairs and, with reference to its letter
DESA-10/3078 of 7 October 2010, has the honour to transmit the views of the Government of
Estmere.

Estmere considers that enhanced cooperation is already under way. ICANN has strengthened its
accountability through the Affirmation of Commitments, governments take an active part in its
Governmental Advisory Committee, and the Internet Governance Forum has become a valued space for
dialogue among all stakeholders.

Estmere does not support a new intergovernmental body for Internet public policy. It would risk
duplicating existing work and weakening the multistakeholder model that has made the Internet a
driver of growth and development.

Estmere would welcome further efforts to improve the participation of developing countries in
existing institutions, including through capacity building and remote participation.

The Permanent Mission of the Kingdom of Estmere avails itself of this opportunity to renew to the
Department the assurances of its highest consideration.

New York, 15 November 2010"""),
    Mail("2010-11-15 14:47:19", "Asia/Amman", "المنظمة العربية لتقنية المعلومات",
         "info@aito.int.example", "ar", "مساهمة المنظمة العربية لتقنية المعلومات",
         """حضرات السادة المحترمين،

تتشرف المنظمة العربية لتقنية المعلومات بتقديم ملاحظاتها بشأن التعاون المعزز في قضايا السياسات
العامة الدولية المتعلقة بالإنترنت.

أولاً: تدعو المنظمة إلى إشراك المنظمات الإقليمية في عملية التعاون المعزز، لما لها من دور في
تنسيق مواقف الدول الأعضاء وبناء قدراتها.

ثانياً: تؤكد المنظمة أهمية تعدد اللغات على الإنترنت، وترحب بإطلاق أسماء النطاقات العلوية باللغة
العربية خلال هذا العام.

ثالثاً: تقترح المنظمة عقد اجتماعات إقليمية تحضيرية قبل أي اجتماع دولي حول التعاون المعزز.

وتفضلوا بقبول وافر الاحترام،
الأمانة العامة للمنظمة العربية لتقنية المعلومات - عمّان""", charset="windows-1256",
         alternative=True),
    Mail("2010-11-15 17:05:33", "America/Sao_Paulo", "Rafael Costa", "rcosta@example.com", "en",
         "Enhanced cooperation: a network engineer's view", """Hi,

I have worked as a network engineer for an ISP in Brazil for twelve years and take part in my
regional registry's policy meetings.

My worry is that "enhanced cooperation" will be read as a mandate for governments to take over
technical coordination. Routing, address allocation and the DNS root work because the people who
run them answer to open communities and publish everything they do.

If governments want more say, the door is open: come to the meetings, post to the mailing lists,
propose policies. Several already do. What would help most is funding, so that engineers and
officials from developing countries can take part.

Thanks,
Rafael Costa""", skew=63),
    Mail("2010-11-15 21:58:06", "America/Toronto", "GADR Secretariat",
         "secretariat@gadr.example.org", "en",
         "Global Association of Domain Registrars - comments", """Dear Sir or Madam,

The Global Association of Domain Registrars represents accredited registrars in 34 countries. We
submit the following comments.

Registrars work under contracts and policies developed through ICANN's multistakeholder process,
in which governments take part through the Governmental Advisory Committee. Enhanced cooperation
should make that participation more effective, for example by engaging governments earlier in
policy development.

We caution against any outcome that would create parallel, intergovernmental rule-making for the
domain name system. Registrars and their customers need a single, predictable set of rules.

Sincerely,
Michael Okafor
Chair, GADR Policy Committee"""),
    Mail("2010-11-15 23:30:00", "Europe/Zurich", "Geneva Forum on Digital Policy",
         "office@gfdp.example.org", "en", "Submission - Geneva Forum on Digital Policy",
         """Dear colleagues,

Please accept the following comments from the Geneva Forum on Digital Policy, sent from Geneva
in the early hours of 16 November but, we trust, still within the deadline in New York.

1. Enhanced cooperation and the multistakeholder Internet Governance Forum are complementary
processes. Both were created by the Tunis Agenda and both should continue.

2. Governments have legitimate public policy responsibilities, and the international community
should find ways for them to exercise these together, without disrupting the technical
functioning of the Internet.

3. We encourage the Secretary-General to publish all comments received, with a synthesis, well
before the meeting of 14 December 2010.

Yours sincerely,
Jean-Marc Favre
Executive Director""", organization="Geneva Forum on Digital Policy"),
    Mail("2010-11-16 08:12:44", "Europe/Madrid", "José Luis Martínez", "jlmartinez@example.net",
         "es", "Comentario sobre la cooperación reforzada (fuera de plazo)", """Estimados señores:

Les pido disculpas por enviar este comentario con un día de retraso; me enteré de la consulta
demasiado tarde.

Soy investigador en derecho de las telecomunicaciones en Madrid. Creo que la cooperación
reforzada debería centrarse en la coordinación entre los organismos internacionales que ya
existen, y en garantizar que los países en desarrollo puedan participar en ellos con medios
suficientes.

También me parece importante que los resultados de esta consulta se publiquen en español.

Un cordial saludo,
José Luis Martínez""", charset="iso-8859-1"),
    Mail("2010-11-17 15:40:12", "Asia/Manila", "Youth Internet Governance Network",
         "hello@yign.example.org", "en", "Late submission: Youth Internet Governance Network",
         """Dear Secretariat,

We apologise for sending our contribution after the deadline. Our members voted on the final
text over the weekend and we wanted it to reflect their views. We hope it can still be taken
into account.

Best wishes,
Carlos Mendoza, on behalf of YIGN, Manila""", docs=(Doc(
        "YIGN contribution.pdf", "Youth Internet Governance Network: contribution",
        """Young people are the largest group of Internet users in many developing countries, yet
they are rarely heard in Internet governance. Enhanced cooperation should include a place for
youth.

We ask governments to cooperate on affordable access for schools and universities, on online
safety that does not become censorship, and on the recognition of digital skills.

We support an open and transparent process and offer to help make its documents accessible to
young people through our network."""),)),
    Mail("2010-11-19 10:05:51", "Africa/Nairobi", "Office of the Telecommunications Regulator",
         "international@otr.kessaly.gov.example", "en",
         "Contribution of the Republic of Kessaly (late)", """Dear Sir/Madam,

The Office of the Telecommunications Regulator of the Republic of Kessaly regrets that this
contribution could not be sent before 15 November 2010, owing to internal consultations.

Kessaly supports the principle that all governments should take part on an equal footing in
international Internet public policy. The Secretary-General should establish a working group,
open to Member States and to the other stakeholders as observers, to examine how enhanced
cooperation can be implemented.

Kessaly would also welcome assistance in setting up a national computer incident response team
and a national Internet exchange point.

Yours faithfully,
Grace Wanyama
Director, International Affairs"""),
)
# fmt: on


def _cjk(char: str) -> bool:
    return "\u2e80" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef" or char == "\u3000"


def _width(line: str) -> int:
    return sum(2 if _cjk(c) else 1 for c in line)


def _unwrap(lines: list[str]) -> str:
    """Join source lines into one paragraph; Chinese lines join without a space."""
    text = ""
    for line in (part.strip() for part in lines):
        if text and not (_cjk(text[-1]) and _cjk(line[0])):
            text += " "
        text += line
    return text


def _blocks(text: str) -> list[tuple[bool, list[str]]]:
    """Paragraphs as (flowing, lines): prose flows; quotes and short lines stay as written."""
    blocks = []
    for block in text.split("\n\n"):
        lines = block.splitlines()
        quoted = any(line.startswith(">") for line in lines)
        blocks.append((not quoted and any(_width(line) >= 60 for line in lines), lines))
    return blocks


def _plain(mail: Mail) -> str:
    """The text part as a 2010 mail client wrote it: prose wrapped at 72 columns (not Chinese)."""
    out = []
    for flowing, lines in _blocks(mail.body):
        prose = _unwrap(lines)
        if flowing and not any(_cjk(c) for c in prose):
            out.append(textwrap.fill(prose, 72, break_long_words=False, break_on_hyphens=False))
        else:
            out.append(prose if flowing else "\n".join(lines))
    text = "\n\n".join(out) + "\n"
    if mail.signature:
        text += f"\n-- \n{mail.signature}\n"
    return text


def _html(mail: Mail) -> str:
    """An HTML alternative made from the body, the way a client's rich-text editor would."""
    parts = []
    for flowing, lines in _blocks(mail.body):
        if flowing:
            parts.append(f"<p>{html.escape(_unwrap(lines))}</p>")
        elif any(line.startswith(">") for line in lines):
            quoted = "<br>\n".join(html.escape(line.lstrip("> ")) for line in lines)
            parts.append(f"<blockquote>{quoted}</blockquote>")
        else:
            parts.append("<p>" + "<br>\n".join(html.escape(line) for line in lines) + "</p>")
    direction = ' dir="rtl"' if mail.lang == "ar" else ""
    return f'<html lang="{mail.lang}"{direction}><body>\n' + "\n".join(parts) + "\n</body></html>\n"


def _paragraphs(text: str) -> list[str]:
    return [_unwrap(block.splitlines()) for block in text.split("\n\n")]


def _pdf(doc: Doc, author: str, lang: str) -> bytes:
    pdf = FPDF()
    pdf.set_creation_date(DOCUMENT_DATE)
    pdf.set_title(doc.title)
    pdf.set_author(author)
    pdf.set_lang(lang)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 7, doc.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font("Helvetica", size=11)
    for paragraph in _paragraphs(doc.text):
        pdf.multi_cell(0, 5.5, paragraph, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
    return bytes(pdf.output())


def _docx(doc: Doc, author: str, lang: str) -> bytes:
    document = Document()
    props = document.core_properties
    props.title, props.author, props.last_modified_by = doc.title, author, author
    props.language, props.revision = lang, 1
    props.created = props.modified = DOCUMENT_DATE.replace(tzinfo=None)
    document.add_heading(doc.title, level=1)
    for paragraph in _paragraphs(doc.text):
        document.add_paragraph(paragraph)
    raw = io.BytesIO()
    document.save(raw)
    # python-docx stamps each zip entry with the current time: rewrite them with a fixed one.
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(raw) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(item.filename))
    return fixed.getvalue()


def _stamp(when: datetime) -> str:
    """A Postfix-style date: `Mon,  8 Nov 2010 14:03:11 -0500 (EST)`."""
    text = format_datetime(when).replace(", 0", ",  ")
    return f"{text} ({when.tzname()})"


def _received(n: int, mail: Mail, received: datetime) -> list[str]:
    """Received headers, newest first: ours, then (for some) the sender's outgoing server."""
    domain = mail.address.split("@", 1)[1]
    relay = f"mail.{domain}"
    ip = f"{NETWORKS[n % 3]}.{(n * 37) % 240 + 10}"
    queue = f"{(int(received.timestamp()) * 2654435761 + n) % 16**10:010X}"
    tls = "ESMTPS" if n % 4 else "ESMTP"
    headers = [
        f"from {relay} ({relay} [{ip}])\n\tby {MX} (Postfix) with {tls} id {queue}\n"
        f"\tfor <{MAILBOX}>; {_stamp(received)}"
    ]
    if n % 3 == 0:
        hop = (received - timedelta(seconds=9)).astimezone(ZoneInfo(mail.sender_tz))
        headers.append(
            f"from [10.{n}.1.{n * 7 % 250}] (unknown [10.{n}.1.{n * 7 % 250}])\n"
            f"\tby {relay} (Postfix) with ESMTPSA id {queue[::-1]}\n"
            f"\tfor <{MAILBOX}>; {_stamp(hop)}"
        )
    return headers


def _encoded_words(text: str, charset: str) -> str:
    """RFC 2047 words in the sender's own charset, split only between words.

    The library would say `eucgb2312_cn` for gb2312, and would split a long display name in the
    middle of a word, which the standard library's own parser reads back with a space there.
    """
    if text.isascii():
        return text
    words, chunk = [], ""
    for token in re.findall(r"\S+\s*", text):
        if chunk and len(base64.b64encode((chunk + token).encode(charset))) > 64 - len(charset):
            words.append(chunk)
            chunk = ""
        chunk += token
    words.append(chunk)
    encoded = (base64.b64encode(word.encode(charset)).decode("ascii") for word in words)
    return "\n ".join(f"=?{charset}?B?{word}?=" for word in encoded)


def _message(n: int, mail: Mail) -> tuple[datetime, bytes]:
    """One message as the mailbox stored it, and when it was received."""
    received = datetime.fromisoformat(mail.received).replace(tzinfo=NEW_YORK)
    transit = timedelta(seconds=20 + (n * 37) % 160)
    sent = (received - transit + timedelta(minutes=mail.skew)).astimezone(ZoneInfo(mail.sender_tz))
    domain = mail.address.split("@", 1)[1]

    msg = EmailMessage(policy=policy.default)
    for header in _received(n, mail, received):
        msg.set_raw("Received", header)
    for name, value in mail.headers:
        msg[name] = value
    if mail.message_id:
        msg["Message-ID"] = f"<{sent:%Y%m%d%H%M%S}.{n:04d}@{domain}>"
    msg["Date"] = format_datetime(sent)
    if mail.name.isascii():
        msg["From"] = Address(mail.name, addr_spec=mail.address)
    else:
        msg.set_raw("From", f"{_encoded_words(mail.name, mail.charset)} <{mail.address}>")
    if mail.charset == "utf-8":
        msg["Subject"] = mail.subject
    else:  # a legacy client encodes its headers in its own charset
        msg.set_raw("Subject", _encoded_words(mail.subject, mail.charset))
    msg["To"] = MAILBOX
    if mail.organization:
        msg["Organization"] = mail.organization
    if mail.in_reply_to:
        msg["In-Reply-To"] = msg["References"] = mail.in_reply_to
    if MAILERS[n % len(MAILERS)]:
        msg["X-Mailer"] = MAILERS[n % len(MAILERS)]

    if mail.body:
        msg.set_content(_plain(mail), charset=mail.charset)
        if mail.html or mail.alternative:
            msg.add_alternative(mail.html or _html(mail), subtype="html", charset=mail.charset)
    else:
        msg.set_content(mail.html, subtype="html", charset=mail.charset)
    for doc in mail.docs:
        if doc.filename.endswith(".pdf"):
            data, subtype = _pdf(doc, mail.name, mail.lang), "pdf"
        else:
            data, subtype = _docx(doc, mail.name, mail.lang), DOCX_TYPE
        msg.add_attachment(data, maintype="application", subtype=subtype, filename=doc.filename)
    msg["Content-Language"] = mail.lang  # after the body: set_content drops Content-* headers
    for i, part in enumerate(msg.walk()):
        if part.is_multipart():  # fixed boundaries; the library's are random
            part.set_boundary(f"----=_NextPart_{n:03d}_{i:04X}_{int(received.timestamp()):08X}")
        if i:  # the library repeats MIME-Version in each part; clients don't
            del part["MIME-Version"]
    return received, msg.as_bytes(policy=AS_WRITTEN)


def write_demo_maildir(root: Path, extra: Sequence[Mail] = ()) -> int:
    """Write the sample consultation mailbox as a Maildir at `root` (creating root/new, root/cur,
    root/tmp), with `extra` mails after the built-in ones; return how many messages."""
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for n, mail in enumerate((*MAILS, *extra), start=1):
        received, data = _message(n, mail)
        epoch = int(received.timestamp())
        name = f"{epoch}.M{n}P1.demo"
        staged = root / "tmp" / name
        staged.write_bytes(data)
        os.utime(staged, (epoch, epoch))
        staged.replace(root / "new" / name)  # Maildir delivery: write in tmp/, then move
    return len(MAILS) + len(extra)

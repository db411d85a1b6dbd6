"""The receipt's words in the UN's six languages. Placeholders are string.Template `$names`.

An operator may replace a language's template with `receipt.<lang>.txt` in
`[receipts] template_dir` (first line `Subject: ...`, then a blank line, then the body)
and the publication notice with `[receipts] publication_notice`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReceiptText:
    subject: str
    body: str
    on_time: str
    late: str
    where_url: str
    where: str
    attachments: str
    no_attachments: str
    notice: str


_BODY = {
    "en": """Thank you for your comment to the consultation "$title".

It has been received and recorded under the reference $reference.
Received: $received
$timeliness

$where

$attachments

$notice

This is an automatic acknowledgement: please keep the reference for your records.
$organiser
""",
    "fr": """Nous vous remercions de votre commentaire à la consultation « $title ».

Il a été reçu et enregistré sous la référence $reference.
Reçu le : $received
$timeliness

$where

$attachments

$notice

Ceci est un accusé de réception automatique : veuillez conserver la référence.
$organiser
""",
    "es": """Le agradecemos su comentario a la consulta «$title».

Ha sido recibido y registrado con la referencia $reference.
Recibido: $received
$timeliness

$where

$attachments

$notice

Este es un acuse de recibo automático: le rogamos que conserve la referencia.
$organiser
""",
    "ru": """Благодарим вас за комментарий к консультациям «$title».

Он получен и зарегистрирован под номером $reference.
Получен: $received
$timeliness

$where

$attachments

$notice

Это автоматическое подтверждение: пожалуйста, сохраните номер.
$organiser
""",
    "ar": """نشكركم على تعليقكم في إطار المشاورات بشأن «$title».

لقد تم استلامه وتسجيله تحت الرقم المرجعي $reference.
تاريخ الاستلام: $received
$timeliness

$where

$attachments

$notice

هذا إشعار استلام آلي: يرجى الاحتفاظ بالرقم المرجعي.
$organiser
""",
    "zh": """感谢您就“$title”磋商提出意见。

您的意见已收到并登记，编号为 $reference。
收到时间：$received
$timeliness

$where

$attachments

$notice

这是自动回执：请保留编号备查。
$organiser
""",
}

TEXTS: dict[str, ReceiptText] = {
    "en": ReceiptText(
        subject="Comment received: $reference",
        body=_BODY["en"],
        on_time="It arrived before the deadline ($deadline).",
        late="It arrived after the deadline ($deadline); the secretariat will decide whether it "
        "can still be considered.",
        where_url="Comments will be posted online from $posting_date at: $url",
        where="Comments will be posted online from $posting_date.",
        attachments="Attachments received:",
        no_attachments="No attachments.",
        notice="Your comment will be published with your name and organisation; your email "
        "address and telephone number will not be published. To publish it anonymously, reply "
        "to this message with the word ANONYMOUS. To withdraw it, reply with the word WITHDRAW.",
    ),
    "fr": ReceiptText(
        subject="Commentaire reçu : $reference",
        body=_BODY["fr"],
        on_time="Il est arrivé avant la date limite ($deadline).",
        late="Il est arrivé après la date limite ($deadline) ; le secrétariat décidera s'il peut "
        "encore être pris en compte.",
        where_url="Les commentaires seront publiés en ligne à partir du $posting_date à "
        "l'adresse : $url",
        where="Les commentaires seront publiés en ligne à partir du $posting_date.",
        attachments="Pièces jointes reçues :",
        no_attachments="Aucune pièce jointe.",
        notice="Votre commentaire sera publié avec votre nom et votre organisation ; votre "
        "adresse électronique et votre numéro de téléphone ne seront pas publiés. Pour le "
        "publier anonymement, répondez à ce message avec le mot ANONYME. Pour le retirer, "
        "répondez avec le mot RETIRER.",
    ),
    "es": ReceiptText(
        subject="Comentario recibido: $reference",
        body=_BODY["es"],
        on_time="Llegó antes de la fecha límite ($deadline).",
        late="Llegó después de la fecha límite ($deadline); la secretaría decidirá si aún puede "
        "tenerse en cuenta.",
        where_url="Los comentarios se publicarán en línea a partir del $posting_date en: $url",
        where="Los comentarios se publicarán en línea a partir del $posting_date.",
        attachments="Archivos adjuntos recibidos:",
        no_attachments="Sin archivos adjuntos.",
        notice="Su comentario se publicará con su nombre y su organización; su dirección de "
        "correo electrónico y su número de teléfono no se publicarán. Para publicarlo de forma "
        "anónima, responda a este mensaje con la palabra ANÓNIMO. Para retirarlo, responda con "
        "la palabra RETIRAR.",
    ),
    "ru": ReceiptText(
        subject="Комментарий получен: $reference",
        body=_BODY["ru"],
        on_time="Он поступил до истечения срока ($deadline).",
        late="Он поступил после истечения срока ($deadline); секретариат решит, может ли он быть "
        "учтён.",
        where_url="Комментарии будут опубликованы в Интернете начиная с $posting_date по "
        "адресу: $url",
        where="Комментарии будут опубликованы в Интернете начиная с $posting_date.",
        attachments="Полученные вложения:",
        no_attachments="Вложений нет.",
        notice="Ваш комментарий будет опубликован с указанием вашего имени и организации; ваш "
        "адрес электронной почты и номер телефона опубликованы не будут. Чтобы опубликовать его "
        "анонимно, ответьте на это сообщение словом АНОНИМНО. Чтобы отозвать его, ответьте "
        "словом ОТОЗВАТЬ.",
    ),
    "ar": ReceiptText(
        subject="تم استلام التعليق: $reference",
        body=_BODY["ar"],
        on_time="وصل قبل الموعد النهائي ($deadline).",
        late="وصل بعد الموعد النهائي ($deadline)؛ وستقرر الأمانة ما إذا كان لا يزال من الممكن "
        "أخذه في الاعتبار.",
        where_url="ستُنشر التعليقات على الإنترنت اعتبارًا من $posting_date على العنوان: $url",
        where="ستُنشر التعليقات على الإنترنت اعتبارًا من $posting_date.",
        attachments="المرفقات المستلمة:",
        no_attachments="لا توجد مرفقات.",
        notice="سيُنشر تعليقكم مع اسمكم واسم منظمتكم؛ ولن يُنشر عنوان بريدكم الإلكتروني ولا رقم "
        "هاتفكم. لنشره دون ذكر الاسم، يرجى الرد على هذه الرسالة بكلمة «مجهول». ولسحبه، يرجى الرد "
        "بكلمة «سحب».",
    ),
    "zh": ReceiptText(
        subject="意见已收到：$reference",
        body=_BODY["zh"],
        on_time="您的意见在截止日期（$deadline）之前送达。",
        late="您的意见在截止日期（$deadline）之后送达；秘书处将决定是否仍可予以考虑。",
        where_url="意见将自 $posting_date 起在以下网址公布：$url",
        where="意见将自 $posting_date 起在网上公布。",
        attachments="收到的附件：",
        no_attachments="无附件。",
        notice="您的意见将连同您的姓名和所属组织一并公布；您的电子邮件地址和电话号码不会公布。"
        "如希望匿名发表，请回复本邮件并注明“匿名”。如希望撤回，请回复“撤回”。",
    ),
}

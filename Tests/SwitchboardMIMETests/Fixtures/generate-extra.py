#!/usr/bin/env python3
"""Writes the extra MIME corpus (Fixtures/extra/*.eml + manifest.json).

The expected values in the manifest are the inputs each message was built from, not what any
parser made of it. Run from anywhere: python3 generate-extra.py
"""
import base64, json, os, quopri
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr
from email import policy

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "extra")
os.makedirs(HERE, exist_ok=True)
entries = []
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")

def flags(**kw):
    base = dict(auto_submitted=False, bounce=False, mailing_list=False, in_reply_to=None, has_message_id=True, truncated=False)
    base.update(kw)
    return base

def write(name, data, subject, from_address, from_name, excerpts, attachments, **kw):
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, bytes):
        data = data.as_bytes(policy=policy.SMTP)
    with open(os.path.join(HERE, name), "wb") as handle:
        handle.write(data)
    entries.append(dict(file=name, subject=subject, from_address=from_address, from_name=from_name,
                        text_excerpts=excerpts, attachments=attachments, flags=flags(**kw)))

def base(msg, subject, sender, charset="utf-8", mid="<x@example.com>"):
    msg["From"] = sender if isinstance(sender, str) else formataddr(sender, charset)
    msg["To"] = "support@shop.example"
    if subject is not None:
        msg["Subject"] = Header(subject, charset).encode() if not subject.isascii() else subject
    msg["Date"] = "Tue, 10 Mar 2026 09:00:00 +0800"
    if mid:
        msg["Message-ID"] = mid
    return msg

# 37: windows-1251 Cyrillic, base64 body, encoded-word subject
m = base(MIMEText("Здравствуйте, заказ 4410 не пришёл.", "plain", "windows-1251"), "Заказ не пришёл", ("Иван Петров", "ivan@mail.example.ru"), "windows-1251")
write("37-windows-1251.eml", m, "Заказ не пришёл", "ivan@mail.example.ru", "Иван Петров", ["заказ 4410 не пришёл"], [])

# 38: iso-8859-2 Polish, quoted-printable
body = "Dzień dobry, proszę o zwrot pieniędzy."
m = MIMEText(body, "plain", "iso-8859-2")
base(m, "Zwrot pieniędzy", ("Łukasz Żak", "lukasz@example.pl"), "iso-8859-2")
write("38-iso-8859-2.eml", m, "Zwrot pieniędzy", "lukasz@example.pl", "Łukasz Żak", ["proszę o zwrot pieniędzy"], [])

# 39: iso-8859-15 with the euro sign
m = MIMEText("Le montant est de 25 € TTC.", "plain", "iso-8859-15")
base(m, "Facture", "Claire <claire@example.fr>")
write("39-iso-8859-15-euro.eml", m, "Facture", "claire@example.fr", "Claire", ["25 € TTC"], [])

# 40: Shift_JIS body
m = MIMEText("注文番号 7781 の件でご連絡しました。", "plain", "shift_jis")
base(m, "注文について", ("山田太郎", "yamada@example.jp"), "iso-2022-jp")
write("40-shift-jis.eml", m, "注文について", "yamada@example.jp", "山田太郎", ["注文番号 7781 の件でご連絡しました。"], [])

# 41: multipart/signed with a detached signature
outer = MIMEMultipart("signed", protocol="application/pgp-signature", micalg="pgp-sha256")
outer.attach(MIMEText("Signed message body about order 5120.", "plain", "utf-8"))
sig = MIMEApplication(b"-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n", "pgp-signature", name="signature.asc")
sig.add_header("Content-Disposition", "attachment", filename="signature.asc")
outer.attach(sig)
base(outer, "Signed order question", "Secure Sender <secure@example.com>")
write("41-multipart-signed.eml", outer, "Signed order question", "secure@example.com", "Secure Sender", ["Signed message body about order 5120."], ["signature.asc"])

# 42: forwarded message/rfc822 without a file name, then a named PDF
inner = base(MIMEText("原始投诉内容：快递破损。", "plain", "utf-8"), "快递破损", "customer@example.cn", mid="<inner@example.cn>")
outer = MIMEMultipart("mixed")
outer.attach(MIMEText("转发给售后。", "plain", "utf-8"))
outer.attach(MIMEMessage(inner))
pdf = MIMEApplication(b"%PDF-1.4\n%%EOF\n", "pdf")
pdf.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "照片说明.pdf"))
outer.attach(pdf)
base(outer, "Fwd: 快递破损", "Team Lead <lead@shop.example>")
write("42-forward-unnamed-rfc822.eml", outer, "Fwd: 快递破损", "lead@shop.example", "Team Lead", ["转发给售后。"], ["照片说明.pdf"])

# 43: HTML only with entities and a table
html = "<html><body><table><tr><td>Order&nbsp;#3321</td></tr></table><p>Price: &euro;12 &amp; tax</p><p>Caf&eacute;?</p></body></html>"
m = MIMEText(html, "html", "utf-8")
base(m, "HTML table", "Shop Bot <bot@shop.example>")
write("43-html-entities.eml", m, "HTML table", "bot@shop.example", "Shop Bot", ["Order #3321", "Price: €12 & tax"], [])

# 44: unnamed inline image next to the text
outer = MIMEMultipart("mixed")
outer.attach(MIMEText("Screenshot attached below.", "plain", "utf-8"))
outer.attach(MIMEImage(PNG, "png"))
base(outer, "Screenshot", "Tester <tester@example.com>")
write("44-unnamed-image.eml", outer, "Screenshot", "tester@example.com", "Tester", ["Screenshot attached below."], [])

# 45: RFC 2231 file name in ISO-8859-1 with a language tag
outer = MIMEMultipart("mixed")
outer.attach(MIMEText("Voir la pièce jointe.", "plain", "utf-8"))
att = MIMEApplication(b"data", "octet-stream")
att.add_header("Content-Disposition", "attachment", filename=("iso-8859-1", "fr", "reçu-été.txt"))
outer.attach(att)
base(outer, "Reçu", ("Hélène", "helene@example.fr"), "iso-8859-1")
write("45-rfc2231-latin1-language.eml", outer, "Reçu", "helene@example.fr", "Hélène", ["Voir la pièce jointe."], ["reçu-été.txt"])

# 46: GBK encoded-word file name (Content-Type name) in a gbk-labelled message
outer = MIMEMultipart("mixed")
outer.attach(MIMEText("发票见附件。", "plain", "gbk"))
att = MIMEApplication(b"xls", "vnd.ms-excel")
att.set_param("name", Header("发票明细.xls", "gbk").encode())
outer.attach(att)
base(outer, "发票明细", ("财务部", "finance@example.cn"), "gbk")
write("46-gbk-encoded-word-name.eml", outer, "发票明细", "finance@example.cn", "财务部", ["发票见附件。"], ["发票明细.xls"])

# 47: uppercase transfer encoding and charset labels, no MIME-Version
raw = ("From: Upper <upper@example.com>\r\nTo: support@shop.example\r\nSubject: Upper case labels\r\n"
       "Message-ID: <upper@example.com>\r\nContent-Type: TEXT/PLAIN; CHARSET=UTF-8\r\nContent-Transfer-Encoding: BASE64\r\n\r\n"
       + base64.b64encode("大写的标签也要认得。".encode()).decode() + "\r\n")
write("47-uppercase-labels.eml", raw, "Upper case labels", "upper@example.com", "Upper", ["大写的标签也要认得。"], [])

# 48: base64 with junk characters and missing padding
payload = base64.b64encode("损坏的 base64 仍然可读。".encode()).decode().rstrip("=")
payload = payload[:10] + "!!" + payload[10:20] + "\r\n" + payload[20:]
raw = ("From: b64@example.com\r\nTo: support@shop.example\r\nSubject: Dirty base64\r\nMessage-ID: <b64@example.com>\r\n"
       "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + payload + "\r\n")
write("48-dirty-base64.eml", raw, "Dirty base64", "b64@example.com", None, ["损坏的 base64 仍然可读。"], [])

# 49: quoted-printable with soft breaks and a literal '=' mistake
qp = quopri.encodestring("退款金额为 320 元，请确认。".encode(), quotetabs=False).decode()
raw = ("From: QP <qp@example.com>\r\nTo: support@shop.example\r\nSubject: QP soft breaks\r\nMessage-ID: <qp@example.com>\r\n"
       "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
       + qp.replace("\n", "\r\n") + "\r\n1+1=2 is fine\r\n")
write("49-qp-soft-breaks.eml", raw, "QP soft breaks", "qp@example.com", "QP", ["退款金额为 320 元，请确认。", "1+1=2 is fine"], [])

# 50: long subject folded over several encoded words in two charsets
subject = "关于订单 9921 的退款申请 — Refund request for order 9921"
raw = ("From: Long Subject <long@example.com>\r\nTo: support@shop.example\r\n"
       "Subject: =?utf-8?B?" + base64.b64encode("关于订单 9921 的退款申请".encode()).decode() + "?=\r\n"
       " =?utf-8?Q?_=E2=80=94_Refund_request?=\r\n for order 9921\r\n"
       "Message-ID: <long@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee subject.\r\n")
write("50-folded-mixed-subject.eml", raw, subject, "long@example.com", "Long Subject", ["See subject."], [])

# 51: bounce with text/rfc822-headers
outer = MIMEMultipart("report", report_type="delivery-status")
outer.attach(MIMEText("Delivery to the following recipient failed permanently: nobody@shop.example", "plain", "utf-8"))
status = MIMEText("Reporting-MTA: dns; mx.example.com\nFinal-Recipient: rfc822; nobody@shop.example\nAction: failed\nStatus: 5.1.1\n", "delivery-status")
outer.attach(status)
headers = MIMEText("From: support@shop.example\nTo: nobody@shop.example\nSubject: Your ticket\n", "rfc822-headers")
outer.attach(headers)
base(outer, "Delivery Status Notification (Failure)", "mailer-daemon@mx.example.com")
outer["Auto-Submitted"] = "auto-replied"
write("51-bounce-rfc822-headers.eml", outer, "Delivery Status Notification (Failure)", "mailer-daemon@mx.example.com", None,
      ["Delivery to the following recipient failed permanently"], [], bounce=True, auto_submitted=True)

# 52: auto-generated notification and In-Reply-To
m = base(MIMEText("Your request was received.", "plain", "utf-8"), "Re: request received", "Notifier <notify@example.com>")
m["Auto-Submitted"] = "auto-generated"
m["In-Reply-To"] = "<orig-1@shop.example>"
write("52-auto-generated-in-reply-to.eml", m, "Re: request received", "notify@example.com", "Notifier", ["Your request was received."], [],
      auto_submitted=True, in_reply_to="<orig-1@shop.example>")

# 53: Precedence: list without List-Id
m = base(MIMEText("Weekly digest of offers.", "plain", "utf-8"), "Weekly offers", "Offers <offers@list.example.com>")
m["Precedence"] = "list"
write("53-precedence-list.eml", m, "Weekly offers", "offers@list.example.com", "Offers", ["Weekly digest of offers."], [], mailing_list=True)

# 54: boundary with special characters and a preamble/epilogue
raw = ("From: Boundary <b@example.com>\r\nTo: support@shop.example\r\nSubject: Odd boundary\r\nMessage-ID: <bnd@example.com>\r\n"
       "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"=_Part_0.1+x'(y)\"\r\n\r\nThis is a preamble.\r\n"
       "--=_Part_0.1+x'(y)\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBody with an odd boundary.\r\n"
       "--=_Part_0.1+x'(y)\r\nContent-Type: text/csv; name=\"rows.csv\"\r\nContent-Disposition: attachment\r\n\r\na,b\r\n1,2\r\n"
       "--=_Part_0.1+x'(y)--\r\nThis is an epilogue.\r\n")
write("54-odd-boundary.eml", raw, "Odd boundary", "b@example.com", "Boundary", ["Body with an odd boundary."], ["rows.csv"])

# 55: no final newline after the closing boundary, no Message-ID
raw = ("From: End <end@example.com>\r\nTo: support@shop.example\r\nSubject: No final newline\r\n"
       "Content-Type: multipart/alternative; boundary=alt\r\n\r\n--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
       "Plain alternative.\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML alternative.</p>\r\n--alt--")
write("55-no-final-newline.eml", raw, "No final newline", "end@example.com", "End", ["Plain alternative."], [], has_message_id=False)

# 56: raw 8-bit GBK in the Subject and From (no encoded words, mislabelled by the mailer)
raw = (b"From: " + "张伟".encode("utf-8") + b" <zhangwei@example.cn>\r\nTo: support@shop.example\r\nSubject: "
       + "原始八位主题".encode("utf-8") + b"\r\nMessage-ID: <raw8@example.cn>\r\nContent-Type: text/plain; charset=gbk\r\n"
       b"Content-Transfer-Encoding: 8bit\r\n\r\n" + "正文是 GBK 编码。".encode("gbk") + b"\r\n")
write("56-raw-8bit-headers.eml", raw, "原始八位主题", "zhangwei@example.cn", "张伟", ["正文是 GBK 编码。"], [])

# 57: encoded word in a comment-style From, lower-case b/q
raw = ("From: support-request@example.com (=?utf-8?q?Zhou_Min?=)\r\nTo: support@shop.example\r\n"
       "Subject: =?utf-8?q?Comment_name?=\r\nMessage-ID: <cmt@example.com>\r\nContent-Type: text/plain\r\n\r\nName in a comment.\r\n")
write("57-name-in-comment.eml", raw, "Comment name", "support-request@example.com", "Zhou Min", ["Name in a comment."], [])

# 58: deeply nested alternative inside related inside mixed, with two attachments
alt = MIMEMultipart("alternative")
alt.attach(MIMEText("保修说明：整机两年。", "plain", "utf-8"))
alt.attach(MIMEText("<p>保修说明：整机两年。</p>", "html", "utf-8"))
related = MIMEMultipart("related")
related.attach(alt)
img = MIMEImage(PNG, "png")
img.add_header("Content-ID", "<stamp@shop.example>")
img.add_header("Content-Disposition", "inline", filename="印章.png")
related.attach(img)
outer = MIMEMultipart("mixed")
outer.attach(related)
doc = MIMEApplication(b"doc", "msword")
doc.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "保修条款.doc"))
outer.attach(doc)
base(outer, "保修说明", ("售后服务", "aftersales@shop.example"))
write("58-mixed-related-alternative.eml", outer, "保修说明", "aftersales@shop.example", "售后服务", ["保修说明：整机两年。"], ["印章.png", "保修条款.doc"])

# 59: Big5 quoted-printable subject and body
m = MIMEText("請問退貨需要多久？", "plain", "big5")
base(m, "退貨問題", ("陳小姐", "chen@example.tw"), "big5")
write("59-big5-qp.eml", m, "退貨問題", "chen@example.tw", "陳小姐", ["請問退貨需要多久？"], [])

# 60: EUC-KR labelled ks_c_5601-1987 (Outlook) with a Hangul file name
outer = MIMEMultipart("mixed")
outer.attach(MIMEText("주문 취소 요청합니다.", "plain", "euc-kr"))
att = MIMEApplication(b"pdf", "pdf")
att.add_header("Content-Disposition", "attachment", filename=Header("영수증.pdf", "euc-kr").encode())
outer.attach(att)
data = base(outer, "주문 취소", ("김민수", "kim@example.kr"), "euc-kr").as_bytes(policy=policy.SMTP)
data = data.replace(b"charset=\"euc-kr\"", b"charset=\"ks_c_5601-1987\"").replace(b"=?euc-kr?", b"=?ks_c_5601-1987?")
write("60-ks-c-5601.eml", data, "주문 취소", "kim@example.kr", "김민수", ["주문 취소 요청합니다."], ["영수증.pdf"])

with open(os.path.join(HERE, "manifest.json"), "w", encoding="utf-8") as handle:
    json.dump({"generator": "generate-extra.py", "count": len(entries), "files": entries}, handle, ensure_ascii=False, indent=1)
print(f"wrote {len(entries)} messages")

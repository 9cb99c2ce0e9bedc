#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the synthetic MIME fixtures of tests/unit/test-mime.c.

Everything here is invented (names, addresses end in .example). Run from
this directory: ./make-fixtures.py. The .eml files are checked in; this
script documents how they were made and regenerates them."""
import base64
import quopri
import struct
import zlib

CRLF = "\r\n"


def text_pdf(text):
    """A one-page PDF with a real text layer (Helvetica), no images."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def png_1x1():
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff")) + chunk(b"IEND", b""))


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
TIFF = b"II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00"


def b64(data):
    s = base64.b64encode(data).decode()
    return CRLF.join(s[i:i + 76] for i in range(0, len(s), 76))


def head(subject, extra=""):
    return (f"From: Dr. Test Sender <sender@Clinic-One.EXAMPLE>{CRLF}"
            f"To: Referrals <referrals@heart.example>{CRLF}"
            f"Subject: {subject}{CRLF}"
            f"Date: Mon, 02 Nov 2026 23:41:00 -0500{CRLF}"
            f"Message-ID: <fixture.{zlib.crc32(subject.encode()):08x}@clinic-one.example>{CRLF}"
            f"{extra}MIME-Version: 1.0{CRLF}")


def part(ctype, body, cte="7bit", disp=None):
    h = f"Content-Type: {ctype}{CRLF}Content-Transfer-Encoding: {cte}{CRLF}"
    if disp:
        h += f"Content-Disposition: {disp}{CRLF}"
    return h + CRLF + body


def multipart(sub, boundary, parts):
    s = f"Content-Type: multipart/{sub}; boundary=\"{boundary}\"{CRLF}{CRLF}"
    s += f"This is a multi-part message in MIME format.{CRLF}"
    for p in parts:
        s += f"{CRLF}--{boundary}{CRLF}{p}"
    return s + f"{CRLF}--{boundary}--{CRLF}"


def write(name, text):
    data = text.encode("latin-1") if isinstance(text, str) else text
    with open(name, "wb") as f:
        f.write(data)


def main():
    pdf = text_pdf("Synthetic office note for fixture testing")
    write("pdf-base64.eml", head("Referral with a PDF") + multipart("mixed", "b1", [
        part("text/plain; charset=us-ascii", "Please see the attached referral.\r\nThanks,\r\nTest Sender\r\n"),
        part("application/pdf; name=\"referral.pdf\"", b64(pdf), "base64",
             "attachment; filename=\"referral.pdf\""),
    ]))

    body = ("Patient: Jos\u00e9 Mu\u00f1oz-\u0141\u0105cka \u2013 fictional, this line is long enough "
            "to need a soft line break in quoted-printable encoding.\nPriority: routine\n")
    qp = quopri.encodestring(body.encode("utf-8")).decode("ascii").replace("\n", CRLF)
    # RFC 2047: one B word split inside a UTF-8 character is not allowed,
    # but senders do it; here a Q word then two B words with '=' padding.
    subj = ("=?utf-8?q?Referral_=E2=80=93_?= =?utf-8?b?Sm9zw6kgTXU=?=" + CRLF
            + " =?utf-8?b?w7FveiAoZmljdGlvbmFsKQ==?=")
    write("qp-utf8.eml", head(subj) + part("text/plain; charset=\"utf-8\"", qp,
                                           "quoted-printable"))

    latin = "Patient: Jos\xe9 Mu\xf1oz, n\xe9 \xe0 Montr\xe9al\r\nCaf\xe9 \x93quoted\x94\r\n"
    write("latin1.eml", head("Latin-1 body") + part("text/plain; charset=ISO-8859-1", latin, "8bit"))

    html = ("<!DOCTYPE html><html><head><title>Hidden title</title>"
            "<style>p { color: red; }</style><script>alert('x');</script></head><body>"
            "<p>Dear&nbsp;colleague,</p><p>Please see <b>Jos&eacute; Mu&#241;oz</b> &amp; "
            "family &#x2013; soon.</p>"
            "<table><tr><th>Patient</th><td>Ana Test</td></tr>"
            "<tr><td>DOB</td><td>01/02/1960</td></tr></table>"
            "<ul><li>EKG</li><li>Labs</li></ul>"
            "<!-- a comment with <p>markup</p> -->Line one<br>Line two<br/>"
            "<div>Signature &lt;sender&gt;</div></body></html>")
    write("html-only.eml", head("HTML only") + part("text/html; charset=us-ascii", html))

    write("alternative.eml", head("Alternative") + multipart("alternative", "alt1", [
        part("text/plain; charset=us-ascii", "PLAINMARK: the plain version of the body.\r\n"),
        part("text/html; charset=us-ascii", "<p>HTMLMARK: the html version</p>"),
    ]))
    write("alternative-empty-plain.eml", head("Alternative, empty plain") + multipart(
        "alternative", "alt2", [
            part("text/plain; charset=us-ascii", "\r\n \r\n"),
            part("text/html; charset=us-ascii", "<p>HTMLMARK: only the html says anything</p>"),
        ]))

    inner = (f"From: Original Office <office@Origin.EXAMPLE>{CRLF}"
             f"To: someone@heart.example{CRLF}"
             f"Subject: Original referral{CRLF}"
             f"Date: Sun, 01 Nov 2026 10:00:00 -0500{CRLF}"
             f"Message-ID: <inner.1@origin.example>{CRLF}MIME-Version: 1.0{CRLF}"
             + multipart("mixed", "inner1", [
                 part("text/plain; charset=us-ascii", "INNERBODY: original referral text.\r\n"),
                 part("application/pdf", b64(text_pdf("Forwarded note one")), "base64",
                      "attachment; filename=\"note.pdf\""),
                 part("image/png", b64(png_1x1()), "base64", "attachment; filename=\"ekg.png\""),
             ]))
    write("forward.eml", head("Fwd: Original referral") + multipart("mixed", "outer1", [
        part("text/plain; charset=us-ascii", "OUTERBODY: forwarding this one.\r\n"),
        f"Content-Type: message/rfc822{CRLF}Content-Disposition: inline{CRLF}{CRLF}" + inner,
        part("image/jpeg", b64(JPEG), "base64", "attachment; filename=\"photo.jpg\""),
    ]))

    # base64-encoded message/rfc822 (what some gateways send)
    write("forward-base64.eml", head("Fwd: encoded") + multipart("mixed", "outer2", [
        part("text/plain; charset=us-ascii", "OUTERBODY: encoded forward.\r\n"),
        part("message/rfc822", b64(inner.encode("latin-1")), "base64",
             "attachment; filename=\"original.eml\""),
    ]))

    # content decides: a PDF labelled octet-stream or PNG, a TIFF, a zip
    write("sniffed-types.eml", head("Types by content") + multipart("mixed", "t1", [
        part("text/plain", "Four files.\r\n"),
        part("application/octet-stream", b64(pdf), "base64", "attachment; filename=\"scan.bin\""),
        part("image/png", b64(pdf), "base64", "attachment; filename=\"looks-like.png\""),
        part("image/tiff", b64(TIFF), "base64", "attachment; filename=\"fax.tif\""),
        part("application/zip", b64(b"PK\x03\x04" + b"\0" * 26), "base64",
             "attachment; filename=\"records.zip\""),
    ]))

    deep = head("Nested too deep")
    depth = 40
    for i in range(depth):
        deep += f"Content-Type: multipart/mixed; boundary=\"d{i}\"{CRLF}{CRLF}--d{i}{CRLF}"
    deep += f"Content-Type: text/plain{CRLF}{CRLF}bottom{CRLF}"
    for i in reversed(range(depth)):
        deep += f"--d{i}--{CRLF}"
    write("nested-too-deep.eml", deep)

    write("too-many-parts.eml", head("Too many parts") + multipart(
        "mixed", "many", [part("text/plain", f"part {i}\r\n") for i in range(300)]))

    names = [
        'filename="../../etc/passwd.pdf"',
        "filename*=utf-8''..%2F..%2Fevil%0D%0AX-Injected%3A%20yes.pdf",
        'filename="..\\\\..\\\\windows\\\\system.ini.pdf"',
        'filename=".hidden.pdf"',
        'filename="' + "A" * 300 + '.pdf"',
        "filename*=utf-8''%E2%80%AEfdp.exe",
        'filename="=?utf-8?q?r=C3=A9sum=C3=A9_M=C3=BCller=2Epdf?="',
    ]
    write("hostile-names.eml",
          head("=?utf-8?q?Report=0D=0ABcc=3A_victim=40evil=2Eexample?=")
          + multipart("mixed", "h1", [part("text/plain", "Names.\r\n")] + [
              part("application/pdf", b64(pdf), "base64", "attachment; " + n) for n in names]))

    dsn_report = (f"Reporting-MTA: dns; mx.heart.example{CRLF}{CRLF}"
                  f"Final-Recipient: rfc822; nobody@origin.example{CRLF}Action: failed{CRLF}"
                  f"Status: 5.1.1{CRLF}")
    write("dsn-bounce.eml",
          "From: Mail Delivery System <MAILER-DAEMON@mx.heart.example>" + CRLF
          + "To: referrals@heart.example" + CRLF + "Subject: Undelivered Mail Returned to Sender"
          + CRLF + "Date: Mon, 02 Nov 2026 10:00:00 +0000" + CRLF + "MIME-Version: 1.0" + CRLF
          + multipart("report; report-type=delivery-status", "dsn1", [
              part("text/plain", "Your message could not be delivered.\r\n"),
              f"Content-Type: message/delivery-status{CRLF}{CRLF}" + dsn_report,
              f"Content-Type: text/rfc822-headers{CRLF}{CRLF}Subject: hello{CRLF}",
          ]))

    write("auto-replied.eml", head("Out of office", "Auto-Submitted: auto-replied\r\n")
          + part("text/plain", "I am away.\r\n"))
    write("precedence-bulk.eml", head("Newsletter", "Precedence: bulk\r\n")
          + part("text/plain", "News.\r\n"))
    write("threaded.eml", head("Re: Referral", "In-Reply-To: <orig.1@heart.example>\r\n"
                               "References: <root.0@heart.example>\r\n <orig.1@heart.example>\r\n")
          + part("text/plain; format=flowed", "This reply is flowed and the line \r\n"
                 "continues here.\r\n-- \r\nSender\r\n"))

    write("unknown-charset.eml", head("Unknown charset")
          + part("text/plain; charset=x-no-such-charset", "Caf\xc3\xa9 ol\xc3\xa9\r\n", "8bit"))
    write("not-mail.bin", b"\x00\x01\x02\x03binary junk that is not mail\xff\xfe")


if __name__ == "__main__":
    main()

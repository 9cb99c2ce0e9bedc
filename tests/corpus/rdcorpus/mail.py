# mail.py owns the e-mail items: referral in the body (page 0) or in an
# attachment, attachments as born-digital PDF, fax PDF, PNG/JPEG photo or scan,
# multi-page TIFF; forwards that carry the original as message/rfc822; and
# fax-to-email notifications. Pages count over attachments in MIME order.
import datetime
import email.policy
import email.utils
import io
from email.message import EmailMessage

from PIL import Image

from . import people, assemble, raster, writers
from .clinical import LINE_WORDS, URGENCY_WORDS


def body_referral(p, rng):
    pt, r = p.patient, p.ref
    lines = [rng.choice(["Hello,", "Hi team,", "Good afternoon,"]), "",
             "Please schedule the following %s referral." % rng.choice(["cardiology", "new patient"]), "",
             "Patient: %s %s" % (pt["given"], pt["family"]),
             "%s: %s" % (rng.choice(["DOB", "Date of birth"]), people.fmt_date(pt["dob"], rng)),
             "Sex: %s" % pt["sex"]]
    if pt["phone"]:
        lines.append("Phone: %s" % people.fmt_phone(pt["phone"], rng))
    if pt["mrn"]:
        lines.append("MRN: %s" % pt["mrn"])
    lines += ["Service: %s" % rng.choice(LINE_WORDS[p.line]),
              "Priority: %s" % rng.choice(URGENCY_WORDS[p.urgency]),
              "Reason for referral: %s" % p.reason, "Diagnoses: %s" % ", ".join(p.diagnoses), ""]
    lines += p.mentions + ["", "Thank you,", "%s %s, %s" % (r["given"], r["family"], r["cred"]), r["practice"]]
    if r["npi_printed"]:
        lines.append("NPI %s" % r["npi_printed"])
        r["npi_shown"] = True
    lines.append("Tel %s" % people.fmt_phone(r["phone"], rng) + (
        "  Fax %s" % people.fmt_phone(r["fax"], rng) if r["fax"] else ""))
    return "\n".join(lines) + "\n"


def split_attachments(seq, rng):
    groups, k = [], 0
    while k < len(seq):
        n = rng.randrange(1, 4)
        groups.append(seq[k:k + n])
        k += n
    return groups


def attachment(p, group, rng, idx):
    single = len(group) == 1
    kind = rng.choice(["pdf", "pdf", "faxpdf", "tiff"] + (["png", "jpg"] if single else []))
    if kind == "pdf":
        return assemble.write_digital(p, group, rng, header=False), "application", "pdf", "pdf"
    if kind == "faxpdf":
        ims = assemble.fax_images(p, group, rng, True)
        return writers.fax_pdf(ims, [(204, 196)] * len(ims), p.received, "scan"), "application", "pdf", "pdf"
    if kind == "tiff":
        ims = assemble.fax_images(p, group, rng, True, with_header=False)
        return writers.fax_tiff(ims, True, p.received), "image", "tiff", "tif"
    im = raster.rasterise(assemble.render_pdf(p, group), dpi=(110, 110), gray=False)[0]
    if group[0]["page"]["landscape"] and rng.random() < 0.3:
        im = im.rotate(90, expand=True)
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "PNG" if kind == "png" else "JPEG", **({} if kind == "png" else {"quality": 80}))
    return buf.getvalue(), "image", "png" if kind == "png" else "jpeg", kind


def addr(name, domain):
    return email.utils.formataddr((name, "%s@%s" % (name.split()[0].lower(), domain)))


def zone(date, rng):
    """A US offset that keeps the same calendar day in UTC, else UTC."""
    hours = rng.choice([-5, -6, -4]) if date.hour <= 17 else 0
    return datetime.timezone(datetime.timedelta(hours=hours))


def new_message(p, rng, date, subject):
    m = EmailMessage(policy=email.policy.SMTP)
    m["From"] = addr("%s %s" % (p.ref["given"], p.ref["family"]), p.ref["domain"])
    m["To"] = "referrals@cardiology.example"
    m["Subject"] = subject
    m["Date"] = email.utils.format_datetime(date.replace(tzinfo=zone(date, rng)))
    m["Message-ID"] = "<%d.%s@%s>" % (rng.randrange(10 ** 9), p.name, p.ref["domain"])
    return m


def attach_all(p, m, groups, rng):
    for i, g in enumerate(groups):
        data, main, sub, ext = attachment(p, g, rng, i)
        m.add_attachment(data, maintype=main, subtype=sub, filename="%s_%d.%s" % (
            rng.choice(["referral", "records", "scan", "document", "Packet"]), i + 1, ext))


def build(p, seq, rng):
    """The .eml bytes and the truth documents for an e-mail packet."""
    style = rng.choice(["body", "attach", "forward", "fax2mail"])
    docs_body = []
    if style == "body":
        seq = [e for e in seq if e["doc"] is None or p.docs[e["doc"]]["type"] != "referral_form"]
        docs_body = [{"type": "referral_form", "pages": [0]}]
        p.tags["form"] = "email body"
        p.tags["diagnoses"] = "email body line, commas"
    p.n_pages = len(seq)
    p.email_style = style
    if style == "fax2mail":
        return fax_to_email(p, seq, rng), assemble.documents(p, seq)
    groups = split_attachments(seq, rng) if seq else []
    if style == "forward":
        return forward(p, groups, rng), assemble.documents(p, seq)
    m = new_message(p, rng, p.received, rng.choice(["Referral", "New referral - cardiology", "Pt referral"]))
    m.set_content(body_referral(p, rng) if style == "body" else short_body(p, rng))
    if rng.random() < 0.3:
        m.add_alternative("<html><body><pre>%s</pre></body></html>" % m.get_content().replace("&", "&amp;")
                          .replace("<", "&lt;"), subtype="html")
    attach_all(p, m, groups, rng)
    return fix_boundaries(m, rng).as_bytes(), docs_body + assemble.documents(p, seq)


def fix_boundaries(m, rng):
    """The email package draws boundaries from the global random; make them the seed's."""
    for part in m.walk():
        if part.is_multipart():
            part.set_boundary("=_rd_%016x" % rng.randrange(1 << 64))
    return m


def short_body(p, rng):
    return rng.choice(["Please see the attached referral.\n", "Referral attached, thank you.\n",
                       "Attached are records for the patient we discussed.\n"]) + "\n".join(p.mentions) + "\n"


def forward(p, groups, rng):
    inner_date = p.received - datetime.timedelta(hours=rng.randrange(1, 30))
    inner = new_message(p, rng, inner_date, "Referral")
    inner.set_content(short_body(p, rng))
    attach_all(p, inner, groups, rng)
    outer = new_message(p, rng, p.received, "Fwd: Referral")
    del outer["From"]
    outer["From"] = "Front Desk <frontdesk@%s>" % p.ref["domain"]
    outer.set_content("FYI - forwarding the referral below.\n")
    outer.add_attachment(inner)
    fix_boundaries(inner, rng)
    return fix_boundaries(outer, rng).as_bytes()


def fax_to_email(p, seq, rng):
    m = new_message(p, rng, p.received, "Fax received from %s" % (p.ref["fax"] or p.ref["phone"]))
    del m["From"]
    m["From"] = "Fax Service <noreply@faxservice.example>"
    m.set_content("You have received a %d page fax.\nCaller ID: %s\n" % (len(seq), p.ref["fax"] or "unknown"))
    data = assemble.write_fax(p, seq, rng, tiff=False)
    m.add_attachment(data, maintype="application", subtype="pdf", filename="fax_%d.pdf" % rng.randrange(10 ** 6))
    return fix_boundaries(m, rng).as_bytes()

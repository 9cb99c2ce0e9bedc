"""Inputs and set-up shared by the reply and follow-up tests (issue 6):
synthetic referral documents (born-digital PDFs with a text layer, and
image-only "fax" PDFs rasterised at fax resolution), referral emails,
partners, and the daemon configuration with [replies] and [smtp].

Everything is invented: names, practices, 555 numbers, NPIs with a valid
check digit, domains under .example."""
import email.utils
import os
import shutil
import subprocess
import tempfile
import zlib
from email.message import EmailMessage

from harness import REFERRALCTL

INTAKE = "intake@cardio.example"
PRACTICE = "Riverbend Heart Associates"
OUR_FAX = "555-201-0100"


# ---- identifiers -----------------------------------------------------------

def npi(seed):
    """A 10-digit NPI with a valid Luhn check digit (prefix 80840), unique per seed."""
    base = "%09d" % (100000000 + (seed * 7919) % 899999999)
    digits = "80840" + base
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return base + str((10 - total % 10) % 10)


def fax_number(seed):
    """A 555 fax number, 10 digits."""
    return "555%07d" % (2010000 + seed)


def dashed(number):
    return "%s-%s-%s" % (number[:3], number[3:6], number[6:])


# ---- documents ---------------------------------------------------------------

def _esc(s):
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_pdf(pages, size=11):
    """A born-digital PDF: each page is a list of text lines (Helvetica)."""
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    kids = []
    n = 4
    for lines in pages:
        parts = ["BT /F1 %d Tf %d TL 54 740 Td" % (size, int(size * 1.45))]
        for line in lines:
            parts.append("(%s) Tj T*" % _esc(line))
        parts.append("ET")
        content = "\n".join(parts).encode("latin-1", "replace")
        objs[n] = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
        objs[n + 1] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
                       b" /Contents %d 0 R >>" % n)
        kids.append(n + 1)
        n += 2
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    return _write_pdf(objs)


def _write_pdf(objs):
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for i in sorted(objs):
        offsets[i] = len(out)
        out += b"%d 0 obj\n" % i + objs[i] + b"\nendobj\n"
    xref = len(out)
    size = max(objs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for i in range(1, size):
        out += b"%010d 00000 n \n" % offsets[i] if i in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def raster_available():
    return shutil.which("pdftoppm") is not None


def fax_pdf(pages, size=12):
    """An image-only PDF as a fax gateway writes it: each page rendered to a
    1-bit image at fax resolution (204x196 dpi, 1728 px wide), no text layer.
    Needs pdftoppm (poppler-utils)."""
    src = text_pdf(pages, size=size)
    tmp = tempfile.mkdtemp(prefix="rd-fax-")
    try:
        with open(os.path.join(tmp, "in.pdf"), "wb") as f:
            f.write(src)
        subprocess.run(["pdftoppm", "-mono", "-rx", "204", "-ry", "196", os.path.join(tmp, "in.pdf"),
                        os.path.join(tmp, "p")], check=True, capture_output=True)
        images = [_read_pbm(os.path.join(tmp, name)) for name in sorted(os.listdir(tmp)) if name.endswith(".pbm")]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    kids = []
    n = 3
    for w, h, bits in images:
        # PBM: 1 = black; PDF DeviceGray 1-bit: 0 = black, hence /Decode [1 0]
        data = zlib.compress(bits)
        objs[n] = (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray"
                   b" /BitsPerComponent 1 /Decode [1 0] /Filter /FlateDecode /Length %d >>\nstream\n"
                   % (w, h, len(data)) + data + b"\nendstream")
        content = b"q 612 0 0 792 0 0 cm /Im0 Do Q"
        objs[n + 1] = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
        objs[n + 2] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im0 %d 0 R >>"
                       b" >> /Contents %d 0 R >>" % (n, n + 1))
        kids.append(n + 2)
        n += 3
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    return _write_pdf(objs)


def _read_pbm(path):
    with open(path, "rb") as f:
        data = f.read()
    # P4\n[# comment\n]W H\n<packed rows>
    fields = []
    pos = 0
    while len(fields) < 3:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    assert fields[0] == b"P4", "not a binary PBM"
    return int(fields[1]), int(fields[2]), data[pos:]


class Patient:
    def __init__(self, given, family, dob_us, sex="Female"):
        self.given, self.family, self.dob_us, self.sex = given, family, dob_us, sex

    @property
    def name(self):
        return "%s %s" % (self.given, self.family)


class Office:
    """A referring office (a partner when registered)."""

    def __init__(self, seed, practice, clinician, domain):
        self.seed = seed
        self.practice = practice
        self.clinician = clinician
        self.domain = domain
        self.npi = npi(seed)
        self.fax = fax_number(seed)
        self.phone = fax_number(seed + 500)
        self.address = "referrals@%s" % domain


def referral_form_lines(office, patient, urgency="Urgent", service="General cardiology consultation"):
    return [
        "REFERRAL TO CARDIOLOGY - REFERRAL FORM",
        "",
        "Patient: %s" % patient.name,
        "DOB: %s" % patient.dob_us,
        "Sex: %s" % patient.sex,
        "",
        "Referring provider: %s, MD" % office.clinician,
        "NPI: %s" % office.npi,
        "Practice: %s" % office.practice,
        "Phone: %s   Fax: %s" % (dashed(office.phone), dashed(office.fax)),
        "",
        "Requested service: %s" % service,
        "Urgency: %s" % urgency,
        "Reason for referral: Palpitations and exertional chest discomfort for 3 weeks.",
        "Diagnoses: R00.2 Palpitations; R07.9 Chest pain, unspecified",
    ]


def office_note_lines(patient):
    return [
        "OFFICE VISIT NOTE - PROGRESS NOTE",
        "Patient: %s   DOB: %s" % (patient.name, patient.dob_us),
        "Date of service: 11/20/2026",
        "Chief complaint: palpitations.",
        "History of present illness: three weeks of intermittent rapid heartbeat,",
        "lasting minutes, with mild chest discomfort on exertion.",
        "Physical exam: BP 132/80, HR 88 regular. Heart sounds normal, no murmur.",
        "Assessment: palpitations, rule out arrhythmia.",
        "Plan: cardiology referral. EKG ordered, to follow.",
    ]


def ekg_lines(patient):
    return [
        "12-LEAD ELECTROCARDIOGRAM (EKG) REPORT",
        "Patient: %s   DOB: %s" % (patient.name, patient.dob_us),
        "Acquired: 11/21/2026 09:14",
        "Vent rate 88 bpm   PR interval 156 ms   QRS duration 92 ms",
        "QT/QTc 372/418 ms   P-R-T axes 54 61 38",
        "Computer interpretation: Normal sinus rhythm. Normal ECG.",
        "Confirmed by: reading physician",
    ]


def fax_header(office, page, pages):
    return "NOV-21-2026 10:42 FROM: %s %s  TO: %s  P.%d/%d" % (
        dashed(office.fax), office.practice.upper(), OUR_FAX, page, pages)


def referral_pdf(office, patient, with_ekg=False, urgency="Urgent"):
    """A born-digital referral (form + office note [+ EKG]); urgent, so the
    checklist asks for an EKG and clinical notes only."""
    pages = [referral_form_lines(office, patient, urgency), office_note_lines(patient)]
    if with_ekg:
        pages.append(ekg_lines(patient))
    return text_pdf(pages)


def referral_email(office, patient, message_id=None, subject=None, with_ekg=False, extra_headers=(),
                   from_header=None):
    """A referral by email: the form in the body, the office note as a PDF."""
    msg = EmailMessage()
    msg["From"] = from_header or "%s <%s>" % (office.clinician, office.address)
    msg["To"] = "Referrals <referrals@clinic.example>"
    msg["Subject"] = subject or "Referral: cardiology consultation"
    msg["Date"] = email.utils.format_datetime(email.utils.localtime())
    msg["Message-ID"] = message_id or email.utils.make_msgid(domain=office.domain)
    for k, v in extra_headers:
        msg[k] = v
    msg.set_content("Dear colleague,\n\nWe are referring the patient below.\n\n%s\n\nThank you,\n%s, MD\n%s\n"
                    % ("\n".join(referral_form_lines(office, patient)[2:]), office.clinician, office.practice))
    msg.add_attachment(text_pdf([office_note_lines(patient)]), maintype="application", subtype="pdf",
                       filename="office-note.pdf")
    if with_ekg:
        msg.add_attachment(text_pdf([ekg_lines(patient)]), maintype="application", subtype="pdf",
                           filename="ekg.pdf")
    return msg


def followup_email(office, patient, reply, body_text=None):
    """The partner's answer to our reply: Re: subject, In-Reply-To and
    References naming our Message-ID, the EKG attached."""
    msg = EmailMessage()
    msg["From"] = "%s <%s>" % (office.clinician, office.address)
    msg["To"] = reply["From"]
    subj = reply["Subject"] or ""
    msg["Subject"] = subj if subj.lower().startswith("re:") else "Re: " + subj
    msg["Date"] = email.utils.format_datetime(email.utils.localtime())
    msg["Message-ID"] = email.utils.make_msgid(domain=office.domain)
    mid = (reply["Message-ID"] or "").strip()
    msg["In-Reply-To"] = mid
    refs = (reply["References"] or "").split()
    msg["References"] = " ".join(refs + [mid])
    msg.set_content(body_text or "Hello,\n\nThe EKG you asked for is attached.\n\n%s\n" % office.practice)
    msg.add_attachment(text_pdf([ekg_lines(patient)]), maintype="application", subtype="pdf", filename="ekg.pdf")
    return msg


# ---- partners ----------------------------------------------------------------

def add_partner(daemon, pg, office, name=None, reply_channel="auto", reply_email=None, reply_fax=None,
                keys=("email", "domain", "fax", "npi")):
    """Registers @office as a partner: with `referralctl partner add` when it
    works, else rows written directly (schema 005).  Returns (id, how)."""
    name = name or office.practice
    args = ["partner", "add", name, "--reply-channel", reply_channel]
    if "email" in keys:
        args += ["--email", office.address]
    if "domain" in keys:
        args += ["--domain", office.domain]
    if "fax" in keys:
        args += ["--fax", office.fax]
    if "npi" in keys:
        args += ["--npi", office.npi]
    if reply_email:
        args += ["--reply-email", reply_email]
    if reply_fax:
        args += ["--reply-fax", reply_fax]
    p = daemon.ctl(*args)
    pid = pg.scalar("SELECT id FROM partner WHERE name = '%s'" % name.replace("'", "''"))
    if p.returncode == 0 and pid:
        return int(pid), "referralctl"

    def q(v):
        return "NULL" if v is None else "'%s'" % v.replace("'", "''")
    pid = pg.scalar("INSERT INTO partner (name, reply_channel, reply_email, reply_fax) VALUES (%s, %s, %s, %s)"
                    " RETURNING id" % (q(name), q(reply_channel), q(reply_email and reply_email.lower()),
                                       q(reply_fax)))
    values = {"email": office.address.lower(), "domain": office.domain.lower(), "fax": office.fax, "npi": office.npi}
    for k in keys:
        pg.query("INSERT INTO partner_key (partner_id, kind, value) VALUES (%s, '%s', '%s')" % (pid, k, values[k]))
    return int(pid), "sql (referralctl partner add: rc=%d %s)" % (p.returncode, p.stderr.strip()[:200])


# ---- configuration -------------------------------------------------------------

def replies_config(daemon, pg, sink, mailbox=None, replies=None, smtp=None, workers=None, followups=None,
                   policy=None):
    """Writes the daemon's configuration with [replies], [smtp] and
    [followups] (and [mailbox.clinic] when @mailbox is a Dovecot)."""
    groups = {
        "database": {"conninfo": pg.dsn, "staff-conninfo": pg.dsn},
        "dropdir": {"path": daemon.inbox, "processed": daemon.processed, "quarantine": daemon.quarantine,
                    "settle-time": "0", "rescan-interval": "2"},
        "workers": {"count": "2", "poll-interval": "1", "retry-backoff": "0", "max-attempts": "3"},
        "replies": {"enabled": "true", "from": INTAKE, "from-name": "Riverbend Heart Intake",
                    "practice-name": PRACTICE, "fax-number": OUR_FAX, "patient-details": "initials-dob",
                    "missing-request": "true", "receipt": "false", "complete-notice": "false",
                    "reply-unknown": "false", "min-interval": "3d", "max-per-recipient": "10",
                    "recipient-window": "1h", "own-addresses": "referrals@clinic.example", "fax-reply": "none"},
        "followups": {"window": "30d"},
        "smtp": {"url": "smtp://127.0.0.1:%d" % sink.port, "allow-plaintext": "true", "timeout": "5s",
                 "retry-backoff": "1s", "max-attempts": "20"},
    }
    for name, extra in (("replies", replies), ("smtp", smtp), ("workers", workers), ("followups", followups)):
        if extra:
            groups[name].update(extra)
    for name, kv in (policy or {}).items():  # [policy], [checklist.NAME], [urgency.NAME]
        groups[name] = dict(kv)
    if mailbox is not None:
        import dovecot
        groups["mailbox.clinic"] = {"url": mailbox.url, "user": dovecot.USER, "password-file": mailbox.password_file,
                                    "ca-file": mailbox.cert, "processed-folder": "Done", "poll-interval": "2s",
                                    "timeout": "10s"}
    daemon.write_config(groups)


# ---- what the daemon did --------------------------------------------------------

def norm_kind(kind):
    return kind.replace("-", "_")


# event kinds the spec names, with the names the code may use for the same thing
EVENT_ALIASES = {
    "referral_stored": ("referral_stored", "referral_created"),
}


def events(pg, referral_id):
    """Event kinds of a referral in order, normalised to underscores."""
    return [norm_kind(r[0]) for r in pg.query("SELECT kind FROM event WHERE referral_id = %d ORDER BY id"
                                               % referral_id)]


def in_order(seq, wanted):
    """Each wanted kind (or one of its aliases) appears in @seq, in this order."""
    pos = 0
    for w in wanted:
        names = EVENT_ALIASES.get(w, (w,))
        while pos < len(seq) and seq[pos] not in names:
            pos += 1
        if pos == len(seq):
            return False
        pos += 1
    return True


def outbox(pg, where="TRUE"):
    cols = ["id", "referral_id", "kind", "channel", "recipient", "subject", "message_id", "state", "reason",
            "attempts", "last_error", "sent_at"]
    rows = pg.query("SELECT %s FROM outbox WHERE %s ORDER BY id" % (
        ", ".join("coalesce(%s::text, '')" % c for c in cols), where))
    return [dict(zip(cols, r)) for r in rows]


def ctl_json(daemon, *args):
    p = daemon.ctl(*args)
    if p.returncode != 0:
        return None, p
    try:
        import json
        return json.loads(p.stdout), p
    except ValueError:
        return None, p


def referralctl_exists():
    return os.path.exists(REFERRALCTL)


def migrate(daemon, pg):
    """Creates the schema before the daemon starts (so partners exist before
    the first item): `referralctl migrate`.  Returns (ok, detail)."""
    p = daemon.ctl("migrate")
    ok = p.returncode == 0 and pg.query("SELECT to_regclass('partner') IS NOT NULL") == [["t"]]
    return ok, p.stdout + p.stderr


def process_group(daemon):
    """PIDs of the daemon's process group (supervisor, workers, sender)."""
    if daemon.proc is None:
        return []
    out = subprocess.run(["pgrep", "-g", str(daemon.proc.pid)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def cover_lines(office, page, pages, reference=None, message="the EKG you asked for."):
    """A fax cover sheet as a referring office sends it: the machine's
    header line, the office and its fax number, optionally our reference."""
    lines = [fax_header(office, page, pages), "", "FAX COVER SHEET", "",
             "To: %s" % PRACTICE, "Fax: %s" % OUR_FAX,
             "From: %s" % office.practice, "Fax: %s" % dashed(office.fax), ""]
    if reference:
        lines += ["Reference: %s" % reference, ""]
    lines += ["Number of pages including cover: %d" % pages, "Message: %s" % message]
    return lines

# forms.py owns the pages that carry the referral's facts: referral forms
# (boxed, table, EHR order), referral letters, fax cover sheets, and the
# label vocabularies (and distractor labels) they print.
import re

from . import people
from .clinical import LINE_WORDS, LINE_SENTENCE, URGENCY_WORDS, MENTIONS
from .render import Cursor

DOB_LABELS = ["DOB", "D.O.B.", "Date of Birth", "Birth Date", "Birthdate"]
MRN_LABELS = ["MRN", "Medical Record #", "Chart #", "Acct/MRN", "MR #", "Patient ID"]
SEX_LABELS = ["Sex", "Gender", "M/F"]
PHONE_LABELS = ["Phone", "Home Phone", "Pt Phone", "Cell", "Tel", "Contact #"]
REF_LABELS = ["Referring Provider", "Referred by", "Physician", "PCP", "Ordering Provider",
              "Referring Physician"]
NPI_LABELS = ["NPI", "NPI #", "Provider NPI", "NPI No."]
TAGS = None        # the packet's x_variation tags while its referral form is drawn


def note(key, value):
    """Record what the referral form printed (no random draws: seeds keep their packets)."""
    if TAGS is not None:
        TAGS[key] = value


def shape(s):
    """'(555) 222-4444' -> '(nnn) nnn-nnnn'; 'Mar 4, 1956' -> 'Mon n, nnnn'."""
    s = re.sub(r"[0-9]", "n", s)
    return re.sub(r"\b(%s)[a-z]*\b" % "|".join(people.MONTHS), "Mon", s)


TITLES = ["REFERRAL FORM", "Cardiology Referral Request", "Outpatient Referral",
          "REQUEST FOR CONSULTATION", "Specialist Referral - Cardiology", "Referral / Authorization"]


def name_pairs(pt, rng):
    g, f = pt["given"], pt["family"]
    k = rng.randrange(5)
    note("name_format", ["Given Family", "FAMILY, GIVEN", "Family, Given", "Last Name+First Name", "Last/First"][k])
    if k == 0:
        return [("Patient", "%s %s" % (g, f))]
    if k == 1:
        return [(rng.choice(["Patient Name", "Name", "Patient"]), "%s, %s" % (f.upper(), g.upper()))]
    if k == 2:
        return [("Patient Name", "%s, %s" % (f, g))]
    if k == 3:
        return [("Last Name", f), ("First Name", g)]
    return [("Last/First", "%s / %s" % (f, g))]


DISTRACTOR_LABELS = ["DOS", "Date of Service", "Visit Date", "Date", "Account #", "Acct No", "Guarantor #",
                     "Policy #", "Member ID", "Ins ID"]


def record_patient(pairs, pt):
    for lab, val in pairs:
        if lab in DOB_LABELS:
            note("dob", "%s: %s" % (lab, shape(val)))
        elif lab in SEX_LABELS:
            note("sex", "%s: %s" % (lab, val))
        elif lab in PHONE_LABELS:
            note("patient_phone", "%s: %s" % (lab, shape(val)))
        elif lab in MRN_LABELS:
            note("mrn_label", lab)


def sex_value(sex, rng):
    return rng.choice([sex, {"F": "Female", "M": "Male"}[sex], sex.lower()])


def patient_pairs(p, rng, distract=True):
    pt = p.patient
    pairs = name_pairs(pt, rng)
    pairs.append((rng.choice(DOB_LABELS), people.fmt_date(pt["dob"], rng)))
    pairs.append((rng.choice(SEX_LABELS), sex_value(pt["sex"], rng)))
    if pt["phone"]:
        pairs.append((rng.choice(PHONE_LABELS), people.fmt_phone(pt["phone"], rng)))
    if pt["mrn"]:
        pairs.append((rng.choice(MRN_LABELS), pt["mrn"]))
    record_patient(pairs, pt)
    if distract:
        pairs += distractors(p, rng)
        note("distractors", [a for a, _ in pairs if a in DISTRACTOR_LABELS])
    if rng.random() < 0.3:
        tail = pairs[1:]
        rng.shuffle(tail)
        pairs[1:] = tail
    return pairs


def distractors(p, rng):
    out = []
    if rng.random() < 0.5:
        out.append((rng.choice(["DOS", "Date of Service", "Visit Date"]), people.fmt_date(p.visit, rng)))
    if rng.random() < 0.5:
        out.append(("Date", people.fmt_date(p.received.date(), rng)))
    if rng.random() < 0.4:
        out.append((rng.choice(["Account #", "Acct No", "Guarantor #"]), p.patient["account"]))
    if rng.random() < 0.4:
        out.append((rng.choice(["Policy #", "Member ID", "Ins ID"]), p.patient["policy"]))
    return out


def doctor_text(r, rng):
    k = rng.randrange(4)
    note("referring_format", ["Dr. Given Family", "Family, Given CRED", "Given Family, CRED", "Given Family"][k])
    if k == 0:
        return "Dr. %s %s" % (r["given"], r["family"])
    if k == 1:
        return "%s, %s %s" % (r["family"], r["given"], r["cred"])
    if k == 2:
        return "%s %s, %s" % (r["given"], r["family"], r["cred"])
    return "%s %s" % (r["given"], r["family"])


def referrer_pairs(p, rng):
    r = p.ref
    pairs = [(rng.choice(REF_LABELS), doctor_text(r, rng)), ("Practice", r["practice"])]
    note("referring_label", pairs[0][0])
    if r["npi_printed"]:
        pairs.append((rng.choice(NPI_LABELS), r["npi_printed"]))
        r["npi_shown"] = True
    pairs.append((rng.choice(["Phone", "Office Phone", "Tel", "Ph"]), people.fmt_phone(r["phone"], rng)))
    if r["fax"]:
        pairs.append((rng.choice(["Fax", "Fax #", "Office Fax", "F"]), people.fmt_phone(r["fax"], rng)))
    note("referring_phone", "%s: %s" % (pairs[-2 if r["fax"] else -1][0], shape(pairs[-2 if r["fax"] else -1][1])))
    return pairs


def to_block(cur, p, rng):
    cur.fields([("To", people.OWN_NAME), ("Attn", rng.choice(["Referral Coordinator", "Intake", "Scheduling"])),
                ("Fax", people.fmt_phone(people.OWN_FAX, rng)), ("Phone", "(555) 440-0199")])


def urgency_block(cur, p, rng, mode):
    words = ["Routine", "Urgent", "STAT"]
    ticked = {"routine": "Routine", "urgent": "Urgent", "stat": "STAT"}[p.urgency]
    if mode == "none" and p.urgency == "routine":
        ticked = None
    if mode in ("box", "none"):
        cur.choices(rng.choice(["Priority", "Urgency", "Appointment"]), words, ticked, "box")
    elif mode == "circle":
        cur.choices("Priority (circle one)", words, ticked, "circle")
    elif mode == "stamp":
        cur.choices("Priority", words, None, "box") if p.urgency == "routine" else None
        if p.urgency != "routine":
            cur.stamp(ticked.upper(), rng)
    else:
        cur.fields([(rng.choice(["Priority", "Urgency"]), rng.choice(URGENCY_WORDS[p.urgency]))])


def service_block(cur, p, rng, mode):
    names = {ln: LINE_WORDS[ln][0] for ln in LINE_WORDS}
    order = ["general", "electrophysiology", "heart_failure", "interventional", "preventive"]
    if mode == "text":
        cur.fields([(rng.choice(["Service", "Referred to", "Specialty/Clinic"]),
                     "Cardiology - " + rng.choice(LINE_WORDS[p.line]))])
        return
    cur.choices(rng.choice(["Service requested", "Clinic", "Service"]),
                [names[o] for o in order], names[p.line], "box" if mode == "box" else "circle")


def enclosure_boxes(cur, p, rng):
    """Ticked enclosure boxes are mentions, not documents."""
    words = ["EKG", "Labs", "Office notes", "Echo", "Med list"]
    lab = cur.label("Records enclosed")
    cur.text(cur.x0, lab, bold=True)
    x = cur.x0 + cur.width(lab, True) + 8
    for w in words:
        x += cur.checkbox(x, rng.random() < 0.6)
        cur.text(x, w)
        x += cur.width(w) + 12
    cur.line()


def reason_block(cur, p, rng):
    cur.gap(0.3)
    lab = rng.choice(["Reason for referral", "Referral Reason", "Reason for Consult"])
    if rng.random() < 0.5:
        cur.line(cur.label(lab), bold=True)
        cur.para(p.reason, indent=10)
    else:
        cur.para("%s %s" % (cur.label(lab), p.reason))
    codes = p.diagnoses
    k = rng.randrange(3)
    note("diagnoses", ["one line, commas", "one code a line", "one line, semicolons"][k] + (
        "" if len(codes) > 1 else " (single code)"))
    if k == 0:
        lab = rng.choice(["Diagnosis", "Dx", "ICD-10"])
        note("diagnoses_label", cur.label(lab))
        cur.fields([(lab, ", ".join(codes))])
    elif k == 1:
        note("diagnoses_label", cur.label("Diagnoses (ICD-10-CM)"))
        cur.line(cur.label("Diagnoses (ICD-10-CM)"), bold=True)
        for c in codes:
            cur.line("%s  %s" % (c, p.code_text.get(c, "")), indent=12)
    else:
        note("diagnoses_label", cur.label("Dx codes"))
        cur.fields([("Dx codes", "; ".join(codes))])


def mention_lines(cur, p, rng):
    for m in p.mentions:
        cur.para(rng.choice(["Note: ", "", "* ", "Comment: "]) + m)


def signature(cur, p, rng):
    cur.gap(1)
    cur.line("_" * 28)
    cur.line("%s %s, %s" % (p.ref["given"], p.ref["family"], p.ref["cred"]))
    if p.ref["npi_printed"] and rng.random() < 0.5:
        cur.line("NPI %s" % p.ref["npi_printed"])
        p.ref["npi_shown"] = True


def draw_boxed_form(c, W, H, p, rng, st):
    cur = Cursor(c, st, W, H)
    cur.line(rng.choice(TITLES), bold=True, size=st.size + 5)
    cur.gap()
    if rng.random() < 0.7:
        to_block(cur, p, rng)
        cur.rule()
    cur.line(rng.choice(["PATIENT INFORMATION", "Patient", "Patient Demographics"]), bold=True)
    cur.fields(patient_pairs(p, rng), boxed=rng.random() < 0.4)
    cur.rule()
    cur.line(rng.choice(["REFERRING PROVIDER", "Referred From", "Provider Information"]), bold=True)
    cur.fields(referrer_pairs(p, rng))
    cur.rule()
    urgency_block(cur, p, rng, p.urgency_mode)
    service_block(cur, p, rng, p.service_mode)
    reason_block(cur, p, rng)
    if rng.random() < 0.5:
        enclosure_boxes(cur, p, rng)
    mention_lines(cur, p, rng)
    signature(cur, p, rng)


def draw_letter(c, W, H, p, rng, st):
    cur = Cursor(c, st, W, H)
    r = p.ref
    cur.line(r["practice"], bold=True, size=st.size + 4)
    cur.line(r["address"])
    tel = "Tel %s" % people.fmt_phone(r["phone"], rng)
    cur.line(tel + ("   Fax %s" % people.fmt_phone(r["fax"], rng) if r["fax"] else ""))
    cur.rule()
    cur.line(people.fmt_date(p.received.date(), rng))
    cur.gap()
    cur.line("%s" % people.OWN_NAME)
    cur.gap()
    pt = p.patient
    re = "Re: %s %s, %s %s" % (pt["given"], pt["family"], rng.choice(["DOB", "DOB:", "born"]),
                               people.fmt_date(pt["dob"], rng))
    note("name_format", "letter: Re: Given Family")
    note("dob", "letter: " + shape(re.split(",", 1)[1]))
    cur.line(re, bold=True)
    extra = []
    if pt["mrn"]:
        extra.append("%s %s" % (rng.choice(["MRN", "Chart #", "Medical Record #"]), pt["mrn"]))
    if pt["phone"]:
        extra.append("Phone %s" % people.fmt_phone(pt["phone"], rng))
    extra.append({"F": "Female", "M": "Male"}[pt["sex"]])
    cur.line("      " + ", ".join(extra))
    note("sex", "letter: " + extra[-1])
    cur.gap()
    cur.line(rng.choice(["Dear Colleague,", "Dear Doctor,", "To the cardiology team,"]))
    urg = {"routine": "at your convenience (routine)", "urgent": "urgently, within the week",
           "stat": "STAT - please evaluate today"}[p.urgency]
    cur.para("I am referring my patient %s %s %s. I would appreciate if you could see %s %s." % (
        pt["given"], pt["family"], LINE_SENTENCE[p.line], "her" if pt["sex"] == "F" else "him", urg))
    cur.para("Reason for referral: %s." % p.reason)
    cur.para("Diagnoses: %s." % ", ".join(p.diagnoses))
    note("diagnoses", "letter sentence, commas")
    mention_lines(cur, p, rng)
    cur.gap()
    cur.line("Sincerely,")
    signature(cur, p, rng)


def draw_ehr_order(c, W, H, p, rng, st):
    cur = Cursor(c, st, W, H)
    cur.line(rng.choice(["AMBULATORY REFERRAL TO CARDIOLOGY", "Referral Order", "REF-CARD Outpatient referral"]),
             bold=True, size=st.size + 3)
    cur.line("Order #%d   %s %s" % (rng.randrange(10 ** 7, 10 ** 8), rng.choice(["Ordered", "Signed"]),
                                    people.fmt_date(p.received.date(), rng)))
    cur.rule()
    pairs = patient_pairs(p, rng)
    cur.table(["Field", "Value"], [(cur.label(a), b) for a, b in pairs], [0.35, 0.65])
    cur.rule()
    cur.table(["Provider", ""], [(cur.label(a), b) for a, b in referrer_pairs(p, rng)], [0.35, 0.65])
    cur.gap()
    urgency_block(cur, p, rng, p.urgency_mode)
    service_block(cur, p, rng, p.service_mode)
    reason_block(cur, p, rng)
    mention_lines(cur, p, rng)


def draw_cover(c, W, H, p, rng, st):
    cur = Cursor(c, st, W, H)
    cur.line(rng.choice(["FAX", "Fax Cover Sheet", "FACSIMILE TRANSMITTAL", "CONFIDENTIAL FAX"]),
             bold=True, size=st.size + 12)
    cur.gap()
    r = p.ref
    cur.fields([("To", people.OWN_NAME), ("Fax", people.fmt_phone(people.OWN_FAX, rng)),
                ("From", r["practice"]), ("Phone", people.fmt_phone(r["phone"], rng))]
               + ([("Fax", people.fmt_phone(r["fax"], rng))] if r["fax"] else [])
               + [("Date", people.fmt_date(p.received.date(), rng)),
                  ("Pages", "%d %s" % (p.n_pages, rng.choice(["(including cover)", "", "incl. cover"])))])
    cur.rule()
    cur.fields([("Re", rng.choice(["Referral", "New patient referral", "Cardiology referral"]))])
    msg = rng.choice(["Please see enclosed referral and records.", "Referral for cardiology evaluation.",
                      "Please schedule at earliest convenience."])
    cur.para(msg)
    mention_lines(cur, p, rng)
    cur.gap(2)
    cur.para("CONFIDENTIALITY NOTICE: This facsimile contains protected health information. If you "
             "received it in error, notify the sender and destroy all copies.")


def recorded(fn):
    """Draw a referral form while noting what it printed into p.tags."""
    def draw(c, W, H, p, rng, st):
        global TAGS
        TAGS = p.tags
        note("style", "%s %.1fpt%s boxes:%s tick:%s" % (st.font, st.size, " two-column" if st.two_col else "",
                                                       st.box_kind, st.tick))
        try:
            fn(c, W, H, p, rng, st)
        finally:
            TAGS = None
    return draw


FORM_KINDS = {"boxed": recorded(draw_boxed_form), "letter": recorded(draw_letter), "ehr": recorded(draw_ehr_order)}

# scenario.py owns the facts of one packet: who, what service and urgency,
# which documents are enclosed (and which are only mentioned), the item's
# format and damage, and the page order. Drawing is left to forms/records/ecg.
import datetime

from . import people, forms, records, ecg
from .clinical import LINES, REASONS, CODES, MENTIONS, PANEL_ORDER
from .render import Style

FORMATS = [("faxpdf", 35), ("faxtiff", 20), ("digital", 15), ("eml", 30)]
CODE_TEXT = {"I50.22": "Chronic systolic heart failure", "I48.91": "Atrial fibrillation, unspecified",
             "I10": "Essential hypertension", "E78.5": "Hyperlipidemia", "I25.10": "CAD native vessel"}
EXTRA_TYPES = ["echo", "stress_test", "ambulatory_monitor", "discharge_summary", "med_list",
               "insurance", "imaging", "ekg", "labs", "clinical_notes"]


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for v, w in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][0]


class Packet:
    def __init__(self, rng, policy, name, real_ecgs, fmt=None):
        self.rng, self.name = rng, name
        self.tags = {}
        self.format = fmt or weighted(rng, FORMATS)
        self.channel = "email" if self.format == "eml" else "fax"
        day = datetime.date(2026, 1, 5) + datetime.timedelta(days=rng.randrange(330))
        self.received = datetime.datetime(day.year, day.month, day.day, rng.randrange(7, 19),
                                          rng.randrange(60), rng.randrange(60))
        self.visit = day - datetime.timedelta(days=rng.randrange(1, 21))
        self.patient = people.patient(rng, day)
        self.ref = people.referrer(rng)
        if self.format != "eml" and not self.ref["fax"]:
            self.ref["fax"] = people.phone(rng)      # a faxing office prints its fax number
        self.line = rng.choice(LINES)
        self.urgency = weighted(rng, [("routine", 62), ("urgent", 24), ("stat", 14)])
        self.urgency_mode = rng.choice(["box", "box", "circle", "stamp", "text", "none"])
        self.service_mode = rng.choice(["box", "circle", "text"])
        self.reason = rng.choice(REASONS[self.line])
        self.diagnoses = rng.sample(CODES[self.line], rng.randrange(1, 4))
        self.code_text = CODE_TEXT
        self.required = policy.required(self.line, self.urgency)
        self.real_ecgs = real_ecgs
        self.docs = self.choose_documents()
        self.mentions, self.note_mentions = self.choose_mentions()
        self.n_pages = 0

    # --- which documents -------------------------------------------------
    def choose_documents(self):
        rng = self.rng
        docs = [self.form_doc()]
        if self.format in ("faxpdf", "faxtiff") and rng.random() < 0.5:
            docs.insert(0, self.doc("cover_sheet", [self.page(forms.draw_cover)]))
        want = set()
        for item in self.required:
            if rng.random() < 0.78:
                want.add(item.split(":")[0])
        for t in EXTRA_TYPES:
            if rng.random() < 0.18:
                want.add(t)
        for t in sorted(want):
            docs += self.make(t)
        return docs

    def make(self, t):
        builders = {"clinical_notes": self.notes_doc, "labs": self.labs_docs, "ekg": self.ekg_doc}
        if t in builders:
            return builders[t]()
        fn = {"echo": records.draw_echo, "ambulatory_monitor": records.draw_holter,
              "discharge_summary": records.draw_discharge, "med_list": records.draw_medlist,
              "insurance": records.draw_insurance, "imaging": records.draw_imaging}.get(t)
        if t == "stress_test":
            st = ecg.strips(self.rng)
            return [self.doc(t, [self.page(lambda c, W, H, p, r, s: records.draw_stress(c, W, H, p, r, s, st))])]
        return [self.doc(t, [self.page(fn)])]

    def doc(self, t, pages, **kw):
        d = {"type": t, "pages": pages}
        d.update(kw)
        return d

    def page(self, fn, landscape=False, mono=False):
        return {"draw": fn, "landscape": landscape, "style": Style(self.rng, mono)}

    def form_doc(self):
        kind = self.rng.choice(sorted(forms.FORM_KINDS))
        self.form_kind = kind
        return self.doc("referral_form", [self.page(forms.FORM_KINDS[kind])])

    def notes_doc(self):
        n = self.rng.choice([1, 1, 2, 2, 3])
        pages = [self.page(lambda c, W, H, p, r, s, k=k: records.draw_note(c, W, H, p, r, s, k)) for k in range(n)]
        return [self.doc("clinical_notes", pages)]

    def labs_docs(self):
        rng = self.rng
        out = []
        for k in range(rng.choice([1, 1, 1, 2])):
            stale = rng.random() < 0.22
            age = rng.randrange(125, 400) if stale else rng.randrange(0, 60)
            date = self.received.date() - datetime.timedelta(days=age)
            draw = self.lab_panels()
            panels = sorted({"bnp" if x == "ntbnp" else x for x in draw}, key=PANEL_ORDER.index)
            doc = self.doc("labs", [], date=date.isoformat(), date_obj=date, panels=panels, draw_panels=draw,
                           reported=date + datetime.timedelta(days=1))
            doc["pages"] = [self.page(lambda c, W, H, p, r, s, d=doc: records.draw_labs(c, W, H, p, r, s, d))]
            out.append(doc)
        return out

    def lab_panels(self):
        rng = self.rng
        panels = [rng.choice(["bmp", "cmp"])]
        for extra, pr in [("lipid", 0.35), ("bnp", 0.25), ("ntbnp", 0.15), ("troponin", 0.1), ("cbc", 0.3),
                          ("a1c", 0.15), ("tsh", 0.15), ("inr", 0.1)]:
            if rng.random() < pr and not (extra == "ntbnp" and "bnp" in panels):
                panels.append(extra)
        if rng.random() < 0.15:
            panels = panels[1:] or panels
        return panels[:4]

    def ekg_doc(self):
        rng = self.rng
        date = self.received.date() - datetime.timedelta(days=rng.randrange(0, 45))
        if self.real_ecgs and rng.random() < 0.45:
            d = self.doc("ekg", [], date=None, image=rng.choice(self.real_ecgs))
            d["pages"] = [self.page(lambda c, W, H, p, r, s, d=d: ecg.draw_real_ekg(c, W, H, p, r, s, d), True)]
            return [d]
        text = rng.random() < 0.65
        d = self.doc("ekg", [], date=date.isoformat() if text else None, date_obj=date, ekg_text=text,
                     ekg_layout=rng.choice(["3x4", "6x2"]), colour=self.format != "faxpdf" and rng.random() < 0.5)
        d["pages"] = [self.page(lambda c, W, H, p, r, s, d=d: ecg.draw_ekg(c, W, H, p, r, s, d),
                                rng.random() < 0.85)]
        return [d]

    # --- mentions ----------------------------------------------------------
    def choose_mentions(self):
        rng = self.rng
        present = {d["type"] for d in self.docs}
        form, note = [], []
        for t, phrases in sorted(MENTIONS.items()):
            if rng.random() < (0.45 if t not in present else 0.08):
                to_note = "clinical_notes" in present and rng.random() < 0.5
                (note if to_note else form).append(rng.choice(phrases))
        return form, note

# records.py owns the enclosed clinical documents other than referral forms
# and EKGs: notes, labs, echo, stress test, Holter, discharge summary,
# medication list, insurance card, imaging. Each draw_* draws one page.
from . import people
from .clinical import PANELS, REF_RANGES, PANEL_TITLES, MEDS, LAB_NAMES
from .forms import patient_pairs
from .render import Cursor


def banner(cur, p, rng, title):
    cur.line(title, bold=True, size=cur.s.size + 4)
    if rng.random() < 0.6:
        cur.line(p.ref["practice"] if rng.random() < 0.5 else rng.choice(LAB_NAMES))
    cur.fields(patient_pairs(p, rng))
    cur.rule()


NOTE_SECTIONS = [
    ("Chief Complaint", ["Shortness of breath", "Palpitations", "Chest discomfort", "Follow-up of hypertension"]),
    ("History of Present Illness", ["Patient reports %s for the past %d weeks, worse with exertion. Denies "
                                    "syncope. Sleeps on two pillows. Tolerating medications without side effects."]),
    ("Review of Systems", ["Negative except as noted in HPI. No fevers, no weight loss, no GI bleeding."]),
    ("Vitals", ["BP %d/%d  HR %d  RR 16  SpO2 %d%%  Wt %d lb"]),
    ("Physical Exam", ["Alert, no distress. JVP not elevated. Regular rhythm, II/VI systolic murmur at RUSB. "
                       "Lungs clear. Trace bilateral ankle edema."]),
    ("Assessment and Plan", ["1. %s. Refer to cardiology. 2. Continue current medications. "
                             "3. Return in 4 weeks."]),
]


def note_text(p, rng, sec):
    name, options = sec
    t = rng.choice(options)
    if "%s for the past" in t:
        return t % (rng.choice(["dyspnea", "fatigue", "intermittent palpitations"]), rng.randrange(2, 12))
    if t.startswith("BP"):
        return t % (rng.randrange(105, 175), rng.randrange(60, 100), rng.randrange(48, 118),
                    rng.randrange(91, 100), rng.randrange(110, 290))
    if "%s. Refer" in t:
        return t % p.reason
    return t


def draw_note(c, W, H, p, rng, st, part=0):
    cur = Cursor(c, st, W, H)
    title = rng.choice(["PROGRESS NOTE", "Office Visit", "Clinic Note", "History and Physical",
                        "Consultation Note", "Follow-Up Visit"])
    banner(cur, p, rng, title + (" (continued)" if part else ""))
    for sec in NOTE_SECTIONS[(part * 3) % 6:] + NOTE_SECTIONS[:(part * 3) % 6]:
        if not cur.room(5):
            break
        cur.line(cur.label(sec[0]), bold=True)
        cur.para(note_text(p, rng, sec), indent=8)
        if sec[0] == "Assessment and Plan":
            for m in p.note_mentions:
                cur.para("- " + m, indent=8)
        cur.gap(0.4)
    if rng.random() < 0.5 and cur.room(6):
        cur.line(cur.label("Medications"), bold=True)
        for m in rng.sample(MEDS, 4):
            cur.line(m, indent=10)
    cur.gap()
    cur.line("Electronically signed by %s %s, %s" % (p.ref["given"], p.ref["family"], p.ref["cred"]))


def lab_flag(v, rr):
    """H / L against a printed reference range ('3.5-5.1', '<200', '>40')."""
    if rr.startswith("<"):
        return "H" if v >= float(rr[1:]) else ""
    if rr.startswith(">"):
        return "L" if v <= float(rr[1:]) else ""
    lo, hi = (float(x) for x in rr.split("-"))
    return "H" if v > hi else "L" if v < lo else ""


def lab_rows(panel, rng):
    rows = []
    analytes = PANELS["bmp"] + PANELS["cmp_extra"] + PANELS["cmp"] if panel == "cmp" else PANELS[panel]
    for code, name, unit, lo, hi, dec in analytes:
        v = rng.uniform(lo, hi)
        val = ("%." + str(dec) + "f") % v
        rr = REF_RANGES[code]
        flag = lab_flag(float(val), rr)
        rows.append((name, val, flag, unit, rr))
    return rows


def draw_labs(c, W, H, p, rng, st, doc):
    cur = Cursor(c, st, W, H)
    banner(cur, p, rng, rng.choice(["LABORATORY REPORT", "Lab Results", "CUMULATIVE RESULTS", "Final Report"]))
    coll = people.fmt_date(doc["date_obj"], rng)
    cur.fields([(rng.choice(["Collected", "Collection Date", "Specimen Collected", "Drawn"]),
                 coll + rng.choice(["", " 07:42", " 8:15 AM"])),
                ("Reported", people.fmt_date(doc["reported"], rng)),
                ("Ordering", "%s %s" % (p.ref["given"], p.ref["family"]))])
    for panel in doc["draw_panels"]:
        if not cur.room(4):
            break
        cur.gap(0.5)
        cur.line(PANEL_TITLES[panel], bold=True)
        cur.table(["Test", "Result", "Flag", "Units", "Reference"], lab_rows(panel, rng),
                  [0.38, 0.14, 0.08, 0.16, 0.24])
    cur.gap()
    cur.line("** End of report **")


def draw_echo(c, W, H, p, rng, st):
    cur = Cursor(c, st, W, H)
    banner(cur, p, rng, rng.choice(["TRANSTHORACIC ECHOCARDIOGRAM", "Echocardiography Report", "ECHO REPORT"]))
    ef = rng.randrange(20, 65)
    cur.fields([("Study date", people.fmt_date(p.visit, rng)), ("Indication", p.reason[:50])])
    cur.table(["Measurement", "Value", "Normal"], [
        ("LVEF (biplane)", "%d %%" % ef, "52-72 %"), ("LVIDd", "%.1f cm" % rng.uniform(4.2, 6.8), "4.2-5.8"),
        ("IVSd", "%.1f cm" % rng.uniform(0.7, 1.5), "0.6-1.0"), ("LA volume index", "%d mL/m2" % rng.randrange(22, 60), "<34"),
        ("TAPSE", "%.1f cm" % rng.uniform(1.2, 2.6), ">1.7"), ("RVSP", "%d mmHg" % rng.randrange(20, 60), "<35")])
    cur.gap()
    cur.line("Findings:", bold=True)
    cur.para("Left ventricle is %s with LVEF estimated at %d%%. Mild mitral regurgitation. No pericardial "
             "effusion. Doppler parameters consistent with grade I diastolic dysfunction." %
             (rng.choice(["mildly dilated", "normal in size"]), ef))
    cur.line("Interpreting physician: Dr. %s" % rng.choice(people.DOC_FAMILY))


def draw_stress(c, W, H, p, rng, st, strips):
    cur = Cursor(c, st, W, H)
    banner(cur, p, rng, rng.choice(["EXERCISE STRESS TEST", "Treadmill Stress Test Report", "NUCLEAR STRESS TEST"]))
    cur.fields([("Protocol", "Bruce"), ("Exercise time", "%d:%02d" % (rng.randrange(3, 12), rng.randrange(60))),
                ("Max HR", "%d bpm (%d%% MPHR)" % (rng.randrange(110, 170), rng.randrange(70, 100))),
                ("METs", "%.1f" % rng.uniform(4, 12))])
    cur.table(["Stage", "Time", "HR", "BP", "ST"], [
        ("Rest", "0:00", rng.randrange(60, 90), "128/80", "0.0 mm"),
        ("1", "3:00", rng.randrange(90, 120), "142/82", "-0.5 mm"),
        ("2", "6:00", rng.randrange(110, 150), "160/84", "-1.0 mm"),
        ("Recovery", "3:00", rng.randrange(80, 110), "136/80", "0.0 mm")])
    cur.para("Conclusion: %s" % rng.choice(["Positive for ischemia by ECG criteria.",
                                            "Negative for ischemia at adequate workload.",
                                            "Nondiagnostic; submaximal heart rate."]))
    strips(c, cur.x0, cur.s.margin, cur.x1 - cur.x0, max(60, cur.y - cur.s.margin - 20))


def draw_holter(c, W, H, p, rng, st):
    cur = Cursor(c, st, W, H)
    banner(cur, p, rng, rng.choice(["HOLTER MONITOR REPORT", "48-Hour Ambulatory ECG", "Event Monitor Summary"]))
    cur.fields([("Hookup", people.fmt_date(p.visit, rng)), ("Duration", "%d h" % rng.choice([24, 48, 72])),
                ("Total beats", "%d" % rng.randrange(80000, 200000)),
                ("Min/Avg/Max HR", "%d / %d / %d" % (rng.randrange(38, 55), rng.randrange(60, 85), rng.randrange(110, 170))),
                ("PVC burden", "%.1f %%" % rng.uniform(0, 18)), ("Longest pause", "%.1f s" % rng.uniform(1.2, 3.6))])
    cur.para("Interpretation: predominant sinus rhythm; %s" % rng.choice([
        "paroxysmal atrial fibrillation, longest episode 2 h 14 min.", "frequent unifocal PVCs.",
        "no significant pauses.", "symptoms correlated with sinus tachycardia."]))


def draw_discharge(c, W, H, p, rng, st):
    cur = Cursor(c, st, W, H)
    banner(cur, p, rng, rng.choice(["DISCHARGE SUMMARY", "Hospital Discharge Summary"]))
    cur.fields([("Admitted", people.fmt_date(p.visit, rng)), ("Discharged", people.fmt_date(p.visit, rng)),
                ("Attending", "Dr. %s" % rng.choice(people.DOC_FAMILY))])
    cur.line("Hospital Course:", bold=True)
    cur.para("Admitted with %s. Troponin peaked at 48 ng/L, BNP 880 pg/mL. EKG showed sinus rhythm. "
             "Echo showed reduced EF. Diuresed 4 L. Discharged in stable condition." % p.reason.lower())
    cur.line("Discharge Medications:", bold=True)
    for m in rng.sample(MEDS, 5):
        cur.line(m, indent=10)


def med_row(m):
    """'metoprolol succinate 50 mg daily' -> ('metoprolol succinate', '50 mg', 'daily')."""
    words = m.split(" ")
    k = next(i for i, w in enumerate(words) if any(ch.isdigit() for ch in w))
    return " ".join(words[:k]), " ".join(words[k:k + 2]), " ".join(words[k + 2:])


def draw_medlist(c, W, H, p, rng, st):
    cur = Cursor(c, st, W, H)
    banner(cur, p, rng, rng.choice(["MEDICATION LIST", "Current Medications", "Active Medication List"]))
    rows = [med_row(m) + ("Active",) for m in rng.sample(MEDS, rng.randrange(5, 10))]
    cur.table(["Medication", "Dose", "Sig", "Status"], rows, [0.35, 0.2, 0.3, 0.15])
    cur.line("Allergies: %s" % rng.choice(["NKDA", "Penicillin (rash)", "Sulfa"]))


def draw_insurance(c, W, H, p, rng, st):
    cur = Cursor(c, st, W, H)
    cur.line(rng.choice(["Insurance card (front/back)", "COPY OF INSURANCE CARD", ""]), bold=True)
    for side in range(2):
        y0 = cur.y - 170 - side * 200
        c.setLineWidth(1.5)
        c.roundRect(cur.x0, y0, 300, 170, 12)
        c.setFont(st.bold, 13)
        c.drawString(cur.x0 + 12, y0 + 145, rng.choice(["BlueHarbor Health", "Acme Mutual PPO", "Medicare"]))
        c.setFont(st.font, 9)
        lines = ["Member: %s %s" % (p.patient["given"].upper(), p.patient["family"].upper()),
                 "ID: %s" % p.patient["policy"], "Group: %05d" % rng.randrange(10 ** 5),
                 "Copay Spec $50  ER $150"] if side == 0 else [
                 "Claims: PO Box %d" % rng.randrange(1000, 9999), "Provider line 1-555-%03d-%04d" % (
                     rng.randrange(200, 999), rng.randrange(10 ** 4)), "Rx BIN 610014"]
        for k, ln in enumerate(lines):
            c.drawString(cur.x0 + 12, y0 + 120 - 16 * k, ln)


def draw_imaging(c, W, H, p, rng, st):
    cur = Cursor(c, st, W, H)
    banner(cur, p, rng, rng.choice(["CT CORONARY CALCIUM SCORE", "CARDIAC CATHETERIZATION REPORT"]))
    cur.para("Agatston score %d. Distribution: LAD %d, LCx %d, RCA %d. Percentile for age and sex: %d." % (
        rng.randrange(0, 900), rng.randrange(200), rng.randrange(100), rng.randrange(300), rng.randrange(1, 99)))


def draw_blank(c, W, H, p, rng, st):
    if rng.random() < 0.4:
        c.setFont(st.font, 8)
        c.drawString(W / 2 - 40, 40, rng.choice(["(intentionally blank)", "", "- -"]))

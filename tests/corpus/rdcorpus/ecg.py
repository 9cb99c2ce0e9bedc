# ecg.py owns EKG pages: synthetic 12-lead tracings (sum-of-Gaussians beats on
# a 1 mm / 5 mm grid, 3x4 + rhythm strip or 6x2, with or without machine
# text) and pages built from the real de-identified images of --ecg-dir.
import math
import os

from reportlab.lib.utils import ImageReader

from . import people

MM = 72 / 25.4
LEADS = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"]
# per lead: (P, Q, R, S, T) amplitudes in mV
AMPS = {"I": (.1, -.05, .8, -.1, .25), "II": (.15, -.05, 1.1, -.2, .3), "III": (.05, -.1, .4, -.2, .1),
        "aVR": (-.1, .05, -.7, .1, -.2), "aVL": (.05, -.05, .4, -.1, .1), "aVF": (.1, -.05, .7, -.15, .2),
        "V1": (.05, 0, .3, -1.0, -.1), "V2": (.08, 0, .6, -1.2, .3), "V3": (.1, -.05, .9, -.7, .4),
        "V4": (.1, -.08, 1.4, -.4, .45), "V5": (.1, -.1, 1.3, -.2, .35), "V6": (.1, -.1, 1.0, -.1, .3)}


class Rhythm:
    def __init__(self, rng):
        self.kind = rng.choice(["sinus", "sinus", "af", "brady", "pvc", "lvh"])
        self.rate = {"brady": rng.randrange(40, 55), "af": rng.randrange(80, 130)}.get(
            self.kind, rng.randrange(58, 98))
        self.wide = rng.random() < 0.2
        self.seed = rng.randrange(10 ** 6)
        self.beats = self.beat_times(rng)

    def beat_times(self, rng):
        t, out, rr = 0.3, [], 60.0 / self.rate
        while t < 12:
            out.append(t)
            t += rr * (rng.uniform(0.6, 1.4) if self.kind == "af" else rng.uniform(0.97, 1.03))
        return out

    def value(self, lead, t):
        p, q, r, s, tw = AMPS[lead]
        if self.kind == "lvh":
            r, s = r * 1.8, s * 1.8
        qrs_w = 0.018 if self.wide else 0.010
        v = 0.0
        for k, b in enumerate(self.beats):
            d = t - b
            if d < -0.3 or d > 0.6:
                continue
            pvc = self.kind == "pvc" and k % 4 == 3
            if self.kind != "af" and not pvc:
                v += p * math.exp(-((d + 0.16) / 0.025) ** 2)
            w = qrs_w * (2.5 if pvc else 1)
            v += q * math.exp(-((d + 0.03) / 0.008) ** 2) + (r * (1.4 if pvc else 1)) * math.exp(-(d / w) ** 2)
            v += s * math.exp(-((d - 0.03) / 0.01) ** 2) + (-tw if pvc else tw) * math.exp(-((d - 0.28) / 0.06) ** 2)
        if self.kind == "af":
            v += 0.04 * math.sin(t * 37 + self.seed) * math.sin(t * 11)
        return v


def grid(c, x, y, w, h, colour):
    light, dark = ((1, .8, .8), (.95, .5, .5)) if colour else ((.82, .82, .82), (.6, .6, .6))
    for k in range(int(w / MM) + 1):
        c.setStrokeColorRGB(*(dark if k % 5 == 0 else light))
        c.setLineWidth(.5 if k % 5 == 0 else .2)
        c.line(x + k * MM, y, x + k * MM, y + h)
    for k in range(int(h / MM) + 1):
        c.setStrokeColorRGB(*(dark if k % 5 == 0 else light))
        c.setLineWidth(.5 if k % 5 == 0 else .2)
        c.line(x, y + k * MM, x + w, y + k * MM)
    c.setStrokeColorRGB(0, 0, 0)


def trace(c, rh, lead, x, y, w, t0, label=True):
    """Draw lead from time t0 over width w (25 mm/s, 10 mm/mV), baseline y."""
    secs = w / (25 * MM)
    path = c.beginPath()
    n = int(w / 0.8)
    for i in range(n + 1):
        t = t0 + secs * i / n
        px, py = x + w * i / n, y + rh.value(lead, t) * 10 * MM
        path.lineTo(px, py) if i else path.moveTo(px, py)
    c.setLineWidth(0.9)
    c.drawPath(path, stroke=1, fill=0)
    if label:
        c.setFont("Helvetica", 8)
        c.drawString(x + 2, y + 9 * MM, lead)


def layout_3x4(c, rh, x, y, w, h):
    rowh = h / 4
    for r in range(3):
        for col in range(4):
            lead = LEADS[col * 3 + r]
            trace(c, rh, lead, x + col * w / 4, y + h - (r + 0.6) * rowh, w / 4, col * 2.5)
    trace(c, rh, "II", x, y + rowh * 0.4, w, 0)


def layout_6x2(c, rh, x, y, w, h):
    rowh = h / 6
    for r in range(6):
        for col in range(2):
            trace(c, rh, LEADS[col * 6 + r], x + col * w / 2, y + h - (r + 0.55) * rowh, w / 2, col * 5)


def machine_text(c, p, rng, rh, x, y, doc):
    c.setFont(rng.choice(["Helvetica", "Courier"]), 8.5)
    pr, qrs = rng.randrange(120, 220), rng.randrange(80, 150) if rh.wide else rng.randrange(76, 110)
    qt = rng.randrange(340, 460)
    interp = {"sinus": "Normal sinus rhythm", "af": "Atrial fibrillation with rapid ventricular response",
              "brady": "Sinus bradycardia with 1st degree AV block", "pvc": "Sinus rhythm with frequent PVCs",
              "lvh": "Left ventricular hypertrophy with repolarization abnormality"}[rh.kind]
    lines = ["%s   ID:%s   %s" % ("%s, %s" % (p.patient["family"].upper(), p.patient["given"].upper())
                                  if rng.random() < 0.7 else "", p.patient["mrn"] or "", people.fmt_date(doc["date_obj"], rng)
                                  + " %02d:%02d:%02d" % (rng.randrange(7, 18), rng.randrange(60), rng.randrange(60))),
             "Vent. rate %d BPM    PR interval %d ms    QRS duration %d ms" % (rh.rate, pr, qrs),
             "QT/QTc %d/%d ms    P-R-T axes %d %d %d" % (qt, qt + rng.randrange(5, 50), rng.randrange(-30, 80),
                                                         rng.randrange(-40, 100), rng.randrange(-20, 90)),
             interp, rng.choice(["Abnormal ECG", "Borderline ECG", "Unconfirmed report"])]
    for k, ln in enumerate(lines):
        c.drawString(x, y - k * 10, ln)


def draw_ekg(c, W, H, p, rng, st, doc):
    rh = Rhythm(rng)
    colour = doc.get("colour", False)
    text = doc["ekg_text"]
    top = H - 30 - (60 if text else 0)
    x, y, w, h = 30, 40, W - 60, top - 40
    grid(c, x, y, w, h, colour)
    c.setStrokeColorRGB(0, 0, 0)
    (layout_3x4 if doc["ekg_layout"] == "3x4" else layout_6x2)(c, rh, x, y, w, h)
    if text:
        machine_text(c, p, rng, rh, x, H - 32, doc)
    if text or rng.random() < 0.5:
        c.setFont("Helvetica", 7)
        c.drawString(x, 28, "25 mm/s  10 mm/mV  %s" % rng.choice(["0.05-150 Hz", "40 Hz", "W~ 0.5-100 Hz"]))


def strips(rng):
    rh = Rhythm(rng)

    def draw(c, x, y, w, h):
        n = 3
        grid(c, x, y, w, h, False)
        for k, lead in enumerate(["II", "V2", "V5"][:n]):
            trace(c, rh, lead, x, y + h - (k + 0.6) * h / n, w, k * 3)
    return draw


def real_images(ecg_dir):
    if not ecg_dir or not os.path.isdir(ecg_dir):
        return []
    ext = (".png", ".jpg", ".jpeg", ".bmp")
    return sorted(os.path.join(ecg_dir, f) for f in os.listdir(ecg_dir) if f.lower().endswith(ext))


def draw_real_ekg(c, W, H, p, rng, st, doc):
    from PIL import Image
    im = Image.open(doc["image"]).convert("RGB")
    iw, ih = im.size
    scale = min((W - 40) / iw, (H - 60) / ih)
    c.drawImage(ImageReader(im), (W - iw * scale) / 2, (H - ih * scale) / 2, iw * scale, ih * scale)

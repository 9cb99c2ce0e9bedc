# assemble.py owns turning a Packet into its item: the page sequence (order
# shuffles, duplicate and blank pages, pages fed turned), the damage plan,
# rendering, the fax PDF / TIFF / born-digital PDF output, and the truth's
# documents (runs of consecutive pages of one enclosed document).
import io
import random

import numpy as np
from reportlab.lib.pagesizes import letter, landscape
from reportlab.pdfgen import canvas

from . import raster, writers, records
from .faxhdr import Header
from .render import Style
from .people import OWN_FAX

GATEWAYS = ["HylaFAX 7.0", "RightFax 21.2", "j2 eFax Corporate", "Sfax", "Updox Fax", "Kno2 Fax",
            "Microsoft Fax and Scan", "FaxGate Inbound"]


def page_sequence(p, rng):
    docs = list(range(len(p.docs)))
    head = [i for i in docs if p.docs[i]["type"] == "cover_sheet"]
    rest = [i for i in docs if i not in head]
    if rng.random() < 0.25:
        rng.shuffle(rest)
        p.tags["order"] = "documents shuffled"
    seq = []
    for i in head + rest:
        for pg in p.docs[i]["pages"]:
            seq.append({"doc": i, "page": pg})
    if rng.random() < 0.12 and seq:
        k = rng.randrange(len(seq))
        seq.insert(k + 1 if rng.random() < 0.6 else len(seq), dict(seq[k]))
        p.tags["duplicate_page"] = p.docs[seq[k]["doc"]]["type"]
    if rng.random() < 0.12:
        blank = {"draw": records.draw_blank, "landscape": False, "style": Style(rng)}
        seq.insert(rng.randrange(1, len(seq) + 1), {"doc": None, "page": blank})
        p.tags["blank_page"] = True
    for e in seq:
        pg = e["page"]
        pg.setdefault("seed", rng.randrange(1 << 30))
        pg.setdefault("turn", (90 if rng.random() < 0.8 else 270) if pg["landscape"]
                      else (180 if rng.random() < 0.06 else 0))
    p.tags["turned"] = sorted({"%s %d" % (p.docs[e["doc"]]["type"] if e["doc"] is not None else "blank", e["page"]["turn"])
                               for e in seq if e["page"]["turn"]})
    return seq


def render_pdf(p, seq, hdr_text=None):
    """Draw the pages with reportlab; hdr_text(i, n) -> text for an e-fax line or None."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, invariant=1)
    for i, e in enumerate(seq, 1):
        pg = e["page"]
        W, H = landscape(letter) if pg["landscape"] else letter
        c.setPageSize((W, H))
        pg["draw"](c, W, H, p, random.Random(pg["seed"]), pg["style"])
        if hdr_text:
            c.setFont("Helvetica", 7.5)
            c.drawString(18, H - 12, hdr_text(i, len(seq)))
        c.showPage()
    c.save()
    return buf.getvalue()


def damage_plan(rng, n):
    level = rng.choice(["clean", "light", "light", "heavy"])
    damage_plan.level = level
    heavy = level == "heavy"
    out = []
    for _ in range(n):
        out.append({
            "bias": rng.uniform(-35, 35) if level != "clean" else 0.0,
            "threshold": rng.uniform(120, 175),
            "noise": rng.uniform(0, 28 if heavy else 12),
            "speckle": rng.uniform(0, 0.003 if heavy else 0.0006),
            "skew": rng.uniform(-3.5, 3.5) if heavy else rng.uniform(-1, 1),
            "dropped": [rng.randrange(100, 2100) for _ in range(rng.randrange(0, 4 if heavy else 2))],
            "drop_h": rng.randrange(1, 4), "drop_black": rng.random() < 0.2,
            "streak": rng.randrange(100, 1600) if heavy and rng.random() < 0.3 else None})
    return out


def fax_images(p, seq, rng, fine, with_header=True):
    """The 1-bit pages of a fax of seq (pages rendered once, duplicates reuse the raster)."""
    uniq = []
    for e in seq:
        if not any(e["page"] is u for u in uniq):
            uniq.append(e["page"])
    ims = raster.rasterise(render_pdf(p, [{"page": u} for u in uniq]))
    by_id = {id(u): im for u, im in zip(uniq, ims)}
    hdr = Header(rng, p.ref["practice"], p.ref["fax"] or p.ref["phone"], OWN_FAX)
    no_header = not with_header or rng.random() < 0.1
    plan = damage_plan(rng, len(seq))
    p.tags["damage"] = damage_plan.level
    rng_np = np.random.default_rng(rng.randrange(1 << 30))
    out = []
    for i, (e, dmg) in enumerate(zip(seq, plan), 1):
        lines = None if no_header else hdr.lines(p.received, i, len(seq))
        out.append(raster.fax_page(by_id[id(e["page"])], e["page"], lines, hdr, dmg, rng_np, fine))
    p.header_kind = "none" if no_header else hdr.kind
    if not no_header:
        p.tags["header_format"] = "%s date:%s time:%s page:%s%s" % (
            hdr.kind, hdr.date_style, hdr.time_style, hdr.page_style, " split" if hdr.split else "")
    return out


def write_fax(p, seq, rng, tiff):
    fine = rng.random() < 0.6
    ims = fax_images(p, seq, rng, fine)
    p.fax_res = "fine" if fine else "standard"
    dpi = (204, 196 if fine else 98)
    if tiff:
        return writers.fax_tiff(ims, fine, p.received, g4=rng.random() < 0.6 or fine)
    return writers.fax_pdf(ims, [dpi] * len(ims), p.received, rng.choice(GATEWAYS), g4=rng.random() < 0.75)


def efax_line(p, rng):
    hdr = Header(rng, p.ref["practice"], p.ref["fax"] or p.ref["phone"], OWN_FAX)
    hdr.split = False
    p.header_kind = "efax-text:" + hdr.kind
    return lambda i, n: hdr.lines(p.received, i, n)[0]


def write_digital(p, seq, rng, header=True):
    hdr = efax_line(p, rng) if header and rng.random() < 0.8 else None
    if not hdr:
        p.header_kind = "none"
    return writers.set_creation_date(render_pdf(p, seq, hdr), p.received)


def documents(p, seq, first_page=1):
    """Truth documents: runs of consecutive pages of one document; blanks belong to none."""
    out, prev = [], None
    for k, e in enumerate(seq):
        num = first_page + k
        if e["doc"] is None:
            prev = None
            continue
        if prev == e["doc"] and out:
            out[-1]["pages"].append(num)
        else:
            out.append(truth_doc(p.docs[e["doc"]], num))
        prev = e["doc"]
    return out


def truth_doc(d, num):
    t = {"type": d["type"], "pages": [num]}
    if d["type"] in ("ekg", "labs"):
        t["date"] = d.get("date")
    if d["type"] == "labs":
        t["panels"] = list(d["panels"])
    return t

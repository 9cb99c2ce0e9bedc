# render.py owns the drawing primitives on a reportlab canvas: font choice,
# page style (sizes, margins, columns), flowing text, labelled fields, tables,
# checkboxes (glyphs or drawn), circled words and stamps.
import os

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation2",
             "/usr/share/fonts/truetype/liberation"]
TTF_FAMILIES = {
    "DejaVuSans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "DejaVuSerif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    "DejaVuSansMono": ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
    "DejaVuSansCondensed": ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
    "LiberationSans": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    "LiberationSerif": ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"),
    "LiberationMono": ("LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf"),
}
BASE14 = {"Helvetica": "Helvetica-Bold", "Times-Roman": "Times-Bold", "Courier": "Courier-Bold"}
_fonts = None


def find_font(fname):
    for d in FONT_DIRS:
        p = os.path.join(d, fname)
        if os.path.exists(p):
            return p
    return None


def fonts():
    """{regular: (bold, has_unicode_boxes)} for every usable font family."""
    global _fonts
    if _fonts is None:
        _fonts = {k: (v, False) for k, v in BASE14.items()}
        for fam, (reg, bold) in sorted(TTF_FAMILIES.items()):
            preg, pbold = find_font(reg), find_font(bold)
            if preg and pbold:
                reg_f, bold_f = TTFont(fam, preg), TTFont(fam + "-B", pbold)
                pdfmetrics.registerFont(reg_f)
                pdfmetrics.registerFont(bold_f)
                # ballot boxes and the check mark only where the font draws
                # them (DejaVu Serif has none: they came out as blank boxes
                # whether ticked or not, a truth no reader can see)
                boxes = all(ord(g) in f.face.charToGlyph for g in "☐☒✓" for f in (reg_f, bold_f))
                _fonts[fam] = (fam + "-B", boxes)
    return _fonts


class Style:
    """Randomised look of one document: font, size, margins, columns."""

    def __init__(self, rng, mono=False):
        f = fonts()
        names = sorted(f)
        if mono:
            names = [n for n in names if "Mono" in n or n == "Courier"] or names
        self.font = rng.choice(names)
        self.bold, self.unicode_boxes = f[self.font]
        self.size = rng.choice([8.5, 9, 9.5, 10, 10.5, 11, 12])
        self.lead = self.size * rng.uniform(1.2, 1.55)
        self.margin = rng.choice([36, 44, 54, 60, 72, 86])
        self.two_col = rng.random() < 0.4
        self.upper_labels = rng.random() < 0.3
        self.colon = rng.choice([":", ":", ":", "", " -", "#:"])
        # the same draws as before, when every DejaVu family counted as
        # having the glyphs, so other seeds keep their packets; a font
        # without them then draws its boxes with lines, its tick an X
        drawn_before = self.unicode_boxes or self.font.startswith("DejaVu")
        self.box_kind = rng.choice(["text", "drawn", "glyph"] if drawn_before else ["text", "drawn"])
        self.tick = rng.choice(["X", "x", "✓"] if drawn_before else ["X", "x"])
        if not self.unicode_boxes:
            self.box_kind = "drawn" if self.box_kind == "glyph" else self.box_kind
            self.tick = "X" if self.tick == "✓" else self.tick
        if self.tick == "✓" and self.size >= 10.5:
            self.tick = "■"     # a filled box; chosen without a new draw so older seeds keep their packets


class Cursor:
    """Top-down writer on one page."""

    def __init__(self, c, style, width, height, top=None):
        self.c, self.s, self.w, self.h = c, style, width, height
        self.x0 = style.margin
        self.x1 = width - style.margin
        self.y = top if top is not None else height - style.margin

    def room(self, lines=1):
        return self.y - lines * self.s.lead > self.s.margin * 0.6

    def text(self, x, s, bold=False, size=None):
        self.c.setFont(self.s.bold if bold else self.s.font, size or self.s.size)
        self.c.drawString(x, self.y, s)

    def width(self, s, bold=False, size=None):
        return pdfmetrics.stringWidth(s, self.s.bold if bold else self.s.font, size or self.s.size)

    def line(self, s="", bold=False, size=None, indent=0):
        if s:
            self.text(self.x0 + indent, s, bold, size)
        self.y -= (size or self.s.size) * (self.s.lead / self.s.size)

    def para(self, s, bold=False, indent=0):
        words, cur = s.split(), ""
        limit = self.x1 - self.x0 - indent
        for w in words:
            trial = (cur + " " + w).strip()
            if self.width(trial, bold) > limit and cur:
                self.line(cur, bold, indent=indent)
                cur = w
            else:
                cur = trial
        if cur:
            self.line(cur, bold, indent=indent)

    def gap(self, k=0.6):
        self.y -= self.s.lead * k

    def rule(self):
        self.c.setLineWidth(0.8)
        self.c.line(self.x0, self.y + self.s.size * 0.9, self.x1, self.y + self.s.size * 0.9)
        self.gap(0.4)

    def label(self, lab):
        lab = lab.upper() if self.s.upper_labels else lab
        return lab + self.s.colon

    def fields(self, pairs, boxed=False):
        """Labelled values, one or two columns; pairs of (label, value)."""
        cols = 2 if self.s.two_col and len(pairs) > 2 else 1
        colw = (self.x1 - self.x0) / cols
        for i in range(0, len(pairs), cols):
            for j, (lab, val) in enumerate(pairs[i:i + cols]):
                x = self.x0 + j * colw
                lab = self.label(lab)
                self.text(x, lab, bold=True)
                self.text(x + self.width(lab, True) + 5, val or "")
                if boxed:
                    self.c.setLineWidth(0.6)
                    self.c.rect(x - 2, self.y - self.s.size * 0.45, colw - 6, self.s.lead)
            self.line()

    def table(self, header, rows, widths=None):
        n = len(header)
        widths = widths or [1.0 / n] * n
        span = self.x1 - self.x0
        xs = [self.x0 + span * sum(widths[:k]) for k in range(n)]
        for k, h in enumerate(header):
            self.text(xs[k], h, bold=True)
        self.line()
        self.c.setLineWidth(0.5)
        self.c.line(self.x0, self.y + self.s.lead * 0.75, self.x1, self.y + self.s.lead * 0.75)
        for r in rows:
            for k, v in enumerate(r):
                self.text(xs[k], str(v))
            self.line()

    def checkbox(self, x, checked):
        """Draw one checkbox at x on the current line; return its width."""
        s = self.s
        if s.box_kind == "glyph":
            g = ("☒" if s.tick != "■" else "■") if checked else "☐"
            self.text(x, g)
            return self.width(g) + 3
        if s.box_kind == "text":
            g = "[%s]" % s.tick if checked else "[ ]"
            self.text(x, g)
            return self.width(g) + 3
        sz = s.size * 0.85
        self.c.setLineWidth(0.8)
        self.c.rect(x, self.y - 1, sz, sz, fill=0)
        if checked:
            self.c.line(x, self.y - 1, x + sz, self.y - 1 + sz)
            self.c.line(x, self.y - 1 + sz, x + sz, self.y - 1)
        return sz + 4

    def choices(self, label, words, ticked, mode="box"):
        """One row: label, then each word with a box (or circled / bare)."""
        lab = self.label(label)
        self.text(self.x0, lab, bold=True)
        x = self.x0 + self.width(lab, True) + 8
        for w in words:
            if mode == "box":
                x += self.checkbox(x, w == ticked)
            self.text(x, w)
            ww = self.width(w)
            if mode == "circle" and w == ticked:
                self.c.setLineWidth(1.2)
                self.c.ellipse(x - 4, self.y - 4, x + ww + 4, self.y + self.s.size + 2)
            x += ww + 14
            if x > self.x1 - 40:
                self.line()
                x = self.x0 + 20
        self.line()

    def stamp(self, word, rng):
        c = self.c
        c.saveState()
        c.translate(rng.uniform(self.w * 0.45, self.w * 0.7), rng.uniform(self.h * 0.6, self.h * 0.85))
        c.rotate(rng.uniform(-20, 20))
        c.setLineWidth(3)
        c.setFont("Helvetica-Bold", 34)
        ww = pdfmetrics.stringWidth(word, "Helvetica-Bold", 34)
        c.rect(-10, -10, ww + 20, 48)
        c.drawString(0, 0, word)
        c.restoreState()

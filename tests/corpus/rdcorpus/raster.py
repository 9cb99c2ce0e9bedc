# raster.py owns turning drawn pages into what a fax machine sends: content
# PDF -> greyscale raster at fax resolution (pdftoppm), rotation/skew, noise,
# speckle, dropped lines, light/dark, the sending machine's header line, and
# the 1-bit threshold (204x196 fine or 204x98 standard).
import glob
import os
import re
import subprocess
import tempfile

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .render import find_font

FAX_W, FINE_H = 1728, 2156
TRUTH_ONLY = False      # gen-packets --truth-only: same draws, placeholder rasters


def rasterise(pdf_bytes, dpi=(204, 196), gray=True):
    """All pages of a PDF as PIL images (greyscale unless gray=False)."""
    if TRUTH_ONLY:
        n = len(re.findall(rb"/Type /Page\b(?!s)", pdf_bytes))
        return [Image.new("L", (8, 8), 255) for _ in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.pdf")
        with open(src, "wb") as f:
            f.write(pdf_bytes)
        mode = ["-gray"] if gray else []
        subprocess.run(["pdftoppm", *mode, "-rx", str(dpi[0]), "-ry", str(dpi[1]), src,
                        os.path.join(tmp, "p")], check=True)
        files = sorted(glob.glob(os.path.join(tmp, "p-*")), key=lambda p: int(p.rsplit("-", 1)[1].split(".")[0]))
        return [Image.open(f).copy() for f in files]


def to_fax_frame(im, landscape, turn):
    """Fit a page on the 1728-wide fine frame; landscape pages are fed sideways."""
    if landscape:
        im = im.rotate(90 if turn != 270 else 270, expand=True, fillcolor=255)
    if turn == 180:
        im = im.rotate(180, fillcolor=255)
    w, h = im.size
    if w != FAX_W:
        im = im.resize((FAX_W, max(1, int(h * FAX_W / w))), Image.BILINEAR)
    frame = Image.new("L", (FAX_W, FINE_H), 255)
    frame.paste(im.crop((0, 0, FAX_W, min(FINE_H, im.size[1]))), (0, 0))
    return frame


def skew(im, deg):
    return im.rotate(deg, resample=Image.BILINEAR, fillcolor=255) if deg else im


def header(im, lines, hdr):
    path = find_font(hdr.font) or find_font("DejaVuSansMono.ttf")
    font = ImageFont.truetype(path, hdr.size)
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, FAX_W, 12 + len(lines) * (hdr.size + 6)), fill=255)
    for k, ln in enumerate(lines):
        d.text((24, 8 + k * (hdr.size + 6)), ln, fill=0, font=font)
    return im


def degrade(im, dmg, rng_np):
    a = np.asarray(im, dtype=np.float32)
    a = a + dmg["bias"] + rng_np.normal(0, dmg["noise"], a.shape)
    bits = a < dmg["threshold"]
    speck = rng_np.random(a.shape) < dmg["speckle"]
    bits ^= speck
    for row in dmg["dropped"]:
        bits[row:row + dmg["drop_h"], :] = dmg["drop_black"]
    if dmg["streak"] is not None:
        bits[:, dmg["streak"]:dmg["streak"] + 3] = True
    return bits


def standard(bits):
    """Fine (196 lpi) -> standard (98 lpi): OR of each row pair, as a coarse scanner would."""
    h = bits.shape[0] // 2 * 2
    return bits[0:h:2] | bits[1:h:2]


def to_image(bits):
    return Image.fromarray((~bits).astype(np.uint8) * 255).convert("1")


def fax_page(im, page, hdr_lines, hdr, dmg, rng_np, fine):
    if TRUTH_ONLY:
        return Image.new("1", (8, 8), 1)
    frame = to_fax_frame(im, page["landscape"], page["turn"])
    frame = skew(frame, dmg["skew"])
    if hdr_lines:
        frame = header(frame, hdr_lines, hdr)
    bits = degrade(frame, dmg, rng_np)
    return to_image(bits if fine else standard(bits))

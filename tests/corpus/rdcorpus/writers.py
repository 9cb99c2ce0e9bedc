# writers.py owns the bytes of the items as they arrive: fax-gateway PDFs
# (one 1-bit CCITT G4 or Flate image per page, written here), multi-page fax
# TIFFs (G4/G3), and the CreationDate of born-digital PDFs.
import io
import struct
import zlib

import numpy as np
from PIL import Image, ImageChops, TiffImagePlugin


def inverted(im):
    """Pillow codes mode 1 as min-is-black (paper = 1 bits); a fax codes paper as white runs (0 bits)."""
    return ImageChops.invert(im.convert("L")).point(lambda v: 255 if v >= 128 else 0).convert("1")


def patch_min_is_white(data):
    """Set PhotometricInterpretation = 0 (min-is-white) in every IFD of a little-endian TIFF."""
    b = bytearray(data)
    assert b[:2] == b"II"
    off = struct.unpack_from("<I", b, 4)[0]
    while off:
        n = struct.unpack_from("<H", b, off)[0]
        for k in range(n):
            e = off + 2 + 12 * k
            if struct.unpack_from("<H", b, e)[0] == 262:
                struct.pack_into("<H", b, e + 8, 0)
        off = struct.unpack_from("<I", b, off + 2 + 12 * n)[0]
    return bytes(b)


def g4_strip(im):
    """CCITT G4 bytes of a 1-bit image, as one strip, paper coded as white runs."""
    buf = io.BytesIO()
    inverted(im).save(buf, "TIFF", compression="group4", strip_size=1 << 30)
    t = Image.open(io.BytesIO(buf.getvalue()))
    offs, counts = t.tag_v2[273], t.tag_v2[279]
    assert len(offs) == 1, "G4 image split in strips"
    return buf.getvalue()[offs[0]:offs[0] + counts[0]]


def flate_bits(im):
    a = ~np.asarray(im, dtype=bool)           # 1 = black ink
    packed = np.packbits(~a, axis=1)          # PDF DeviceGray 1 bit: 1 = white
    return zlib.compress(packed.tobytes(), 9)


def pdf_date(dt):
    return "D:%04d%02d%02d%02d%02d%02d" % (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second)


def fax_pdf(images, dpis, received, producer, g4=True):
    """A gateway PDF: each page one image; dpis[i] = (x, y) resolution."""
    objs = []

    def add(body):
        objs.append(body)
        return len(objs)

    kids = []
    pages_id = len(images) * 3 + 3
    for im, (dx, dy) in zip(images, dpis):
        w, h = im.size
        if g4:
            data = g4_strip(im)
            filt = b"/Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns %d /Rows %d /BlackIs1 false >>" % (w, h)
        else:
            data, filt = flate_bits(im), b"/Filter /FlateDecode"
        img = add(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                  b"/BitsPerComponent 1 %s /Length %d >>\nstream\n" % (w, h, filt, len(data)) + data + b"\nendstream")
        pw, ph = w * 72.0 / dx, h * 72.0 / dy
        content = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (pw, ph)
        cid = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im0 %d 0 R >> >> "
                        b"/Contents %d 0 R >>" % (pages_id, pw, ph, img, cid)))
    add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    add(b"<< /Producer (%s) /CreationDate (%s) >>" % (producer.encode(), pdf_date(received).encode()))
    add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)))
    return serialise(objs, catalog=len(objs) - 2, info=len(objs) - 1)


def serialise(objs, catalog, info):
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, catalog, info, xref))
    return out.getvalue()


def fax_tiff(images, fine, received, g4=True):
    buf = io.BytesIO()
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[306] = received.strftime("%Y:%m:%d %H:%M:%S")
    info[305] = "fax gateway"
    images = [inverted(im) for im in images]
    images[0].save(buf, "TIFF", save_all=True, append_images=images[1:],
                   compression="group4" if g4 else "group3", strip_size=1 << 30, dpi=(204, 196 if fine else 98), tiffinfo=info)
    return patch_min_is_white(buf.getvalue())


def set_creation_date(pdf, received):
    """reportlab's invariant mode stamps 2000-01-01; put the received time in, same length."""
    fixed = b"D:20000101000000+00'00'"
    return pdf.replace(fixed, (pdf_date(received) + "+00'00'").encode(), 2)

# faxhdr.py owns the header lines sending fax machines and services print on
# each page, modelled on their documented tag-line templates (HylaFAX
# TagLineFormat, RightFax, eFax/j2, Windows Fax and Scan, Sfax, Updox, Kno2,
# Brother/HP/Canon machines): any field order, split lines, date/time styles.
from .people import MONTHS

DAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]


def fdate(dt, style):
    y, m, d = dt.year, dt.month, dt.day
    return {
        "us4": "%02d/%02d/%04d" % (m, d, y), "us2": "%02d/%02d/%02d" % (m, d, y % 100),
        "iso": "%04d-%02d-%02d" % (y, m, d), "mon": "%s %d %04d" % (MONTHS[m - 1], d, y),
        "monc": "%s %d, %04d" % (MONTHS[m - 1], d, y), "MON-": "%s-%02d-%04d" % (MONTHS[m - 1].upper(), d, y),
        "d-MON": "%02d-%s-%02d" % (d, MONTHS[m - 1].upper(), y % 100), "ymd/": "%04d/%02d/%02d" % (y, m, d),
        "nopad": "%d/%d/%04d" % (m, d, y),
    }[style]


def ftime(dt, style):
    h12 = (dt.hour % 12) or 12
    ap = "AM" if dt.hour < 12 else "PM"
    return {"24": "%02d:%02d" % (dt.hour, dt.minute), "24s": "%02d:%02d:%02d" % (dt.hour, dt.minute, dt.second),
            "12": "%d:%02d %s" % (h12, dt.minute, ap), "12c": "%d:%02d%s" % (h12, dt.minute, ap.lower()),
            "12s": "%02d:%02d:%02d %s" % (h12, dt.minute, dt.second, ap)}[style]


def fpage(i, n, style):
    return {"of": "Page %d of %d" % (i, n), "OF3": "PAGE %03d OF %03d" % (i, n), "p.": "P.%02d" % i,
            "slash3": "%03d/%03d" % (i, n), "p/": "P. %d/%d" % (i, n), "pg": "Pg %d/%d" % (i, n),
            "p_": "p.%d" % i}[style]


def fnum(num, rng):
    a, b, c = num[:3], num[3:6], num[6:]
    return rng.choice(["(%s) %s-%s", "%s.%s.%s", "+1 %s%s%s", "%s-%s-%s", "%s%s%s", "1%s%s%s"]) % (a, b, c)


TEMPLATES = {
    "hylafax": ["{date} {time}  From: {name}  To: {to}  {page}", "From {name}|{date} {time}|{page}"],
    "rightfax": ["{date} {time}  FROM: {name}  TO: {to}  {page}", "RightFax {date} {time} {page} {name}"],
    "efax": ["{date} {time} FROM: {fax} {name} TO: {to} {page}", "{date} {time} eFax {fax} -> {to} {page}"],
    "winfax": ["{date} {time}   {fax}   {name}   {page}", "{name}  {fax}  {date} {time}  {page}"],
    "sfax": ["{date} {time} EST  From: {fax}  To: {to}  {page}", "Sfax | {name} | {date} {time} | {page}"],
    "updox": ["{date} {time} -0500 Updox {fax} {page}", "Received via Updox {date} {time} from {name} {page}"],
    "kno2": ["Kno2 | {date} {time} | From: {name} | {page}", "{date} {time} Kno2 {fax} {page}"],
    "brother": ["{date} {time} FAX {fax} {name} {page}", "{date} {dow} {time} FAX No. {fax} {page}"],
    "hp": ["{date} {time}  {name}  {fax}  {page}", "{name} {fax} {date} {time} {page}"],
    "canon": ["{date} {time} {fax} {name} -> {to} {page}", "{date} {dow} {time} FAX {fax} #{job} {page}"],
}
DATE_STYLES = {"hylafax": ["mon", "us4", "iso"], "rightfax": ["us4", "nopad", "us2"], "efax": ["us4", "us2", "iso"],
               "winfax": ["us4", "nopad", "mon"], "sfax": ["monc", "us4"], "updox": ["us4", "iso"],
               "kno2": ["iso", "us4"], "brother": ["MON-", "us2", "d-MON"], "hp": ["mon", "us2", "us4"],
               "canon": ["ymd/", "us2", "MON-"]}


class Header:
    """One sending machine's header style for a whole packet."""

    def __init__(self, rng, name, fax, to):
        self.kind = rng.choice(sorted(TEMPLATES))
        self.tmpl = rng.choice(TEMPLATES[self.kind])
        self.date_style = rng.choice(DATE_STYLES[self.kind])
        self.time_style = rng.choice(["24", "24s", "12", "12c", "12s"])
        self.page_style = rng.choice(["of", "OF3", "p.", "slash3", "p/", "pg", "p_"])
        limit = rng.choice([10, 14, 20, 40])
        self.name = name[:limit].upper() if rng.random() < 0.5 else name[:limit]
        self.fax = fnum(fax, rng) if fax else fnum("5550000000", rng)
        self.to = fnum(to, rng)
        self.split = rng.random() < 0.2
        self.job = rng.randrange(1000, 9999)
        self.font = rng.choice(["DejaVuSansMono.ttf", "DejaVuSans.ttf", "DejaVuSansMono-Bold.ttf",
                                "DejaVuSerif.ttf", "DejaVuSansCondensed.ttf"])
        self.size = rng.choice([18, 20, 22, 24, 26])

    def fill(self, tmpl, dt, i, n):
        return tmpl.format(date=fdate(dt, self.date_style), time=ftime(dt, self.time_style),
                           page=fpage(i, n, self.page_style), name=self.name, fax=self.fax,
                           to=self.to, dow=DAYS[dt.weekday()], job=self.job)

    def lines(self, dt, i, n):
        """One or two lines; a split falls between template fields, never inside one."""
        if not self.split:
            return [self.fill(self.tmpl, dt, i, n)]
        words = self.tmpl.split(" ")
        half = len(words) // 2
        return [self.fill(" ".join(words[:half]), dt, i, n).strip(),
                self.fill(" ".join(words[half:]), dt, i, n).strip()]

# people.py owns the invented identities and the printed forms of numbers and
# dates: names, practices, NANP 555 numbers, Luhn-valid NPIs, MRNs, date styles.
import datetime

GIVEN_F = ["Maria", "Barbara", "Aisha", "Linh", "Margaret", "Rosa", "Ingrid", "Keisha",
           "Priya", "Dorothy", "Mei", "Fatima", "Janet", "Olga", "Carmen", "Ruth", "Ngozi", "Ellen"]
GIVEN_M = ["James", "Samuel", "Tomas", "Raj", "Wei", "Harold", "Dmitri", "Kwame", "Luis",
           "Arthur", "Kenji", "Omar", "Walter", "Bruce", "Hector", "Ahmed", "Pavel", "Dennis"]
FAMILY = ["Alvarez", "Okafor", "Nguyen", "Kowalski", "Lindqvist", "Haddad", "Brennan",
          "Castellanos", "Tanaka", "Abernathy", "Mbeki", "Petrov", "Delacroix", "Whitfield",
          "Marchetti", "Oyelaran", "Gallagher", "Romero", "Shapiro", "Halvorsen", "Iwu",
          "Fitzgerald", "Szymanski", "Quintero", "Holloway", "Baptiste", "Novak", "Chowdhury"]
DOC_GIVEN = ["Samuel", "Elena", "David", "Grace", "Anil", "Catherine", "Marcus", "Yuki",
             "Robert", "Leah", "Farid", "Helen", "Victor", "Nadia", "George", "Irene"]
DOC_FAMILY = ["Okonkwo", "Whitaker", "Ramanathan", "Delgado", "Fairbanks", "Lindgren",
              "Osei", "Park", "Brandt", "Morales", "Kaplan", "Adeyemi", "Sorensen", "Hughes"]
CREDENTIALS = ["MD", "M.D.", "DO", "D.O.", "NP", "PA-C", "MD, FACP", "FNP-BC"]
PRACTICE_A = ["Riverside", "Oak Hollow", "Lakeview", "Summit", "Cedar Creek", "Harbor",
              "Prairie", "Northgate", "Willow Bend", "Granite Falls", "Mesa Verde", "Bayside"]
PRACTICE_B = ["Family Medicine", "Internal Medicine", "Primary Care", "Medical Group",
              "Health Center", "Family Practice", "Community Clinic", "Physicians"]
STREETS = ["Main St", "Elm Ave", "Route 9", "Commerce Blvd", "Hillcrest Dr", "Market St"]
TOWNS = ["Springfield", "Fairview", "Georgetown", "Madison", "Clinton", "Franklin"]
OWN_FAX = "5554400100"          # the cardiology practice's own fax (a distractor)
OWN_NAME = "Example Cardiology Associates"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTHS_LONG = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]


def luhn_npi(rng, valid=True):
    body = str(rng.choice([1, 2])) + "".join(str(rng.randrange(10)) for _ in range(8))
    digits = [int(c) for c in "80840" + body]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    check = (10 - total % 10) % 10
    if not valid:
        check = (check + rng.randrange(1, 10)) % 10
    return body + str(check)


def phone(rng):
    return "555" + str(rng.randrange(200, 999)) + "%04d" % rng.randrange(10000)


def fmt_phone(num, rng):
    a, b, c = num[:3], num[3:6], num[6:]
    styles = ["(%s) %s-%s", "%s-%s-%s", "%s.%s.%s", "+1 %s%s%s", "%s %s %s", "(%s)%s-%s",
              "1-%s-%s-%s", "+1 (%s) %s-%s", "%s/%s-%s"]
    return rng.choice(styles) % (a, b, c)


def fmt_date(d, rng, style=None, two_digit=False):
    styles = ["us", "us_nopad", "iso", "mon_d_y", "d_mon_y", "long", "dash_us"]
    if two_digit:
        styles += ["us2", "us2"]
    s = style or rng.choice(styles)
    m, day, y = d.month, d.day, d.year
    return {
        "us": "%02d/%02d/%04d" % (m, day, y),
        "us_nopad": "%d/%d/%04d" % (m, day, y),
        "us2": "%02d/%02d/%02d" % (m, day, y % 100),
        "iso": d.isoformat(),
        "mon_d_y": "%s %d, %04d" % (MONTHS[m - 1], day, y),
        "d_mon_y": "%02d-%s-%04d" % (day, MONTHS[m - 1], y),
        "long": "%s %d, %04d" % (MONTHS_LONG[m - 1], day, y),
        "dash_us": "%02d-%02d-%04d" % (m, day, y),
    }[s]


def mrn(rng):
    kind = rng.randrange(4)
    if kind == 0:
        return rng.choice("ABCDEFHKMNPRTW") + "%07d" % rng.randrange(10 ** 7)
    if kind == 1:
        return "%08d" % rng.randrange(10 ** 7, 10 ** 8)
    if kind == 2:
        return "MR" + "%06d" % rng.randrange(10 ** 6)
    return "%03d-%04d" % (rng.randrange(100, 1000), rng.randrange(10000))


def patient(rng, received):
    sex = rng.choice("FM")
    given = rng.choice(GIVEN_F if sex == "F" else GIVEN_M)
    age_days = rng.randrange(30 * 365, 92 * 365)
    return {
        "family": rng.choice(FAMILY), "given": given,
        "dob": received - datetime.timedelta(days=age_days),
        "sex": sex, "phone": phone(rng) if rng.random() < 0.88 else None,
        "mrn": mrn(rng) if rng.random() < 0.85 else None,
        "account": "%09d" % rng.randrange(10 ** 9),
        "policy": rng.choice(["XGH", "BCX", "UHC", "ZQP"]) + "%09d" % rng.randrange(10 ** 9),
        "address": "%d %s, %s" % (rng.randrange(10, 9999), rng.choice(STREETS), rng.choice(TOWNS)),
    }


def referrer(rng):
    npi_valid = rng.random() < 0.9
    practice = rng.choice(PRACTICE_A) + " " + rng.choice(PRACTICE_B)
    npi = luhn_npi(rng, npi_valid) if rng.random() < 0.92 else None
    return {
        "given": rng.choice(DOC_GIVEN), "family": rng.choice(DOC_FAMILY),
        "cred": rng.choice(CREDENTIALS), "npi_printed": npi,
        "npi": npi if npi_valid else None, "practice": practice,
        "phone": phone(rng), "fax": phone(rng) if rng.random() < 0.93 else None,
        "domain": practice.split()[0].lower().replace(" ", "") + "-fm.example",
        "address": "%d %s, %s" % (rng.randrange(10, 9999), rng.choice(STREETS), rng.choice(TOWNS)),
    }

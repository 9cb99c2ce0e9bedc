#!/usr/bin/env python3
"""The partner directory and the funnel report, through referralctl:
keys are normalised and validated (NPI check digit, 10-digit fax), one key
belongs to one partner, a CSV import is all or nothing and round-trips
through export; the report's percentages, medians and stuck counts match
what we compute by hand from synthetic referrals."""
import csv
import datetime
import io
import json
import os
import statistics

from harness import Daemon, Postgres, Tap, Workdir


def npi_check_digit(nine):
    """CMS: the Luhn digit of 80840 + the first nine digits."""
    total = 0
    for i, ch in enumerate(reversed("80840" + nine)):
        v = int(ch)
        if i % 2 == 0:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return str((10 - total % 10) % 10)


def npi(nine):
    return nine + npi_check_digit(nine)


def bad_npi(nine):
    return nine + str((int(npi_check_digit(nine)) + 1) % 10)


def sql_str(s):
    return "NULL" if s is None else "'" + s.replace("'", "''") + "'"


tap = Tap()
work = Workdir("partners")
pg = Postgres(work)
d = Daemon(work, pg)
try:
    p = d.ctl("migrate")
    tap.ok(p.returncode == 0, "referralctl migrate creates the schema", p.stderr)

    # --- partner add, list, show -------------------------------------------------------------
    heart_npi = npi("123456789")
    p = d.ctl("partner", "add", "Heartland Family Medicine", "--npi", heart_npi,
              "--email", "Front Desk <FrontDesk@Heartland.Example>", "--email", "referrals@heartland.example",
              "--domain", "@Heartland.Example", "--fax", "+1 (312) 555-0142", "--tier", "gold",
              "--reply-channel", "email", "--reply-email", "Replies@Heartland.example",
              "--contact", "Dana Office, manager")
    tap.ok(p.returncode == 0, "partner add with every kind of key", p.stderr)
    p = d.ctl("partner", "add", "Lakeside Cardiology", "--fax", "773.555.0199", "--npi", npi("198765432"))
    tap.ok(p.returncode == 0, "a second partner", p.stderr)

    p = d.ctl("partner", "list", "--json")
    listed = json.loads(p.stdout) if p.returncode == 0 else []
    by_name = {x["name"]: x for x in listed}
    heart = by_name.get("Heartland Family Medicine", {})
    tap.ok(heart.get("keys") == {"npi": [heart_npi],
                                 "email": ["frontdesk@heartland.example", "referrals@heartland.example"],
                                 "domain": ["heartland.example"], "fax": ["3125550142"]},
           "keys are stored normalised: bare lower-case address, domain without @, 10 fax digits", listed)
    tap.ok(heart.get("tier") == "gold" and heart.get("reply_channel") == "email"
           and heart.get("reply_email") == "replies@heartland.example" and heart.get("referrals") == 0,
           "list shows tier, reply channel and address, and a referral count", heart)
    tap.ok(by_name.get("Lakeside Cardiology", {}).get("keys", {}).get("fax") == ["7735550199"],
           "a fax number written with dots is stored as 10 digits")
    p = d.ctl("partner", "list")
    tap.ok(p.returncode == 0 and "Heartland Family Medicine" in p.stdout and "Lakeside Cardiology" in p.stdout,
           "partner list prints a table", p.stdout + p.stderr)

    p = d.ctl("partner", "show", "Heartland Family Medicine")
    tap.ok(p.returncode == 0 and "3125550142" in p.stdout and "Dana Office, manager" in p.stdout
           and "frontdesk@heartland.example" in p.stdout, "partner show NAME prints fields and keys",
           p.stdout + p.stderr)
    p = d.ctl("partner", "show", str(heart.get("id")), "--json")
    shown = json.loads(p.stdout) if p.returncode == 0 else {}
    tap.ok(shown.get("name") == "Heartland Family Medicine" and shown.get("contact") == "Dana Office, manager"
           and shown.get("last_referrals") == [], "partner show ID --json", p.stdout + p.stderr)
    p = d.ctl("partner", "show", "Nobody Here")
    tap.ok(p.returncode != 0 and "no partner" in p.stderr, "show of an unknown partner is a clear error")

    # --- bad keys ------------------------------------------------------------------------------
    before = pg.scalar("SELECT count(*) FROM partner")
    wrong = bad_npi("555444333")
    p = d.ctl("partner", "add", "Bad NPI Clinic", "--npi", wrong)
    tap.ok(p.returncode != 0 and "--npi" in p.stderr and wrong in p.stderr and "check digit" in p.stderr,
           "an NPI with a wrong check digit is refused, naming the option and value", p.stderr)
    p = d.ctl("partner", "add", "Short Fax Clinic", "--fax", "555-0142")
    tap.ok(p.returncode != 0 and "--fax" in p.stderr and "10 digits" in p.stderr,
           "a fax number without 10 digits is refused", p.stderr)
    p = d.ctl("partner", "add", "Area Code Clinic", "--fax", "1 112 555 0142")
    tap.ok(p.returncode != 0 and "--fax" in p.stderr, "an area code starting with 1 is refused", p.stderr)
    p = d.ctl("partner", "add", "Two At Clinic", "--email", "a@b@example.org")
    tap.ok(p.returncode != 0 and "--email" in p.stderr, "an address with two @ is refused", p.stderr)
    p = d.ctl("partner", "add", "No Dot Clinic", "--domain", "localhost")
    tap.ok(p.returncode != 0 and "--domain" in p.stderr, "a domain without a dot is refused", p.stderr)
    p = d.ctl("partner", "add", "Channel Clinic", "--reply-channel", "pigeon")
    tap.ok(p.returncode != 0 and "--reply-channel" in p.stderr, "an unknown reply channel is refused", p.stderr)
    p = d.ctl("partner", "add", "Copycat Clinic", "--fax", "(312) 555-0142")
    tap.ok(p.returncode != 0 and "Heartland Family Medicine" in p.stderr,
           "a key of another partner is refused, naming that partner", p.stderr)
    p = d.ctl("partner", "add", "Heartland Family Medicine")
    tap.ok(p.returncode != 0 and "already exists" in p.stderr, "a second partner of the same name is refused",
           p.stderr)
    tap.ok(pg.scalar("SELECT count(*) FROM partner") == before, "refused partners were not stored")

    # --- import and export ---------------------------------------------------------------------
    columns = ["name", "npis", "emails", "domains", "faxes", "tier", "reply_channel", "reply_email", "reply_fax",
               "contact"]
    odd_name = 'Smith, Jones & "Partners" Cardiology'
    rows = [
        {"name": odd_name, "npis": "%s; %s" % (npi("111222333"), npi("222333444")),
         "emails": "intake@sjp.example;Dr Smith <smith@SJP.example>", "domains": "sjp.example",
         "faxes": "(415) 555-0100;1-415-555-0101", "tier": "silver", "reply_channel": "fax",
         "reply_email": "", "reply_fax": "415 555 0102", "contact": "Pat Lee\nfront office, ext. 4"},
        {"name": "Valley Internal Medicine", "npis": "", "emails": "", "domains": "valley-im.example",
         "faxes": "", "tier": "", "reply_channel": "none", "reply_email": "", "reply_fax": "", "contact": ""},
        # an update of a partner added above: fields and keys replaced
        {"name": "Lakeside Cardiology", "npis": npi("198765432"), "emails": "office@lakeside.example",
         "domains": "", "faxes": "7735550199", "tier": "bronze", "reply_channel": "auto", "reply_email": "",
         "reply_fax": "", "contact": ""},
    ]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns)
    w.writeheader()
    w.writerows(rows)
    first_csv = os.path.join(work.path, "partners.csv")
    with open(first_csv, "w", newline="") as f:
        f.write(buf.getvalue())
    p = d.ctl("partner", "import", first_csv)
    tap.ok(p.returncode == 0 and "2 added" in p.stdout and "1 updated" in p.stdout,
           "import adds new partners and updates existing ones by name", p.stdout + p.stderr)
    p = d.ctl("partner", "show", odd_name, "--json")
    sjp = json.loads(p.stdout) if p.returncode == 0 else {}
    tap.ok(sjp.get("keys") == {"npi": sorted([npi("111222333"), npi("222333444")]),
                               "email": ["intake@sjp.example", "smith@sjp.example"], "domain": ["sjp.example"],
                               "fax": ["4155550100", "4155550101"]},
           "quoted fields and ;-separated multi-values are read and normalised", sjp)
    tap.ok(sjp.get("contact") == "Pat Lee\nfront office, ext. 4" and sjp.get("reply_fax") == "4155550102"
           and sjp.get("reply_channel") == "fax" and sjp.get("reply_email") is None,
           "a quoted line break survives; an empty field is no value", sjp)
    p = d.ctl("partner", "show", "Lakeside Cardiology", "--json")
    lake = json.loads(p.stdout) if p.returncode == 0 else {}
    tap.ok(lake.get("tier") == "bronze" and lake.get("keys", {}).get("email") == ["office@lakeside.example"],
           "an updated partner has the file's fields and keys", lake)

    exported = os.path.join(work.path, "export1.csv")
    p = d.ctl("partner", "export", exported)
    tap.ok(p.returncode == 0, "export to a file", p.stderr)
    with open(exported, newline="") as f:
        got = list(csv.DictReader(f))
    tap.ok([r["name"] for r in got] == sorted(["Heartland Family Medicine", "Lakeside Cardiology", odd_name,
                                              "Valley Internal Medicine"])
           and list(got[0].keys()) == columns,
           "the export has the import's columns, one row per partner", got)
    exp_sjp = next((r for r in got if r["name"] == odd_name), {})
    tap.ok(exp_sjp.get("faxes") == "4155550100;4155550101" and exp_sjp.get("contact") == rows[0]["contact"],
           "the export writes multi-values with ; and quotes what needs quoting", exp_sjp)
    p = d.ctl("partner", "import", exported)
    tap.ok(p.returncode == 0 and "0 added" in p.stdout, "the export imports again", p.stdout + p.stderr)
    p = d.ctl("partner", "export")
    with open(exported, newline="") as f:
        first_export = f.read()
    tap.ok(p.returncode == 0 and p.stdout.replace("\r\n", "\n") == first_export.replace("\r\n", "\n"),
           "export, import, export: the same file", (first_export, p.stdout))

    # a bad row anywhere: nothing changes, and the error names its line
    snapshot = pg.query("SELECT p.name, p.tier, k.kind, k.value FROM partner p"
                        " LEFT JOIN partner_key k ON k.partner_id = p.id ORDER BY 1, 3, 4")
    bad = ('name,npis,faxes,tier\r\n'
           'New Good Clinic,%s,,\r\n'
           '"Multi\nLine Clinic",,2125550100,platinum\r\n'
           'Lakeside Cardiology,,,changed\r\n'
           'Broken Clinic,%s,,\r\n' % (npi("333444555"), wrong))
    bad_csv = os.path.join(work.path, "bad.csv")
    with open(bad_csv, "w", newline="") as f:
        f.write(bad)
    p = d.ctl("partner", "import", bad_csv)
    tap.ok(p.returncode != 0 and "line 6" in p.stderr and "npis" in p.stderr and wrong in p.stderr,
           "a bad NPI aborts the import, naming the line (counting the quoted line break) and the column",
           p.stderr)
    tap.ok(pg.query("SELECT p.name, p.tier, k.kind, k.value FROM partner p"
                    " LEFT JOIN partner_key k ON k.partner_id = p.id ORDER BY 1, 3, 4") == snapshot,
           "after a failed import the directory is unchanged")
    clash = 'name,faxes\nNew Good Clinic,\nThief Clinic,312-555-0142\n'
    with open(bad_csv, "w", newline="") as f:
        f.write(clash)
    p = d.ctl("partner", "import", bad_csv)
    tap.ok(p.returncode != 0 and "line 3" in p.stderr and "Heartland Family Medicine" in p.stderr
           and pg.scalar("SELECT count(*) FROM partner WHERE name = 'New Good Clinic'") == "0",
           "an imported key of another partner aborts the import, naming the partner", p.stderr)
    with open(bad_csv, "w", newline="") as f:
        f.write('name,tier\nUnclosed,"gold\n')
    p = d.ctl("partner", "import", bad_csv)
    tap.ok(p.returncode != 0 and "line 2" in p.stderr and "not closed" in p.stderr,
           "an unclosed quote is an error naming its line", p.stderr)
    with open(bad_csv, "w", newline="") as f:
        f.write('Name , Tier,,\r\nValley Internal Medicine,gold,,\r\n')
    p = d.ctl("partner", "import", bad_csv)
    tap.ok(p.returncode == 0 and pg.query("SELECT p.tier, p.reply_channel, k.value FROM partner p JOIN partner_key k"
                                          " ON k.partner_id = p.id WHERE p.name = 'Valley Internal Medicine'")
           == [["gold", "none", "valley-im.example"]],
           "headers are read case- and space-insensitively, empty trailing columns are ignored, and an update"
           " leaves the columns the file lacks as they were", p.stderr)
    with open(bad_csv, "w", newline="") as f:
        f.write('name,colour\nX,blue\n')
    p = d.ctl("partner", "import", bad_csv)
    tap.ok(p.returncode != 0 and "colour" in p.stderr, "an unknown column is refused", p.stderr)

    # --- the funnel report ---------------------------------------------------------------------
    p = d.ctl("report", "--json")
    empty = json.loads(p.stdout) if p.returncode == 0 else None
    tap.ok(empty is not None and [(x["partner"], x["referrals"], x["complete_on_arrival_pct"]) for x in empty]
           == [("(total)", 0, None)], "with no referrals the report has a total of 0 and no percentages",
           p.stdout + p.stderr)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    base = now - datetime.timedelta(days=30)
    H = datetime.timedelta(hours=1)
    # (partner, service line, received +h, complete on arrival, status, completed +h, scheduled +h,
    #  outbox [(kind, state, sent +h)]), hours after base / after receipt
    refs = [
        ("Heartland Family Medicine", "cardiology", 0, True, "scheduled", 0, 30, [("receipt", "sent", 1)]),
        ("Heartland Family Medicine", "cardiology", 24, False, "scheduled", 50, 70, [("missing", "sent", 2)]),
        ("Heartland Family Medicine", "cardiology", 48, False, "incomplete", None, None, [("missing", "sent", 5)]),
        ("Heartland Family Medicine", "cardiology", 400, False, "incomplete", None, None,
         [("missing", "failed", None)]),
        ("Heartland Family Medicine", "cardiology", 600, False, "complete", 31, None,
         [("receipt", "sent", 1), ("missing", "sent", 3)]),
        ("Heartland Family Medicine", "electrophysiology", 100, True, "complete", 0, None, []),
        ("Lakeside Cardiology", "cardiology", 200, False, "complete", 20, None, [("missing", "sent", 10)]),
        ("Lakeside Cardiology", "cardiology", 650, False, "incomplete", None, None, [("missing", "queued", None)]),
        (None, None, 300, True, "complete", 0, 47, []),
        (None, None, 320, False, "incomplete", None, None, [("missing", "sent", 4)]),
        (None, None, 330, False, "complete", 9, None, [("missing", "sent", 7)]),
    ]

    def ts(t):
        return sql_str(t.isoformat()) + "::timestamptz" if t else "NULL"

    stmts = []
    for i, (partner, line, rec_h, coa, status, comp_h, sched_h, out) in enumerate(refs):
        rec = base + rec_h * H
        stmts.append("INSERT INTO item (id, source, source_key, sha256, size, raw, received_at, state)"
                     " VALUES (%d, 'dropdir', 'r%d', 'sha-%d', 1, '\\x00', %s, 'done')" % (9000 + i, i, i, ts(rec)))
        stmts.append("INSERT INTO referral (id, item_id, channel, status, extract, partner_id, service_line,"
                     " received_at, complete_on_arrival, completed_at, scheduled_at) VALUES"
                     " (%d, %d, 'fax', '%s', '{}', (SELECT id FROM partner WHERE name = %s), %s, %s, %s, %s, %s)"
                     % (9000 + i, 9000 + i, status, sql_str(partner), sql_str(line), ts(rec), "true" if coa else "false",
                        ts(rec + comp_h * H if comp_h is not None else None),
                        ts(rec + sched_h * H if sched_h is not None else None)))
        for j, (kind, state, sent_h) in enumerate(out):
            stmts.append("INSERT INTO outbox (referral_id, kind, channel, recipient, subject, body, message_id,"
                         " state, sent_at) VALUES (%d, '%s', 'email', 'x@example.org', 's', 'b', 'm%d-%d', '%s', %s)"
                         % (9000 + i, kind, i, j, state, ts(rec + sent_h * H if sent_h is not None else None)))
    pg.query("BEGIN; " + "; ".join(stmts) + "; COMMIT")

    def expected(since=None, stuck_days=7):
        groups = {}
        for r in refs:
            partner, line, rec_h, coa, status, comp_h, sched_h, out = r
            rec = base + rec_h * H
            if since is not None and rec < since:
                continue
            key = (partner or "(unknown)", line or "(none)")
            for k in (key, (key[0], "(all)"), ("(all partners)", key[1]), ("(total)", "(all)")):
                groups.setdefault(k, []).append(r)
        # subtotals only where they add something: a partner's where it
        # sends more than one service line, and both kinds only when
        # there is more than one partner
        partners = {k[0] for k in groups if k[0] not in ("(total)", "(all partners)")}
        for k in list(groups):
            if k[0] == "(all partners)" and len(partners) < 2:
                del groups[k]
            elif k[1] == "(all)" and k[0] != "(total)" and (len(partners) < 2 or len({r[1] for r in groups[k]}) < 2):
                del groups[k]

        def pct(n, of):
            return round(100.0 * n / of, 1) if of else None

        def median(xs):
            return round(statistics.median(xs), 1) if xs else None

        result = {}
        for k, rs in groups.items():
            asked = [r for r in rs if not r[3] and any(o[0] == "missing" and o[1] == "sent" for o in r[7])]
            replies = [min(o[2] for o in r[7] if o[1] == "sent") for r in rs if any(o[1] == "sent" for o in r[7])]
            result[k] = {
                "referrals": len(rs),
                "complete_on_arrival_pct": pct(sum(1 for r in rs if r[3]), len(rs)),
                "completed_after_reply_pct": pct(sum(1 for r in asked if r[5] is not None), len(asked)),
                "median_hours_to_reply": median(replies),
                "median_hours_to_complete": median([r[5] for r in rs if r[5] is not None]),
                "median_hours_to_schedule": median([r[6] for r in rs if r[6] is not None]),
                "stuck": sum(1 for r in rs if r[4] == "incomplete"
                             and base + r[2] * H < now - datetime.timedelta(days=stuck_days)),
            }
        return result

    def compare(got, want):
        """got: {(partner, line): {column: number or None}}"""
        if set(got) != set(want):
            return False
        for k, cols in want.items():
            for c, v in cols.items():
                g = got[k].get(c)
                if (v is None) != (g is None) or (v is not None and abs(float(g) - v) > 0.051):
                    return False
        return True

    def report(*args):
        p = d.ctl("report", *args)
        if p.returncode != 0:
            return None, p.stderr
        if "--json" in args:
            return {(x["partner"], x["service_line"]): x for x in json.loads(p.stdout)}, p.stdout
        rows = list(csv.DictReader(io.StringIO(p.stdout, newline="")))
        return {(x["partner"], x["service_line"]): {c: (None if v == "" else v) for c, v in x.items()}
                for x in rows}, p.stdout

    want = expected()
    got, raw = report("--json")
    tap.ok(got is not None and compare(got, want),
           "report --json: counts, percentages, medians and stuck per partner and service line, a partner's subtotal over several lines, per service line, and the total",
           (raw, want))
    tap.ok(got is not None and all(isinstance(x["referrals"], int) for x in got.values())
           and isinstance(got.get(("(total)", "(all)"), {}).get("median_hours_to_reply"), (int, float)),
           "JSON numbers are numbers")
    tap.ok(got is not None and got.get(("Heartland Family Medicine", "electrophysiology"), {}).get(
        "completed_after_reply_pct", 0) is None, "a share with nothing to divide is null")
    got, raw = report("--csv")
    tap.ok(got is not None and compare(got, want), "report --csv has the same numbers", (raw, want))
    tap.ok(raw.startswith("partner,service_line,referrals,"), "the CSV starts with a header row", raw[:200])

    got, raw = report("--json", "--stuck-days", "20")
    tap.ok(got is not None and compare(got, expected(stuck_days=20)), "--stuck-days moves the stuck threshold",
           raw)

    since_day = (base + datetime.timedelta(days=16)).date().isoformat()
    # midnight of that day in the server's time zone, as the report reads --since
    since_ts = datetime.datetime.fromtimestamp(float(pg.scalar(
        "SELECT extract(epoch FROM '%s'::date::timestamptz)" % since_day)), datetime.timezone.utc)
    got, raw = report("--json", "--since", since_day)
    want_since = expected(since=since_ts)
    tap.ok(got is not None and compare(got, want_since) and len(want_since) < len(want),
           "--since counts only referrals received from that day on", (raw, want_since))
    # day 27 on: only Lakeside's last referral (650 h)
    since_day = (base + datetime.timedelta(days=27)).date().isoformat()
    got, raw = report("--json", "--since", since_day)
    tap.ok(got is not None and set(got) == {("Lakeside Cardiology", "cardiology"), ("(total)", "(all)")}
           and compare(got, expected(since=base + datetime.timedelta(days=27))),
           "with one partner there are no subtotals that would repeat its rows", raw)
    p = d.ctl("report", "--since", "yesterday")
    tap.ok(p.returncode == 2 and "--since" in p.stderr, "a --since that is no date is refused", p.stderr)

    p = d.ctl("report")
    lines = p.stdout.splitlines()
    tap.ok(p.returncode == 0 and lines and lines[0].startswith("partner") and
           any(line.startswith("(total)") for line in lines) and any(line.startswith("(unknown)") for line in lines),
           "the text report is a table with the unknown partner and a total", p.stdout + p.stderr)
    for line in lines:  # the table as staff see it, in the test log (synthetic partners only)
        print("# " + line)

    p = d.ctl("partner", "list", "--json")
    counts = {x["name"]: (x["referrals"], x["incomplete"]) for x in json.loads(p.stdout)} if p.returncode == 0 else {}
    tap.ok(counts.get("Heartland Family Medicine") == (6, 2) and counts.get("Lakeside Cardiology") == (2, 1),
           "partner list counts each partner's referrals and the incomplete ones", counts)
    p = d.ctl("partner", "show", "Lakeside Cardiology")
    tap.ok(p.returncode == 0 and "9007" in p.stdout and "incomplete" in p.stdout,
           "partner show lists the partner's last referrals", p.stdout)
finally:
    work.finish(tap, pg.stop)

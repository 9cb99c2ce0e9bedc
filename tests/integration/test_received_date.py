#!/usr/bin/env python3
"""The date a referral counts as received, which the lab-age rule and the
reply measure from.  The fax header's date is kept when it is plausible
(up to a year before the day the fax reached us, a gateway having held
it); a header from a fax machine whose clock was never set, or one dated
in the future, gives way to the day of arrival, with a line in the log
that names no patient."""
import datetime

import replykit as kit
from harness import Daemon, Postgres, Tap, Workdir, drop, wait_for

OFFICE = kit.Office(31, "Maple Grove Family Practice", "Ada Pemberton", "maplegrove.example")
# one patient per fax: three faxes of one patient from one office are one
# referral and its copies (one referral per packet), not three referrals
PATIENTS = [kit.Patient("Ingrid", "Halvorsen", "04/12/1950"), kit.Patient("Josef", "Amundsen", "05/13/1951", "Male"),
            kit.Patient("Karin", "Solberg", "06/14/1952")]

tap = Tap()
work = Workdir("received-date")
pg = Postgres(work)
d = Daemon(work, pg, dropdir__settle_time="0")


def fax(day, patient):
    header = "%s 10:42 FROM: %s %s  TO: %s  P.1/2" % (day.strftime("%b-%d-%Y").upper(), kit.dashed(OFFICE.fax),
                                                     OFFICE.practice.upper(), kit.OUR_FAX)
    return kit.text_pdf([[header, ""] + kit.referral_form_lines(OFFICE, patient), kit.office_note_lines(patient)])


try:
    today = datetime.date.fromisoformat(pg.scalar("SELECT current_date::text"))
    cases = {
        "unset-clock.pdf": (datetime.date(2009, 1, 1), today),
        "held.pdf": (today - datetime.timedelta(days=20), today - datetime.timedelta(days=20)),
        "future.pdf": (today + datetime.timedelta(days=3), today),
    }
    ok, detail = kit.migrate(d, pg)
    if not tap.ok(ok, "referralctl migrate creates the schema", detail):
        raise SystemExit
    for (name, (header_day, _)), patient in zip(cases.items(), PATIENTS):
        drop(d.inbox, name, fax(header_day, patient))
    d.start()

    def received():
        return dict(pg.query("SELECT c.original_name, r.received::text FROM referral r"
                             " JOIN receipt c ON c.item_id = r.item_id"))

    wait_for(lambda: len(received()) == len(cases), 120, 0.3)
    got = received()
    for name, (header_day, want) in cases.items():
        tap.ok(got.get(name) == want.isoformat(), "%s: a header dated %s counts as received %s"
               % (name, header_day, want), got)
    log = d.log_text()
    tap.ok(log.count("counting from the day it arrived") == 2, "the two replaced dates are logged", log[-2000:])
    tap.ok(not [p for p in PATIENTS if p.family in log], "no patient name in the log")
    tap.ok(d.stop() == 0, "clean stop")
finally:
    work.finish(tap, d.kill_group, pg.stop)

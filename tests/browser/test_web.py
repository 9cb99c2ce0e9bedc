#!/usr/bin/env python3
"""The staff web interface in a real browser: Debian's chromium, headless,
against referrald (with [web] and replies through an email-to-fax gateway
on an SMTP sink) and a PostgreSQL of its own, 10,000 other referrals in
the queue.  One walk: the unauthenticated redirect, log in, the queue with
its counts, a flagged referral found by a misspelled patient name, its
page pictures loaded, a page's type corrected and the checklist changed,
an item resolved with a note, the held reply edited, approved and
received at the SMTP sink, a field edited, the appointment scheduled in
the practice's time zone, an unmatched follow-up of another patient
attached (after a warning) and detached again, two people changing the
referral at once (the last one is told), log out.  Also: a forged form
refused (CSRF), a hostile patient name and file name shown as text, security headers,
X-Forwarded-Proto believed only from the configured proxy, and the lockout
after failed logins.  Screenshots go to the build's meson-logs/browser/."""
import http.client
import json
import os
import re
import subprocess
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import cdp  # noqa: E402
import replykit as kit  # noqa: E402
import smtpsink  # noqa: E402
from harness import BUILD, Daemon, Postgres, Tap, Workdir, drop, free_port, wait_for  # noqa: E402

tap = Tap()
if cdp.chromium_path() is None:
    tap.skip_all("chromium is not installed (tools/install-deps.sh installs it)")
if smtpsink.available():
    tap.skip_all(smtpsink.available())

PASSWORD = "correct horse battery 7"
OFFICE = kit.Office(41, "Lakeshore Family Medicine", "Imelda Corvino", "lakeshore-fm.example")
FLAGGED = kit.Patient("Odalys", "Verhoeven", "03/14/1952")
HOSTILE = kit.Patient("Bartholomew", "Quenneville", "05/06/1961", "Male")
HOSTILE_FILE = "<img src=x onerror=alert(3)>.pdf"
STRANGER = kit.Patient("Wendell", "Ashcombe", "11/02/1940", "Male")
SHOTS = os.path.join(BUILD, "meson-logs", "browser")

work = Workdir("browser")
pg = Postgres(work)
port = free_port()
sink = smtpsink.Sink(work)
# an office not in the directory faxes: its missing-document request is
# held for a person (unknown-senders=review) and goes through the gateway
d = Daemon(work, pg, web__listen="127.0.0.1:%d" % port, web__timezone="America/New_York",
           web__trusted_proxy="127.0.0.2", replies__enabled="true", replies__from=kit.INTAKE,
           replies__practice_name=kit.PRACTICE, replies__fax_number=kit.OUR_FAX, replies__receipt="false",
           replies__complete_notice="false", replies__unknown_senders="review", replies__fax_reply="gateway",
           replies__fax_gateway="{number}@faxgw.example", smtp__url="smtp://127.0.0.1:%d" % sink.port,
           smtp__allow_plaintext="true", smtp__timeout="5s", smtp__retry_backoff="1s")
browser = None
BASE = "http://127.0.0.1:%d" % port


def fetch(method, path, body=None, headers=None, source="127.0.0.1"):
    """One request without following redirects: (status, headers, body)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    out = (r.status, r.headers, r.read().decode(errors="replace"))
    c.close()
    return out


def login_attempt(name, password):
    """The login form as a plain client would post it: its nonce cookie and field."""
    _, h, page = fetch("GET", "/login")
    nonce = re.search(r'rd_login=([0-9a-f]+)', h.get("Set-Cookie", "")).group(1)
    body = urllib.parse.urlencode({"csrf": nonce, "name": name, "password": password})
    return fetch("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded",
                                         "Cookie": "rd_login=" + nonce})


def add_user(name, role):
    p = subprocess.run([kit.REFERRALCTL, "user", "--config", d.config, "add", name, "--role", role],
                       input=PASSWORD + "\n", capture_output=True, text=True)
    return p.returncode == 0, p.stdout + p.stderr


def referral_of(patient_family):
    v = pg.scalar("SELECT id FROM referral WHERE patient_family = '%s'" % patient_family)
    return int(v) if v else None


def checklist_state(rid, item):
    return pg.scalar("SELECT CASE WHEN s.item IS NOT NULL THEN 'resolved' WHEN c.present THEN 'present'"
                     " ELSE 'missing' END FROM referral_checklist c LEFT JOIN referral_resolution s"
                     " ON s.referral_id = c.referral_id AND s.item = c.item"
                     " WHERE c.referral_id = %d AND c.item = '%s'" % (rid, item))


def flagged_fax():
    """The referral form and a second page the reader takes for an insurance
    card, each with the sending machine's header line: the EKG and the
    office notes are missing."""
    second = ["INSURANCE CARD", "Member name: %s" % FLAGGED.name, "Member ID: XJ4471203", "Group no: 88120",
              "RX BIN: 610014", "Plan: Lakeshore Health PPO"]
    return kit.text_pdf([[kit.fax_header(OFFICE, 1, 2), ""] + kit.referral_form_lines(OFFICE, FLAGGED),
                         [kit.fax_header(OFFICE, 2, 2), ""] + second])


def session_of(name):
    """A second person's session, as a plain client: (cookie header, csrf)."""
    status, h, _ = login_attempt(name, PASSWORD)
    token = re.search(r"rd_session=([0-9a-f]+)", " ".join(h.get_all("Set-Cookie") or [])).group(1)
    return "rd_session=" + token


def form_fields(page, form_class):
    """The hidden fields of the first form of a class on a page."""
    m = re.search(r'<form[^>]*class="%s"[^>]*>(.*?)</form>' % form_class, page, re.S)
    return dict(re.findall(r'name="([a-z]+)" value="([^"]*)"', m.group(1))) if m else {}


def post(cookie, path, fields):
    return fetch("POST", path, urllib.parse.urlencode(fields),
                 {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})


def bulk_referrals(n):
    """Other clinics' referrals, so that the queue is the size of a busy practice's."""
    pg.query("WITH i AS (INSERT INTO item (source, source_key, sha256, size, state)"
             " SELECT 'dropdir', 'bulk-' || g, md5(g::text) || md5('b' || g), 0, 'done'"
             " FROM generate_series(1, %d) g RETURNING id)"
             " INSERT INTO referral (item_id, channel, status, extract, patient_family, patient_given, patient_dob,"
             " service_line, urgency, created_at)"
             " SELECT id, 'fax', CASE WHEN id %% 3 = 0 THEN 'complete' ELSE 'incomplete' END, '{}',"
             " 'Family' || id, 'Given', date '1940-01-01' + (id %% 20000)::integer,"
             " (ARRAY['general', 'preventive', 'heart_failure'])[1 + id %% 3], 'routine',"
             " now() - make_interval(mins => id::integer) FROM i" % n)


try:
    ok, detail = kit.migrate(d, pg)
    tap.ok(ok, "schema created, with the web tables", detail)
    ok, detail = add_user("ines.ortega", "staff")
    tap.ok(ok, "referralctl user add takes the password from standard input", detail)
    add_user("locked.out", "staff")
    add_user("marco.bellini", "staff")
    add_user("ada.admin", "admin")
    tap.ok(PASSWORD not in (pg.scalar("SELECT password_hash FROM web_user WHERE name = 'ines.ortega'") or "") and
           (pg.scalar("SELECT password_hash FROM web_user WHERE name = 'ines.ortega'") or "").startswith("$argon2id$"),
           "the password is stored only as an argon2id hash")

    sink.start()
    drop(d.inbox, "flagged.pdf", flagged_fax())
    drop(d.inbox, HOSTILE_FILE, kit.referral_pdf(OFFICE, HOSTILE))
    # another patient's EKG that names no referral: it waits among the unmatched follow-ups
    drop(d.inbox, "stray-ekg.pdf", kit.text_pdf([kit.ekg_lines(STRANGER)]))
    d.start()
    wait_for(lambda: referral_of("Verhoeven") and referral_of("Quenneville") and
             pg.scalar("SELECT count(*) FROM followup_review WHERE resolved_at IS NULL") == "1", 300, 0.5)
    rid, hostile = referral_of("Verhoeven"), referral_of("Quenneville")
    tap.ok(rid and hostile, "the daemon turned both faxes into referrals", d.log_text())
    tap.ok(checklist_state(rid, "ekg") == "missing", "the referral is flagged: its EKG is missing")
    # what a hostile fax could make the reader store
    pg.query("UPDATE referral SET patient_family = '<script>alert(1)</script>',"
             " reason = '<img src=x onerror=alert(2)>' WHERE id = %d" % hostile)
    bulk_referrals(10000)
    up = wait_for(lambda: "listening" in d.log_text() and "web interface" in d.log_text(), 120, 0.5)
    tap.ok(up, "the web process listens", d.log_text())

    # ---- plain HTTP: redirect, headers, the proxy rule, the lockout --------------------
    status, h, _ = fetch("GET", "/queue")
    tap.ok(status == 303 and h.get("Location") == "/login", "without a session the queue redirects to the login")
    csp = h.get("Content-Security-Policy", "")
    tap.ok("default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and
           h.get("X-Content-Type-Options") == "nosniff", "strict CSP, nosniff, no framing", str(h))
    _, h, _ = fetch("GET", "/login", headers={"X-Forwarded-Proto": "https"})
    plain = h.get("Set-Cookie", "")
    _, h, _ = fetch("GET", "/login", headers={"X-Forwarded-Proto": "https"}, source="127.0.0.2")
    proxied = h.get("Set-Cookie", "")
    tap.ok("Secure" not in plain and "Secure" in proxied and "HttpOnly" in proxied and "SameSite=Strict" in proxied,
           "X-Forwarded-Proto is believed only from the trusted proxy", plain + "\n" + proxied)
    fails = [login_attempt("locked.out", "not the password %d" % i)[0] for i in range(5)]
    status, _, body = login_attempt("locked.out", PASSWORD)
    tap.ok(fails == [401] * 5 and status == 401 and "locked" in body,
           "after 5 failed logins even the right password is refused", fails)
    tap.ok(pg.scalar("SELECT count(*) FROM audit_log WHERE user_name = 'locked.out' AND action = 'login-lockout'")
           == "1", "the lockout is in the audit log under the person's name")

    # ---- the browser walk --------------------------------------------------------------
    os.makedirs(SHOTS, exist_ok=True)
    browser = cdp.Browser(work.path)
    browser.goto(BASE + "/referral/%d" % rid)
    tap.ok(browser.js("location.pathname") == "/login", "the browser lands on the login form")
    browser.submit("form[action='/login']", name="ines.ortega", password=PASSWORD)
    tap.ok(browser.js("location.pathname") == "/queue" and
           browser.js("document.getElementById('user').textContent") == "ines.ortega",
           "logged in, the queue shows the person's name",
           browser.js("location.href + '\\n' + document.body.innerText.slice(0, 400)"))
    cookies = browser.call("Network.getCookies", urls=[BASE])["cookies"]
    session = [c for c in cookies if c["name"] == "rd_session"]
    tap.ok(session and session[0]["httpOnly"] and session[0]["sameSite"] == "Strict",
           "the session cookie is HttpOnly and SameSite=Strict", cookies)
    counts = browser.js("Object.fromEntries([...document.querySelectorAll('#counts a[id]')]"
                        ".map(a => [a.id, a.querySelector('span').textContent]))")
    tap.ok(int(counts.get("count-incomplete", 0)) >= 6000, "the queue counts referrals per state", counts)
    first = browser.js("document.querySelector('#queue tbody tr .patient').textContent")
    tap.ok("Verhoeven" in first or "script" in first,
           "the urgent flagged referrals come before 10,000 routine ones", first)
    browser.screenshot(os.path.join(SHOTS, "queue.png"))

    browser.submit("#search", q="Verhoven Odalis")
    found = browser.js("[...document.querySelectorAll('#queue a.ref')].map(a => a.getAttribute('href'))")
    tap.ok(found and found[0] == "/referral/%d" % rid, "a misspelled patient name finds the referral", found)
    tap.ok("Verhoven" not in browser.js("location.href"), "the search text is not in the URL")
    ref = pg.scalar("SELECT reference FROM referral WHERE id = %d" % rid) or ""
    browser.submit("#search", q=ref.replace("-", " ").lower())
    by_ref = browser.js("[...document.querySelectorAll('#queue a.ref')].map(a => a.getAttribute('href'))")
    tap.ok(by_ref == ["/referral/%d" % rid], "its reference typed in lower case with spaces finds it", (ref, by_ref))
    browser.goto(BASE + found[0])
    tap.ok(pg.scalar("SELECT count(*) FROM audit_log WHERE user_name = 'ines.ortega' AND action = 'view'"
                     " AND referral_id = %d" % rid) == "1", "the view is audited with the person's name")
    why = browser.js("document.getElementById('why').textContent")
    tap.ok("Missing ekg" in why, "the page says why the referral is flagged", why)
    browser.js("document.getElementById('pages').scrollIntoView()")  # the thumbnails load lazily
    loaded = wait_for(lambda: browser.js("(() => { const i = [...document.querySelectorAll('img.thumb')];"
                                         " return i.length >= 2 && i.every(x => x.complete && x.naturalWidth > 0); })()"),
                      60, 0.5)
    tap.ok(loaded, "the page pictures load", browser.js("[...document.images].map(i => [i.src, i.naturalWidth])"))
    browser.js("document.querySelector('a.page').click()")
    big = wait_for(lambda: browser.js("(() => { const i = document.querySelector('#overlay img');"
                                      " return i && i.complete && i.naturalWidth; })()"), 60, 0.5)
    tap.ok(big and big > 400, "a page opens large", big)
    browser.js("document.getElementById('rotate').click()")
    tap.ok(browser.js("document.querySelector('#overlay img').classList.contains('rot90')"),
           "the large page turns a quarter with rotate")
    browser.screenshot(os.path.join(SHOTS, "page-large.png"))
    browser.js("document.getElementById('overlay').click()")
    browser.screenshot(os.path.join(SHOTS, "referral.png"))

    # a forged request: the session cookie goes along, the CSRF token does not
    forged = browser.js("fetch('/referral/%d/resolve', {method: 'POST', headers: {'Content-Type':"
                        " 'application/x-www-form-urlencoded'}, body: 'item=ekg&note=forged&csrf=%s'})"
                        ".then(r => r.status)" % (rid, "0" * 64))
    tap.ok(forged == 403 and checklist_state(rid, "ekg") == "missing", "a request without the CSRF token is refused",
           forged)

    # the second page is the EKG, not an insurance card: a person says so
    before = browser.js("document.querySelector(\"figure[data-page='2'] .type\").textContent")
    browser.submit("figure[data-page='2'] form.pagetype", type="ekg")
    state = browser.js("document.querySelector(\"tr[data-item='ekg'] .state\").textContent")
    tap.ok(before != "ekg" and state == "present" and checklist_state(rid, "ekg") == "present" and
           browser.js("document.querySelector(\"figure[data-page='2'] .type\").textContent") == "ekg",
           "correcting page 2's type to EKG re-runs the checklist: the EKG is present", (before, state))
    link = browser.js("(document.querySelector(\"tr[data-item='ekg'] a.evidence\") || {}).href || ''")
    tap.ok(link.endswith("/page/%s/2" % pg.scalar("SELECT item_id FROM referral WHERE id = %d" % rid)),
           "the EKG's verdict links to the page that meets it", link)
    tap.ok(pg.scalar("SELECT count(*) FROM audit_log WHERE user_name = 'ines.ortega' AND action = 'page-type'"
                     " AND referral_id = %d AND detail->>'to' = 'ekg'" % rid) == "1",
           "the correction is audited with the person's name")

    browser.submit("tr[data-item='clinical_notes'] form.resolve", note="Notes received via the hospital portal")
    state = browser.js("document.querySelector(\"tr[data-item='clinical_notes'] .state\").textContent")
    tap.ok(state == "resolved" and checklist_state(rid, "clinical_notes") == "resolved",
           "resolving the notes with a note changes the checklist", state)
    timeline = browser.js("document.getElementById('timeline').textContent")
    tap.ok("by ines.ortega" in timeline and "hospital portal" in timeline,
           "the timeline shows the resolution with the person's name", timeline)
    tap.ok(pg.scalar("SELECT count(*) FROM audit_log WHERE user_name = 'ines.ortega' AND action = 'resolve'"
                     " AND referral_id = %d" % rid) == "1", "the change is audited with the person's name")

    # the request the daemon wrote waits for a person: read it as it will go, edit it, approve it
    reply = [[r[0], bytes.fromhex(r[1]).decode(), r[2]] for r in pg.query(
        "SELECT id, encode(convert_to(body, 'UTF8'), 'hex'), recipient FROM outbox WHERE referral_id = %d"
        " AND state = 'held'" % rid)]
    shown = browser.js("(document.querySelector('#replies article.held pre.body') || {}).textContent")
    tap.ok(reply and shown == reply[0][1] and reply[0][2] == "%s@faxgw.example" % OFFICE.fax,
           "the held reply is shown exactly as written, addressed to the office's fax gateway", (reply, shown))
    if reply:
        edited = reply[0][1].rstrip("\n") + "\nThe office notes arrived meanwhile; only the EKG was needed.\n"
        browser.submit("#replies article.held form.reply-edit", body=edited)
        tap.ok(bytes.fromhex(pg.scalar("SELECT encode(convert_to(body, 'UTF8'), 'hex') FROM outbox WHERE id = %s"
                                       % reply[0][0])).decode() == edited,
               "a held reply's text is edited before it goes")
        browser.submit("#replies article.held form.approve")
        got = wait_for(lambda: sink.count() >= 1, 60, 0.3)
        mail = sink.messages()[0] if got else None
        tap.ok(mail is not None and mail.rcpt_tos == ["%s@faxgw.example" % OFFICE.fax] and
               "only the EKG was needed" in mail.body, "approved in the browser, the edited reply arrives at the"
               " SMTP sink", (kit.outbox(pg), mail and mail.body))
        tap.ok(pg.scalar("SELECT decided_by FROM outbox WHERE id = %s" % reply[0][0]) == "ines.ortega" and
               pg.scalar("SELECT count(*) FROM audit_log WHERE action = 'reply-approve' AND user_name = 'ines.ortega'")
               == "1", "the approval records the person")
        state = wait_for(lambda: browser.goto(BASE + "/referral/%d" % rid) or
                         browser.js("document.querySelector('#replies article .state').textContent") == "sent", 30, 0.5)
        tap.ok(state, "the referral page shows the reply sent")

    # a field, with its confidence, edited
    conf = browser.js("document.querySelector(\"tr[data-field='patient_family'] .conf\").textContent")
    browser.submit("tr[data-field='patient_mrn'] form.field", value="LK-448120")
    tap.ok(conf.startswith("read") and browser.js("document.querySelector(\"tr[data-field='patient_mrn'] .value\")"
                                                  ".textContent") == "LK-448120" and
           browser.js("document.querySelector(\"tr[data-field='patient_mrn'] .conf\").textContent")
           == "set by ines.ortega" and pg.scalar("SELECT patient_mrn FROM referral WHERE id = %d" % rid) == "LK-448120",
           "a field shows how sure the reader was, and an edit shows who set it", conf)
    tap.ok(pg.scalar("SELECT count(*) FROM audit_log WHERE action = 'field-edit' AND user_name = 'ines.ortega'"
                     " AND detail->>'field' = 'patient_mrn'") == "1", "the edit is audited")

    # scheduled at 09:30 on the practice's clock (America/New_York)
    browser.submit("form.schedule", date="2026-12-03", time="09:30")
    shown = browser.js("(document.getElementById('appointment') || {}).textContent")
    stored = pg.scalar("SELECT to_char(appointment_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM referral"
                       " WHERE id = %d" % rid)
    tap.ok(shown == "2026-12-03 09:30" and stored == "2026-12-03 14:30" and
           browser.js("document.getElementById('status').textContent") == "scheduled",
           "09:30 entered shows 09:30 and is stored as 14:30 UTC (New York in December)", (shown, stored))

    # another patient's EKG from the unmatched follow-ups: a warning, then attached, then undone
    stray = pg.scalar("SELECT item_id FROM followup_review WHERE resolved_at IS NULL")
    browser.submit("#followups tr[data-item='%s'] form.attach" % stray)
    warning = browser.js("(document.getElementById('confirm') || {}).textContent || ''")
    tap.ok("Ashcombe" in warning and "Verhoeven" in warning and
           pg.scalar("SELECT resolved_at IS NULL FROM followup_review WHERE item_id = %s" % stray) == "t",
           "attaching another patient's item warns and asks again; nothing is attached yet", warning)
    browser.load(lambda: browser.js("document.getElementById('confirm-attach').click()"))
    tap.ok(browser.js("document.querySelectorAll('#followups ul.attached li').length") == 1 and
           pg.scalar("SELECT role FROM item_origin WHERE item_id = %s" % stray) == "followup",
           "confirmed, the item is attached", browser.js("document.getElementById('followups').textContent"))
    browser.submit("#followups ul.attached form.detach")
    tap.ok(browser.js("document.querySelectorAll('#followups ul.attached li').length") == 0 and
           browser.js("!!document.querySelector(\"#followups tr[data-item='%s']\")" % stray) and
           pg.scalar("SELECT count(*) FROM referral_document WHERE item_id = %s" % stray) == "0",
           "detach undoes it: the item waits among the unmatched follow-ups again")
    tap.ok([r[0] for r in pg.query("SELECT action FROM audit_log WHERE referral_id = %d AND action IN"
                                   " ('attach', 'detach') AND user_name = 'ines.ortega' ORDER BY id" % rid)]
           == ["attach", "detach"], "attach and detach are audited")
    browser.screenshot(os.path.join(SHOTS, "referral-worked.png"))

    # two people at once: Marco opens the referral, Ines changes it, Marco's change is refused
    marco = session_of("marco.bellini")
    _, _, page = fetch("GET", "/referral/%d" % rid, headers={"Cookie": marco})
    stale = form_fields(page, "field")
    browser.submit("tr[data-field='patient_phone'] form.field", value="555-201-7788")
    stale.update({"field": "patient_phone", "value": "555-201-0000"})
    status, _, body = post(marco, "/referral/%d/field" % rid, stale)
    tap.ok(status == 409 and "changed" in body and "ines.ortega" in body and
           pg.scalar("SELECT patient_phone FROM referral WHERE id = %d" % rid) == "555-201-7788",
           "the last writer is told the referral changed under them, and nothing is overwritten", (status, body[-600:]))

    # the queue found by phone, filtered by date
    browser.goto(BASE + "/queue")
    browser.submit("#search", q="(555) 201-7788")
    found = browser.js("[...document.querySelectorAll('#queue a.ref')].map(a => a.getAttribute('href'))")
    tap.ok(found == ["/referral/%d" % rid], "the patient's phone number finds the referral", found)
    browser.goto(BASE + "/queue?since=2099-01-01")
    tap.ok(browser.js("document.querySelector('#queue td.empty') !== null"), "a date filter with nothing in it")

    # the partner directory: the office added later is matched to its earlier referrals; a duplicate merged
    admin = session_of("ada.admin")
    status, _, _ = post(marco, "/partners/add", {"csrf": form_fields(page, "field").get("csrf", ""),
                                                 "name": "Sneaky", "keys": "fax 5550000000"})
    tap.ok(status == 403 and pg.scalar("SELECT count(*) FROM partner") == "0",
           "staff cannot change the partner directory (replies follow it)", status)
    _, _, listing = fetch("GET", "/partners", headers={"Cookie": admin})
    csrf = form_fields(listing, "partner-add").get("csrf", "")
    status, _, body = post(admin, "/partners/add", {"csrf": csrf, "name": OFFICE.practice, "reply_channel": "auto",
                                                    "keys": "fax %s\nnpi %s" % (kit.dashed(OFFICE.fax), OFFICE.npi)})
    first = pg.scalar("SELECT id FROM partner WHERE name = '%s'" % OFFICE.practice)
    tap.ok(status == 200 and "2 earlier referrals matched" in body and
           pg.scalar("SELECT count(*) FROM referral WHERE partner_id = %s" % first) == "2",
           "a partner added later is matched to its existing referrals (by fax header and NPI)",
           (status, re.findall(r'<p class="[a-z]+"[^>]*>[^<]*', body)))
    status, _, body = post(admin, "/partners/add", {"csrf": csrf, "name": "Lakeshore FM (duplicate)",
                                                    "keys": "domain %s" % OFFICE.domain})
    dup = pg.scalar("SELECT id FROM partner WHERE name LIKE '%duplicate%'")
    status, h, _ = post(admin, "/partner/%s/merge" % dup, {"csrf": csrf, "into": first})
    tap.ok(status == 303 and pg.scalar("SELECT count(*) FROM partner") == "1" and
           pg.scalar("SELECT count(*) FROM partner_key WHERE partner_id = %s" % first) == "3",
           "merging a duplicate keeps one partner with all the keys", (status, pg.query("SELECT * FROM partner_key")))
    tap.ok([r[0] for r in pg.query("SELECT action FROM audit_log WHERE user_name = 'ada.admin' AND action LIKE"
                                   " 'partner%%' ORDER BY id")] == ["partner-add", "partner-add", "partner-merge"],
           "directory changes are audited")
    browser.goto(BASE + "/report")
    bars = browser.js("document.querySelectorAll('#funnel-all rect').length")
    row = browser.js("[...document.querySelectorAll('#report tbody tr')].map(r => r.textContent).join('|')")
    tap.ok(bars == 6 and OFFICE.practice in row, "the funnel report draws its chart on the server (SVG)", (bars, row))
    browser.screenshot(os.path.join(SHOTS, "report.png"))

    browser.goto(BASE + "/referral/%d" % hostile)
    shown = browser.js("document.querySelector('.fields td').textContent")
    browser.submit("form.close", status="declined", note="")
    refused = browser.js("document.body.textContent")
    browser.goto(BASE + "/referral/%d" % hostile)
    browser.submit("form.close", status="declined", note="Patient chose a cardiologist nearer home")
    tap.ok("Say why" in refused and browser.js("document.getElementById('status').textContent") == "declined" and
           "nearer home" in browser.js("document.getElementById('status-note').textContent"),
           "declined needs a reason, and shows it", refused[-300:])
    tap.ok("<script>alert(1)</script>" in shown and not browser.saw_event("Page.javascriptDialogOpening") and
           browser.js("document.querySelectorAll('main script, main img:not(.thumb)').length") == 0,
           "a hostile patient name is shown as text, never run", shown)
    files = browser.js("[...document.querySelectorAll('.fields tr')].filter(r => r.querySelector('th') &&"
                       " r.querySelector('th').textContent === 'File').map(r => r.querySelector('td').textContent)")
    tap.ok(files == [HOSTILE_FILE] and not browser.saw_event("Page.javascriptDialogOpening"),
           "a hostile file name is shown as text, never run", files)

    browser.load(lambda: browser.js("document.getElementById('logout').click()"))
    tap.ok(browser.js("location.pathname") == "/login", "logging out returns to the login form")
    browser.goto(BASE + "/queue")
    tap.ok(browser.js("location.pathname") == "/login", "after logout the queue needs a login again")
finally:
    if browser is not None:
        browser.close()
    work.finish(tap, d.stop, sink.stop, pg.stop)

#!/usr/bin/env python3
"""The staff web interface in a real browser: Debian's chromium, headless,
against referrald (with [web]) and a PostgreSQL of its own, 10,000 other
referrals in the queue.  One walk: the unauthenticated redirect, log in,
the queue with its counts, a flagged referral found by a misspelled
patient name, its page pictures loaded, an item resolved with a note and
the checklist changed, log out.  Also: a forged form refused (CSRF), a
hostile patient name shown as text, security headers, X-Forwarded-Proto
believed only from the configured proxy, and the lockout after failed
logins.  Screenshots go to the build's meson-logs/browser/."""
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
from harness import BUILD, Daemon, Postgres, Tap, Workdir, drop, free_port, wait_for  # noqa: E402

tap = Tap()
if cdp.chromium_path() is None:
    tap.skip_all("chromium is not installed (tools/install-deps.sh installs it)")

PASSWORD = "correct horse battery 7"
OFFICE = kit.Office(41, "Lakeshore Family Medicine", "Imelda Corvino", "lakeshore-fm.example")
FLAGGED = kit.Patient("Odalys", "Verhoeven", "03/14/1952")
HOSTILE = kit.Patient("Bartholomew", "Quenneville", "05/06/1961", "Male")
SHOTS = os.path.join(BUILD, "meson-logs", "browser")

work = Workdir("browser")
pg = Postgres(work)
port = free_port()
d = Daemon(work, pg, web__listen="127.0.0.1:%d" % port, web__timezone="UTC", web__trusted_proxy="127.0.0.2")
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
    tap.ok(PASSWORD not in (pg.scalar("SELECT password_hash FROM web_user WHERE name = 'ines.ortega'") or "") and
           (pg.scalar("SELECT password_hash FROM web_user WHERE name = 'ines.ortega'") or "").startswith("$argon2id$"),
           "the password is stored only as an argon2id hash")

    drop(d.inbox, "flagged.pdf", kit.referral_pdf(OFFICE, FLAGGED))
    drop(d.inbox, "hostile.pdf", kit.referral_pdf(OFFICE, HOSTILE))
    d.start()
    wait_for(lambda: referral_of("Verhoeven") and referral_of("Quenneville"), 300, 0.5)
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
    browser.screenshot(os.path.join(SHOTS, "page-large.png"))
    browser.js("document.getElementById('overlay').click()")
    browser.screenshot(os.path.join(SHOTS, "referral.png"))

    # a forged request: the session cookie goes along, the CSRF token does not
    forged = browser.js("fetch('/referral/%d/resolve', {method: 'POST', headers: {'Content-Type':"
                        " 'application/x-www-form-urlencoded'}, body: 'item=ekg&note=forged&csrf=%s'})"
                        ".then(r => r.status)" % (rid, "0" * 64))
    tap.ok(forged == 403 and checklist_state(rid, "ekg") == "missing", "a request without the CSRF token is refused",
           forged)

    browser.submit("tr[data-item='ekg'] form.resolve", note="EKG received via the hospital portal")
    state = browser.js("document.querySelector(\"tr[data-item='ekg'] .state\").textContent")
    tap.ok(state == "resolved" and checklist_state(rid, "ekg") == "resolved",
           "resolving the EKG with a note changes the checklist", state)
    timeline = browser.js("document.getElementById('timeline').textContent")
    tap.ok("by ines.ortega" in timeline and "hospital portal" in timeline,
           "the timeline shows the resolution with the person's name", timeline)
    tap.ok(pg.scalar("SELECT count(*) FROM audit_log WHERE user_name = 'ines.ortega' AND action = 'resolve'"
                     " AND referral_id = %d" % rid) == "1", "the change is audited with the person's name")

    browser.goto(BASE + "/referral/%d" % hostile)
    shown = browser.js("document.querySelector('.fields td').textContent")
    tap.ok("<script>alert(1)</script>" in shown and not browser.saw_event("Page.javascriptDialogOpening") and
           browser.js("document.querySelectorAll('main script, main img:not(.thumb)').length") == 0,
           "a hostile patient name is shown as text, never run", shown)

    browser.load(lambda: browser.js("document.getElementById('logout').click()"))
    tap.ok(browser.js("location.pathname") == "/login", "logging out returns to the login form")
    browser.goto(BASE + "/queue")
    tap.ok(browser.js("location.pathname") == "/login", "after logout the queue needs a login again")
finally:
    if browser is not None:
        browser.close()
    work.finish(tap, d.stop, pg.stop)

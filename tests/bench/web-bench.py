#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Web interface benchmark (not a timed test).  Usage:

    tests/bench/web-bench.py BUILD_DIR [N_REFERRALS]

Starts a PostgreSQL of its own and referrald with [web], stores one real
image-only fax referral (three pages at fax resolution) and N_REFERRALS
(default 10,000) more, logs in and measures:

  - the queue page (first page, all states): 30 requests;
  - the queue filtered (incomplete) and a trigram name search: 10 each;
  - the referral page: 10 requests;
  - each page picture the first time it is asked for (thumbnail and large).

"At the server" is the Server-Timing header the web process sets (from
reading the request to the response ready, page pictures including the
drawing child); "wall" is the client's, over loopback.  Targets: the queue
page <= 100 ms and a page picture <= 300 ms the first time (median).
Exit status 0 when both hold, 1 when not, 77 when something is missing.
Build with -Dbuildtype=release for numbers a clinic would see."""
import http.client
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
if len(sys.argv) < 2:
    sys.exit(__doc__)
os.environ["RD_BUILD_ROOT"] = os.path.abspath(sys.argv[1])
N = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import replykit as kit  # noqa: E402
from harness import Daemon, Postgres, Workdir, drop, free_port, wait_for  # noqa: E402

if not kit.raster_available():
    print("web-bench: pdftoppm (poppler-utils) is needed to draw fax pages")
    sys.exit(77)

PASSWORD = "bench password 42"
OFFICE = kit.Office(61, "Harbor View Family Practice", "Lena Moritz", "harborview.example")
PATIENT = kit.Patient("Rosalind", "Thackeray", "06/30/1949")

work = Workdir("web-bench")
pg = Postgres(work)
port = free_port()
d = Daemon(work, pg, web__listen="127.0.0.1:%d" % port)


def fetch(method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    t0 = time.monotonic()
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    wall = (time.monotonic() - t0) * 1000
    c.close()
    m = re.search(r"dur=([0-9.]+)", r.headers.get("Server-Timing", ""))
    return r.status, r.headers, data, (float(m.group(1)) if m else None), wall


def login():
    _, h, _, _, _ = fetch("GET", "/login")
    nonce = re.search(r"rd_login=([0-9a-f]+)", h.get("Set-Cookie", "")).group(1)
    body = urllib.parse.urlencode({"csrf": nonce, "name": "bench", "password": PASSWORD})
    _, h, _, _, _ = fetch("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                  "Cookie": "rd_login=" + nonce})
    token = re.search(r"rd_session=([0-9a-f]+)", " ".join(h.get_all("Set-Cookie") or [])).group(1)
    return "rd_session=" + token


def measure(label, count, request):
    server, wall = [], []
    for _ in range(count):
        status, _, _, s, w = request()
        if status != 200:
            raise RuntimeError("%s: HTTP %d" % (label, status))
        server.append(s)
        wall.append(w)
    print("%-34s n=%-3d server median %7.1f ms  p95 %7.1f ms  max %7.1f ms   wall median %7.1f ms"
          % (label, count, statistics.median(server), sorted(server)[int(0.95 * (count - 1))], max(server),
             statistics.median(wall)))
    return statistics.median(server)


ok = True
try:
    kit.migrate(d, pg)
    subprocess.run([kit.REFERRALCTL, "user", "--config", d.config, "add", "bench", "--role", "staff"],
                   input=PASSWORD + "\n", capture_output=True, text=True, check=True)
    drop(d.inbox, "fax.pdf", kit.fax_pdf([kit.referral_form_lines(OFFICE, PATIENT), kit.office_note_lines(PATIENT),
                                          kit.ekg_lines(PATIENT)]))
    d.start()
    if not wait_for(lambda: pg.scalar("SELECT count(*) FROM referral") == "1", 600, 0.5):
        raise RuntimeError("the fax was not stored: " + d.log_text()[-2000:])
    rid = int(pg.scalar("SELECT id FROM referral"))
    pg.query("WITH i AS (INSERT INTO item (source, source_key, sha256, size, state)"
             " SELECT 'dropdir', 'bulk-' || g, md5(g::text) || md5('b' || g), 0, 'done'"
             " FROM generate_series(1, %d) g RETURNING id)"
             " INSERT INTO referral (item_id, channel, status, extract, patient_family, patient_given, patient_dob,"
             " service_line, urgency, created_at)"
             " SELECT id, 'fax', CASE WHEN id %% 3 = 0 THEN 'complete' ELSE 'incomplete' END, '{}',"
             " 'Family' || id, 'Given', date '1940-01-01' + (id %% 20000)::integer,"
             " (ARRAY['general', 'preventive', 'heart_failure'])[1 + id %% 3], 'routine',"
             " now() - make_interval(mins => id::integer) FROM i" % N)
    pg.query("INSERT INTO referral_checklist (referral_id, item, present, why)"
             " SELECT id, 'ekg', false, 'not_enclosed' FROM referral WHERE status = 'incomplete'")
    pg.query("ANALYZE")
    wait_for(lambda: "web interface listening" in d.log_text(), 60, 0.3)
    cookie = login()
    print("referrals in the database: %s" % pg.scalar("SELECT count(*) FROM referral"))
    h = {"Cookie": cookie}
    _, _, page, _, _ = fetch("GET", "/queue", headers=h)
    csrf = re.search(rb'name="csrf" value="([0-9a-f]+)"', page).group(1).decode()
    fetch("GET", "/queue", headers=h)  # the connection's first statements are planned once
    queue = measure("queue page (all states)", 30, lambda: fetch("GET", "/queue", headers=h))
    measure("queue page (incomplete)", 10, lambda: fetch("GET", "/queue?state=incomplete", headers=h))
    search = urllib.parse.urlencode({"csrf": csrf, "q": "Famly123"})
    measure("queue search (trigram name)", 10,
            lambda: fetch("POST", "/queue", search, dict(h, **{"Content-Type": "application/x-www-form-urlencoded"})))
    measure("referral page", 10, lambda: fetch("GET", "/referral/%d" % rid, headers=h))
    pages = pg.query("SELECT item_id, number FROM page WHERE item_id = (SELECT item_id FROM referral WHERE id = %d)"
                     " ORDER BY number" % rid)
    firsts = []
    for item, number in pages:
        for size in ("", "?size=large"):
            status, _, data, s, w = fetch("GET", "/referral/%d/page/%s/%s.png%s" % (rid, item, number, size),
                                          headers=h)
            if status != 200 or not data.startswith(b"\x89PNG"):
                raise RuntimeError("page picture: HTTP %d" % status)
            firsts.append(s)
            print("page picture %s.%s %-6s first time   server %7.1f ms   wall %7.1f ms  (%d bytes)"
                  % (item, number, "large" if size else "thumb", s, w, len(data)))
    picture = statistics.median(firsts)
    print("queue page median %.1f ms (target <= 100): %s" % (queue, "ok" if queue <= 100 else "OVER"))
    print("page picture first time median %.1f ms, max %.1f ms (target <= 300): %s"
          % (picture, max(firsts), "ok" if picture <= 300 else "OVER"))
    ok = queue <= 100 and picture <= 300
finally:
    d.stop()
    pg.stop()
    work.cleanup()
sys.exit(0 if ok else 1)

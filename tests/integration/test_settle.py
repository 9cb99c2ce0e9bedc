#!/usr/bin/env python3
"""A file the fax gateway is still writing is not taken, even where the
kernel cannot say who has it open:

- the gateway owns its files (the documented setup), so referrald, not the
  owner and without CAP_LEASE, cannot take a lease (F_SETLEASE fails with
  EACCES) to learn whether anyone still has the file open for writing;
- the file's modification time comes from the writer's clock (a share
  whose server clock lags, or a copy that keeps the original times), so it
  can look old while the file still grows;
- referrald then takes the file only once it has itself seen its size and
  modification time unchanged for settle-time, and stores it whole."""
import hashlib
import os
import shutil
import subprocess
import time

from harness import Daemon, Postgres, Tap, Workdir, make_pdf, wait_for

tap = Tap()
if os.geteuid() != 0:
    tap.skip_all("needs root to write files as another owner and to drop CAP_LEASE")
if shutil.which("setpriv") is None or subprocess.run(["setpriv", "--bounding-set", "-lease", "--", "true"]).returncode:
    tap.skip_all("setpriv (util-linux) cannot drop CAP_LEASE here")

work = Workdir("settle")
pg = Postgres(work)
d = Daemon(work, pg, dropdir__settle_time="2s", dropdir__rescan_interval="1s")
# the unit runs referrald as its own user, without CAP_LEASE
d.prefix = ["setpriv", "--bounding-set", "-lease", "--"]

try:
    p = d.ctl("migrate")
    if not tap.ok(p.returncode == 0, "schema created", p.stdout + p.stderr):
        raise SystemExit
    os.chmod(d.inbox, 0o777)
    d.start()
    wait_for(lambda: "started with" in d.log_text(), 30)

    data = make_pdf("written slowly by the gateway", extra_comment="x" * 4000)
    path = os.path.join(d.inbox, "slow.pdf")
    old = time.time() - 3600
    # the gateway (uid nobody) writes the file in pieces, keeping it open;
    # its clock says an hour ago
    with open(path, "wb") as f:
        os.fchown(f.fileno(), 65534, 65534)
        step = len(data) // 6 + 1
        for i in range(0, len(data), step):
            f.write(data[i:i + step])
            f.flush()
            os.utime(f.fileno(), (old, old))
            time.sleep(1.2)
    stored = wait_for(lambda: pg.query("SELECT size, sha256, state FROM item"), 60, 0.3)
    time.sleep(3)
    rows = pg.query("SELECT size, sha256, state FROM item")
    tap.ok(len(rows) == 1, "the file is stored once", rows)
    tap.ok(rows and rows[0][0] == str(len(data)) and rows[0][1] == hashlib.sha256(data).hexdigest(),
           "whole: not while the gateway was still writing it", (rows, len(data)))
    tap.ok(not os.listdir(d.quarantine), "nothing was quarantined as a cut-off file", os.listdir(d.quarantine))
    tap.ok("lease" in d.log_text(), "the log says files are taken once they stay unchanged (no lease)",
           d.log_text()[-1500:])
    tap.ok(d.stop() == 0, "clean stop")
except SystemExit:
    pass
finally:
    work.finish(tap, d.kill_group, pg.stop)

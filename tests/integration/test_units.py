#!/usr/bin/env python3
"""The systemd files: systemd-analyze verify with no complaint at all (it
exits 0 on bad values, so any output fails), and the keys the deployment
relies on."""
import configparser
import os
import shutil
import subprocess

from harness import REFERRALD, SRC, Tap, Workdir

tap = Tap()
unit_path = os.path.join(SRC, "systemd", "referrald.service")
with open(unit_path) as f:
    unit_text = f.read()
unit = configparser.ConfigParser(strict=False, interpolation=None)
unit.optionxform = str
unit.read_string(unit_text)
svc = unit["Service"]
expect = {
    "Type": "notify", "NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes",
    "User": "referrald",
}
for k, v in expect.items():
    tap.ok(svc.get(k) == v, "unit sets %s=%s" % (k, v), svc.get(k))
for k in ("WatchdogSec", "ReadWritePaths", "RestrictAddressFamilies", "LoadCredential", "ExecReload",
          "TimeoutStopSec"):
    tap.ok(bool(svc.get(k)), "unit sets %s" % k)
tap.ok("db-password" in svc.get("LoadCredential", ""), "the database password arrives as a credential")
# issue 15: one worker's out-of-memory kill does not stop the service
tap.ok(svc.get("OOMPolicy") == "continue", "OOMPolicy=continue", svc.get("OOMPolicy"))
tap.ok(svc.get("OOMScoreAdjust") is not None and int(svc.get("OOMScoreAdjust")) < 500,
       "the supervisor's OOMScoreAdjust is below the workers' own 500", svc.get("OOMScoreAdjust"))
tap.ok(svc.get("ProcSubset") == "pid", "ProcSubset=pid", svc.get("ProcSubset"))
tap.ok(svc.get("IPAddressDeny") == "any" and "localhost" in svc.get("IPAddressAllow", ""),
       "no network but localhost unless a drop-in allows the configured servers")
filters = [line.split("=", 1)[1].split() for line in unit_text.splitlines() if line.startswith("SystemCallFilter=")]
tap.ok(filters and filters[0] == ["@system-service"] and ["~@privileged", "@resources"] in filters,
       "SystemCallFilter: @system-service without @privileged and @resources", filters)
tap.ok("/var/spool/referrald" in svc.get("ReadWritePaths", ""), "the spool folders are writable")
with open(os.path.join(SRC, "systemd", "referrald.sysusers")) as f:
    tap.ok(any(line.startswith("u referrald ") for line in f), "sysusers.d creates the referrald user")
with open(os.path.join(SRC, "systemd", "referrald.tmpfiles")) as f:
    tmp = f.read()
tap.ok(all(p in tmp for p in ("/var/spool/referrald/inbox", "/processed", "/quarantine")),
       "tmpfiles.d creates the spool folders")
groups = {f[1]: f[4] for f in (line.split() for line in tmp.splitlines() if line.startswith("d "))}
tap.ok(groups.get("/var/spool/referrald/inbox") == "referrald-fax"
       and groups.get("/var/spool/referrald/processed") == "referrald"
       and groups.get("/var/spool/referrald/quarantine") == "referrald",
       "the fax gateway's group reaches the inbox, not the stored faxes", groups)
with open(os.path.join(SRC, "systemd", "referrald.sysusers")) as f:
    sysusers = f.read().splitlines()
tap.ok("g referrald-fax -" in sysusers and "m referrald referrald-fax" in sysusers,
       "sysusers.d creates the referrald-fax group, with referrald in it", sysusers)
conf = os.path.join(SRC, "systemd", "referrald.conf.example")
p = subprocess.run([REFERRALD, "--config", conf, "--check-config"], capture_output=True, text=True,
                   env=dict(os.environ, CREDENTIALS_DIRECTORY=os.path.join(SRC, "tests", "data", "credentials")))
tap.ok(p.returncode == 0, "the example configuration is valid", p.stderr)

# referrald --ip-allow: the drop-in that lets the configured servers through
ipwork = Workdir("units-ip")
ipconf = os.path.join(ipwork.path, "referrald.conf")
with open(ipconf, "w") as f:
    f.write("[database]\nconninfo=host=/run/postgresql,127.0.0.2 dbname=referrals\n\n"
            "[mailbox.clinic]\nurl=imaps://127.0.0.3\nuser=x\npassword-file=/nonexistent\n")
p = subprocess.run([REFERRALD, "--ip-allow", "--config", ipconf], capture_output=True, text=True)
tap.ok(p.returncode == 0 and "[Service]" in p.stdout and "IPAddressAllow=127.0.0.2" in p.stdout
       and "IPAddressAllow=127.0.0.3" in p.stdout and "/run/postgresql" not in p.stdout,
       "referrald --ip-allow prints a drop-in with the database's and the mailbox's addresses",
       p.stdout + p.stderr)
ipwork.cleanup()

if shutil.which("systemd-analyze"):
    work = Workdir("units")
    local = os.path.join(work.path, "referrald.service")
    with open(local, "w") as f:
        f.write(unit_text.replace("/usr/sbin/referrald", REFERRALD))
    p = subprocess.run(["systemd-analyze", "verify", local], capture_output=True, text=True)
    noise = [l for l in (p.stdout + p.stderr).splitlines() if l.strip()]
    tap.ok(p.returncode == 0 and not noise, "systemd-analyze verify is silent", "\n".join(noise))
    p = subprocess.run(["systemd-analyze", "security", "--offline=true", local], capture_output=True, text=True)
    score = [l for l in p.stdout.splitlines() if "Overall exposure level" in l]
    try:
        value = float(score[0].split(":")[1].split()[0])
    except (IndexError, ValueError):
        value = None
    tap.ok(value is not None and value <= 1.7, "systemd-analyze security: exposure at most 1.7 (it was 1.7)",
           score or p.stdout[-1000:] + p.stderr[-500:])
    work.cleanup()
else:
    print("# systemd-analyze not installed: verify skipped, keys checked above")
tap.done()

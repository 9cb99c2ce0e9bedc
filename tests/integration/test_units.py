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
tap.ok("/var/spool/referrald" in svc.get("ReadWritePaths", ""), "the spool folders are writable")
with open(os.path.join(SRC, "systemd", "referrald.sysusers")) as f:
    tap.ok(any(line.startswith("u referrald ") for line in f), "sysusers.d creates the referrald user")
with open(os.path.join(SRC, "systemd", "referrald.tmpfiles")) as f:
    tmp = f.read()
tap.ok(all(p in tmp for p in ("/var/spool/referrald/inbox", "/processed", "/quarantine")),
       "tmpfiles.d creates the spool folders")
conf = os.path.join(SRC, "systemd", "referrald.conf.example")
p = subprocess.run([REFERRALD, "--config", conf, "--check-config"], capture_output=True, text=True,
                   env=dict(os.environ, CREDENTIALS_DIRECTORY=os.path.join(SRC, "tests", "data", "credentials")))
tap.ok(p.returncode == 0, "the example configuration is valid", p.stderr)

if shutil.which("systemd-analyze"):
    work = Workdir("units")
    local = os.path.join(work.path, "referrald.service")
    with open(local, "w") as f:
        f.write(unit_text.replace("/usr/sbin/referrald", REFERRALD))
    p = subprocess.run(["systemd-analyze", "verify", local], capture_output=True, text=True)
    noise = [l for l in (p.stdout + p.stderr).splitlines() if l.strip()]
    tap.ok(p.returncode == 0 and not noise, "systemd-analyze verify is silent", "\n".join(noise))
    work.cleanup()
else:
    print("# systemd-analyze not installed: verify skipped, keys checked above")
tap.done()

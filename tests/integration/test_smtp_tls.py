#!/usr/bin/env python3
"""Mail leaves by STARTTLS with a login, as at a real submission server:
the reply arrives when the certificate and password are right; a wrong
password or a server without STARTTLS keeps the reply queued with the
server's answer, and nothing is ever sent in the clear."""
import os
import subprocess

import replykit as kit
import smtpsink
from harness import Daemon, Postgres, Tap, Workdir, drop, wait_for

tap = Tap()
why = smtpsink.available()
if why:
    tap.skip_all(why)

OFFICE = kit.Office(51, "Lakeshore Family Practice", "Imogen Pryce", "lakeshore-fp.example")

work = Workdir("smtptls")
pg = Postgres(work)
sink = smtpsink.Sink(work)
d = Daemon(work, pg)
pwfile = os.path.join(work.path, "smtp.pw")


def settled(name):
    return pg.scalar("SELECT i.state FROM item i JOIN receipt c ON c.item_id = i.id WHERE c.original_name = '%s'"
                     % name) in ("done", "failed")


def referral(name, given, family):
    drop(d.inbox, name, kit.referral_pdf(OFFICE, kit.Patient(given, family, "04/04/1960")))
    wait_for(lambda: settled(name), 120, 0.3)
    return pg.scalar("SELECT o.id FROM outbox o JOIN referral r ON r.id = o.referral_id"
                     " JOIN receipt c ON c.item_id = r.item_id WHERE c.original_name = '%s'" % name)


try:
    cert = os.path.join(sink.dir, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", os.path.join(sink.dir, "key.pem"),
                    "-out", cert], check=True, capture_output=True)
    with open(os.path.join(sink.dir, "auth"), "w") as f:
        f.write("mailer:s3cret-pass\n")
    with open(pwfile, "w") as f:
        f.write("s3cret-pass\n")
    os.chmod(pwfile, 0o600)
    sink.start()
    smtp = {"allow-plaintext": "false", "user": "mailer", "password-file": pwfile, "ca-file": cert}
    kit.replies_config(d, pg, sink, smtp=smtp)
    ok, detail = kit.migrate(d, pg)
    if not tap.ok(ok, "schema created", detail):
        raise SystemExit
    kit.add_partner(d, pg, OFFICE, reply_email="desk@lakeshore-fp.example", keys=("fax", "npi"))
    d.start()

    o1 = referral("r1.pdf", "Ada", "Quennell")
    got = wait_for(lambda: sink.count() == 1, 60, 0.3)
    tap.ok(got, "the reply is sent over STARTTLS with the login", (kit.outbox(pg), sink.server_log()[-1500:]))
    tap.ok("auth ok" in sink.events(), "the server saw a successful login", sink.events())

    # a wrong password: the reply waits, with the server's answer kept
    with open(pwfile, "w") as f:
        f.write("wrong\n")
    tap.ok(d.stop() == 0, "clean stop")
    d.start()
    o2 = referral("r2.pdf", "Bram", "Oyelaran")
    failed = wait_for(lambda: o2 and pg.scalar("SELECT last_error FROM outbox WHERE id = %s" % o2), 60, 0.5)
    row = kit.outbox(pg, "id = %s" % o2) if o2 else []
    tap.ok(failed and row and row[0]["state"] in ("queued", "sending") and sink.count() == 1,
           "with a wrong password the reply stays queued, not sent", row)
    tap.ok(failed and "login" in failed.lower() or failed and "535" in failed,
           "and the server's refusal is kept for staff", failed)
    tap.ok(d.stop() == 0, "clean stop")

    # a server without STARTTLS: nothing goes out in the clear
    sink.stop()
    os.rename(cert, cert + ".off")
    os.unlink(os.path.join(sink.dir, "auth"))
    sink.start()
    with open(pwfile, "w") as f:
        f.write("s3cret-pass\n")
    d.start()
    o3 = referral("r3.pdf", "Cosima", "Threlkeld")
    err = wait_for(lambda: o3 and pg.scalar("SELECT last_error FROM outbox WHERE id = %s" % o3), 60, 0.5)
    tap.ok(err and sink.count() == 1, "a server that offers no STARTTLS gets nothing (allow-plaintext=false)",
           (err, kit.outbox(pg)))
    tap.ok(d.stop() == 0, "clean stop")
except SystemExit:
    pass
finally:
    work.finish(tap, d.kill_group, sink.stop, pg.stop)

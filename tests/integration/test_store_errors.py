#!/usr/bin/env python3
"""A worker whose result the database refuses says so at once:

- a row the database rejects (a CHECK-like error, SQLSTATE 23514) fails
  the item after one attempt, with the reason, instead of leaving it
  'processing' until its lease (item-timeout + 30 s) runs out, three times;
- any other error storing the result costs the attempt and the item is
  retried after the backoff, then fails after max-attempts;
- the other items are stored as usual."""
from harness import Daemon, Postgres, Tap, Workdir, drop, make_pdf

tap = Tap()
work = Workdir("store-errors")
pg = Postgres(work)
d = Daemon(work, pg, workers__count="1")


def state(name):
    return pg.query("SELECT i.state, i.attempts, coalesce(i.last_error, '') FROM item i JOIN receipt c"
                    " ON c.item_id = i.id WHERE c.original_name = '%s'" % name)


try:
    p = d.ctl("migrate")
    if not tap.ok(p.returncode == 0, "schema created", p.stdout + p.stderr):
        raise SystemExit
    # the database refuses some pages for good, as a constraint or a
    # trigger added by a later migration could
    pg.query("""CREATE FUNCTION test_refuse_page() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
        name text := (SELECT original_name FROM receipt WHERE item_id = NEW.item_id LIMIT 1);
BEGIN
        IF name = 'rejected.pdf' THEN
                RAISE EXCEPTION 'page refused' USING ERRCODE = 'check_violation';
        END IF;
        IF name = 'broken.pdf' THEN
                RAISE EXCEPTION 'something else went wrong';
        END IF;
        RETURN NEW;
END;
$$""")
    pg.query("CREATE TRIGGER test_refuse_page BEFORE INSERT ON page FOR EACH ROW EXECUTE FUNCTION test_refuse_page()")
    drop(d.inbox, "rejected.pdf", make_pdf("a page"))
    drop(d.inbox, "broken.pdf", make_pdf("another page"))
    drop(d.inbox, "fine.pdf", make_pdf("an ordinary page"))
    rc = d.run_once(timeout=300)
    tap.ok(rc == 0, "referrald --once exits 0", d.log_text()[-1500:])

    r = state("rejected.pdf")
    tap.ok(r and r[0][0] == "failed" and r[0][1] == "1",
           "an item whose result the database rejects fails after one attempt, not after its lease ran out",
           r)
    tap.ok(r and "storing the result" in r[0][2] and "23514" in r[0][2],
           "its reason says storing the result was refused, with the SQLSTATE", r)
    b = state("broken.pdf")
    tap.ok(b and b[0][0] == "failed" and b[0][1] == "3",
           "another error storing the result costs an attempt each time; after max-attempts the item fails", b)
    f = state("fine.pdf")
    tap.ok(f and f[0][0] == "done", "the other item is stored", f)
    tap.ok(pg.scalar("SELECT count(*) FROM item WHERE state = 'processing'") == "0",
           "no item is left waiting for its lease to expire")
except SystemExit:
    pass
finally:
    work.finish(tap, d.kill_group, pg.stop)

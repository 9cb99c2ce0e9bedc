# policy.py owns reading the required-document policy (GLib key-file) and
# computing required / missing / complete for a packet's truth.
import datetime


def parse_keyfile(path):
    """Return {group: {key: value}} from a GLib key-file (comments, blanks ok)."""
    groups, cur = {}, None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                cur = groups.setdefault(line[1:-1].strip(), {})
            elif "=" in line and cur is not None:
                k, v = line.split("=", 1)
                cur[k.strip()] = v.strip()
    return groups


def split_list(value):
    return [x.strip() for x in (value or "").split(";") if x.strip()]


class Policy:
    def __init__(self, path):
        g = parse_keyfile(path)
        self.max_age = int(g.get("policy", {}).get("labs_max_age_days", "90"))
        self.lines = {name.split(".", 1)[1]: split_list(kv.get("requires"))
                      for name, kv in g.items() if name.startswith("checklist.")}
        self.keep = {name.split(".", 1)[1]: split_list(kv.get("keep"))
                     for name, kv in g.items() if name.startswith("urgency.")}

    def required(self, service_line, urgency):
        req = list(self.lines.get(service_line, []))
        if urgency in self.keep:
            req = [r for r in req if r in self.keep[urgency]]
        return req

    def missing(self, required, documents, received):
        """documents: truth document dicts; received: ISO date string."""
        types = {d["type"] for d in documents}
        panels = {p for d in documents if d["type"] == "labs" for p in d.get("panels", [])}
        out = []
        for item in required:
            if item.startswith("labs:"):
                ok = item[5:] in panels
            elif item == "labs":
                ok = self.labs_fresh(documents, received)
            else:
                ok = item in types
            if not ok:
                out.append(item)
        return out

    def labs_fresh(self, documents, received):
        dates = [d.get("date") for d in documents if d["type"] == "labs" and d.get("date")]
        if not dates:
            return False
        rec = datetime.date.fromisoformat(received)
        newest = max(datetime.date.fromisoformat(x) for x in dates)
        return (rec - newest).days <= self.max_age

#!/usr/bin/python3
"""Checks dpdk-telemetry.py's answers from a running linkcryptd against linkcryptctl --json.

Usage: telemetry_compare.py DIR. DIR holds telemetry.out (one JSON reply per line, in this order:
/linkcrypt/status, /linkcrypt/sa, /ethdev/stats,<plain>, /ethdev/stats,<wire>) and the
linkcryptctl replies read just before and just after it: {status,sa,stats}.{before,after}.json.

Identities and states must be equal. Counters move (the key exchange's liveness checks cross the
wire port), so each telemetry counter must lie between the control socket's before and after
values, which is exact for a counter nothing moved. Fails (exit 1) naming every mismatch, and
when a field the comparison relies on is missing from either side.
"""
import json
import os
import sys

d = sys.argv[1]
errors = []
checked = 0


def load(name):
    with open(os.path.join(d, name)) as f:
        resp = json.load(f)
    if not resp.get("ok"):
        sys.exit(f"{name}: the daemon answered an error: {resp}")
    return resp["result"]


def telemetry():
    # One reply per request, in order; a reply is keyed by the command without its parameter.
    with open(os.path.join(d, "telemetry.out")) as f:
        replies = [json.loads(line) for line in f if line.strip()]
    if len(replies) != 4:
        sys.exit(f"telemetry.out: want 4 replies, got {len(replies)}")
    keys = ("/linkcrypt/status", "/linkcrypt/sa", "/ethdev/stats", "/ethdev/stats")
    return [r.get(k) for r, k in zip(replies, keys)]


def same(what, tel, ctl):
    global checked
    checked += 1
    if tel != ctl:
        errors.append(f"{what}: telemetry {tel!r}, linkcryptctl {ctl!r}")


def between(what, tel, lo, hi):
    global checked
    checked += 1
    if not (isinstance(tel, int) and lo <= tel <= hi):
        errors.append(f"{what}: telemetry {tel!r} not within linkcryptctl's {lo}..{hi}")


def need(obj, key, where):
    if key not in obj:
        sys.exit(f"{where} has no '{key}': {json.dumps(obj)[:400]}")
    return obj[key]


tel_status, tel_sa, tel_eth_plain, tel_eth_wire = telemetry()
for cmd, reply in (("/linkcrypt/status", tel_status), ("/linkcrypt/sa", tel_sa)):
    if not isinstance(reply, dict):
        sys.exit(f"telemetry answered {cmd} with {reply!r}")

# /linkcrypt/status against `status` (null on the control socket = absent in telemetry).
st_tel, st_ctl = tel_status, load("status.before.json")
for key in ("state", "transport", "rotations", "ike_state"):
    same(f"status.{key}", need(st_tel, key, "/linkcrypt/status"), need(st_ctl, key, "linkcryptctl status"))
# Null or left out on the control socket (manual keys: no key id, peer or role) = absent here.
for key in ("suite", "tx_an", "tx_key_id", "peer_id", "role"):
    v = st_ctl.get(key)
    if v is None:
        same(f"status.{key} (absent)", key in st_tel, False)
    else:
        same(f"status.{key}", st_tel.get(key), v)
same("status.must_secure", st_tel.get("must_secure"), 1 if st_ctl.get("must_secure") else 0)
for port in need(st_ctl, "ports", "linkcryptctl status"):
    g = need(st_tel, port["role"], "/linkcrypt/status")
    for key in ("device", "interface", "link", "mtu", "operstate"):
        if port.get(key) is not None:
            same(f"status.{port['role']}.{key}", g.get(key), port[key])

# /linkcrypt/sa against `sa`: one telemetry group per SA, same identity, counters bracketed.
sa_tel = tel_sa
sa_before = {(s["direction"], s["sci"], s["an"]): s for s in need(load("sa.before.json"), "sas", "sa")}
sa_after = {(s["direction"], s["sci"], s["an"]): s for s in need(load("sa.after.json"), "sas", "sa")}
groups = {k: v for k, v in sa_tel.items() if isinstance(v, dict)}
same("sa.count", sa_tel.get("count"), len(sa_before))
if not sa_before:
    sys.exit("linkcryptctl sa lists no SA: nothing to compare")
for key, b in sa_before.items():
    direction, sci, an = key
    name = f"tx_an{an}" if direction == "tx" else f"rx_{sci}_an{an}"
    g = groups.get(name)
    if g is None:
        errors.append(f"/linkcrypt/sa has no group {name} (has {sorted(groups)})")
        continue
    a = sa_after.get(key, b)
    for field in ("direction", "sci", "an", "suite", "key_id", "state"):
        if b.get(field) is not None:
            same(f"{name}.{field}", g.get(field), b[field])
    for field in ("next_pn", "packets", "octets", "errors", "lowest_pn"):
        if field in b:
            between(f"{name}.{field}", g.get(field), b[field], a[field])
    # PN headroom falls as PNs are used: after <= telemetry <= before.
    if isinstance(b.get("pn_headroom"), int):
        between(f"{name}.pn_headroom", g.get("pn_headroom"), a["pn_headroom"], b["pn_headroom"])

# /ethdev/stats,<port> against `stats`' ports section (the PMD's own rte_eth_stats).
st_b, st_a = need(load("stats.before.json"), "ports", "stats"), need(load("stats.after.json"), "ports", "stats")
names = {"ipackets": "RxPackets", "opackets": "TxPackets", "ierrors": "RxErrors", "oerrors": "TxErrors",
         "rx_nombuf": "RxNoMbuf"}
for role, eth in (("plain", tel_eth_plain), ("wire", tel_eth_wire)):
    port_id = need(st_tel[role], "port_id", f"/linkcrypt/status {role}")
    if not isinstance(eth, dict):
        sys.exit(f"telemetry answered /ethdev/stats,{port_id} with {eth!r}")
    for tel_name, ctl_name in names.items():
        between(f"{role} port {port_id} {tel_name}", need(eth, tel_name, f"/ethdev/stats,{port_id}"),
                need(st_b[role], ctl_name, f"stats.ports.{role}"), st_a[role][ctl_name])
    # linkcryptd's RxMissed adds the kernel's af_packet ring drops to the PMD's imissed.
    checked += 1
    if not eth.get("imissed", -1) <= st_a[role]["RxMissed"]:
        errors.append(f"{role} imissed {eth.get('imissed')} > RxMissed {st_a[role]['RxMissed']}")
    print(f"{role} port {port_id}: ipackets {eth['ipackets']} (linkcryptctl RxPackets "
          f"{st_b[role]['RxPackets']}..{st_a[role]['RxPackets']}), opackets {eth['opackets']}")

for e in errors:
    print("MISMATCH:", e)
print(f"{checked} values compared, {len(errors)} mismatches; {len(groups)} SAs in /linkcrypt/sa")
sys.exit(1 if errors else 0)

#!/usr/bin/env python3
"""Counts the copies of each key in a running process's memory (issue 11 §2).

key_copies.py PID LABEL=HEX [LABEL=HEX ...]: reads /proc/PID/mem through every readable mapping
of /proc/PID/maps (root), finds every occurrence of each key's octets and prints one JSON object:
{label: {"copies": N, "locked_dontdump": M, "where": [[address, mapping, VmFlags], ...]}} plus
"unreadable": the mappings that could not be read. A copy counts as locked_dontdump when its
mapping's VmFlags (/proc/PID/smaps) have both "lo" (mlock'ed) and "dd" (not dumped).
"""
import json
import re
import sys


def mappings(pid):
    maps = []
    flags = {}
    rss = {}
    with open(f"/proc/{pid}/smaps") as f:
        cur = None
        for line in f:
            m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$", line)
            if m:
                cur = (int(m.group(1), 16), int(m.group(2), 16), m.group(3), m.group(4).strip())
                maps.append(cur)
            elif line.startswith("VmFlags:") and cur:
                flags[cur[0]] = line.split()[1:]
            elif (line.startswith("Rss:") or line.startswith("Swap:")) and cur:
                rss[cur[0]] = rss.get(cur[0], 0) + int(line.split()[1])
    return maps, flags, rss


CHUNK = 64 << 20


def main():
    pid = int(sys.argv[1])
    needles = {}
    for arg in sys.argv[2:]:
        label, hexval = arg.split("=", 1)
        needles[label] = bytes.fromhex(hexval)
        if not needles[label]:
            sys.exit(f"key_copies.py: {label} is empty: nothing to look for")
    maps, flags, rss = mappings(pid)
    found = {label: [] for label in needles}
    unreadable = []
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for start, end, perms, path in maps:
            if perms[0] != "r" or path in ("[vvar]", "[vsyscall]", "[vvar_vclock]"):
                continue
            # No page in RAM or swap (Rss + Swap 0): never written, no key can be in it.
            # DPDK reserves many GiB of address space this way; reading it would take minutes.
            if rss.get(start, 1) == 0:
                continue
            # In chunks (DPDK maps hundreds of MiB), each overlapping the last by a needle's
            # length less one, so a copy across a chunk boundary is found exactly once.
            overlap = max(len(n) for n in needles.values()) - 1
            pos, tail = start, b""
            while pos < end:
                try:
                    mem.seek(pos)
                    chunk = mem.read(min(CHUNK, end - pos))
                except (OSError, ValueError, OverflowError):
                    unreadable.append(f"{start:x}-{end:x} {path}")
                    break
                if not chunk:
                    break
                data = tail + chunk
                base = pos - len(tail)
                for label, needle in needles.items():
                    at = data.find(needle)
                    while at >= 0:
                        if at + len(needle) > len(tail):  # not wholly inside the previous chunk
                            found[label].append([f"{base + at:x}", path or "[anon]", " ".join(flags.get(start, []))])
                        at = data.find(needle, at + 1)
                tail = data[-overlap:] if overlap > 0 else b""
                pos += len(chunk)
    out = {}
    for label, hits in found.items():
        locked = sum(1 for h in hits if " lo" in " " + h[2] and " dd" in " " + h[2])
        out[label] = {"copies": len(hits), "locked_dontdump": locked, "where": hits}
    out["unreadable"] = unreadable
    print(json.dumps(out, indent=1))


main()

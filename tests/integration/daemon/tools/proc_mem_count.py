#!/usr/bin/env python3
"""proc_mem_count.py PID NEEDLE_FILE: prints how often the needle (the file's bytes; for a text
file such as a hex PSK, one trailing newline dropped) occurs in the process's readable mappings (/proc/PID/mem). Root only."""
import sys

pid, needle_file = sys.argv[1], sys.argv[2]
needle = open(needle_file, "rb").read()
if needle.endswith(b"\n") and all(0x20 <= c < 0x7F for c in needle[:-1]):
    needle = needle[:-1]
count = 0
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for line in maps:
        fields = line.split()
        if "r" not in fields[1]:
            continue
        start, end = (int(x, 16) for x in fields[0].split("-"))
        try:
            mem.seek(start)
            data = mem.read(end - start)
        except (OSError, OverflowError, ValueError):
            continue  # [vvar] and device mappings refuse reads
        count += data.count(needle)
print(count)

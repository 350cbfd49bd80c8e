# --version on linkcryptd, linkcryptctl and linkcrypt-pcap: exit 0, "NAME X.Y.Z" (+ " (git ...)" from a checkout), all alike.
# usage: version_flags.py PROJECT_VERSION PROGRAM...
import os
import re
import subprocess
import sys

project, programs = sys.argv[1], sys.argv[2:]
failures, seen = [], set()
for prog in programs:
    name = os.path.basename(prog)
    for flag in ("--version", "-V"):
        r = subprocess.run([prog, flag], capture_output=True, text=True, timeout=20)
        m = re.fullmatch(rf"{re.escape(name)} ({re.escape(project)}(?: \(git [0-9A-Za-z.\-]+\))?)\n", r.stdout)
        if r.returncode != 0 or not m or r.stderr:
            failures.append(f"{name} {flag}: exit {r.returncode}, stdout {r.stdout!r}, stderr {r.stderr!r}")
        else:
            seen.add(m.group(1))
if len(seen) > 1:
    failures.append(f"the programs disagree on the version: {sorted(seen)}")
for f in failures:
    print("FAIL " + f)
print(f"{len(programs)} programs, versions {sorted(seen)}")
sys.exit(1 if failures else 0)

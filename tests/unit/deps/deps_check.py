#!/usr/bin/python3
"""Fresh-machine truth: every program, strongSwan plugin, library and Python module that the build,
tests, demo and benchmarks use is installed, comes from the package scripts/dependencies.tsv says
(checked with dpkg -S), and that package is named in scripts/install-deps.

A missing one fails with its package's name. The scan at the end keeps the table complete: every
plugin on the interop lab's `load =` lines, and every program in command position in scripts/ and
tests/ that comes from a non-essential package, must have a row.
"""
import glob
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
TABLE = os.path.join(ROOT, "scripts", "dependencies.tsv")
INSTALL_DEPS = os.path.join(ROOT, "scripts", "install-deps")
STRONGSWAN_CONF = os.path.join(ROOT, "tests", "interop", "keyexchange", "strongswan.conf.in")
PLUGIN_DIR = "/usr/lib/ipsec/plugins"
DEBIAN_PYTHON = "/usr/bin/python3"
PATH_DIRS = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin",
             "/usr/lib/ipsec"]


def read_table():
    rows = []
    with open(TABLE) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].rstrip()
            if not line:
                continue
            cols = line.split()
            if len(cols) < 3:
                sys.exit(f"{TABLE}:{n}: want 'kind name package [used-by]', got {line!r}")
            rows.append((cols[0], cols[1], cols[2], n))
    return rows


def install_deps_packages():
    text = open(INSTALL_DEPS).read()
    m = re.search(r"^packages=\((.*?)^\)", text, re.S | re.M)
    if not m:
        sys.exit(f"{INSTALL_DEPS}: no packages=( ... ) array")
    body = "\n".join(l.split("#", 1)[0] for l in m.group(1).splitlines())
    return set(body.split())


def _spellings(path):
    """path, its real path, and their /usr-merged twins (Debian 12 links /bin to /usr/bin; dpkg
    knows one spelling)."""
    out = []
    for p in (path, os.path.realpath(path)):
        out += [p, p[4:] if p.startswith("/usr/") else "/usr" + p]
    return list(dict.fromkeys(out))


class Dpkg:
    """dpkg -S and Essential look-ups, batched: one dpkg call each, not one per file."""

    def __init__(self, paths):
        self.owner = {}
        spelled = sorted({s for p in paths for s in _spellings(p)})
        r = subprocess.run(["dpkg", "-S"] + spelled, capture_output=True, text=True)
        for line in r.stdout.splitlines():
            pkgs, _, file = line.partition(": ")
            self.owner[file.strip()] = [o.strip().split(":")[0] for o in pkgs.split(",")]
        r = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Essential}\\n"], capture_output=True, text=True)
        self.essential_pkgs = {l.split()[0] for l in r.stdout.splitlines() if l.endswith(" yes")}

    def owners(self, path):
        for p in _spellings(path):
            if p in self.owner:
                return self.owner[p]
        return None

    def essential(self, pkg):
        return pkg in self.essential_pkgs


def locate(kind, name):
    if kind == "program":
        return shutil.which(name, path=os.pathsep.join(PATH_DIRS))
    if kind == "strongswan-plugin":
        p = os.path.join(PLUGIN_DIR, f"libstrongswan-{name}.so")
        return p if os.path.exists(p) else None
    if kind == "pkg-config":
        r = subprocess.run(["pkg-config", "--variable=pcfiledir", name], capture_output=True, text=True)
        if r.returncode != 0:
            return None
        p = os.path.join(r.stdout.strip(), name + ".pc")
        return p if os.path.exists(p) else None
    if kind == "header":
        for d in ["/usr/include", "/usr/include/x86_64-linux-gnu"]:
            if os.path.exists(os.path.join(d, name)):
                return os.path.join(d, name)
        return None
    if kind == "python-module":
        # Debian's interpreter, the one the tests run (a pyenv python3 may come first on PATH).
        r = subprocess.run([DEBIAN_PYTHON, "-c", "import importlib.util, sys; "
                            "s = importlib.util.find_spec(sys.argv[1]); print(s.origin if s else '')", name],
                           capture_output=True, text=True)
        return r.stdout.strip() or None
    if kind == "file":
        return name if os.path.exists(name) else None
    sys.exit(f"{TABLE}: unknown kind {kind!r}")


def lab_plugins():
    plugins = set()
    for line in open(STRONGSWAN_CONF):
        m = re.match(r"\s*load\s*=\s*(.*)", line)
        if m:
            plugins.update(m.group(1).split())
    return plugins


# Words at the start of a shell command: line start, after a pipe or list operator, after $( or
# a backtick, after the keywords that start a command list, and after the wrappers that run one.
_CMD = re.compile(r"(?:^|[|;&(`]|\$\(|\b(?:then|do|else|exec|if|while|until|!)\s)\s*"
                  r"(?:(?:sudo|exec|timeout\s+\S+|ip\s+netns\s+exec\s+\S+|nice|setsid|env)\s+)*"
                  r"([A-Za-z][A-Za-z0-9_.+-]*)(?=\s|$|;|\))")
_PY_ARGV = re.compile(r"\[\s*[\"']([A-Za-z][A-Za-z0-9_.+-]*)[\"']\s*,")


def scanned_programs():
    """(program, where) for programs called from our scripts and tests."""
    files = [f for f in glob.glob(os.path.join(ROOT, "scripts", "**", "*"), recursive=True)
             if os.path.isfile(f) and not f.endswith((".tsv", ".md"))]
    files += [os.path.join(ROOT, ".ci", "run")]
    files += glob.glob(os.path.join(ROOT, "tests", "**", "*.sh"), recursive=True)
    py = glob.glob(os.path.join(ROOT, "tests", "**", "*.py"), recursive=True)
    found = {}
    for f in files + py:
        try:
            lines = open(f, errors="replace").read().splitlines()
        except OSError:
            continue
        is_py = f.endswith(".py")
        heredoc_end = None
        for n, line in enumerate(lines, 1):
            if heredoc_end is not None:  # a here-document's body is data (often Python), not commands
                if line.strip() == heredoc_end:
                    heredoc_end = None
                continue
            if not is_py:
                m = re.search(r"<<-?\s*['\"]?([A-Za-z_]+)['\"]?", line)
                if m:
                    heredoc_end = m.group(1)
            code = re.sub(r"(^|\s)#.*", "", line)
            if not is_py:
                # Quoted text is data, unless it holds a command substitution.
                code = re.sub(r"'[^']*'", "''", code)
                code = re.sub(r'"([^"$]*)"', '""', code)
            words = _PY_ARGV.findall(code) if is_py else _CMD.findall(code)
            for w in words:
                found.setdefault(w, f"{os.path.relpath(f, ROOT)}:{n}")
    return found


def main():
    rows = read_table()
    listed = install_deps_packages()
    located = [(kind, name, pkg, n, locate(kind, name)) for kind, name, pkg, n in rows]
    path_dirs = os.pathsep.join(PATH_DIRS)
    scanned = {prog: (where, shutil.which(prog, path=path_dirs))
               for prog, where in scanned_programs().items()}
    dpkg = Dpkg([p for *_, p in located if p] + [p for _, p in scanned.values() if p])

    errors = []
    known = set()
    for kind, name, pkg, n, path in located:
        known.add((kind, name))
        where = f"scripts/dependencies.tsv:{n}"
        if path is None:
            errors.append(f"MISSING {kind} '{name}': install package {pkg} (scripts/install-deps)")
            continue
        owners = dpkg.owners(path)
        if owners is None:
            errors.append(f"{where}: {kind} '{name}' at {path} belongs to no Debian package "
                          f"(installed by hand?); expected {pkg}")
        elif pkg not in owners:
            errors.append(f"{where}: {kind} '{name}' ({path}) is from {', '.join(owners)} by dpkg -S, "
                          f"not {pkg}")
        if pkg not in listed and not dpkg.essential(pkg):
            errors.append(f"{where}: package {pkg} (for {kind} '{name}') is not named in scripts/install-deps")

    for plugin in sorted(lab_plugins()):
        if ("strongswan-plugin", plugin) not in known:
            errors.append(f"strongSwan plugin '{plugin}' is on the interop lab's load line but has no row "
                          f"in scripts/dependencies.tsv")

    for prog, (where, path) in sorted(scanned.items()):
        if ("program", prog) in known or path is None:
            continue  # listed, or a function, a variable or our own build output
        owners = dpkg.owners(path)
        if owners is None or any(dpkg.essential(o) for o in owners):
            continue
        errors.append(f"{where}: calls '{prog}' from package {', '.join(owners)}, which has no row in "
                      f"scripts/dependencies.tsv (add it there and to scripts/install-deps)")

    if errors:
        for e in errors:
            print("FAIL:", e)
        print(f"{len(errors)} problem(s) in {len(rows)} dependencies")
        return 1
    print(f"all {len(rows)} dependencies installed, from the packages scripts/install-deps names")
    return 0


if __name__ == "__main__":
    sys.exit(main())

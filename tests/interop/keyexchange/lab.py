# Test lab for strongSwan interop: two network namespaces on a veth pair, charon instances, log parsing.
#
# Everything here is test-only. strongSwan logs key material at level 4 by design (that is how
# we compare keys); the logs live in a private temporary directory removed at the end.
import base64
import os
import re
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
CHARON = "/usr/lib/ipsec/charon"

# The wire between the two namespaces, and one address per side for the traffic selectors.
# kernel-libipsec refuses a child SA whose selectors cover the IKE peer ("conflicts with IKE
# traffic") or contain no local address, so each side owns a /32 inside its own TS subnet.
WIRE_ADDR = {"a": "10.77.0.1", "b": "10.77.0.2"}
TS_SUBNET = {"a": "10.78.1.0/24", "b": "10.78.2.0/24"}
TS_ADDR = {"a": "10.78.1.1", "b": "10.78.2.1"}
IDENTITY = {"a": "a.interop.linkcrypt.test", "b": "b.interop.linkcrypt.test"}
# The same over IPv6 (ULA prefixes), for the cases with ipv6=True.
WIRE_ADDR6 = {"a": "fd77::1", "b": "fd77::2"}
TS_SUBNET6 = {"a": "fd78:1::/64", "b": "fd78:2::/64"}
TS_ADDR6 = {"a": "fd78:1::1", "b": "fd78:2::1"}


def wire_addr(case, side):
    return (WIRE_ADDR6 if case.ipv6 else WIRE_ADDR)[side]


def ts_subnet(case, side):
    return (TS_SUBNET6 if case.ipv6 else TS_SUBNET)[side]

# Our group numbers (IANA Transform Type 4) and strongSwan's proposal keywords for them.
GROUP_NAME = {31: "curve25519", 19: "ecp256", 20: "ecp384"}
GROUP_LOG_NAME = {31: "CURVE_25519", 19: "ECP_256", 20: "ECP_384"}


def require_root_or_skip(what):
    """meson treats exit code 77 as SKIP; say so loudly so nobody mistakes it for a pass."""
    if os.geteuid() != 0:
        bar = "!" * 78
        print(f"{bar}\n!!! SKIPPED: {what} needs root (network namespaces, veth, charon).\n"
              f"!!! Run the interop suite as root (CI does): meson test --suite interop\n{bar}")
        sys.exit(77)
    if not os.path.exists(CHARON) or shutil.which("swanctl") is None:
        print("!!! strongSwan (strongswan-charon, strongswan-swanctl) is not installed: "
              "run scripts/install-deps", file=sys.stderr)
        sys.exit(1)
    if not os.path.exists("/dev/net/tun"):
        print("!!! /dev/net/tun is missing: kernel-libipsec cannot run", file=sys.stderr)
        sys.exit(1)


def run(*cmd, check=True, **kw):
    return subprocess.run(list(cmd), check=check, text=True, capture_output=True, **kw)


def wait_for(predicate, what, timeout_s=30.0, step_s=0.05):
    """Waits for readiness (not a timed assertion): the limit only stops a hung run."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout_s:.0f} s waiting for {what}")
        time.sleep(step_s)


def ppk_overrides(ppk_id, ppk_b64, required):
    """swanctl settings for an RFC 8784 PPK (ppk_id None: strongSwan holds none)."""
    if ppk_id is None:
        return {}
    return {"conn_extra": f"ppk_id = {ppk_id}\n    ppk_required = {'yes' if required else 'no'}",
            "secrets_extra": f"ppk-lc {{\n    id = {ppk_id}\n    secret = {ppk_b64}\n  }}"}


def random_psk():
    """32 random octets, written as strongSwan's base64 secret syntax and as hex for our tool."""
    raw = os.urandom(32)
    return raw, "0s" + base64.b64encode(raw).decode()


class Lab:
    """Namespaces <prefix>a and <prefix>b joined by a veth pair; removed on exit."""

    def __init__(self, tag):
        suffix = f"{os.getpid()}{os.urandom(2).hex()}"
        self.ns = {"a": f"lc{tag}{suffix}a", "b": f"lc{tag}{suffix}b"}
        self.dir = tempfile.mkdtemp(prefix=f"lc-{tag}-")
        self.procs = []
        self.runs = 0  # numbers each charon/tool run, so a kept lab shows every case

    def __enter__(self):
        # meson's timeout and Ctrl-C arrive as signals: turn them into an exception so the
        # `with` block still kills charon and deletes the namespaces (the "trap" of a script).
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, _exit_on_signal)
        try:
            self._create()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _create(self):
        veth = {"a": f"lcv{os.getpid() % 100000}a", "b": f"lcv{os.getpid() % 100000}b"}
        for side in "ab":
            run("ip", "netns", "add", self.ns[side])
        run("ip", "link", "add", veth["a"], "netns", self.ns["a"], "type", "veth",
            "peer", "name", veth["b"], "netns", self.ns["b"])
        for side in "ab":
            ns = self.ns[side]
            run("ip", "-n", ns, "link", "set", "lo", "up")
            run("ip", "-n", ns, "addr", "add", f"{WIRE_ADDR[side]}/24", "dev", veth[side])
            run("ip", "-n", ns, "addr", "add", f"{TS_ADDR[side]}/32", "dev", "lo")
            # nodad: usable at once, no duplicate address detection wait
            run("ip", "-n", ns, "addr", "add", f"{WIRE_ADDR6[side]}/64", "dev", veth[side], "nodad")
            run("ip", "-n", ns, "addr", "add", f"{TS_ADDR6[side]}/128", "dev", "lo", "nodad")
            run("ip", "-n", ns, "link", "set", veth[side], "up")

    def spawn(self, side, argv, env=None, **kw):
        """Starts argv inside side's namespace; the lab kills it on close."""
        p = subprocess.Popen(["ip", "netns", "exec", self.ns[side]] + argv,
                             env=env, start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def close(self):
        for p in self.procs:
            stop_process(p)
        self.procs = []
        for ns in self.ns.values():
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        if os.environ.get("LC_INTEROP_KEEP"):
            print(f"kept lab directory {self.dir} (LC_INTEROP_KEEP is set)")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def _exit_on_signal(signum, _frame):
    raise SystemExit(f"interrupted by signal {signum}")


def stop_process(p, grace_s=5.0):
    if p.poll() is not None:
        return
    try:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    except ProcessLookupError:
        pass


@dataclass
class Case:
    """One matrix cell: key-exchange group, AES-GCM-16 key size (IKE SA and ESP child), PRF."""
    group: int
    aes_bits: int
    prf: int = 256
    ipv6: bool = False

    @property
    def name(self):
        prf = "" if self.prf == 256 else f"-prfsha{self.prf}"
        return f"group{self.group}-aes{self.aes_bits}gcm16{prf}{'-ipv6' if self.ipv6 else ''}"

    @property
    def ike_proposal(self):
        return f"aes{self.aes_bits}gcm16-prfsha{self.prf}-{GROUP_NAME[self.group]}"

    @property
    def esp_proposal(self):
        # The group makes CREATE_CHILD_SA rekeys use fresh ECDHE (RFC 7296 1.3.1, PFS).
        return f"aes{self.aes_bits}gcm16-{GROUP_NAME[self.group]}"


    def proposal_ok(self, selected):
        """Whether a logged "selected proposal" is what this case configured."""
        aes = f"AES_GCM_16_{self.aes_bits}"
        group = GROUP_LOG_NAME[self.group]
        if selected.startswith("IKE:"):
            return selected == f"IKE:{aes}/PRF_HMAC_SHA2_{self.prf}/{group}"
        # The IKE_AUTH child has no KE (RFC 7296 1.2); CREATE_CHILD_SA rekeys carry one.
        return selected in (f"ESP:{aes}/NO_EXT_SEQ", f"ESP:{aes}/{group}/NO_EXT_SEQ")


MATRIX = [Case(g, b) for g in (31, 19, 20) for b in (128, 256)]
# The other two PRFs our profile allows (design.md §4): prf+ and SK_d sizes change with them.
PRF_CASES = [Case(20, 256, 384), Case(31, 128, 512)]
# IPv6 transport: NAT_DETECTION hashes over 16-octet addresses, TS_IPV6_ADDR_RANGE selectors.
IPV6_CASES = [Case(19, 128, ipv6=True), Case(31, 256, ipv6=True)]


class Charon:
    """One charon in one namespace, with its own strongswan.conf, vici socket and pid file."""

    def __init__(self, lab, side, case, psk_b64, overrides=None):
        self.lab, self.side = lab, side
        peer = "b" if side == "a" else "a"
        lab.runs += 1
        self.dir = os.path.join(lab.dir, f"charon-{side}-{lab.runs:02d}")
        run_dir = os.path.join(self.dir, "run")
        os.makedirs(run_dir, exist_ok=True)
        # swanctl warns about every missing credential folder; create them empty.
        for sub in ("x509", "x509ca", "x509ocsp", "x509aa", "x509ac", "x509crl", "pubkey",
                    "private", "rsa", "ecdsa", "bliss", "pkcs8", "pkcs12"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self.log_path = os.path.join(self.dir, "charon.log")
        self.vici = os.path.join(self.dir, "charon.vici")
        self.conf = os.path.join(self.dir, "strongswan.conf")
        self.swanctl_conf = os.path.join(self.dir, "swanctl.conf")
        values = {
            "log": self.log_path, "vici": self.vici,
            "local_addr": wire_addr(case, side), "remote_addr": wire_addr(case, peer),
            "local_id": IDENTITY[side], "remote_id": IDENTITY[peer],
            "local_ts": ts_subnet(case, side), "remote_ts": ts_subnet(case, peer),
            "ike_proposal": case.ike_proposal, "esp_proposal": case.esp_proposal,
            "psk": psk_b64,
            "local_auth": "auth = psk", "remote_auth": "auth = psk", "conn_extra": "",
            "retransmit_timeout": "1.0", "secrets_extra": "",
        }
        values.update(overrides or {})
        render(os.path.join(HERE, "strongswan.conf.in"), self.conf, values)
        render(os.path.join(HERE, "swanctl.conf.in"), self.swanctl_conf, values)
        self.env = dict(os.environ, STRONGSWAN_CONF=self.conf)
        self.proc = None

    def install_key(self, pem_path):
        """Puts a private key where swanctl --load-all finds it (the private/ folder)."""
        shutil.copy(pem_path, os.path.join(self.dir, "private", os.path.basename(pem_path)))

    def start(self):
        # charon's pid file is compiled in as /var/run/charon.pid: give it a private /run
        # (mount namespace) so it neither collides with the host's charon nor with ours.
        run_dir = os.path.join(self.dir, "run")
        for stale in (self.vici, os.path.join(run_dir, "charon.pid")):
            if os.path.exists(stale):
                os.unlink(stale)
        script = f"mount --bind {run_dir} /run && exec {CHARON}"
        self.out = open(os.path.join(self.dir, "stdout"), "w")
        self.proc = self.lab.spawn(self.side, ["unshare", "-m", "--propagation", "private",
                                               "sh", "-c", script],
                                   env=self.env, stdout=self.out, stderr=subprocess.STDOUT)
        wait_for(lambda: self._ready(), f"charon in {self.lab.ns[self.side]} to listen on vici")
        self.swanctl("--load-all", "--file", self.swanctl_conf)

    def _ready(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"charon exited with {self.proc.returncode}: "
                               + open(os.path.join(self.dir, "stdout")).read()[-2000:])
        return os.path.exists(self.vici) and run(
            "swanctl", "--stats", "--uri", f"unix://{self.vici}", check=False,
            env=self.env).returncode == 0

    def swanctl(self, *args):
        r = run("swanctl", *args, "--uri", f"unix://{self.vici}", check=False, env=self.env)
        if r.returncode != 0:
            raise RuntimeError(f"swanctl {' '.join(args)} failed:\n{r.stdout}{r.stderr}")
        return r.stdout

    def initiate_async(self):
        """swanctl --initiate blocks until the SA is up or charon gives up; the caller waits on
        the SA state instead, so a peer that never answers costs one step timeout, not minutes."""
        self.initiator = subprocess.Popen(
            ["swanctl", "--initiate", "--child", "lc", "--uri", f"unix://{self.vici}"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        self.lab.procs.append(self.initiator)

    def kill(self):
        """SIGKILL: charon vanishes without sending any Delete (a dead peer)."""
        if self.proc:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc:
            stop_process(self.proc)
            self.proc = None
            self.out.close()

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()


@dataclass
class Pki:
    """Keys and certificates for the signature cases, made with the openssl CLI."""
    dir: str
    algo: str

    def path(self, name):
        return os.path.join(self.dir, name)


def make_pki(base_dir, algo):
    """A CA and one end-entity certificate per side (subjectAltName = the side's identity), all
    Ed25519, all ECDSA P-256 or all RSA-2048: keys as PEM, certificates and public keys as PEM and DER."""
    d = os.path.join(base_dir, f"pki-{algo}")
    os.makedirs(d, exist_ok=True)
    pki = Pki(d, algo)
    keygen = {"ed25519": ["-algorithm", "ED25519"],
              "ecdsa": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
              "rsa": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]}[algo]
    digest = [] if algo == "ed25519" else ["-sha256"]
    for name in ("ca", "a", "b"):
        run("openssl", "genpkey", *keygen, "-out", pki.path(f"{name}.key"))
        os.chmod(pki.path(f"{name}.key"), 0o600)
        run("openssl", "pkey", "-in", pki.path(f"{name}.key"), "-pubout",
            "-out", pki.path(f"{name}.pub.pem"))
        run("openssl", "pkey", "-in", pki.path(f"{name}.key"), "-pubout", "-outform", "DER",
            "-out", pki.path(f"{name}.pub.der"))
    run("openssl", "req", "-x509", "-new", "-key", pki.path("ca.key"), *digest,
        "-subj", "/O=linkcrypt interop/CN=interop CA", "-days", "2",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", pki.path("ca.pem"))
    for side in "ab":
        ext = pki.path(f"{side}.ext")
        with open(ext, "w") as f:
            f.write(f"subjectAltName=DNS:{IDENTITY[side]}\n"
                    "keyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n")
        run("openssl", "req", "-new", "-key", pki.path(f"{side}.key"), *digest,
            "-subj", f"/O=linkcrypt interop/CN={IDENTITY[side]}", "-out", pki.path(f"{side}.csr"))
        run("openssl", "x509", "-req", "-in", pki.path(f"{side}.csr"), *digest,
            "-CA", pki.path("ca.pem"), "-CAkey", pki.path("ca.key"), "-CAcreateserial",
            "-days", "2", "-extfile", ext, "-out", pki.path(f"{side}.pem"))
    for name in ("ca", "a", "b"):
        run("openssl", "x509", "-in", pki.path(f"{name}.pem"), "-outform", "DER",
            "-out", pki.path(f"{name}.der"))
    return pki


def charon_auth(pki, method, side, peer):
    """swanctl overrides for a signature case (the private key goes in via install_key)."""
    if method == "cert":
        return {"local_auth": f"auth = pubkey\n      certs = {pki.path(side + '.pem')}",
                "remote_auth": f"auth = pubkey\n      cacerts = {pki.path('ca.pem')}",
                # strongSwan sends its certificate only when asked by a CERTREQ (RFC 7296
                # 3.7), and our library sends none yet: see docs/interop.md.
                "conn_extra": "send_cert = always"}
    return {"local_auth": f"auth = pubkey\n      pubkeys = {pki.path(side + '.pub.pem')}",
            "remote_auth": f"auth = pubkey\n      pubkeys = {pki.path(peer + '.pub.pem')}"}


def render(template_path, out_path, values):
    with open(template_path) as f:
        text = string.Template(f.read()).substitute(values)
    with open(out_path, "w") as f:
        f.write(text)
    os.chmod(out_path, 0o600)


# ---------------------------------------------------------------------------------------------
# charon log parsing (filelog with ike_name = yes): "<thread>[<grp>] <<conn>|<n>> <message>".

LINE_RE = re.compile(r"^(\d+)\[(\w+)\] (?:<([^>]*)> )?(.*)$")
DUMP_HEAD_RE = re.compile(r"^(.*) => (\d+) bytes @ 0x[0-9a-f]+$")
DUMP_ROW_RE = re.compile(r"^\s*\d+: ((?:[0-9A-F]{2} )+)")
SPI_RE = re.compile(r"^\s+SPI 0x([0-9a-f]{8}), src (\S+) dst (\S+)$")
PPK_USED_RE = re.compile(r"using PPK for PPK_ID '([^']*)'")
ESTABLISHED_RE = re.compile(r"CHILD_SA \S+ established with SPIs ([0-9a-f]{8})_i ([0-9a-f]{8})_o")


@dataclass
class ChildKeys:
    """A child SA as one side saw it: KEYMAT slices (RFC 7296 2.17) and its SPIs."""
    ctx: str
    encr_i: str = ""            # hex: initiator->responder key||salt (RFC 4106 KEYMAT slice)
    encr_r: str = ""            # hex: responder->initiator key||salt
    spi_in: str = ""            # hex: the SPI this side receives on
    spi_out: str = ""           # hex: the SPI this side sends with


@dataclass
class CharonLog:
    children: list = field(default_factory=list)
    sk_d: list = field(default_factory=list)      # hex, one per IKE SA (initial, then rekeys)
    ppk_ids: list = field(default_factory=list)   # "using PPK for PPK_ID '<id>'" (RFC 8784)
    proposals: list = field(default_factory=list)  # "IKE:AES_GCM_16_128/..." as selected
    nat_lines: list = field(default_factory=list)
    sent_4500: bool = False


def parse_charon_log(text):
    """Pulls the child keys, SPIs and SK_d out of a level-4 ike/chd log.

    A child's keys, then "adding inbound ESP SA" and its SPI line, come from one job, so one
    thread: the keys are paired with the inbound SPI by (thread, IKE SA). The outbound SPI comes
    from "CHILD_SA lc{n} established with SPIs <in>_i <out>_o" (for a rekey responder that line
    comes later, once the old child is deleted, and other children's keys can come between,
    e.g. in a rekey collision)."""
    out = CharonLog()
    lines = text.splitlines()
    awaiting_in = {}    # (thread, ctx) -> ChildKeys whose inbound SPI comes next
    inbound_next = set()  # (thread, ctx) that just logged "adding inbound ESP SA"
    by_spi_in = {}
    ppk_next = set()    # (thread, ctx) that logged "derive keys using PPK": its Sk_d replaces the last
    i = 0
    while i < len(lines):
        m = LINE_RE.match(lines[i])
        i += 1
        if not m:
            continue
        thread, _grp, ctx, msg = m.group(1), m.group(2), m.group(3) or "", m.group(4)
        key = (thread, ctx)
        head = DUMP_HEAD_RE.match(msg)
        if head:
            label, n = head.group(1), int(head.group(2))
            data = []
            while i < len(lines) and len(data) < n:
                row = LINE_RE.match(lines[i])
                dump = DUMP_ROW_RE.match(row.group(4)) if row and row.group(1) == thread else None
                if not dump:
                    break
                data += dump.group(1).split()
                i += 1
            value = "".join(data).lower()
            if len(data) != n:
                if i >= len(lines):
                    break  # charon is still writing this dump: the caller reads again later
                raise ValueError(f"truncated hex dump for {label!r} in charon log")
            if label == "encryption initiator key":
                awaiting_in[key] = ChildKeys(ctx=ctx, encr_i=value)
                out.children.append(awaiting_in[key])
            elif label == "encryption responder key" and key in awaiting_in:
                awaiting_in[key].encr_r = value
            elif label == "derive keys using PPK":
                ppk_next.add(key)
            elif label == "Sk_d secret" and key in ppk_next and out.sk_d:
                ppk_next.discard(key)
                out.sk_d[-1] = value  # RFC 8784: the IKE SA runs on the PPK'd SK_d
            elif label == "Sk_d secret":
                out.sk_d.append(value)
            continue
        ppk = PPK_USED_RE.search(msg)
        if ppk:
            out.ppk_ids.append(ppk.group(1))
        if msg == "adding inbound ESP SA":
            inbound_next.add(key)
            continue
        spi = SPI_RE.match(msg)
        if spi and key in inbound_next:
            inbound_next.discard(key)
            child = awaiting_in.pop(key, None)
            if child:
                child.spi_in = spi.group(1)
                by_spi_in[child.spi_in] = child
            continue
        est = ESTABLISHED_RE.search(msg)
        if est and est.group(1) in by_spi_in:
            by_spi_in[est.group(1)].spi_out = est.group(2)
        if msg.startswith("selected proposal: "):
            out.proposals.append(msg.split(": ", 1)[1])
        if "behind NAT" in msg:
            out.nat_lines.append(msg)
        if msg.startswith("sending packet: from") and "[4500] to" in msg:
            out.sent_4500 = True
    return out


def complete_children(log):
    return [c for c in log.children if c.encr_i and c.encr_r and c.spi_in and c.spi_out]

#!/usr/bin/env bash
# Daemon integration (issue 11 §3, §4): the long-term keys on softhsm2 tokens the test creates. A PSK pair (CKK_GENERIC_SECRET, HMAC on the token) and an Ed25519 pair key end to end; a wrong PIN and a missing object refuse to start (exit 2, typed, hint); a token that disappears makes handshakes fail typed (LongTermKeyUnavailable) and keying recovers when it is back; the audit log holds exactly one line per use of the key over N handshakes with IKE and child rekeys (those do not use the key).
source "$(dirname "$0")/lib.sh"
: "${P11_PUT_SECRET:?set P11_PUT_SECRET to the p11_put_secret test helper}"

MODULE=/usr/lib/softhsm/libsofthsm2.so
[ -f "$MODULE" ] || fail "softhsm2 is not installed ($MODULE): scripts/install-deps"
export SOFTHSM2_CONF=$WORK/softhsm2.conf
mkdir -m 0700 "$WORK/tokens"
echo "directories.tokendir = $WORK/tokens" >"$SOFTHSM2_CONF"
(umask 077; echo 4711-a >"$WORK/pin_a"; echo 4711-b >"$WORK/pin_b"; echo 9999 >"$WORK/pin_wrong")
for t in a b; do
  softhsm2-util --init-token --free --label "linkcrypt-$t" --so-pin 12345678 --pin "$(cat "$WORK/pin_$t")" >/dev/null
done
# The PSK: 64 octets (softhsm2's HMAC-SHA-512 wants a key of at least 64), the same on both tokens.
(umask 077; openssl rand -hex 32 | tr -d '\n' >"$WORK/psk")
for t in a b; do "$P11_PUT_SECRET" "$MODULE" "linkcrypt-$t" "$WORK/pin_$t" ike-psk 01 "$WORK/psk"; done
for t in a b; do
  make_ed25519 "$t"
  softhsm2-util --import "$WORK/$t.key" --token "linkcrypt-$t" --label ike-ed25519 --id 02 \
      --pin "$(cat "$WORK/pin_$t")" >/dev/null
done
# With key-holder = process the module runs in the key holder after it dropped to its user, and
# softhsm2 re-reads the token files on each use: that user must reach and read them.
chmod 0711 "$WORK"
chown -R "$(key_holder_user)" "$WORK/tokens"
pass "tokens linkcrypt-a and linkcrypt-b: generic secret ike-psk (id 01), Ed25519 pair ike-ed25519 (id 02), owned by $(key_holder_user)"
uri() { echo "pkcs11:token=linkcrypt-$1;object=$2"; }
p11_opts() { echo "pkcs11-module=$MODULE" "pin-file=$WORK/pin_$1"; }

keyed_pair() {  # LABEL: both boxes secured, same IKE state, ping through
  start_daemon a
  start_daemon b
  wait_secured a 40
  wait_secured b 40
  ping_ok 5 || { cat "$WORK/ping.out"; fail "$1: ping"; }
  pass "$1: keyed end to end, ping through ($(q a peer 'r["algorithms"]'))"
}

topology_up

# 1. PSK on both tokens, opened by linkcryptd itself (key-holder = in-process; the other cases
#    use the default, the key holder process).
# shellcheck disable=SC2046
write_config a auth=psk "psk-uri=$(uri a ike-psk)" $(p11_opts a) key-holder=in-process
# shellcheck disable=SC2046
write_config b auth=psk "psk-uri=$(uri b ike-psk)" $(p11_opts b) key-holder=in-process
keyed_pair "PSK on tokens"
[ "$(q a keys 'r["keys"][0]["kind"]')" = psk ] || fail "keys: kind $(q a keys 'r["keys"]')"
[ "$(q a keys 'r["keys"][0]["fingerprint"]')" = "cka-id:01" ] || fail "keys: fingerprint $(q a keys 'r["keys"]')"
grep -q "$(cat "$WORK/psk")" "$WORK"/*.err "$WORK"/*.out 2>/dev/null && fail "the PSK appears in a log"
pass "keys names the token PSK by CKA_ID, the PSK is in no log"
stop_daemon a; stop_daemon b

# 2. A token PSK against a file PSK: the token's HMAC gives the RFC 7296 AUTH value.
write_config b auth=psk "psk-file=$WORK/psk"
keyed_pair "PSK on token A, in a file on B"
stop_daemon a; stop_daemon b

# 3. Ed25519 on both tokens; the peer's public key is the PEM's (the CERT payload's SPKI comes from the token).
#    Box A's token is opened by its key holder (key-holder = process, the default): the module
#    and the PIN are the key holder's, linkcryptd never loads the module.
# shellcheck disable=SC2046
write_config a auth=pubkey "private-key-uri=$(uri a ike-ed25519)" $(p11_opts a) "peer-public-key-file=$WORK/b.pub"
# shellcheck disable=SC2046
write_config b auth=pubkey "private-key-uri=$(uri b ike-ed25519)" $(p11_opts b) "peer-public-key-file=$WORK/a.pub"
keyed_pair "Ed25519 on tokens"
kh=$(key_holder_of a) || fail "box a: no key holder child of linkcryptd"
grep -q "softhsm2" "/proc/$kh/maps" || fail "box a: the key holder has not loaded the token's module"
grep -q "softhsm2" "/proc/$DPID_a/maps" && fail "box a: linkcryptd loaded the token's module itself"
grep -q "ready: private-key-uri $(uri a ike-ed25519), uid $(id -u "$(key_holder_user)") .*seccomp on" "$WORK/a.err" ||
  { cat "$WORK/a.err"; fail "box a: no ready line of the key holder with the token key"; }
grep -q "request sign purpose=our-auth peer=$ID_B .* result=ok" "$WORK/a.err" || fail "box a: the key holder logged no sign"
pass "box a: the token key is used by the key holder (pid $kh, module loaded there only, seccomp on)"
fp=$(openssl pkey -pubin -in "$WORK/a.pub" -outform DER | sha256sum | cut -d' ' -f1)
[ "$(q a keys 'r["keys"][0]["fingerprint"]')" = "sha256:$fp" ] || fail "keys: fingerprint $(q a keys 'r["keys"]') != sha256:$fp"
pass "keys: the token key's fingerprint is the SHA-256 of a.pub's SPKI"
stop_daemon a; stop_daemon b

# 4. Refusals at start-up: exit 2, one line, the typed cause and a hint; the PIN never in it.
refuse() {  # LABEL WANT... (after write_config a)
  local label=$1; shift
  local rc=0
  "$LINKCRYPTD" --config "$WORK/a.conf" --check-config >"$WORK/refuse.out" 2>"$WORK/refuse.err" || rc=$?
  [ "$rc" = 2 ] || { cat "$WORK/refuse.err"; fail "$label: exit $rc, want 2"; }
  for w in "$@"; do grep -qF -- "$w" "$WORK/refuse.err" || { cat "$WORK/refuse.err"; fail "$label: no '$w'"; }; done
  grep -qF "9999" "$WORK/refuse.err" && fail "$label: the PIN is in the error"
  pass "$label: exit 2: $(cat "$WORK/refuse.err")"
}
write_config a auth=psk "psk-uri=$(uri a ike-psk)" "pkcs11-module=$MODULE" "pin-file=$WORK/pin_wrong"
refuse "wrong PIN" "Denied" "CKR_PIN_INCORRECT" "hint: the PIN in pin-file is wrong"
# shellcheck disable=SC2046
write_config a auth=psk "psk-uri=$(uri a no-such-key)" $(p11_opts a)
refuse "missing object" "NotFound" "no secret key object matches" "hint: no such object"
# shellcheck disable=SC2046
write_config a auth=psk "psk-uri=pkcs11:token=no-such-token;object=ike-psk" $(p11_opts a)
refuse "missing token" "Unavailable" "no token present matches" "hint: the token is absent"

# 5. The token disappears mid-run: the next IKE_AUTH fails typed, keying comes back with the token.
# shellcheck disable=SC2046
write_config a auth=psk "psk-uri=$(uri a ike-psk)" $(p11_opts a) reconnect-min-ms=500 reconnect-max-ms=1000
write_config b auth=psk "psk-file=$WORK/psk" reconnect-min-ms=500 reconnect-max-ms=1000
keyed_pair "before the token leaves"
tokdir=$(grep -l "linkcrypt-a" "$WORK"/tokens/*/token.object | xargs dirname)
mv "$tokdir" "$WORK/token-a-away"
stop_daemon b                  # SIGTERM: IKE Delete, box A starts a new IKE SA ...
start_daemon b                 # ... whose IKE_AUTH needs the token
key_failed() { [ "$(q a peer 'r["last_failure"]["reason"]')" = LongTermKeyUnavailable ]; }
wait_for 40 "box A reports LongTermKeyUnavailable" key_failed
pass "token gone: $(q a peer 'r["last_failure"]["reason"]'): $(q a peer 'r["last_failure"]["detail"]') / hint: $(q a peer 'r["last_failure"]["hint"]')"
q a peer 'r["last_failure"]["hint"]' | grep -q "check the token" || fail "no token hint in $(q a peer 'r["last_failure"]')"
[ "$(q a keys 'r["keys"][0]["failures"]')" -gt 0 ] || fail "keys counts no failure"
mv "$WORK/token-a-away" "$tokdir"
wait_secured a 60
ping_ok 5 || fail "after the token came back: ping"
pass "token back: box A keyed again, ping through"
stop_daemon a; stop_daemon b

# 6. The audit log: N handshakes, each with IKE and child rekeys; only IKE_AUTH uses the key.
N=3
AUDIT=$WORK/audit.jsonl
# shellcheck disable=SC2046
write_config a auth=psk "psk-uri=$(uri a ike-psk)" $(p11_opts a) "audit-log=$AUDIT" role=initiator \
    ike-rekey-interval-s=2 rekey-interval-s=1
write_config b auth=psk "psk-file=$WORK/psk" role=responder
ike_rekeyed() { [ "$(q a peer 'r["ike_rekeys"]')" -ge 2 ] && [ "$(q a peer 'r["child_rekeys"]')" -ge 2 ]; }
for i in $(seq 1 "$N"); do
  start_daemon a
  start_daemon b
  wait_secured a 40
  wait_for 60 "handshake $i: 2 IKE rekeys and 2 child rekeys" ike_rekeyed
  pass "handshake $i: ike_rekeys $(q a peer 'r["ike_rekeys"]'), child_rekeys $(q a peer 'r["child_rekeys"]'), keys uses $(q a keys 'r["keys"][0]["uses"]')"
  [ "$(q a keys 'r["keys"][0]["uses"]')" = 2 ] || fail "handshake $i: keys shows $(q a keys 'r["keys"]'), want 2 uses"
  stop_daemon a; stop_daemon b
done
"$PY" - "$AUDIT" "$N" "$ID_B" <<'PYEOF'
import collections, json, sys
path, n, peer = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lines = [json.loads(l) for l in open(path)]
assert len(lines) == 2 * n, f"{len(lines)} audit lines, want {2 * n} (2 per handshake: our AUTH and the peer's MIC)"
by_spi = collections.defaultdict(list)
for l in lines:
    assert l["result"] == "ok", l
    assert l["operation"] == "psk_auth" and l["kind"] == "psk" and l["fingerprint"] == "cka-id:01", l
    assert l["key"] == "pkcs11:token=linkcrypt-a;object=ike-psk", l
    assert l["peer"] == peer, l
    assert l["time"].endswith("Z") and len(l["spi_i"]) == 16 and len(l["spi_r"]) == 16, l
    by_spi[(l["spi_i"], l["spi_r"])].append(l["purpose"])
assert len(by_spi) == n, f"{len(by_spi)} IKE SAs in the log, want {n}"
for spis, purposes in by_spi.items():
    assert sorted(purposes) == ["our_auth", "verify_peer_auth"], (spis, purposes)
print(f"ok: audit log: {len(lines)} lines for {n} handshakes (rekeys add none), one our_auth + one verify_peer_auth per IKE SA")
PYEOF
[ "$(command stat -c %a "$AUDIT")" = 600 ] || fail "audit log mode $(command stat -c %a "$AUDIT")"
grep -q "AUDIT\|key use: psk_auth (our_auth) with pkcs11:token=linkcrypt-a;object=ike-psk \[cka-id:01\] peer $ID_B" "$WORK/a.err" \
  || fail "no key-use line in box A's log"
pass "box A's log: $(grep -m1 'key use:' "$WORK/a.err")"
echo "PASS"

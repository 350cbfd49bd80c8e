#!/usr/bin/python3
"""Sends control-socket requests to a running linkcryptd and validates each raw response line
against docs/schema/ (python3-jsonschema, draft 2020-12): <cmd>.schema.json when ok,
error.schema.json otherwise.

usage: schema_check.py SCHEMA_DIR SOCKET LOG EXPECT REQUEST [EXPECT REQUEST ...]
  EXPECT   ok, or the error code the daemon must answer (unknown_command, ...)
  REQUEST  one request line as sent (JSON, or any bytes for malformed cases)
Appends one line per response to LOG: "<cmd> <ok|code>" (daemon_schema checks that every command
was seen). Prints each response's result (the test reads fields from it); exit 1 on a mismatch.
"""
import json
import os
import socket
import sys

import jsonschema


def load(schema_dir, name):
    with open(os.path.join(schema_dir, name + ".schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def ask(sock_path, line):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(sock_path)
    s.sendall(line.encode() + b"\n")
    buf = b""
    while b"\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    return buf.split(b"\n", 1)[0].decode()


def main():
    schema_dir, sock_path, log = sys.argv[1:4]
    pairs = sys.argv[4:]
    bad = 0
    for expect, line in zip(pairs[0::2], pairs[1::2]):
        try:
            cmd = json.loads(line).get("cmd", "?")
        except ValueError:
            cmd = "?"
        raw = ask(sock_path, line)
        resp = json.loads(raw)  # Python ints are exact: 64-bit values survive
        ok = resp.get("ok") is True
        got = "ok" if ok else resp.get("error", {}).get("code", "?")
        name = cmd if ok else "error"
        errors = sorted(load(schema_dir, name).iter_errors(resp), key=lambda e: list(e.absolute_path))
        for e in errors:
            where = "/".join(str(p) for p in e.absolute_path) or "(top)"
            print(f"SCHEMA {name}: {where}: {e.message}", file=sys.stderr)
        if got != expect:
            print(f"{line!r}: want {expect}, got {got}: {raw[:300]}", file=sys.stderr)
        bad += bool(errors) or got != expect
        with open(log, "a") as f:
            f.write(f"{cmd} {got}\n")
        print(json.dumps(resp.get("result") if ok else resp.get("error")))
        print(f"  {cmd:<10} {got:<16} {len(raw):6d} octets, valid against {name}.schema.json"
              + (f" ({len(errors)} errors)" if errors else ""), file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

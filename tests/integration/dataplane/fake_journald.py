#!/usr/bin/env python3
"""A stand-in for journald's native socket (systemd's journal-native protocol): binds SOCKET, writes
each datagram's fields as one JSON object per line to OUT. Used by log_journal.sh inside a private
mount namespace, so the machine's own /run/systemd is never touched."""
import json
import socket
import struct
import sys

path, out = sys.argv[1], sys.argv[2]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
with open(out, "a") as f:
    while True:
        data = sock.recv(1 << 20)
        fields, i = {}, 0
        while i < len(data):
            nl = data.index(b"\n", i)
            line = data[i:nl]
            if b"=" in line:  # NAME=value\n
                name, value = line.split(b"=", 1)
                i = nl + 1
            else:  # NAME\n, 64-bit little-endian length, value, \n (values with newlines)
                name = line
                n = struct.unpack_from("<Q", data, nl + 1)[0]
                value = data[nl + 9:nl + 9 + n]
                i = nl + 9 + n + 1
            fields[name.decode()] = value.decode(errors="replace")
        f.write(json.dumps(fields) + "\n")
        f.flush()

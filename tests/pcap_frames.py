"""Frames of a classic pcap file, and where a recovered run sits among the sent frames: the check
the decrypt tests share (import with PYTHONPATH=tests)."""
import struct
import sys


def frames(path):
    """The frames of a little-endian classic pcap file (what linkcrypt-pcap and scapy write)."""
    data = open(path, 'rb').read()
    out, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack_from('<I', data, off + 8)[0]
        out.append(data[off + 16: off + 16 + incl])
        off += 16 + incl
    return out


def contiguous_run(sent, recovered):
    """Exits with a reason unless `recovered` is a non-empty run of `sent`, byte for byte, in order."""
    print(f"host A sent {len(sent)} frames, {len(recovered)} recovered from the wire")
    if not recovered:
        sys.exit("nothing recovered")
    start = next((i for i in range(len(sent)) if sent[i:i + len(recovered)] == recovered), None)
    if start is None:
        bad = next((i for i in range(min(len(sent), len(recovered))) if sent[i] != recovered[i]),
                   min(len(sent), len(recovered)))
        sys.exit(f"recovered frames are not the frames host A sent, in order (first difference at {bad})")
    return start

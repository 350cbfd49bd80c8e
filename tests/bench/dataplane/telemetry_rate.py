#!/usr/bin/env python3
# Packet rates of a running DPDK app from two reads of its telemetry socket: the ipsec-secgw side of scripts/bench dataplane.
# Usage: telemetry_rate.py SOCKET TX_PORT RX_PORT SECONDS TASK_DIR -> "tx_mpps rx_mpps tx_mpps_per_cpu_second"
# The app's own clock is not used: the time between the two reads is taken here (CLOCK_MONOTONIC),
# the same way linkcryptd's SIGUSR1 counter dumps are timed, so both rates are measured alike.
# TASK_DIR (/proc/PID/task/TID) is the packet lcore's thread: its schedstat run time (ns) gives the
# rate per CPU-second it actually ran, which the load of a shared machine does not dilute.
import json
import socket
import sys
import time


def read_stats(sock, port):
    sock.send(f'/ethdev/stats,{port}'.encode())
    reply = json.loads(sock.recv(65536))['/ethdev/stats']
    if reply is None:
        sys.exit(f'telemetry_rate: no /ethdev/stats for port {port}')
    return reply


def run_ns(task_dir):
    with open(f'{task_dir}/schedstat') as f:
        return int(f.read().split()[0])


def main():
    path, tx_port, rx_port, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    task_dir = sys.argv[5]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.connect(path)
    sock.recv(1024)  # greeting: {"version": ..., "max_output_len": ...}
    t0, c0 = time.monotonic_ns(), run_ns(task_dir)
    tx0, rx0 = read_stats(sock, tx_port)['opackets'], read_stats(sock, rx_port)['ipackets']
    time.sleep(seconds)
    t1, c1 = time.monotonic_ns(), run_ns(task_dir)
    tx1, rx1 = read_stats(sock, tx_port)['opackets'], read_stats(sock, rx_port)['ipackets']
    dt = (t1 - t0) / 1e9
    cpu = max(c1 - c0, 1) / 1e9
    print(f'{(tx1 - tx0) / dt / 1e6:.3f} {(rx1 - rx0) / dt / 1e6:.3f} {(tx1 - tx0) / cpu / 1e6:.3f}')


main()

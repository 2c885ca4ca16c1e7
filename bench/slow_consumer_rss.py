#!/usr/bin/env python3
"""RSS of a server through rounds of slow-consumer bursts (issue 13): each round 20 subscribers
that never read (4 KB receive buffers) are cut off at max_pending 8 MB while a publisher floods
them, then disconnect. A server that returns freed buffers stays near its baseline; one that
keeps them climbs round after round.

Usage: python3 bench/slow_consumer_rss.py SERVER_BINARY   (gnatsd or nats-server)
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

binary = sys.argv[1]
port = 0
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
conf = os.path.join(tempfile.mkdtemp(), "rss.conf")
open(conf, "w").write("max_pending: 8MB\n")
p = subprocess.Popen([binary, "-a", "127.0.0.1", "-p", str(port), "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def rss():
    for line in open(f"/proc/{p.pid}/status"):
        if line.startswith("VmRSS"): return int(line.split()[1]) // 1024
def connect(rcvbuf=None):
    c = socket.socket()
    if rcvbuf: c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    for _ in range(50):
        try: c.connect(("127.0.0.1", port)); break
        except OSError: time.sleep(0.1)
    c.recv(4096)
    c.sendall(b'CONNECT {"verbose":false}\r\nPING\r\n')
    return c
time.sleep(0.3)
print("baseline", rss(), "MB")
payload = b"x" * 1024
frame = b"PUB burst 1024\r\n" + payload + b"\r\n"
for rnd in range(6):
    subs = []
    for i in range(20):
        c = connect(4096); c.sendall(b"SUB burst 1\r\nPING\r\n"); subs.append(c)
    time.sleep(0.2)
    pub = connect()
    pub.settimeout(5)
    chunk = frame * 256
    sent = 0
    deadline = time.time() + 20
    while time.time() < deadline and sent < 120 * 1024 * 1024:
        try: pub.sendall(chunk); sent += len(chunk)
        except OSError: break
    time.sleep(1.0)
    for c in subs: c.close()
    pub.close()
    time.sleep(2.5)
    print("round", rnd, "rss", rss(), "MB")
p.terminate()
p.wait()

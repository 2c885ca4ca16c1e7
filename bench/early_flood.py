#!/usr/bin/env python3
# Early side-by-side check used in docs/PERFORMANCE.md until `make bench` (issue 5) lands:
# floods 2M 16-byte PUBs (pub-only, then with one draining subscriber) into gnatsd and
# nats-server and reports server CPU (from /proc/PID/stat) and rate. Usage: bench/early_flood.py
import socket, sys, time, subprocess, re, os
def cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")",1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
def run(binary, n=2_000_000, subs=0):
    p = subprocess.Popen([binary, "-a", "127.0.0.1", "-p", "-1"], stderr=subprocess.PIPE, text=True)
    port = None
    while port is None:
        line = p.stderr.readline()
        m = re.search(r"Listening for client connections on 127.0.0.1:(\d+)", line)
        if m: port = int(m.group(1))
    sub_socks = []
    for i in range(subs):
        s = socket.create_connection(("127.0.0.1", port)); s.recv(4096)
        s.sendall(b'CONNECT {"verbose":false}\r\nSUB foo 1\r\nPING\r\n')
        buf=b""
        while b"PONG" not in buf: buf += s.recv(4096)
        sub_socks.append(s)
    s = socket.create_connection(("127.0.0.1", port)); s.recv(4096)
    s.sendall(b'CONNECT {"verbose":false}\r\n')
    blob = b"PUB foo 16\r\n0123456789abcdef\r\n" * 10000
    import threading
    total = [0]*subs
    def drain(i, sk):
        need = n * len(b"MSG foo 1 16\r\n0123456789abcdef\r\n")
        got = 0
        while got < need:
            d = sk.recv(1<<20)
            if not d: break
            got += len(d)
        total[i] = got
    ths = [threading.Thread(target=drain, args=(i, sk)) for i, sk in enumerate(sub_socks)]
    for t in ths: t.start()
    c0 = cpu(p.pid); t0 = time.time()
    for _ in range(n // 10000): s.sendall(blob)
    s.sendall(b"PING\r\n")
    buf = b""
    while b"PONG" not in buf: buf += s.recv(4096)
    for t in ths: t.join()
    t1 = time.time(); c1 = cpu(p.pid)
    p.terminate(); p.wait()
    return (t1 - t0), (c1 - c0)
for subs in (0, 1):
    for b in (os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "gnatsd"), "/usr/sbin/nats-server"):
        el, c = run(b, subs=subs)
        print(f"subs={subs} {b.split('/')[-1]:12s} wall={el:.2f}s  server_cpu={c:.2f}s  cpu/msg={c/2e6*1e9:.0f}ns  rate={2e6/el/1e6:.2f}M msg/s")

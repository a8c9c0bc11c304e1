#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tcp_tool.py - small TCP servers and clients for the NAT integration tests

  serve-halfclose ADDR PORT   for each connection: read to EOF, then answer
                              "got N sha256" and close (needs the client's
                              half-close to work both ways)
  serve-echo ADDR PORT        echo every connection (many at once)
  sink ADDR PORT FILE         accept one connection, write it to FILE
  halfclose HOST PORT         send 100000 bytes, shut down writing, print
                              the answer
  many HOST PORT N            open N connections at once, send a line on
                              each, expect it echoed on each; print "ok N"
"""
import hashlib
import resource
import selectors
import socket
import sys
import time


def nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, n))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def listener(addr, port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(4096)
    return s


def serve_halfclose(addr, port):
    s = listener(addr, port)
    while True:
        c, _ = s.accept()
        h, n = hashlib.sha256(), 0
        while True:
            b = c.recv(65536)
            if not b:
                break
            h.update(b)
            n += len(b)
        c.sendall(b"got %d %s\n" % (n, h.hexdigest().encode()))
        c.close()


def serve_echo(addr, port):
    nofile(4096)
    s = listener(addr, port)
    s.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(s, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            if key.fileobj is s:
                try:
                    c, _ = s.accept()
                except BlockingIOError:
                    continue
                c.setblocking(False)
                sel.register(c, selectors.EVENT_READ)
                continue
            c = key.fileobj
            try:
                b = c.recv(65536)
            except BlockingIOError:
                continue
            except ConnectionError:
                b = b""
            if b:
                c.sendall(b)
            else:
                sel.unregister(c)
                c.close()


def sink(addr, port, path):
    s = listener(addr, port)
    c, _ = s.accept()
    with open(path, "wb") as f:
        while True:
            b = c.recv(1 << 20)
            if not b:
                break
            f.write(b)
    c.close()


def halfclose(host, port):
    c = socket.create_connection((host, int(port)), timeout=20)
    data = bytes(range(256)) * 390 + b"0123456789" * 16   # 100000 bytes
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    out = b""
    while True:
        b = c.recv(4096)
        if not b:
            break
        out += b
    want = b"got %d %s\n" % (len(data), hashlib.sha256(data).hexdigest().encode())
    sys.stdout.write(out.decode())
    sys.exit(0 if out == want else 1)


def many(host, port, n):
    n = int(n)
    nofile(n + 64)
    socks = []
    for i in range(n):
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex((host, int(port)))
        socks.append(c)
    sel = selectors.DefaultSelector()
    for i, c in enumerate(socks):
        sel.register(c, selectors.EVENT_WRITE, i)
    pending = set(range(n))
    want = {i: b"conn %d\n" % i for i in range(n)}
    got = {i: b"" for i in range(n)}
    deadline = time.time() + 60
    while pending and time.time() < deadline:
        for key, ev in sel.select(timeout=1):
            i, c = key.data, key.fileobj
            if ev & selectors.EVENT_WRITE:
                err = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    print("connection %d failed: %s" % (i, err))
                    sys.exit(1)
                c.send(want[i])
                sel.modify(c, selectors.EVENT_READ, i)
                continue
            b = c.recv(4096)
            if not b:
                print("connection %d closed early" % i)
                sys.exit(1)
            got[i] += b
            if got[i] == want[i]:
                pending.discard(i)
    if pending:
        print("%d connections unanswered" % len(pending))
        sys.exit(1)
    # every connection was open at the same time: close them now
    for c in socks:
        c.close()
    print("ok %d" % n)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"serve-halfclose": serve_halfclose, "serve-echo": serve_echo,
     "sink": sink, "halfclose": halfclose, "many": many}[cmd](*args)

#!/bin/bash
# SPDX-License-Identifier: MIT
# DNS over TCP from guests (RFC 7766) and host.mvm.internal:
#  - dig +tcp for another guest's name, a PTR, an alias and a forwarded name;
#  - several queries on one connection: dig +keepopen, and pipelined
#    queries written at once (one split across writes) by a python3 client,
#    whose connection the gateway closes when idle;
#  - an internal network answers its names over TCP and refuses the rest;
#  - an upstream that truncates over UDP gets the retry over TCP with the
#    client's DO bit and cookie (a fake upstream on 127.0.0.1 run by this
#    test answers 192.0.2.99 over TCP only when both are there, .98 if not);
#  - host.mvm.internal is the gateway on a nat network (getent, and curl
#    reaches a python3 http.server on the host's 127.0.0.1), and does not
#    resolve on an internal one.
# Nothing leaves the machine.
. "$(dirname "$0")/lib.sh"
need dig getent python3 curl timeout

# the fake upstream, UDP and TCP on one port: over UDP "big.example" gets
# an empty TC=1 reply and other A queries 192.0.2.53; over TCP
# "big.example" gets 192.0.2.99 if the query has DO and a COOKIE option,
# else 192.0.2.98, other names 192.0.2.54
cat >"$T/upstream.py" <<'PY'
import socket, struct, threading

def parse(q):
    i = 12
    labels = []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode().lower())
        i += 1 + q[i]
    qtype = struct.unpack("!H", q[i + 1:i + 3])[0]
    qend = i + 5
    do = cookie = False
    j = qend
    for _ in range(struct.unpack("!H", q[10:12])[0]):
        if q[j] != 0:
            break                       # only root-owned OPT expected
        t, _c, ttl, rdlen = struct.unpack("!HHIH", q[j + 1:j + 11])
        rd = q[j + 11:j + 11 + rdlen]
        if t == 41:
            do = bool(ttl & 0x8000)
            k = 0
            while k + 4 <= len(rd):
                code, olen = struct.unpack("!HH", rd[k:k + 4])
                cookie |= code == 10 and olen >= 8
                k += 4 + olen
        j += 11 + rdlen
    return ".".join(labels), qtype, qend, do, cookie

def answer(q, qend, addr, tc=False):
    an = 1 if addr else 0
    r = q[:2] + struct.pack("!HHHHH", 0x8380 if tc else 0x8180, 1, an, 0, 0) + q[12:qend]
    if addr:
        r += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(addr)
    return r

def tcp_conn(c):
    with c:
        while True:
            h = c.recv(2, socket.MSG_WAITALL)
            if len(h) < 2:
                return
            q = c.recv(struct.unpack("!H", h)[0], socket.MSG_WAITALL)
            name, qtype, qend, do, cookie = parse(q)
            if name == "big.example":
                addr = "192.0.2.99" if do and cookie else "192.0.2.98"
            else:
                addr = "192.0.2.54" if qtype == 1 else None
            r = answer(q, qend, addr)
            c.sendall(struct.pack("!H", len(r)) + r)

def tcp_loop(l):
    while True:
        c, _ = l.accept()
        threading.Thread(target=tcp_conn, args=(c,), daemon=True).start()

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
port = u.getsockname()[1]
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", port))
l.listen(16)
threading.Thread(target=tcp_loop, args=(l,), daemon=True).start()
print(port, flush=True)
while True:
    q, a = u.recvfrom(4096)
    try:
        name, qtype, qend, do, cookie = parse(q)
    except (IndexError, struct.error, UnicodeDecodeError):
        continue
    if name == "big.example":
        u.sendto(answer(q, qend, None, tc=True), a)
    else:
        u.sendto(answer(q, qend, "192.0.2.53" if qtype == 1 else None), a)
PY

# a pipelining client for the guests: all queries in one write (the first
# split across two), then every answer read back on the same connection:
# "ID RCODE ADDR|-" per answer, sorted; then how long until the gateway
# closed the idle connection ("idle N")
cat >"$T/pipeline.py" <<'PY'
import socket, struct, sys, time

def query(qid, name, dnssec=False):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 1 if dnssec else 0)
    for l in name.split("."):
        q += bytes([len(l)]) + l.encode()
    q += b"\0" + struct.pack("!HH", 1, 1)
    if dnssec:  # OPT: 1232, DO, a client cookie
        q += b"\0" + struct.pack("!HHIH", 41, 1232, 0x8000, 12)
        q += struct.pack("!HH", 10, 8) + b"\x01\x02\x03\x04\x05\x06\x07\x08"
    return struct.pack("!H", len(q)) + q

gw = sys.argv[1]
names = sys.argv[2:]
s = socket.create_connection((gw, 53), timeout=5)
qs = [query(0x100 + i, n.rstrip("+"), n.endswith("+")) for i, n in enumerate(names)]
s.sendall(qs[0][:5])
time.sleep(0.2)
s.sendall(qs[0][5:] + b"".join(qs[1:]))
out = []
buf = b""
while len(out) < len(qs):
    while len(buf) < 2 or len(buf) < 2 + struct.unpack("!H", buf[:2])[0]:
        d = s.recv(4096)
        if not d:
            sys.exit("closed with %d of %d answers" % (len(out), len(qs)))
        buf += d
    n = struct.unpack("!H", buf[:2])[0]
    r, buf = buf[2:2 + n], buf[2 + n:]
    qid, fl, qd, an = struct.unpack("!HHHH", r[:8])
    addr = socket.inet_ntoa(r[-4:]) if an else "-"
    out.append("%x %d %s" % (qid, fl & 15, addr))
print("\n".join(sorted(out)))
sys.stdout.flush()
t = time.time()
s.settimeout(20)
print("idle %d" % round(time.time() - t) if s.recv(1) == b"" else "idle data")
PY

coproc UP { exec python3 "$T/upstream.py"; }
read -r -t 10 up_port <&"${UP[0]}" || fail "fake upstream did not start"
log "fake upstream on 127.0.0.1:$up_port (UDP and TCP)"
export MVM_DNS_UPSTREAMS="127.0.0.1:$up_port"

mvm network create tcpnet --subnet 10.207.0.0/24 >/dev/null || fail "network create"
mvm network create tcpint --subnet 10.208.0.0/24 --internal >/dev/null || fail "network create internal"
GW=10.207.0.1
IGW=10.208.0.1
mvm run --netns --name web --alias www --network tcpnet -d -- sleep 300 >/dev/null || fail "run web"
mvm run --netns --name inner --network tcpint -d -- sleep 300 >/dev/null || fail "run inner"
ip_web=$(guest_ip web)
ip_inner=$(guest_ip inner)
log "web=$ip_web inner=$ip_inner"

on() {
	local net=$1
	shift
	mvm run --netns --network "$net" -- "$@" 2>&1
}
tdig() { on tcpnet dig +tcp +short +time=3 +tries=1 @$GW "$@"; }
tcp_stat() { mvm network inspect "$1" | jq ".[0].stats.dns.tcp.$2"; }

log "dig +tcp: a guest's name, an alias, a PTR, a forwarded name"
expect_eq "dig +tcp web" "$(tdig web)" "$ip_web"
expect_eq "dig +tcp web.tcpnet.mvm" "$(tdig web.tcpnet.mvm)" "$ip_web"
expect_eq "dig +tcp www (alias)" "$(tdig www)" "$ip_web"
expect_eq "dig +tcp -x web" "$(tdig -x "$ip_web")" "web.tcpnet.mvm."
expect_eq "dig +tcp example.com (forwarded)" "$(tdig example.com)" "192.0.2.53"
out=$(on tcpnet dig +tcp +time=3 +tries=1 @$GW nope.tcpnet.mvm)
expect_contains "dig +tcp nope.tcpnet.mvm" "$out" "status: NXDOMAIN"
expect_contains "answered over TCP" "$out" "(TCP)"
[ "$(tcp_stat tcpnet queries)" -ge 6 ] || fail "tcp queries: $(tcp_stat tcpnet queries)"

log "several queries on one connection (dig +keepopen)"
before=$(tcp_stat tcpnet opened)
out=$(tdig +keepopen web www example.com)
expect_eq "keepopen answers" "$(echo "$out" | tr '\n' ' ')" "$ip_web $ip_web 192.0.2.53 "
expect_eq "keepopen connections" "$(($(tcp_stat tcpnet opened) - before))" 1

log "the TCP retry upstream keeps the client's DO bit and cookie"
expect_eq "dig +dnssec +cookie big.example (UDP)" \
	"$(on tcpnet dig +short +dnssec +cookie +time=3 +tries=1 @$GW big.example)" "192.0.2.99"
expect_eq "dig +nodnssec +nocookie big.example (UDP)" \
	"$(on tcpnet dig +short +nodnssec +nocookie +time=3 +tries=1 @$GW big.example)" "192.0.2.98"
expect_eq "dig +tcp +dnssec +cookie big.example" \
	"$(tdig +dnssec +cookie big.example)" "192.0.2.99"
fb=$(mvm network inspect tcpnet | jq '.[0].stats.dns.tcp_fallbacks')
[ "$fb" -ge 3 ] || fail "tcp_fallbacks: $fb"
expect_eq "no query rebuilt" \
	"$(mvm network inspect tcpnet | jq '.[0].stats.dns.tcp_fallbacks_rebuilt')" 0

log "pipelined queries, answered on one connection, closed when idle"
before=$(tcp_stat tcpnet opened)
out=$(on tcpnet python3 "$T/pipeline.py" $GW web example.com www big.example+ nope.tcpnet.mvm)
log "$(echo "$out" | tr '\n' ';')"
expect_eq "pipelined answers" "$(echo "$out" | grep -v idle | tr '\n' ';')" \
	"100 0 $ip_web;101 0 192.0.2.53;102 0 $ip_web;103 0 192.0.2.99;104 3 -;"
idle=$(echo "$out" | sed -n 's/^idle //p')
[ -n "$idle" ] && [ "$idle" != data ] && [ "$idle" -ge 8 ] && [ "$idle" -le 13 ] ||
	fail "the idle connection was not closed after ~10 s: $out"
expect_eq "pipelined connections" "$(($(tcp_stat tcpnet opened) - before))" 1
expect_eq "idle closed" "$(tcp_stat tcpnet idle_closed)" 1
expect_eq "sessions left" "$(tcp_stat tcpnet sessions)" 0

log "an internal network: local names over TCP, the rest refused"
expect_eq "dig +tcp inner" "$(on tcpint dig +tcp +short +time=3 +tries=1 @$IGW inner)" "$ip_inner"
out=$(on tcpint dig +tcp +time=3 +tries=1 @$IGW example.com)
expect_contains "dig +tcp example.com on tcpint" "$out" "status: REFUSED"
expect_contains "dig +tcp example.com on tcpint (TCP)" "$out" "(TCP)"

log "host.mvm.internal"
out=$(on tcpnet getent hosts host.mvm.internal) || fail "getent hosts host.mvm.internal: $out"
expect_eq "getent hosts host.mvm.internal" "$(echo "$out" | awk '{print $1}')" "$GW"
expect_eq "dig +tcp host.mvm.internal" "$(tdig host.mvm.internal)" "$GW"
out=$(on tcpint getent hosts host.mvm.internal) && fail "host.mvm.internal resolves on an internal network: $out"
out=$(on tcpint dig +time=3 +tries=1 @$IGW host.mvm.internal)
expect_contains "host.mvm.internal on tcpint" "$out" "status: NXDOMAIN"

log "curl http://host.mvm.internal:PORT/ reaches the host's loopback"
mkdir -p "$T/www"
token="mvm-host-$$-$RANDOM"
echo "$token" >"$T/www/index.html"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$port" >"$T/http.log" 2>&1 &
http_pid=$!
wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$port/" || fail "http.server did not start"
out=$(on tcpnet curl -s --max-time 10 "http://host.mvm.internal:$port/")
kill "$http_pid" 2>/dev/null
expect_eq "curl host.mvm.internal" "$out" "$token"
exit 0

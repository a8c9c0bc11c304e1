#!/bin/bash
# SPDX-License-Identifier: MIT
# The gateway's DNS: guests find each other by bare name (dig and the
# system resolver), by FQDN, by address (PTR) and by shared alias (round
# robin); names are scoped per network; a stopped guest's name goes away;
# AAAA is NODATA; a nat network forwards to its upstream (a fake resolver
# on 127.0.0.1 run by this test: nothing leaves the machine), an internal
# one refuses; DNS over TCP answers the same (more in test_dns_tcp.sh).
. "$(dirname "$0")/lib.sh"
need dig getent python3 timeout

# the fake upstream: answers every A query with 192.0.2.53, ignores
# "slow.example." (to see the timeout), prints its port when ready
cat >"$T/upstream.py" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
while True:
    q, a = s.recvfrom(4096)
    if len(q) < 12:
        continue
    i, n = 12, []
    while i < len(q) and q[i]:
        n.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace")); i += 1 + q[i]
    qend = i + 5
    name = ".".join(n).lower()
    if name == "slow.example":
        continue
    qtype = struct.unpack("!H", q[i + 1:i + 3])[0]
    flags = 0x8180
    an = 1 if qtype == 1 else 0
    r = q[:2] + struct.pack("!HHHHH", flags, 1, an, 0, 0) + q[12:qend]
    if an:
        r += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 53])
    s.sendto(r, a)
PY
coproc UP { exec python3 "$T/upstream.py"; }
read -r -t 10 up_port <&"${UP[0]}" || fail "fake upstream did not start"
log "fake upstream on 127.0.0.1:$up_port"
# mvmd reads its upstreams from here (else from /etc/resolv.conf); the
# daemon is started by the first mvm command below and inherits it
export MVM_DNS_UPSTREAMS="127.0.0.1:$up_port"

mvm network create dnsnet --subnet 10.204.0.0/24 >/dev/null || fail "network create"
mvm network create dnsother --subnet 10.206.0.0/24 >/dev/null || fail "network create other"
mvm network create dnsint --subnet 10.205.0.0/24 --internal >/dev/null || fail "network create internal"
GW=10.204.0.1

mvm run --netns --name web --alias www --network dnsnet -d -- sleep 300 >/dev/null || fail "run web"
mvm run --netns --name api --alias www --alias api2 --network dnsnet -d -- sleep 300 >/dev/null || fail "run api"
mvm run --netns --name db --network dnsother -d -- sleep 300 >/dev/null || fail "run db"
ip_web=$(guest_ip web)
ip_api=$(guest_ip api)
ip_db=$(guest_ip db)
log "web=$ip_web api=$ip_api db=$ip_db"

# on NET... run CMD in a fresh guest on the given networks
on() {
	local nets=() a
	while [ "$1" != -- ]; do nets+=(--network "$1"); shift; done
	shift
	mvm run --netns "${nets[@]}" -- "$@" 2>&1
}
dig_short() { on dnsnet -- dig +short +time=2 +tries=1 @$GW "$@"; }

log "bare name, FQDN, case"
expect_eq "dig web" "$(dig_short web)" "$ip_web"
expect_eq "dig web.dnsnet.mvm" "$(dig_short web.dnsnet.mvm)" "$ip_web"
expect_eq "dig WEB.DnsNet.Mvm" "$(dig_short WEB.DnsNet.Mvm)" "$ip_web"
expect_eq "dig api2 (alias)" "$(dig_short api2)" "$ip_api"

log "system resolver (resolv.conf search)"
out=$(on dnsnet -- getent hosts web) || fail "getent hosts web: $out"
expect_eq "getent hosts web" "$(echo "$out" | awk '{print $1}')" "$ip_web"
out=$(on dnsnet -- getent hosts api.dnsnet.mvm) || fail "getent hosts api.dnsnet.mvm: $out"
expect_eq "getent hosts api.dnsnet.mvm" "$(echo "$out" | awk '{print $1}')" "$ip_api"

log "PTR"
expect_eq "dig -x web" "$(dig_short -x "$ip_web")" "web.dnsnet.mvm."

log "an alias shared by two guests, round robin"
out=$(on dnsnet -- sh -c "dig +short @$GW www; echo --; dig +short @$GW www")
first1=$(echo "$out" | sed -n 1p)
first2=$(echo "$out" | sed -n '/^--$/{n;p}')
expect_eq "www answers" "$(echo "$out" | sed -n '1,/^--$/p' | grep -v -- -- | sort | tr '\n' ' ')" \
	"$(printf '%s\n%s\n' "$ip_web" "$ip_api" | sort | tr '\n' ' ')"
[ "$first1" != "$first2" ] || fail "www: the first address did not rotate ($out)"

log "AAAA: NODATA, not NXDOMAIN"
out=$(on dnsnet -- dig +time=2 +tries=1 @$GW AAAA web)
expect_contains "AAAA web status" "$out" "status: NOERROR"
expect_contains "AAAA web answers" "$out" "ANSWER: 0,"

log "scoping: another network's names are not visible"
out=$(on dnsother -- dig +time=2 +tries=1 @10.206.0.1 web.dnsnet.mvm)
expect_contains "web from dnsother" "$out" "status: NXDOMAIN"
out=$(on dnsnet -- dig +time=2 +tries=1 @$GW db.dnsother.mvm)
expect_contains "db from dnsnet" "$out" "status: NXDOMAIN"
expect_eq "db from dnsother" "$(on dnsother -- dig +short @10.206.0.1 db)" "$ip_db"
# a guest on both networks sees both, through either gateway
out=$(on dnsnet dnsother -- sh -c "dig +short @$GW db; dig +short @10.206.0.1 web.dnsnet.mvm")
expect_eq "both networks" "$(echo "$out" | tr '\n' ' ')" "$ip_db $ip_web "

log "forwarding (nat) to the fake upstream, and its timeout"
expect_eq "dig example.com" "$(dig_short example.com)" "192.0.2.53"
start=$(date +%s)
out=$(on dnsnet -- dig +time=8 +tries=1 @$GW slow.example)
expect_contains "slow.example" "$out" "status: SERVFAIL"
[ $(($(date +%s) - start)) -le 7 ] || fail "SERVFAIL for slow.example came too late"

log "an internal network does not forward"
start=$(date +%s)
out=$(on dnsint -- dig +time=5 +tries=1 @10.205.0.1 example.com)
expect_contains "example.com on dnsint" "$out" "status: REFUSED"
[ $(($(date +%s) - start)) -le 3 ] || fail "REFUSED on dnsint came too late"

log "DNS over TCP"
expect_eq "dig +tcp web" "$(dig_short +tcp web)" "$ip_web"
expect_eq "dig +tcp example.com" "$(dig_short +tcp example.com)" "192.0.2.53"
out=$(on dnsint -- dig +tcp +time=3 +tries=1 @10.205.0.1 example.com)
expect_contains "dig +tcp example.com on dnsint" "$out" "status: REFUSED"

log "a stopped guest's name disappears"
mvm stop web >/dev/null || fail "stop web"
wait_for 10 sh -c "[ \"\$($MVM_BIN/mvm inspect web --format json | jq -r '.[0].state // .state')\" = exited ]" ||
	fail "web did not exit"
out=$(on dnsnet -- dig +time=2 +tries=1 @$GW web.dnsnet.mvm)
expect_contains "web after stop" "$out" "status: NXDOMAIN"
expect_eq "www after stop" "$(dig_short www)" "$ip_api"

q=$(mvm network inspect dnsnet | jq '.[0].stats.dns.queries')
[ "$q" -gt 10 ] || fail "dns queries on dnsnet: $q"

log "names are back after mvmd dies under running guests"
pid=$(mvm system status --format json | jq -r .pid)
kill -9 "$pid"
wait_for 10 sh -c "! kill -0 $pid" || fail "mvmd $pid did not die"
expect_eq "api after restart" "$(dig_short api)" "$ip_api"
expect_eq "alias after restart" "$(dig_short api2)" "$ip_api"
expect_eq "db after restart (two networks)" \
	"$(on dnsnet dnsother -- dig +short @$GW db.dnsother.mvm)" "$ip_db"
exit 0

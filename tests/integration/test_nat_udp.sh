#!/bin/bash
# SPDX-License-Identifier: MIT
# UDP through the NAT's host access: a guest talks to a UDP echo server on
# the host's 127.0.0.1 through the gateway address (socat in the guest), a
# reply larger than the MTU arrives (as fragments, reassembled by the
# guest), a closed port is "connection refused" at once (the host's ICMP
# error relayed), DNS to the gateway stays with the gateway, and an
# internal network has no UDP way out: ICMP unreachable at once, not a
# timeout. All traffic stays on the host's loopback.
. "$(dirname "$0")/lib.sh"
need socat python3 timeout

# the echo server: echoes each datagram; "big" gets 3000 bytes back
cat >"$T/echo.py" <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
while True:
    d, a = s.recvfrom(65535)
    s.sendto(bytes(i % 251 for i in range(3000)) if d.startswith(b"big") else d, a)
PY
coproc ECHO { exec python3 "$T/echo.py"; }
read -r -t 10 port <&"${ECHO[0]}" || fail "echo server did not start"
# a port nobody listens on (bound, then closed)
closed=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log "echo server on 127.0.0.1:$port, closed port $closed"

mvm network create udpnet --subnet 10.211.0.0/24 >/dev/null || fail "network create"
mvm network create udpint --subnet 10.212.0.0/24 --internal >/dev/null || fail "network create internal"
GW=10.211.0.1

on() {
	local net=$1
	shift
	mvm run --netns --network "$net" -- "$@" 2>&1
}

log "UDP echo through host access"
out=$(on udpnet sh -c "printf 'hello-%s' \$\$ | socat -T 3 - UDP4:$GW:$port") ||
	fail "socat to $GW:$port failed: $out"
expect_contains "echo" "$out" "hello-"
# several datagrams on one flow, and several flows
out=$(on udpnet sh -c "for i in 1 2 3; do printf 'n%s' \$i | socat -T 3 - UDP4:$GW:$port; echo; done")
expect_eq "three flows" "$(echo "$out" | tr '\n' ' ')" "n1 n2 n3 "

log "a reply above the MTU reaches the guest (fragments)"
out=$(on udpnet sh -c "printf big | socat -T 3 - UDP4:$GW:$port | od -An -v -tu1 | wc -w")
expect_eq "bytes of the big reply" "$(echo "$out" | tr -d ' ')" "3000"

log "a closed port on the host: connection refused, at once"
start=$(date +%s%N)
out=$(on udpnet sh -c "echo x | socat -T 5 - UDP4:$GW:$closed; echo rc=\$?")
ms=$((($(date +%s%N) - start) / 1000000))
expect_contains "closed port" "$out" "Connection refused"
[ $ms -lt 4000 ] || fail "closed port took ${ms} ms (a timeout, not a refusal)"

log "DNS to the gateway is the gateway's"
out=$(on udpnet dig +short +time=2 +tries=1 @$GW udpnet.mvm SOA) || fail "dig @$GW: $out"
[ -n "$out" ] || fail "no SOA from the gateway's DNS"

log "counters"
nat=$(mvm network inspect udpnet | jq -c '.[0].nat // .[0].stats.nat // empty')
[ -n "$nat" ] || fail "no nat counters in network inspect"
[ "$(echo "$nat" | jq .udp_out)" -ge 6 ] || fail "udp_out: $nat"
[ "$(echo "$nat" | jq .udp_in)" -ge 5 ] || fail "udp_in: $nat"

log "internal network: no UDP egress, no host access, fast"
# no default route there (DHCP hands out no router): the guest routes
# 198.18.0.0/24 to the gateway itself, as a statically configured one would
for dst in 10.212.0.1:$port 198.18.0.1:9; do
	start=$(date +%s%N)
	out=$(on udpint sh -c "ip route add 198.18.0.0/24 via 10.212.0.1 &&
		echo x | socat -T 5 - UDP4:$dst; echo rc=\$?")
	ms=$((($(date +%s%N) - start) / 1000000))
	expect_contains "internal $dst" "$out" "No route to host"
	[ $ms -lt 4000 ] || fail "internal $dst took ${ms} ms (a timeout, not an ICMP error)"
done
nat=$(mvm network inspect udpint | jq -c '.[0].nat // .[0].stats.nat // empty')
[ "$(echo "$nat" | jq .unreachable_sent)" -ge 2 ] || fail "unreachable_sent: $nat"
[ "$(echo "$nat" | jq .udp_out)" -eq 0 ] || fail "udp_out on an internal network: $nat"
exit 0

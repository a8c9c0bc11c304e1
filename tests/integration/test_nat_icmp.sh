#!/bin/bash
# SPDX-License-Identifier: MIT
# Egress through the NAT: ICMP echo (ping sockets) and UDP to an address
# outside the subnet. To keep that traffic contained, mvmd runs inside a
# user + network namespace this test creates: its only interface is lo,
# which also carries the "outside" address 198.18.0.1 (RFC 2544
# benchmarking range) with a UDP echo server bound to it. Nothing can
# leave that namespace.
#
# net.ipv4.ping_group_range is per network namespace and "1 0" (nobody)
# in a new one: first ping must fail fast ("Packet filtered": ICMP
# unreachable, code 13) with one clear line in mvmd.log, then, once the
# test allows its group, ping must work, without restarting mvmd.
. "$(dirname "$0")/lib.sh"
need socat nsenter unshare timeout

unshare -rn sh -c 'echo $$ >"$1"; exec sleep 600' sh "$T/ns.pid" &
wait_for 5 test -s "$T/ns.pid" || fail "no namespace holder"
NSPID=$(cat "$T/ns.pid")
# run a command in the test's namespace (as its root: our own uid mapped)
inns() { nsenter -t "$NSPID" -U -n --preserve-credentials -- "$@"; }
inns true 2>/dev/null || skip "cannot enter a user namespace we created (nsenter -U)"
inns ip link set lo up || fail "lo up"
inns ip addr add 198.18.0.1/32 dev lo || fail "198.18.0.1 on lo"
inns socat UDP4-RECVFROM:7777,bind=198.18.0.1,fork EXEC:cat >/dev/null 2>&1 &
wait_for 5 inns sh -c 'ss -uln | grep -q 198.18.0.1:7777' || fail "echo server did not start"

# the daemon starts with the first command, inside the namespace
inns "$MVM_BIN/mvm" network create egnet --subnet 10.213.0.0/24 >/dev/null || fail "network create"
inns "$MVM_BIN/mvm" network create egint --subnet 10.214.0.0/24 --internal >/dev/null ||
	fail "network create internal"
pid=$(mvm system status --format json | jq -r .pid)
[ "$(readlink /proc/$pid/ns/net)" = "$(readlink /proc/$NSPID/ns/net)" ] ||
	fail "mvmd is not in the test's network namespace"
LOG=$XDG_DATA_HOME/mvm/mvmd.log

on() {
	local net=$1
	shift
	inns "$MVM_BIN/mvm" run --netns --network "$net" -- "$@" 2>&1
}

log "UDP to an outside address"
out=$(on egnet sh -c "printf 'out-%s' \$\$ | socat -T 3 - UDP4:198.18.0.1:7777") ||
	fail "socat to 198.18.0.1:7777: $out"
expect_contains "UDP echo from 198.18.0.1" "$out" "out-"

log "ping while ping_group_range forbids ping sockets: unreachable, fast"
expect_contains "ping_group_range" "$(inns cat /proc/sys/net/ipv4/ping_group_range)" "65534"
start=$(date +%s%N)
out=$(on egnet ping -c 3 -i 0.3 -W 5 198.18.0.1) && fail "ping worked while forbidden: $out"
ms=$((($(date +%s%N) - start) / 1000000))
log "$(echo "$out" | grep -m1 -i from)"
expect_contains "ping error" "$out" "Packet filtered"
[ $ms -lt 4000 ] || fail "forbidden ping took ${ms} ms (a timeout, not an ICMP error)"
n=$(grep -c "ping_group_range" "$LOG")
expect_eq "ping_group_range lines in mvmd.log" "$n" "1"
expect_contains "the line says what to do" "$(grep ping_group_range "$LOG")" \
	'sysctl -w net.ipv4.ping_group_range='

log "ping once allowed (our group is 0 in the namespace)"
inns sh -c 'echo "0 0" >/proc/sys/net/ipv4/ping_group_range' || fail "cannot set ping_group_range"
out=$(on egnet ping -c 3 -i 0.3 -W 3 198.18.0.1) || fail "ping 198.18.0.1: $out $(mvm network inspect egnet | jq -c .[0].stats.nat)"
expect_contains "ping" "$out" "3 packets transmitted, 3 received"
# two guests pinging at once with the same echo id stay apart
out=$(on egnet sh -c 'ping -c 2 -W 3 198.18.0.1 & ping -c 2 -W 3 198.18.0.1; wait') ||
	fail "two pings at once: $out"
expect_eq "replies to two pings" "$(echo "$out" | grep -c '2 received')" "2"
expect_eq "one line in mvmd.log still" "$(grep -c ping_group_range "$LOG")" "1"

nat=$(mvm network inspect egnet | jq -c '.[0].nat // .[0].stats.nat // empty')
[ "$(echo "$nat" | jq .icmp_out)" -ge 7 ] || fail "icmp_out: $nat"
[ "$(echo "$nat" | jq .icmp_in)" -ge 7 ] || fail "icmp_in: $nat"

log "internal network: ping outside is prohibited at once"
start=$(date +%s%N)
out=$(on egint sh -c "ip route add 198.18.0.0/24 via 10.214.0.1 && ping -c 1 -W 5 198.18.0.1") &&
	fail "ping from an internal network worked: $out"
ms=$((($(date +%s%N) - start) / 1000000))
expect_contains "internal ping" "$out" "Packet filtered"
[ $ms -lt 4000 ] || fail "internal ping took ${ms} ms"
exit 0

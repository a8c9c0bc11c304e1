#!/bin/bash
# SPDX-License-Identifier: MIT
# Two namespace guests on one network ping each other by address and ping
# the gateway; the daemon runs as the invoking user with no capabilities.
. "$(dirname "$0")/lib.sh"

mvm network create pingnet --subnet 10.201.0.0/24 >/dev/null || fail "network create"
mvm run --netns --name a --network pingnet -d -- sleep 300 >/dev/null || fail "run a"
mvm run --netns --name b --network pingnet -d -- sleep 300 >/dev/null || fail "run b"

ip_a=$(guest_ip a)
ip_b=$(guest_ip b)
log "a=$ip_a b=$ip_b"
expect_contains "a's address" "$ip_a" "10.201.0."
[ "$ip_a" != "$ip_b" ] || fail "two guests got the same address $ip_a"
[ "$ip_a" != "10.201.0.1" ] && [ "$ip_b" != "10.201.0.1" ] || fail "a guest got the gateway address"

# a third guest pings both peers and the gateway
out=$(mvm run --netns --network pingnet -- sh -c "
	ping -c 2 -W 2 $ip_a && ping -c 2 -W 2 $ip_b && ping -c 2 -W 2 10.201.0.1" 2>&1) ||
	fail "ping from a third guest failed: $out"
expect_contains "ping output" "$out" "2 packets transmitted, 2 received"

# big echo to exercise the gateway with a full-MTU payload
mvm run --netns --network pingnet -- ping -c 1 -W 2 -s 1472 10.201.0.1 >/dev/null ||
	fail "full-size ping of the gateway failed"

# the guest's interface is configured as promised
link=$(mvm run --netns --name probe --network pingnet -- ip -o addr show dev eth0) || fail "ip in guest"
expect_contains "eth0 address" "$link" "10.201.0."
mtu=$(mvm run --netns --network pingnet -- cat /sys/class/net/eth0/mtu)
expect_eq "eth0 mtu" "$mtu" "1500"

# counters moved on the switch
rx=$(mvm network inspect pingnet | jq '.[0].stats.rx_packets')
[ "$rx" -gt 10 ] || fail "switch rx_packets is $rx after pings"

# rootless: mvmd runs as us, with an empty effective capability set
pid=$(mvm system status --format json | jq -r .pid)
[ -n "$pid" ] && [ -d "/proc/$pid" ] || fail "no mvmd pid from status"
expect_eq "mvmd uid" "$(stat -c %u /proc/$pid)" "$(id -u)"
expect_eq "mvmd CapEff" "$(awk '/^CapEff/ {print $2}' /proc/$pid/status)" "0000000000000000"
expect_eq "mvmd CapPrm" "$(awk '/^CapPrm/ {print $2}' /proc/$pid/status)" "0000000000000000"
sock=$XDG_RUNTIME_DIR/mvm/control.sock
expect_eq "control socket mode" "$(stat -c %a "$sock")" "600"
exit 0

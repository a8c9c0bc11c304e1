#!/bin/bash
# SPDX-License-Identifier: MIT
# A guest on an internal and a NAT network gets its default route through
# the NAT network, whatever the order of --network; interfaces follow the
# order given (eth0, eth1).
. "$(dirname "$0")/lib.sh"

mvm network create inside --internal --subnet 10.204.0.0/24 >/dev/null || fail "create internal"
mvm network create outside --subnet 10.205.0.0/24 >/dev/null || fail "create nat"
expect_eq "mode" "$(net_field inside mode)" "internal"
expect_eq "mode" "$(net_field outside mode)" "nat"

for order in "inside outside" "outside inside"; do
	set -- $order
	routes=$(mvm run --netns --network "$1" --network "$2" -- ip -4 route show) || fail "run ($order)"
	log "order $order: $(echo "$routes" | tr '\n' ';')"
	def=$(echo "$routes" | grep '^default')
	expect_contains "default route ($order)" "$def" "via 10.205.0.1"
	[ "$(echo "$def" | wc -l)" -eq 1 ] || fail "more than one default route: $def"
	eth0=$(mvm run --netns --network "$1" --network "$2" -- ip -4 -o addr show dev eth0)
	case "$1" in
	inside) expect_contains "eth0 follows order" "$eth0" "10.204.0." ;;
	outside) expect_contains "eth0 follows order" "$eth0" "10.205.0." ;;
	esac
done

# internal only: no default route at all
routes=$(mvm run --netns --network inside -- ip -4 route show)
if echo "$routes" | grep -q '^default'; then
	fail "internal-only guest got a default route: $routes"
fi
# resolv.conf names the gateway of the routed network
rc=$(mvm run --netns --network inside --network outside -- cat /etc/resolv.conf)
expect_contains "resolv.conf" "$rc" "nameserver 10.205.0.1"
exit 0

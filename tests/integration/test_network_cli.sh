#!/bin/bash
# SPDX-License-Identifier: MIT
# mvm network create/ls/inspect/rm/prune: names, subnets chosen or given
# (never overlapping the host or each other), labels and filters, JSON.
. "$(dirname "$0")/lib.sh"

# the default network exists on first use, with a chosen subnet
def=$(mvm network inspect default) || fail "no default network"
expect_eq "default mode" "$(echo "$def" | jq -r '.[0].mode')" "nat"
sub=$(echo "$def" | jq -r '.[0].subnet')
gw=$(echo "$def" | jq -r '.[0].gateway')
log "default: $sub gw $gw"
[ "${gw%.1}" != "$gw" ] || fail "gateway $gw is not the first address of $sub"

# chosen subnets avoid every host route and address, and each other
mvm network create auto1 >/dev/null || fail "create auto1"
mvm network create auto2 --label tier=web >/dev/null || fail "create auto2"
s1=$(net_field auto1 subnet)
s2=$(net_field auto2 subnet)
[ "$s1" != "$s2" ] && [ "$s1" != "$sub" ] || fail "chosen subnets collide: $sub $s1 $s2"
for s in $sub $s1 $s2; do
	if ip -4 route show table all | awk '{print $1}' | grep -qx "$s"; then
		fail "chosen subnet $s is a host route"
	fi
done

# a given subnet that overlaps a host route is refused with a reason
host_net=$(ip -4 route show scope link | awk '$1 ~ /\// {print $1; exit}')
if [ -n "$host_net" ] && [ "${host_net#*/}" -ge 8 ] && [ "${host_net#*/}" -le 30 ]; then
	if mvm network create clash --subnet "$host_net" 2>"$T/clash"; then fail "subnet $host_net of the host accepted"; fi
	expect_contains "overlap message" "$(cat "$T/clash")" "overlap"
else
	log "no host link route usable for the overlap check"
fi
if mvm network create clash2 --subnet "$s1" 2>"$T/clash2"; then fail "subnet of auto1 accepted twice"; fi
expect_contains "overlap names the network" "$(cat "$T/clash2")" "auto1"

# bad input: name, subnet, mtu, duplicate
mvm network create 'Bad Name' 2>/dev/null && fail "bad name accepted"
mvm network create bad1 --subnet 10.0.0.1/24 2>/dev/null && fail "subnet with host bits accepted"
mvm network create bad2 --mtu 70000 2>/dev/null && fail "mtu 70000 accepted"
mvm network create auto1 2>"$T/dup" && fail "duplicate accepted"
expect_contains "duplicate message" "$(cat "$T/dup")" "auto1"
mvm network ls --format json | jq -e '[.[] | select(.name|startswith("bad"))] | length == 0' >/dev/null ||
	fail "a refused create left a network behind"

# options land
mvm network create tuned --subnet 10.213.0.0/24 --internal --mtu 9000 --label a=1 --label b=2 >/dev/null || fail "create tuned"
t=$(mvm network inspect tuned)
expect_eq "mode" "$(echo "$t" | jq -r '.[0].mode')" "internal"
expect_eq "mtu" "$(echo "$t" | jq -r '.[0].mtu')" "9000"
expect_eq "labels" "$(echo "$t" | jq -c '.[0].labels')" '{"a":"1","b":"2"}'
expect_eq "gateway" "$(echo "$t" | jq -r '.[0].gateway')" "10.213.0.1"

# ls, filters, table
expect_eq "filter" "$(mvm network ls --filter label=tier=web --format json | jq -r '.[].name')" "auto2"
expect_eq "filter none" "$(mvm network ls --filter label=tier=db --format json | jq length)" "0"
mvm network ls | head -1 | grep -q NAME || fail "table has no header"
mvm network ls | grep -q '^tuned ' || fail "table has no row for tuned"
expect_eq "inspect two" "$(mvm network inspect auto1 auto2 | jq length)" "2"
mvm network inspect nosuch 2>"$T/nosuch" && fail "inspect of a missing network"
expect_contains "missing message" "$(cat "$T/nosuch")" "nosuch"

# rm and prune; default cannot be removed
mvm network rm auto1 >/dev/null || fail "rm"
mvm network inspect auto1 >/dev/null 2>&1 && fail "auto1 still there"
mvm network rm default 2>/dev/null && fail "default removed"
mvm network prune -f >/dev/null || fail "prune"
left=$(mvm network ls --format json | jq -r '[.[].name] | sort | join(",")')
expect_eq "after prune" "$left" "default"
exit 0

#!/bin/bash
# SPDX-License-Identifier: MIT
# Guests on two different networks cannot reach each other, while guests on
# the same network can (so the negative result means something).
. "$(dirname "$0")/lib.sh"

mvm network create red --subnet 10.202.0.0/24 >/dev/null || fail "create red"
mvm network create blue --subnet 10.203.0.0/24 >/dev/null || fail "create blue"
mvm run --netns --name r1 --network red -d -- sleep 300 >/dev/null || fail "run r1"
mvm run --netns --name b1 --network blue -d -- sleep 300 >/dev/null || fail "run b1"
r1=$(guest_ip r1)
b1=$(guest_ip b1)

mvm run --netns --network red -- ping -c 1 -W 2 "$r1" >/dev/null || fail "same-network ping failed"
if mvm run --netns --network red -- ping -c 2 -W 1 "$b1" >/dev/null 2>&1; then
	fail "a guest on red reached $b1 on blue"
fi
# not even at L2: an ARP for blue's guest, sent with blue's subnet on red's
# wire, gets no answer
if mvm run --netns --network red -- sh -c "ip addr add 10.203.0.250/24 dev eth0 && ping -c 2 -W 1 $b1" >/dev/null 2>&1; then
	fail "a guest on red reached blue's guest at L2"
fi
# and nothing red's guests sent was delivered on blue
blue_tx=$(mvm network inspect blue | jq '[.[0].stats.ports[] | select(.name | startswith("b1")) | .tx_packets] | add // 0')
log "frames delivered to b1 on blue: $blue_tx"
[ "$blue_tx" -eq 0 ] || fail "blue delivered $blue_tx frames to b1 (nothing on blue sent any)"
exit 0

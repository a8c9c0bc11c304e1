#!/bin/bash
# SPDX-License-Identifier: MIT
# TCP egress through the NAT to an address outside the subnet, and none
# from an internal network. To keep every packet on this machine, mvmd and
# its guests run inside a user + network namespace made by the test, where
# the "outside" is an extra address on that namespace's loopback.
. "$(dirname "$0")/lib.sh"
need python3 curl unshare

OUT=198.18.0.1	# RFC 2544 benchmarking range: never routed anywhere
mkdir -p "$T/www"
echo "hello from outside" >"$T/www/index.txt"

cat >"$T/inner.sh" <<INNER
set -u
ip link set lo up
ip addr add $OUT/32 dev lo
(cd "$T/www" && exec python3 -m http.server 8080 --bind $OUT >/dev/null 2>&1) &
for i in \$(seq 50); do curl -sf http://$OUT:8080/index.txt >/dev/null && break; sleep 0.1; done
m() { "$MVM_BIN/mvm" "\$@"; }
m network create wan --subnet 10.203.0.0/24 >/dev/null || exit 10
m network create lan --internal --subnet 10.204.0.0/24 >/dev/null || exit 11
echo "egress: \$(m run --netns --network wan -- curl -sS -m 10 http://$OUT:8080/index.txt 2>&1)"
s=\$(date +%s%N)
# an internal network hands out no default route: add one, so the NAT is
# what refuses (a RST at once), not the guest's own routing table
echo "internal: \$(m run --netns --network lan -- sh -c "ip route add default via 10.204.0.1 && curl -sS -m 10 http://$OUT:8080/index.txt" 2>&1; echo rc=\$?)"
echo "internal_ms: \$(( (\$(date +%s%N) - s) / 1000000 ))"
echo "denied: \$(m network inspect lan | jq '.[0].stats.nat.denied')"
echo "nat_wan: \$(m network inspect wan | jq -c '.[0].stats.nat.tcp.opened')"
m system stop >/dev/null
kill %1
INNER
out=$(unshare -rn bash "$T/inner.sh" 2>&1) || fail "inner script: $out"
log "$out"
expect_contains "egress" "$out" "egress: hello from outside"
expect_contains "internal network" "$out" "rc=7"
expect_contains "internal network" "$out" "Couldn't connect"
ms=$(echo "$out" | sed -n 's/^internal_ms: //p')
[ "$ms" -lt 5000 ] || fail "refusal on the internal network took $ms ms"
denied=$(echo "$out" | sed -n 's/^denied: //p')
[ "$denied" -ge 1 ] || fail "nat.denied on the internal network is '$denied'"
opened=$(echo "$out" | sed -n 's/^nat_wan: //p')
[ "$opened" -ge 1 ] || fail "nat.tcp.opened on wan is '$opened'"
exit 0

#!/bin/bash
# SPDX-License-Identifier: MIT
# mvm network capture: a live capture piped into tshark shows the ICMP
# exchange between two guests; a --filter capture excludes what it should;
# -c stops after COUNT records; -w FILE writes a file tshark reads.
. "$(dirname "$0")/lib.sh"
need tshark

mvm network create capnet --subnet 10.206.0.0/24 >/dev/null || fail "create"
mvm run --netns --name srv --network capnet -d -- sleep 300 >/dev/null || fail "run srv"
srv=$(guest_ip srv)

capture_while_pinging() { # OUT_PREFIX CAPTURE-ARGS...
	local out=$1
	shift
	# started directly (not through the mvm function) so that $! is mvm itself;
	# background jobs ignore SIGINT, so stop it the way a service would: SIGTERM
	"$MVM_BIN/mvm" network capture capnet -w - "$@" >"$out.pcap" 2>"$out.err" &
	local cap=$!
	# the capture is live once mvmd answered; give it a moment to start
	sleep 0.5
	mvm run --netns --network capnet -- ping -c 3 -i 0.2 -W 2 "$srv" >/dev/null || fail "ping"
	sleep 0.3
	kill -TERM $cap 2>/dev/null
	wait $cap
}

capture_while_pinging "$T/all"
tshark -r "$T/all.pcap" -Y icmp -T fields -e ip.src -e ip.dst -e icmp.type >"$T/all.txt" 2>"$T/tshark.err" ||
	fail "tshark could not read the capture: $(cat "$T/tshark.err")"
log "icmp records: $(wc -l <"$T/all.txt")"
grep -q "	$srv	8$" "$T/all.txt" || fail "no echo request to $srv in capture: $(cat "$T/all.txt")"
grep -q "^$srv	.*	0$" "$T/all.txt" || fail "no echo reply from $srv in capture"
[ "$(grep -c "	8$" "$T/all.txt")" -ge 3 ] || fail "fewer than 3 echo requests captured"
tshark -r "$T/all.pcap" -Y arp 2>/dev/null | grep -q . || fail "unfiltered capture has no ARP"

# a filter that keeps only ARP drops every ICMP record
capture_while_pinging "$T/arp" --filter arp
[ "$(tshark -r "$T/arp.pcap" -Y arp 2>/dev/null | wc -l)" -ge 1 ] || fail "arp-filtered capture has no ARP"
[ "$(tshark -r "$T/arp.pcap" -Y icmp 2>/dev/null | wc -l)" -eq 0 ] || fail "arp-filtered capture contains ICMP"

# -c COUNT ends the capture by itself, into a file
"$MVM_BIN/mvm" network capture capnet -w "$T/two.pcap" -c 2 --filter icmp 2>"$T/c.err" &
cap=$!
sleep 0.5
mvm run --netns --network capnet -- ping -c 3 -i 0.2 -W 2 "$srv" >/dev/null || fail "ping"
wait_for 5 sh -c "! kill -0 $cap" || fail "capture -c 2 did not end by itself"
wait $cap || fail "capture -c 2 exited non-zero: $(cat "$T/c.err")"
expect_eq "records with -c 2" "$(tshark -r "$T/two.pcap" 2>/dev/null | wc -l)" "2"

# a bad filter is refused with the compiler's message
if mvm network capture capnet -w "$T/bad.pcap" --filter "icmp and and" 2>"$T/bad.err"; then
	fail "a bad filter was accepted"
fi
grep -qi "filter" "$T/bad.err" || fail "bad filter error does not say so: $(cat "$T/bad.err")"
exit 0

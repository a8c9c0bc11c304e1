#!/bin/bash
# SPDX-License-Identifier: MIT
# A network's config may name a pcap file: mvmd captures continuously into
# it (with an optional filter), and inspect shows the capture's counters.
. "$(dirname "$0")/lib.sh"
need tshark

conf=$XDG_CONFIG_HOME/mvm/mvm.conf
mkdir -p "$(dirname "$conf")"
cat >"$conf" <<CONF
networks = {
  taped = {
    subnet = "10.214.0.0/24";
    pcap = "$T/taped.pcap";
    pcap_filter = "icmp";
  };
};
CONF

mvm network ls >/dev/null 2>"$T/err" || fail "start: $(cat "$T/err")"
[ -z "$(mvm system status --format json | jq -r '.config_errors[]')" ] || fail "config errors reported"
mvm run --netns --name p --network taped -d -- sleep 300 >/dev/null || fail "run"
ip=$(guest_ip p)
mvm run --netns --network taped -- ping -c 3 -i 0.2 -W 2 "$ip" >/dev/null || fail "ping"

cap=$(mvm network inspect taped | jq '.[0].capture')
log "capture: $cap"
expect_eq "capture file" "$(echo "$cap" | jq -r .file)" "$T/taped.pcap"
pk=$(echo "$cap" | jq -r .packets)
[ "$pk" -ge 6 ] || fail "capture counted $pk packets, want >= 6"

# records are flushed by the writer thread; read what is there
wait_for 5 sh -c "[ \$(tshark -r '$T/taped.pcap' -Y icmp 2>/dev/null | wc -l) -ge 6 ]" ||
	fail "pcap file has $(tshark -r "$T/taped.pcap" 2>/dev/null | wc -l) records"
[ "$(tshark -r "$T/taped.pcap" -Y arp 2>/dev/null | wc -l)" -eq 0 ] || fail "the icmp filter let ARP through"
exit 0

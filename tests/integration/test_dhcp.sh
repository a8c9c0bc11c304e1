#!/bin/bash
# SPDX-License-Identifier: MIT
# Real DHCP clients in namespace guests get exactly what mvmd allocated:
# busybox udhcpc and ISC dhclient obtain the guest's address, the router
# (none on an internal network), the DNS server, the search domain and the
# MTU from the gateway's DHCP server.
. "$(dirname "$0")/lib.sh"
need udhcpc dhclient

mvm network create dhcpnet --subnet 10.202.0.0/24 --mtu 1400 >/dev/null || fail "network create"
mvm network create dhcpint --subnet 10.203.0.0/24 --internal >/dev/null || fail "network create internal"

# busybox udhcpc's default script configures the interface from root-owned
# paths; ours only reports what the server said
cat >"$T/udhcpc.sh" <<'SH'
#!/bin/sh
[ "$1" = bound ] || exit 0
echo "lease ip=$ip subnet=$subnet router=$router dns=$dns domain=$domain search=$search mtu=$mtu hostname=$hostname"
SH
cat >"$T/dhclient.sh" <<'SH'
#!/bin/sh
case "$reason" in BOUND|REBOOT) ;; *) exit 0 ;; esac
echo "lease ip=$new_ip_address subnet=$new_subnet_mask router=$new_routers dns=$new_domain_name_servers domain=$new_domain_name search=$new_domain_search mtu=$new_interface_mtu hostname=$new_host_name"
SH
chmod +x "$T/udhcpc.sh" "$T/dhclient.sh"

# field NAME LINE - the value of NAME= in a "lease ..." line
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# run_client NET NAME CLIENT-COMMAND - print "have=ADDR" and the lease line
run_client() {
	mvm run --netns --name "$2" --network "$1" -- sh -c "
		echo have=\$(ip -o -4 addr show dev eth0 | awk '{print \$4}' | cut -d/ -f1)
		ip addr flush dev eth0
		$3" 2>&1
}

log "udhcpc on a nat network"
out=$(run_client dhcpnet uc "timeout 20 udhcpc -i eth0 -n -q -f -s $T/udhcpc.sh") || fail "udhcpc: $out"
lease=$(echo "$out" | grep '^lease ' | tail -1)
have=$(echo "$out" | sed -n 's/^have=//p')
[ -n "$lease" ] || fail "udhcpc got no lease: $out"
log "$lease"
expect_contains "allocated address" "$have" "10.202.0."
expect_eq "udhcpc ip" "$(field ip "$lease")" "$have"
expect_eq "udhcpc subnet" "$(field subnet "$lease")" "255.255.255.0"
expect_eq "udhcpc router" "$(field router "$lease")" "10.202.0.1"
expect_eq "udhcpc dns" "$(field dns "$lease")" "10.202.0.1"
expect_eq "udhcpc domain" "$(field domain "$lease")" "dhcpnet.mvm"
expect_eq "udhcpc mtu" "$(field mtu "$lease")" "1400"
expect_eq "udhcpc hostname" "$(field hostname "$lease")" "uc"

log "udhcpc on an internal network: no router"
out=$(run_client dhcpint ui "timeout 20 udhcpc -i eth0 -n -q -f -s $T/udhcpc.sh") || fail "udhcpc internal: $out"
lease=$(echo "$out" | grep '^lease ' | tail -1)
have=$(echo "$out" | sed -n 's/^have=//p')
[ -n "$lease" ] || fail "udhcpc (internal) got no lease: $out"
log "$lease"
expect_eq "udhcpc ip (internal)" "$(field ip "$lease")" "$have"
expect_eq "udhcpc router (internal)" "$(field router "$lease")" ""
expect_eq "udhcpc dns (internal)" "$(field dns "$lease")" "10.203.0.1"
expect_eq "udhcpc domain (internal)" "$(field domain "$lease")" "dhcpint.mvm"

log "dhclient on a nat network"
out=$(run_client dhcpnet dh "
	timeout 20 dhclient -1 -sf $T/dhclient.sh -lf $T/dhclient.leases -pf $T/dhclient.pid eth0 </dev/null
	kill \$(cat $T/dhclient.pid) 2>/dev/null; true") || fail "dhclient: $out"
lease=$(echo "$out" | grep '^lease ' | tail -1)
have=$(echo "$out" | sed -n 's/^have=//p')
[ -n "$lease" ] || fail "dhclient got no lease: $out"
log "$lease"
expect_eq "dhclient ip" "$(field ip "$lease")" "$have"
expect_eq "dhclient subnet" "$(field subnet "$lease")" "255.255.255.0"
expect_eq "dhclient router" "$(field router "$lease")" "10.202.0.1"
expect_eq "dhclient dns" "$(field dns "$lease")" "10.202.0.1"
expect_eq "dhclient domain" "$(field domain "$lease")" "dhcpnet.mvm"
expect_eq "dhclient mtu" "$(field mtu "$lease")" "1400"

# the server counted what it did
acks=$(mvm network inspect dhcpnet | jq '.[0].stats.dhcp.acks')
[ "$acks" -ge 2 ] || fail "dhcp acks on dhcpnet: $acks"

log "a client mvmd does not know gets a dynamic lease, which survives a restart"
out=$(run_client dhcpnet dyn "ip link set eth0 address 02:00:5e:10:20:30 &&
	timeout 20 udhcpc -i eth0 -n -q -f -s $T/udhcpc.sh") || fail "udhcpc (dynamic): $out"
lease=$(echo "$out" | grep '^lease ' | tail -1)
dyn_ip=$(field ip "$lease")
have=$(echo "$out" | sed -n 's/^have=//p')
log "$lease"
expect_contains "dynamic address" "$dyn_ip" "10.202.0."
[ "$dyn_ip" != "$have" ] || fail "the dynamic client got the guest's own address $have"
expect_eq "dynamic leases" "$(mvm network inspect dhcpnet | jq '.[0].stats.dhcp.leases_dynamic')" "1"
mvm system stop >/dev/null || fail "system stop"
saved=$(jq -r '.leases.dhcpnet.leases[] | select(.mac == "02:00:5e:10:20:30") | .ip' \
	"$XDG_DATA_HOME/mvm/state.json") || fail "no leases in state.json"
expect_eq "saved lease" "$saved" "$dyn_ip"
expect_eq "dynamic leases after restart" \
	"$(mvm network inspect dhcpnet | jq '.[0].stats.dhcp.leases_dynamic')" "1"
exit 0

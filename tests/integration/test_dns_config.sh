#!/bin/bash
# SPDX-License-Identifier: MIT
# The DNS and DHCP keys of mvm.conf: a network's own `domain` (resolved by
# FQDN and handed out by DHCP), a `static` lease (a udhcpc client with that
# MAC gets that address and host name, and the name resolves before and
# after), an alias from `aliases` that follows its guest, and
# `dns_upstreams` pointing at a fake resolver on 127.0.0.1 run by this test
# (nothing leaves the machine; $MVM_DNS_UPSTREAMS points elsewhere and must
# be ignored for that network).
. "$(dirname "$0")/lib.sh"
need dig python3 timeout udhcpc

# the fake upstream: every A query gets 192.0.2.77
cat >"$T/upstream.py" <<'PY'
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
while True:
    q, a = s.recvfrom(4096)
    if len(q) < 12:
        continue
    i = 12
    while i < len(q) and q[i]:
        i += 1 + q[i]
    qtype = struct.unpack("!H", q[i + 1:i + 3])[0]
    an = 1 if qtype == 1 else 0
    r = q[:2] + struct.pack("!HHHHH", 0x8180, 1, an, 0, 0) + q[12:i + 5]
    if an:
        r += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 77])
    s.sendto(r, a)
PY
coproc UP { exec python3 "$T/upstream.py"; }
read -r -t 10 up_port <&"${UP[0]}" || fail "fake upstream did not start"
log "fake upstream on 127.0.0.1:$up_port"
# the daemon-wide upstream is a closed port: only the config's may answer
export MVM_DNS_UPSTREAMS="127.0.0.1:9"

conf=$XDG_CONFIG_HOME/mvm/mvm.conf
mkdir -p "$(dirname "$conf")"
cat >"$conf" <<CONF
networks = {
  cfgdns = {
    subnet = "10.211.0.0/24";
    domain = "Custom.Test";
    dns_upstreams = [ "127.0.0.1:$up_port" ];
    static = (
      { mac = "02:00:5e:00:00:42"; ip = "10.211.0.200"; hostname = "printer"; }
    );
    aliases = ( { name = "db"; guest = "postgres1"; } );
  };
};
CONF
GW=10.211.0.1

mvm network ls >/dev/null 2>"$T/start.err" || fail "daemon: $(cat "$T/start.err")"
errors=$(mvm system status --format json | jq -r '.config_errors[]?')
expect_eq "config errors" "$errors" ""
expect_eq "network domain" "$(net_field cfgdns domain)" "custom.test"

mvm run --netns --name web --network cfgdns -d -- sleep 300 >/dev/null || fail "run web"
mvm run --netns --name postgres1 --network cfgdns -d -- sleep 300 >/dev/null || fail "run postgres1"
ip_web=$(guest_ip web)
ip_pg=$(guest_ip postgres1)
log "web=$ip_web postgres1=$ip_pg"

on() { mvm run --netns --network cfgdns -- "$@" 2>&1; }
dig_short() { on dig +short +time=2 +tries=1 @$GW "$@"; }

log "the configured domain"
expect_eq "dig web.custom.test" "$(dig_short web.custom.test)" "$ip_web"
expect_eq "dig web" "$(dig_short web)" "$ip_web"
expect_eq "dig -x web" "$(dig_short -x "$ip_web")" "web.custom.test."
out=$(dig_short web.cfgdns.mvm)
[ "$out" != "$ip_web" ] || fail "web.cfgdns.mvm still answers: the default domain is replaced"
out=$(on getent hosts web) || fail "getent hosts web (search custom.test): $out"
expect_eq "getent hosts web" "$(echo "$out" | awk '{print $1}')" "$ip_web"

log "a config alias follows its guest"
expect_eq "dig db" "$(dig_short db)" "$ip_pg"
expect_eq "dig db.custom.test" "$(dig_short db.custom.test)" "$ip_pg"
mvm stop postgres1 >/dev/null || fail "stop postgres1"
wait_for 10 sh -c "[ \"\$($MVM_BIN/mvm inspect postgres1 --format json | jq -r '.[0].state // .state')\" = exited ]" ||
	fail "postgres1 did not exit"
out=$(on dig +time=2 +tries=1 @$GW db.custom.test)
expect_contains "db after stop" "$out" "status: NXDOMAIN"

log "the static lease: its name resolves, and DHCP gives it to its MAC"
expect_eq "dig printer" "$(dig_short printer.custom.test)" "10.211.0.200"
expect_eq "dig -x printer" "$(dig_short -x 10.211.0.200)" "printer.custom.test."
cat >"$T/udhcpc.sh" <<'SH'
#!/bin/sh
[ "$1" = bound ] || exit 0
echo "lease ip=$ip domain=$domain hostname=$hostname"
SH
chmod +x "$T/udhcpc.sh"
out=$(mvm run --netns --name client --network cfgdns -- sh -c "
	ip addr flush dev eth0
	ip link set eth0 address 02:00:5e:00:00:42
	timeout 20 udhcpc -i eth0 -n -q -f -s $T/udhcpc.sh" 2>&1) || fail "udhcpc: $out"
lease=$(echo "$out" | grep '^lease ' | tail -1)
log "$lease"
expect_eq "static lease" "$lease" "lease ip=10.211.0.200 domain=custom.test hostname=printer"

log "forwarding goes to the config's upstream, not \$MVM_DNS_UPSTREAMS"
expect_eq "dig example.com" "$(dig_short example.com)" "192.0.2.77"
exit 0

#!/bin/bash
# SPDX-License-Identifier: MIT
# A network's NAT settings: host access is off by default on an internal
# network (a guest's connection to GATEWAY:PORT is refused at once) and on
# with --host-access=on; a nat network with --host-access=off refuses it;
# --max-flows-per-guest 5 lets a guest hold 5 connections and resets the
# 6th, and the drop counter of `mvm network inspect` rises. The settings
# survive a daemon restart. The host side is a server on 127.0.0.1 only.
. "$(dirname "$0")/lib.sh"
need curl python3 timeout

# a TCP server on the host's loopback that answers "hello" and then holds
# the connection open until the client goes
cat >"$T/hold.py" <<'PY'
import socket, threading
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(64)
print(s.getsockname()[1], flush=True)
def serve(c):
    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n")
    try:
        while c.recv(4096):
            pass
    except OSError:
        pass
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
coproc SRV { exec python3 "$T/hold.py"; }
read -r -t 10 port <&"${SRV[0]}" || fail "host server did not start"
log "host server on 127.0.0.1:$port"

mvm network create int-def --subnet 10.221.0.0/24 --internal >/dev/null || fail "create int-def"
mvm network create int-on --subnet 10.222.0.0/24 --internal --host-access=on >/dev/null ||
	fail "create int-on"
mvm network create nat-off --subnet 10.223.0.0/24 --host-access=off >/dev/null || fail "create nat-off"
mvm network create nat-def --subnet 10.224.0.0/24 >/dev/null || fail "create nat-def"
mvm network create nat-lim --subnet 10.225.0.0/24 --max-flows 100 --max-flows-per-guest 5 >/dev/null ||
	fail "create nat-lim"

log "bad values are refused with a clear error"
out=$(mvm network create bad --host-access=yes 2>&1) && fail "--host-access=yes accepted"
expect_contains "host-access" "$out" "--host-access must be on or off"
out=$(mvm network create bad --max-flows 0 2>&1) && fail "--max-flows 0 accepted"
expect_contains "max-flows 0" "$out" "want 1..1048576"
out=$(mvm network create bad --max-flows 2000000 2>&1) && fail "--max-flows 2000000 accepted"
expect_contains "max-flows 2000000" "$out" "invalid --max-flows '2000000'"
out=$(mvm network create bad --max-flows 10 --max-flows-per-guest 11 2>&1) &&
	fail "per guest above max accepted"
expect_contains "per guest > max" "$out" "more than the network's max flows (10)"
[ "$(mvm network ls -q | grep -c '^bad$')" = 0 ] || fail "a refused network was created"

log "settings in network inspect"
expect_eq "int-def host_access" "$(net_field int-def host_access)" false
expect_eq "int-on host_access" "$(net_field int-on host_access)" true
expect_eq "nat-off host_access" "$(net_field nat-off host_access)" false
expect_eq "nat-def host_access" "$(net_field nat-def host_access)" true
expect_eq "nat-lim max_flows" "$(net_field nat-lim max_flows)" 100
expect_eq "nat-lim max_flows_per_guest" "$(net_field nat-lim max_flows_per_guest)" 5
expect_eq "nat-def max_flows" "$(net_field nat-def max_flows)" 8192
nat=$(mvm network inspect nat-lim | jq -c '.[0].stats.nat')
expect_eq "switch's max_flows_per_guest" "$(echo "$nat" | jq .max_flows_per_guest)" 5
expect_eq "switch's host_access (int-on)" \
	"$(mvm network inspect int-on | jq .[0].stats.nat.host_access)" true

# fetch NET: curl from a guest on NET to its gateway:$port; prints the
# body, then "rc=N ms=M"
fetch() {
	local gw
	gw=$(net_field "$1" gateway)
	mvm run --netns --network "$1" -- sh -c "
		s=\$(date +%s%N); curl -sS -m 8 http://$gw:$port/; rc=\$?
		echo rc=\$rc ms=\$(( (\$(date +%s%N) - s) / 1000000 ))" 2>&1
}

log "nat network, default: host access works"
out=$(fetch nat-def)
expect_contains "nat-def body" "$out" "hello"
expect_contains "nat-def rc" "$out" "rc=0 "

log "internal network, default: no host access, refused at once"
out=$(fetch int-def)
expect_contains "int-def refused" "$out" "rc=7 "	# curl: couldn't connect
ms=${out##*ms=}
[ "$ms" -lt 3000 ] || fail "int-def: refusal took ${ms} ms (a timeout, not a reset)"

log "internal network, --host-access=on: host access works"
out=$(fetch int-on)
expect_contains "int-on body" "$out" "hello"
expect_contains "int-on rc" "$out" "rc=0 "

log "nat network, --host-access=off: refused at once"
out=$(fetch nat-off)
expect_contains "nat-off refused" "$out" "rc=7 "
ms=${out##*ms=}
[ "$ms" -lt 3000 ] || fail "nat-off: refusal took ${ms} ms (a timeout, not a reset)"
[ "$(mvm network inspect nat-off | jq .[0].stats.nat.denied)" -ge 1 ] ||
	fail "nat-off: the refusal is not counted as denied"

log "--max-flows-per-guest 5: five connections held, the sixth reset"
# six.py: open six connections to the host server through the gateway and
# hold them; print what became of each ("hold": then keep them 300 s)
cat >"$T/six.py" <<PY
import socket, sys
held, res = [], []
for i in range(6):
    c = socket.socket()
    c.settimeout(5)
    try:
        c.connect(("10.225.0.1", $port))
        c.recv(100)	# the server's greeting: the connection is real
        held.append(c)
        res.append("ok")
    except OSError as e:
        res.append(type(e).__name__)
print(" ".join(res), flush=True)
if sys.argv[1:] == ["hold"]:
    import time
    time.sleep(300)
PY
drops0=$(mvm network inspect nat-lim | jq .[0].stats.nat.drop_guest_limit)
# a first guest holds its five (and is refused a sixth)...
mvm run --netns -d --name holder --network nat-lim -- python3 "$T/six.py" hold >/dev/null ||
	fail "holder guest"
wait_for 10 grep -q "Error" "$XDG_DATA_HOME/mvm/guests/holder.log" ||
	fail "holder: $(cat "$XDG_DATA_HOME/mvm/guests/holder.log")"
expect_eq "holder's connections" "$(tail -1 "$XDG_DATA_HOME/mvm/guests/holder.log")" \
	"ok ok ok ok ok ConnectionRefusedError"
# ...and the limit is per guest: a second one, meanwhile, gets its own five
out=$(mvm run --netns --network nat-lim -- python3 "$T/six.py" 2>&1)
expect_eq "six connections, a second guest" "$out" "ok ok ok ok ok ConnectionRefusedError"
drops1=$(mvm network inspect nat-lim | jq .[0].stats.nat.drop_guest_limit)
[ "$drops1" -ge $((drops0 + 2)) ] || fail "drop_guest_limit did not rise by 2 ($drops0 -> $drops1)"
log "drop_guest_limit $drops0 -> $drops1"
mvm stop holder >/dev/null || fail "stop holder"

log "the settings survive a daemon restart"
mvm system stop >/dev/null || fail "system stop"
expect_eq "int-on host_access after restart" "$(net_field int-on host_access)" true
expect_eq "nat-off host_access after restart" "$(net_field nat-off host_access)" false
expect_eq "nat-lim per guest after restart" "$(net_field nat-lim max_flows_per_guest)" 5
out=$(fetch int-on)
expect_contains "int-on after restart" "$out" "rc=0 "
out=$(fetch nat-off)
expect_contains "nat-off after restart" "$out" "rc=7 "

log "config networks: the same keys"
mkdir -p "$XDG_CONFIG_HOME/mvm"
cat >"$XDG_CONFIG_HOME/mvm/mvm.conf" <<EOF
networks = {
  cint = { mode = "internal"; subnet = "10.226.0.0/24"; host_access = true; };
  cnat = { subnet = "10.227.0.0/24"; host_access = false; max_flows = 50;
           max_flows_per_guest = 7; };
  cbad = { max_flows = 0; };
};
EOF
mvm system stop >/dev/null
mvm system start >/dev/null 2>&1 || fail "system start with the config"
status=$(mvm system status --format json)
expect_eq "config errors" "$(echo "$status" | jq -r '.config_errors | length')" 1
expect_contains "config error" "$(echo "$status" | jq -r '.config_errors[0]')" \
	"mvm.conf:5: key 'networks.cbad.max_flows': 0 is out of range 1..1048576"
expect_eq "cint host_access" "$(net_field cint host_access)" true
expect_eq "cnat host_access" "$(net_field cnat host_access)" false
expect_eq "cnat max_flows_per_guest" "$(net_field cnat max_flows_per_guest)" 7
out=$(fetch cint)
expect_contains "cint body" "$out" "hello"
out=$(fetch cnat)
expect_contains "cnat refused" "$out" "rc=7 "

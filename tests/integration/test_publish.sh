#!/bin/bash
# SPDX-License-Identifier: MIT
# Published ports (mvm run --publish): an HTTP server in a guest is reached
# with curl on 127.0.0.1:PORT, and the port is bound to that address only;
# a published UDP port echoes; a loopback client appears in the guest as
# the gateway; a second guest asking for a published port, or for one
# something else on the host holds, gets a clear error and is not created;
# the port is released when the guest stops; publishing works on internal
# networks; publications come back after mvmd is killed and restarted; the
# config's `publish` list does the same. Finally, inside a test-made
# network namespace, a client that is not on the loopback keeps its own
# source address in the guest. All traffic stays on 127.0.0.0/8 or inside
# namespaces the test creates.
. "$(dirname "$0")/lib.sh"
need curl python3 socat ss timeout

# free_port [udp] - a port nobody holds on 127.0.0.1 right now
free_port() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1:] == ["udp"] else socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' "$@"
}
# bindable PORT [udp] - can we bind 127.0.0.1:PORT ourselves (TCP: and
# listen, with SO_REUSEADDR like any server, as connections mvmd accepted
# there may linger in TIME_WAIT)?
bindable() {
	python3 -c 'import socket, sys
udp = sys.argv[2:] == ["udp"]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
if not udp:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
if not udp:
    s.listen(1)' "$@" 2>/dev/null
}

P=$(free_port)
U=$(free_port udp)
S=$(free_port)
mkdir -p "$T/www"
echo "published-$$" >"$T/www/index.html"

log "a TCP port: mvm run --publish 127.0.0.1:$P:8000"
mvm run --netns -d --name web --publish "127.0.0.1:$P:8000" -- \
	python3 -m http.server 8000 --directory "$T/www" >/dev/null || fail "run web"
wait_for 10 curl -sf -m 2 "http://127.0.0.1:$P/" || fail "curl 127.0.0.1:$P never answered"
expect_eq "page through the published port" "$(curl -sS -m 5 "http://127.0.0.1:$P/")" "published-$$"

log "bound to the address given only"
listen=$(ss -Hltn "sport = :$P" | awk '{print $4}')
expect_eq "listening sockets on :$P" "$listen" "127.0.0.1:$P"
curl -sS -m 3 -o /dev/null "http://127.0.0.2:$P/" 2>/dev/null && fail "127.0.0.2:$P answered"
expect_eq "curl 127.0.0.2:$P" "$(curl -s -m 3 -o /dev/null "http://127.0.0.2:$P/"; echo $?)" 7

log "mvm ps and mvm inspect"
expect_contains "ps PORTS" "$(mvm ps)" "127.0.0.1:$P->8000/tcp"
pub=$(mvm inspect web | jq -c '.[0].publish[0]')
expect_eq "inspect host_port" "$(echo "$pub" | jq .host_port)" "$P"
expect_eq "inspect guest_port" "$(echo "$pub" | jq .guest_port)" 8000
expect_eq "inspect proto" "$(echo "$pub" | jq -r .proto)" tcp
expect_eq "inspect active" "$(echo "$pub" | jq .active)" true
expect_eq "inspect guest_ip" "$(echo "$pub" | jq -r .guest_ip)" "$(guest_ip web)"

log "a UDP port echoes: -p 127.0.0.1:$U:9000/udp"
mvm run --netns -d --name echo -p "127.0.0.1:$U:9000/udp" -- \
	socat UDP4-RECVFROM:9000,fork PIPE >/dev/null || fail "run echo"
got=""
for i in 1 2 3 4 5; do	# the guest's socat may not be listening yet
	got=$(echo "ping-$i" | timeout 3 socat -T 1 - "UDP4:127.0.0.1:$U" 2>/dev/null) && [ -n "$got" ] && break
done
expect_eq "UDP echo" "$got" "ping-$i"
expect_contains "ps PORTS (udp)" "$(mvm ps)" "127.0.0.1:$U->9000/udp"
listen=$(ss -Hlun "sport = :$U" | awk '{print $4}')
expect_eq "bound UDP sockets on :$U" "$listen" "127.0.0.1:$U"

log "a client on the host's loopback appears as the gateway"
mvm run --netns -d --name peer -p "127.0.0.1:$S:8001" -- \
	socat TCP-LISTEN:8001,fork,reuseaddr SYSTEM:'echo $SOCAT_PEERADDR' >/dev/null || fail "run peer"
wait_for 10 sh -c "socat -T 2 - TCP:127.0.0.1:$S </dev/null | grep -q ." || fail "peer never answered"
expect_eq "source seen by the guest" "$(socat -T 2 - "TCP:127.0.0.1:$S" </dev/null)" \
	"$(net_field default gateway)"

log "a published port cannot be published again"
out=$(mvm run --netns -d --name web2 -p "$P:80" -- sleep 60 2>&1) && fail "web2 was created"
expect_eq "conflict message" "$out" "mvm: host port 127.0.0.1:$P/tcp is already published by guest 'web'"
out=$(mvm run --netns -d --name web2 -p "0.0.0.0:$P:80" -- sleep 60 2>&1) && fail "web2 was created"
expect_eq "conflict with 0.0.0.0" "$out" "mvm: host port 0.0.0.0:$P/tcp is already published by guest 'web'"
# the same port number over UDP is another port
Q=$(free_port)
out=$(mvm run --netns -d --name web2 -p "$Q:80" -p "$P:80/udp" -p "127.0.0.1:$U:9/udp" -- sleep 60 2>&1) &&
	fail "web2 was created"
expect_eq "conflict on the third" "$out" "mvm: host port 127.0.0.1:$U/udp is already published by guest 'echo'"
mvm ps -a -q | grep -qx web2 && fail "web2 was left half-created"
bindable "$Q" || fail "the first port of the refused guest ($Q) was left bound"
bindable "$P" udp || fail "the second port of the refused guest ($P/udp) was left bound"

log "a port something else holds: the bind error"
coproc HOLD { exec python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True); time.sleep(300)'; }
read -r -t 10 H <&"${HOLD[0]}" || fail "holder did not start"
out=$(mvm run --netns -d --name web3 -p "$H:80" -- sleep 60 2>&1) && fail "web3 was created"
expect_eq "bind error" "$out" "mvm: cannot bind 127.0.0.1:$H/tcp: Address already in use"
mvm ps -a -q | grep -qx web3 && fail "web3 was left half-created"
kill "$HOLD_PID" 2>/dev/null

log "bad --publish values are usage errors"
for bad in 80 8080:80/sctp 1.2.3:8080:80 0:80 8080:65536 ":8080:80"; do
	out=$(mvm run --netns --name bad -p "$bad" -- true 2>&1)
	rc=$?
	expect_eq "exit status for --publish $bad" "$rc" 2
	expect_contains "message for --publish $bad" "$out" \
		"--publish $bad: expected [HOSTIP:]HOSTPORT:GUESTPORT[/udp]"
done

log "released when the guest stops"
mvm stop web >/dev/null || fail "stop web"
expect_eq "curl after stop" "$(curl -s -m 3 -o /dev/null "http://127.0.0.1:$P/"; echo $?)" 7
bindable "$P" || fail "127.0.0.1:$P still bound after the guest stopped"
expect_eq "inspect active after stop" "$(mvm inspect web | jq .[0].publish[0].active)" false
# now another guest may have it
mvm run --netns -d --name web2 -p "127.0.0.1:$P:8000" -- \
	python3 -m http.server 8000 --directory "$T/www" >/dev/null || fail "web2 after web stopped"
wait_for 10 curl -sf -m 2 "http://127.0.0.1:$P/" || fail "web2 not reached on $P"
mvm rm web >/dev/null || fail "rm web"

log "publications come back after mvmd is killed"
pid=$(cat "$XDG_RUNTIME_DIR/mvm/mvmd.pid")
kill -9 "$pid"
wait_for 5 sh -c "! kill -0 $pid" || fail "mvmd did not die"
wait_for 5 bindable "$P" || fail "the port outlived mvmd"
mvm ps >/dev/null || fail "mvm ps (restarts mvmd)"
wait_for 10 curl -sf -m 2 "http://127.0.0.1:$P/" || fail "web2's port not restored after the restart"
expect_eq "page after restart" "$(curl -sS -m 5 "http://127.0.0.1:$P/")" "published-$$"
expect_eq "UDP after restart" "$(echo again | timeout 3 socat -T 1 - "UDP4:127.0.0.1:$U")" again
mvm stop web2 echo peer >/dev/null || fail "stop"

log "an internal network: host <-> guest"
mvm network create inner --internal >/dev/null || fail "network create inner"
I=$(free_port)
mvm run --netns -d --name iweb --network inner -p "127.0.0.1:$I:8000" -- \
	python3 -m http.server 8000 --directory "$T/www" >/dev/null || fail "run iweb"
wait_for 10 curl -sf -m 2 "http://127.0.0.1:$I/" || fail "internal guest not reached on $I"
expect_eq "page from the internal guest" "$(curl -sS -m 5 "http://127.0.0.1:$I/")" "published-$$"
mvm stop iweb >/dev/null

log "the config's publish list"
C=$(free_port)
mkdir -p "$XDG_CONFIG_HOME/mvm"
cat >"$XDG_CONFIG_HOME/mvm/mvm.conf" <<EOF
networks = {
  pubnet = {
    publish = (
      { guest = "cweb"; host = "127.0.0.1:$C"; port = 8000; proto = "tcp"; }
    );
  };
};
EOF
mvm system stop >/dev/null
mvm run --netns -d --name cweb --network pubnet -- \
	python3 -m http.server 8000 --directory "$T/www" >/dev/null || fail "run cweb"
wait_for 10 curl -sf -m 2 "http://127.0.0.1:$C/" || fail "config publication not reached on $C"
pub=$(mvm inspect cweb | jq -c '.[0].publish[0]')
expect_eq "config source" "$(echo "$pub" | jq -r .source)" config
expect_contains "config origin" "$(echo "$pub" | jq -r .origin)" "mvm.conf:4"
out=$(mvm run --netns -d --name other -p "$C:1" -- sleep 60 2>&1) && fail "other was created"
expect_eq "conflict with a config publication" "$out" \
	"mvm: host port 127.0.0.1:$C/tcp is already published by guest 'cweb'"
mvm stop cweb >/dev/null
bindable "$C" || fail "the config publication outlived its guest"
mvm system stop >/dev/null
rm -f "$XDG_CONFIG_HOME/mvm/mvm.conf"

log "a client off the loopback keeps its address (0.0.0.0, in a test namespace)"
if ! unshare -rn true 2>/dev/null; then
	log "skipped: no unprivileged network namespaces"
else
	N=$(free_port)
	cat >"$T/inner.sh" <<EOF
set -e
ip link set lo up
ip addr add 192.0.2.10/32 dev lo
export XDG_RUNTIME_DIR=$T/run2 XDG_DATA_HOME=$T/data2
mkdir -p \$XDG_RUNTIME_DIR && chmod 0700 \$XDG_RUNTIME_DIR
M=$MVM_BIN/mvm
\$M run --netns -d --name src -p 0.0.0.0:$N:8001 -- \
	socat TCP-LISTEN:8001,fork,reuseaddr SYSTEM:'echo \$SOCAT_PEERADDR' >/dev/null
for i in \$(seq 50); do
	out=\$(socat -T 2 - TCP:192.0.2.10:$N,bind=192.0.2.10 </dev/null 2>/dev/null) && [ -n "\$out" ] && break
	sleep 0.2
done
echo "seen=\$out"
echo "lo=\$(socat -T 2 - TCP:127.0.0.1:$N </dev/null)"
\$M system stop >/dev/null
EOF
	out=$(unshare -rn bash "$T/inner.sh" 2>&1)
	expect_contains "source of a client off the loopback" "$out" "seen=192.0.2.10"
	expect_contains "a loopback client there" "$out" "lo=10."
fi

#!/bin/bash
# SPDX-License-Identifier: MIT
# The NAT's TCP through host access: a guest reaches servers on the host's
# loopback at the gateway address. HTTP with curl, 200 MB each way with
# matching sha256, 1000 concurrent connections, an immediate "connection
# refused", and a half-close answered after the client stopped sending.
. "$(dirname "$0")/lib.sh"
need python3 curl sha256sum ncat
TOOL=$MVM_SRC/tests/integration/helpers/tcp_tool.py

# a free port on the host's loopback
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

mvm network create natnet --subnet 10.202.0.0/24 >/dev/null || fail "network create"
GW=10.202.0.1
run() { mvm run --netns --network natnet -- "$@"; }

# --- HTTP from a host server through host access
mkdir -p "$T/www"
echo "hello from the host" >"$T/www/index.txt"
head -c 200M /dev/urandom >"$T/www/big"
want=$(sha256sum <"$T/www/big" | cut -d' ' -f1)
HTTP=$(free_port)
(cd "$T/www" && exec python3 -m http.server "$HTTP" --bind 127.0.0.1 >/dev/null 2>&1) &
wait_for 10 curl -sf "http://127.0.0.1:$HTTP/index.txt" || fail "host http server did not start"

out=$(run curl -sS -m 20 "http://$GW:$HTTP/index.txt" 2>&1) || fail "curl through host access: $out"
expect_eq "page via host access" "$out" "hello from the host"

log "200 MB host -> guest"
got=$(run sh -c "curl -sS -m 300 http://$GW:$HTTP/big | sha256sum" 2>&1) || fail "download: $got"
expect_eq "sha256 of 200 MB downloaded" "${got%% *}" "$want"

log "200 MB guest -> host"
SINK=$(free_port)
python3 "$TOOL" sink 127.0.0.1 "$SINK" "$T/up" &
sink_pid=$!
wait_for 10 sh -c "ss -ltn | grep -q 127.0.0.1:$SINK" || fail "sink did not start"
out=$(run sh -c "ncat --send-only $GW $SINK <'$T/www/big'" 2>&1) || fail "upload: $out"
wait $sink_pid || fail "sink failed"
expect_eq "sha256 of 200 MB uploaded" "$(sha256sum <"$T/up" | cut -d' ' -f1)" "$want"
rm -f "$T/up"

log "refused at once"
CLOSED=$(free_port)
start=$(date +%s%N)
out=$(run curl -sS -m 10 "http://$GW:$CLOSED/" 2>&1)
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "curl exit status to a closed port" "$rc" "7"
expect_contains "curl error" "$out" "Couldn't connect"
[ "$ms" -lt 5000 ] || fail "refusal took $ms ms: should be immediate"
refused=$(mvm network inspect natnet | jq '.[0].stats.nat.tcp.refused')
[ "$refused" -ge 1 ] || fail "nat.tcp.refused is $refused"

log "half-close"
HC=$(free_port)
python3 "$TOOL" serve-halfclose 127.0.0.1 "$HC" &
wait_for 10 sh -c "ss -ltn | grep -q 127.0.0.1:$HC" || fail "half-close server did not start"
out=$(run python3 "$TOOL" halfclose "$GW" "$HC" 2>&1) || fail "half-close: $out"
expect_contains "half-close answer" "$out" "got 100000 "

log "1000 concurrent connections"
ECHO=$(free_port)
python3 "$TOOL" serve-echo 127.0.0.1 "$ECHO" &
wait_for 10 sh -c "ss -ltn | grep -q 127.0.0.1:$ECHO" || fail "echo server did not start"
out=$(run python3 "$TOOL" many "$GW" "$ECHO" 1000 2>&1) || fail "1000 connections: $out"
expect_eq "1000 connections" "$out" "ok 1000"
stats=$(mvm network inspect natnet | jq -c '.[0].stats.nat')
opened=$(echo "$stats" | jq '.tcp.opened')
[ "$opened" -ge 1003 ] || fail "nat.tcp.opened is $opened after 1003 connections: $stats"
expect_eq "drops at a limit" "$(echo "$stats" | jq '.drop_table_full + .drop_guest_limit + .drop_fd_budget')" "0"

log "a guest's connections go with it"
mvm run --netns --network natnet --name holder -d -- sh -c "sleep 300 | ncat $GW $ECHO" >/dev/null ||
	fail "run holder"
flows() { mvm network inspect natnet | jq '.[0].stats.nat.tcp_flows'; }
wait_for 10 sh -c "[ \$($MVM_BIN/mvm network inspect natnet | jq '.[0].stats.nat.tcp_flows') -ge 1 ]" ||
	fail "the holder's connection never showed: $(flows) flows"
mvm stop holder >/dev/null || fail "stop holder"
expect_eq "TCP flows after the guest stopped" "$(flows)" "0"

# the gateway itself still answers ping next to the NAT
run ping -c 1 -W 2 "$GW" >/dev/null || fail "ping of the gateway"

# the daemon still holds no capability and no root
pid=$(mvm system status --format json | jq -r .pid)
expect_eq "mvmd CapEff" "$(awk '/^CapEff/ {print $2}' /proc/$pid/status)" "0000000000000000"
exit 0

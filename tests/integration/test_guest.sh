#!/bin/bash
# SPDX-License-Identifier: MIT
# Namespace guest lifecycle: a foreground guest's exit status and stdio come
# back; -d returns at once; ps/inspect/stop/rm; --rm; names are unique; a
# guest leaves its networks and frees its address when CMD exits; nothing
# is left half-created after a failure.
. "$(dirname "$0")/lib.sh"

mvm network create gnet --subnet 10.212.0.0/24 >/dev/null || fail "create"

# exit status and stdio
mvm run --netns --network gnet -- sh -c 'exit 3'
expect_eq "exit status" "$?" "3"
mvm run --netns --network gnet -- sh -c 'kill -TERM $$'
expect_eq "killed by a signal" "$?" "143"
out=$(echo hello-stdin | mvm run --netns --network gnet -- sh -c 'read x; echo "got $x"; echo err >&2' 2>"$T/err")
expect_eq "stdout" "$out" "got hello-stdin"
expect_eq "stderr" "$(cat "$T/err")" "err"
mvm run --netns --network gnet -- /nonexistent/cmd 2>"$T/nf"
expect_eq "command not found status" "$?" "127"
expect_contains "not found message" "$(cat "$T/nf")" "/nonexistent/cmd"
# inside: root in its own user namespace, hostname = guest name
expect_eq "uid inside" "$(mvm run --netns --network gnet -- id -u)" "0"
expect_eq "hostname" "$(mvm run --netns --name hosty --rm --network gnet -- hostname)" "hosty"

# without --netns: a clear refusal until the VMM exists
if mvm run -- true 2>"$T/novmm"; then fail "run without --netns succeeded"; fi
expect_contains "no VMM message" "$(cat "$T/novmm")" "--netns"

# -d returns at once; ps and inspect show the guest
start=$(date +%s)
name=$(mvm run --netns -d --name web --network gnet -- sleep 300) || fail "run -d"
expect_eq "run -d prints the name" "$name" "web"
[ $(( $(date +%s) - start )) -lt 10 ] || fail "run -d did not return promptly"
ps=$(mvm ps --format json)
expect_eq "ps state" "$(echo "$ps" | jq -r '.[] | select(.name=="web") | .state')" "running"
ip=$(guest_ip web)
expect_contains "ip" "$ip" "10.212.0."
mvm ps | grep -q '^web ' || fail "table ps has no row for web: $(mvm ps)"
insp=$(mvm inspect web)
expect_eq "inspect kind" "$(echo "$insp" | jq -r '.[0].kind')" "netns"
expect_eq "inspect network" "$(echo "$insp" | jq -r '.[0].interfaces[0].network')" "gnet"
expect_eq "inspect gnet guests" "$(mvm network inspect gnet | jq -r '.[0].guests | index("web") != null')" "true"

# the name is taken
if mvm run --netns -d --name web --network gnet -- sleep 1 2>"$T/dup"; then fail "duplicate name accepted"; fi
expect_contains "duplicate message" "$(cat "$T/dup")" "web"

# a network with a guest cannot be removed
if mvm network rm gnet 2>"$T/busy"; then fail "rm of a network with a running guest"; fi
expect_contains "busy message" "$(cat "$T/busy")" "web"

# stop: SIGTERM; the guest leaves the network and frees its address
mvm stop -t 5 web >/dev/null || fail "stop"
expect_eq "state after stop" "$(mvm inspect web | jq -r '.[0].state')" "exited"
expect_eq "ps without -a" "$(mvm ps --format json | jq '[.[] | select(.name=="web")] | length')" "0"
expect_eq "ps -a" "$(mvm ps -a --format json | jq -r '.[] | select(.name=="web") | .state')" "exited"
ports=$(mvm network inspect gnet | jq '[.[0].stats.ports[] | select(.type=="tap")] | length')
expect_eq "tap ports after stop" "$ports" "0"
# its address is free again: the next guest gets it
again=$(mvm run --netns --network gnet -- ip -4 -o addr show dev eth0)
expect_contains "address reused" "$again" "$ip/"
mvm rm web || fail "rm"
mvm inspect web >/dev/null 2>&1 && fail "inspect after rm"

# a guest whose CMD exits by itself leaves too; --rm removes it
mvm run --netns --rm --name brief --network gnet -- true || fail "run --rm"
mvm inspect brief >/dev/null 2>&1 && fail "--rm guest still listed"

# rm -f of a running guest
mvm run --netns -d --name victim --network gnet -- sleep 300 >/dev/null || fail "run victim"
if mvm rm victim 2>/dev/null; then fail "rm of a running guest without -f"; fi
mvm rm -f victim || fail "rm -f"
mvm inspect victim >/dev/null 2>&1 && fail "victim still listed"

# failures leave nothing behind: unknown network, bad name
if mvm run --netns --name orphan --network nosuch -- true 2>"$T/nonet"; then fail "unknown network accepted"; fi
expect_contains "unknown network message" "$(cat "$T/nonet")" "nosuch"
mvm inspect orphan >/dev/null 2>&1 && fail "failed run left a guest behind"
if mvm run --netns --name 'Bad_Name' -- true 2>/dev/null; then fail "invalid name accepted"; fi

# a killed supervisor: the guest is marked exited and leaves the network
mvm run --netns -d --name sup --network gnet -- sleep 300 >/dev/null || fail "run sup"
gpid=$(mvm inspect sup | jq -r '.[0].pid')
kill -9 "$gpid"
wait_for 5 sh -c "mvm inspect sup | jq -e '.[0].state == \"exited\"'" || fail "killed guest not marked exited"

# JSON output is valid everywhere
mvm ps -a --format json | jq -e 'type == "array"' >/dev/null || fail "ps json"
mvm network ls --format json | jq -e 'type == "array"' >/dev/null || fail "network ls json"
exit 0

#!/bin/bash
# SPDX-License-Identifier: MIT
# A namespace guest's PID namespace and its init (cli/guest_init.c): CMD is
# PID 2 under an init that is PID 1; ps inside shows only the guest; stop,
# kill and CMD's own exit end everything the guest started; orphans are
# reaped; exit statuses and Ctrl-C in the foreground work as before.
. "$(dirname "$0")/lib.sh"
need ps pgrep

mvm network create pnet --subnet 10.213.0.0/24 >/dev/null || fail "create"
me=$(id -u)

# gone PATTERN - no process of ours whose whole command line matches
gone() { ! pgrep -u "$me" -f "$1" >/dev/null; }

# CMD is PID 2; PID 1 is the init
expect_eq "CMD's pid" "$(mvm run --netns --network pnet -- sh -c 'echo $$')" "2"
expect_eq "PID 1" "$(mvm run --netns --network pnet -- cat /proc/1/comm)" "mvm-init"

# /proc is the guest's: ps sees the init and itself, nothing of the host
procs=$(mvm run --netns --network pnet -- ps -e -o pid=,comm=)
expect_eq "ps -e in the guest" "$(echo "$procs" | awk '{print $1 " " $2}' | tr '\n' ' ')" "1 mvm-init 2 ps "
out=$(mvm run --netns --network pnet -- sh -c "test -e /proc/$$ && echo host-visible || echo private")
expect_eq "the test's shell in the guest's /proc" "$out" "private"

# exit statuses come through the init unchanged
mvm run --netns --network pnet -- sh -c 'exit 3'
expect_eq "exit status" "$?" "3"
mvm run --netns --network pnet -- sh -c 'kill -TERM $$'
expect_eq "killed by SIGTERM" "$?" "143"

# stop ends background children too, and SIGTERM works (no 10 s SIGKILL wait)
mvm run --netns -d --name bg --network pnet -- sh -c 'sleep 1001 & sleep 1001' >/dev/null ||
	fail "run bg"
wait_for 5 pgrep -u "$me" -f '^sleep 1001$' || fail "bg guest's sleeps did not start"
start=$(date +%s%N)
mvm stop -t 10 bg >/dev/null || fail "stop bg"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 3000 ] || fail "stop took $ms ms: SIGTERM did not end the guest"
gone '^sleep 1001$' || fail "a process of guest bg survived stop: $(pgrep -u "$me" -af '^sleep 1001$')"
expect_eq "bg exit code" "$(mvm inspect bg | jq -r '.[0].exit_code')" "143"
mvm rm bg >/dev/null

# a plain sleep stops on SIGTERM, well under the timeout
mvm run --netns -d --name plain --network pnet -- sleep 1002 >/dev/null || fail "run plain"
start=$(date +%s%N)
mvm stop -t 10 plain >/dev/null || fail "stop plain"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 3000 ] || fail "stop of a plain sleep took $ms ms"
gone '^sleep 1002$' || fail "sleep 1002 survived stop"

# when CMD exits, what it left in the background ends with it
mvm run --netns --network pnet -- sh -c 'sleep 1003 & exit 5'
expect_eq "exit with a background child" "$?" "5"
wait_for 2 gone '^sleep 1003$' || fail "CMD's background child outlived the guest"

# mvm kill forwards other signals to CMD through the init
mvm run --netns -d --name usr --network pnet -- \
	sh -c 'trap "exit 7" USR1; sleep 1004 & wait; wait' >/dev/null || fail "run usr"
wait_for 5 pgrep -u "$me" -f '^sleep 1004$' || fail "usr guest's sleep did not start"
mvm kill -s USR1 usr >/dev/null || fail "kill -s USR1"
wait_for 5 sh -c "mvm inspect usr | jq -e '.[0].state == \"exited\"'" || fail "USR1 did not end usr"
expect_eq "usr exit code" "$(mvm inspect usr | jq -r '.[0].exit_code')" "7"
gone '^sleep 1004$' || fail "sleep 1004 survived its guest"

# the init reaps orphans: no zombie after a grandchild exits
zombies=$(mvm run --netns --network pnet -- sh -c '(sleep 0.1 &); sleep 1; ps -e -o stat= | grep -c "^Z"')
expect_eq "zombies in the guest" "$zombies" "0"

# SIGTERM to a foreground mvm reaches CMD
"$MVM_BIN/mvm" run --netns --network pnet -- sleep 1005 &	# not the function: $! is mvm
fg=$!
wait_for 5 pgrep -u "$me" -f '^sleep 1005$' || fail "foreground sleep did not start"
kill -TERM "$fg"
wait "$fg"
expect_eq "SIGTERM to a foreground mvm" "$?" "143"
gone '^sleep 1005$' || fail "sleep 1005 survived"

# Ctrl-C on a terminal goes to CMD (all of the guest is in the foreground group)
if command -v script >/dev/null; then
	st=$( { sleep 1; printf '\003'; sleep 3; } |
		script -qec "$MVM_BIN/mvm run --netns --network pnet -- sleep 1006" /dev/null >/dev/null;
		echo $?)
	expect_eq "Ctrl-C in the foreground" "$st" "130"
	gone '^sleep 1006$' || fail "sleep 1006 survived Ctrl-C"
fi

# a killed supervisor takes the whole guest with it
mvm run --netns -d --name sup --network pnet -- sh -c 'sleep 1007 & sleep 1007' >/dev/null ||
	fail "run sup"
wait_for 5 pgrep -u "$me" -f '^sleep 1007$' || fail "sup guest's sleeps did not start"
relay=$(mvm inspect sup | jq -r '.[0].pid')
supervisor=$(awk '/^PPid:/ {print $2}' "/proc/$relay/status")
kill -9 "$supervisor"
wait_for 5 gone '^sleep 1007$' || fail "the guest outlived its killed supervisor"
exit 0

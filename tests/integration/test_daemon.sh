#!/bin/bash
# SPDX-License-Identifier: MIT
# mvmd lifecycle: started on demand, one per user (a second daemon refuses),
# killed with SIGKILL and started again it keeps its networks (the stale
# socket is recovered); system start/stop/status behave.
. "$(dirname "$0")/lib.sh"

out=$(mvm system status 2>&1) && fail "status reports a daemon before any start: $out"
mvm system start >/dev/null || fail "system start"
mvm system start >/dev/null || fail "a second system start should succeed (already running)"
st=$(mvm system status --format json) || fail "status"
pid=$(echo "$st" | jq -r .pid)
logf=$(echo "$st" | jq -r .log_file)
[ -f "$logf" ] || fail "status names log file $logf, which does not exist"
expect_contains "log file in state dir" "$logf" "$XDG_DATA_HOME/mvm/"

# a second daemon refuses, clearly, and the first keeps working
if "$MVM_BIN/mvmd" 2>"$T/second.err"; then fail "a second mvmd started"; fi
expect_contains "second daemon message" "$(cat "$T/second.err")" "already running"
mvm network ls >/dev/null || fail "first daemon broken by the second"

# networks survive SIGKILL + start; the stale socket is taken over
mvm network create keep --subnet 10.211.0.0/24 --label k=v >/dev/null || fail "create"
kill -9 "$pid"
wait_for 5 sh -c "! kill -0 $pid" || fail "mvmd did not die"
[ -S "$XDG_RUNTIME_DIR/mvm/control.sock" ] || log "(socket file was removed)"
out=$(mvm network inspect keep) || fail "network lost after SIGKILL: $out"
expect_eq "subnet kept" "$(echo "$out" | jq -r '.[0].subnet')" "10.211.0.0/24"
expect_eq "label kept" "$(echo "$out" | jq -r '.[0].labels.k')" "v"
newpid=$(mvm system status --format json | jq -r .pid)
[ "$newpid" != "$pid" ] || fail "the old daemon still answers"

# a guest created before a restart is still listed after it
mvm run --netns --name gone --network keep -- true || fail "run"
mvm system stop >/dev/null || fail "stop"
wait_for 5 sh -c "! kill -0 $newpid" || fail "mvmd did not exit on system stop"
mvm system status >/dev/null 2>&1 && fail "status says running after stop"
expect_eq "exited guest kept" "$(mvm ps -a --format json | jq -r '.[] | select(.name=="gone") | .state')" "exited"
mvm system stop >/dev/null || fail "stop when not running should succeed"
exit 0

#!/bin/bash
# SPDX-License-Identifier: MIT
# Networks declared in mvm.conf appear at daemon start, marked as coming from
# config, read-only from the CLI; a file with an error is reported with its
# file, line and key, and the daemon keeps its other networks.
. "$(dirname "$0")/lib.sh"

conf=$XDG_CONFIG_HOME/mvm/mvm.conf
mkdir -p "$(dirname "$conf")"
cat >"$conf" <<'CONF'
# test config
networks = {
  lab = {
    mode = "internal";
    subnet = "10.207.0.0/24";
    mtu = 9000;
    labels = { team = "net"; };
  };
  broken = {
    subnet = "10.208.0.0/33";
  };
  typo = {
    mtuu = 1500;
  };
};
CONF

# a CLI-created network from before must survive the config errors
mvm network create mine --subnet 10.209.0.0/24 2>"$T/start.err" >/dev/null || fail "create mine"
# the CLI started mvmd and passed on what it found wrong in the file
expect_contains "warning on start" "$(cat "$T/start.err")" "$conf:10:"
status=$(mvm system status --format json) || fail "status"
errors=$(echo "$status" | jq -r '.config_errors[]')
log "config errors: $errors"
expect_contains "error for broken subnet" "$errors" "$conf:10:"
expect_contains "error names the key" "$errors" "networks.broken.subnet"
expect_contains "error for unknown key" "$errors" "$conf:13:"
expect_contains "error names the key" "$errors" "mtuu"

ls=$(mvm network ls --format json)
expect_eq "lab source" "$(echo "$ls" | jq -r '.[] | select(.name=="lab") | .source')" "config"
expect_eq "lab mode" "$(echo "$ls" | jq -r '.[] | select(.name=="lab") | .mode')" "internal"
expect_eq "lab mtu" "$(echo "$ls" | jq -r '.[] | select(.name=="lab") | .mtu')" "9000"
expect_eq "lab label" "$(echo "$ls" | jq -r '.[] | select(.name=="lab") | .labels.team')" "net"
expect_eq "mine kept" "$(echo "$ls" | jq -r '.[] | select(.name=="mine") | .source')" "cli"
expect_eq "broken left out" "$(echo "$ls" | jq -r '[.[] | select(.name=="broken")] | length')" "0"
expect_eq "default exists" "$(echo "$ls" | jq -r '.[] | select(.name=="default") | .mode')" "nat"

# config networks are read-only from the CLI
if mvm network rm lab 2>"$T/rm.err"; then fail "rm of a config network succeeded"; fi
expect_contains "rm error" "$(cat "$T/rm.err")" "$conf"

# a guest on the config network gets its MTU
mtu=$(mvm run --netns --network lab -- cat /sys/class/net/eth0/mtu) || fail "run on lab"
expect_eq "guest mtu on lab" "$mtu" "9000"

# a syntax error loses the file, not the daemon's other networks
mvm system stop >/dev/null || fail "stop"
printf 'networks = {\n  lab = {\n    mode = "internal"\n  };\n' >"$conf"
mvm network ls >/dev/null 2>&1 || fail "daemon did not start with a broken file"
errors=$(mvm system status --format json | jq -r '.config_errors[]')
log "syntax errors: $errors"
expect_contains "syntax error names file:line" "$errors" "$conf:"
mvm network inspect mine >/dev/null || fail "mine lost after a config syntax error"

# --config FILE names another file
alt=$T/alt.conf
printf 'networks = { other = { subnet = "10.210.0.0/24"; }; };\n' >"$alt"
mvm system stop >/dev/null
mvm --config "$alt" network inspect other >/dev/null || fail "--config network missing"
expect_eq "config_file" "$(mvm system status --format json | jq -r .config_file)" "$alt"
# --config naming another file than the running daemon's is not ignored silently
mvm --config "$conf" network ls >/dev/null 2>"$T/mismatch.err" || fail "ls with another --config"
expect_contains "config mismatch warning" "$(cat "$T/mismatch.err")" "already running with $alt"
mvm --config "$alt" network ls >/dev/null 2>"$T/same.err" || fail "ls with the same --config"
[ ! -s "$T/same.err" ] || fail "warning with the daemon's own config: $(cat "$T/same.err")"
exit 0

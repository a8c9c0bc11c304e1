# SPDX-License-Identifier: MIT
# lib.sh - what the benchmarks share (sourced by perf/bench-*.sh, not run)
#
# Expects VERBOSE (0/1) and MVM_BIN set by the caller. usage() prints the
# caller's own "# Usage:" ... "# Environment:" header block.

usage() {
	sed -n '/^# Usage:/,/^# Environment:/s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

log() { if [ "$VERBOSE" = 1 ]; then echo "bench: $*" >&2; fi; }
die() { echo "bench: $*" >&2; exit 1; }

# median of the numbers on stdin (mean of the two middle ones if even)
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (!NR) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2];
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Gbit/s received, from iperf3 -J output on stdin; fails on an iperf3 error
iperf_gbps() {
	jq -e -r 'if .error then error(.error)
		  else .end.sum_received.bits_per_second / 1e9 end'
}

# ------------------------------------------- a private mvmd for the run ----
MVM_TMP=""
mvm() { "$MVM_BIN/mvm" "$@"; }

# Starts mvmd with private XDG dirs; sets MVM_ERR (and returns 1) when mvm
# cannot be used
mvm_setup() {
	[ -x "$MVM_BIN/mvm" ] && [ -x "$MVM_BIN/mvmd" ] ||
		{ MVM_ERR="no mvm/mvmd in $MVM_BIN (set MVM_BIN)"; return 1; }
	MVM_TMP=$(mktemp -d /tmp/mvm-bench.XXXXXX)
	export XDG_RUNTIME_DIR=$MVM_TMP/run XDG_DATA_HOME=$MVM_TMP/data
	export XDG_CONFIG_HOME=$MVM_TMP/config
	mkdir -p "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
	chmod 700 "$XDG_RUNTIME_DIR"
	mvm system start >&2 || { MVM_ERR="mvm system start failed"; return 1; }
}

# Stops that mvmd and removes its directories
mvm_cleanup() {
	[ -n "$MVM_TMP" ] || return 0
	mvm system stop >/dev/null 2>&1 || true
	rm -rf "$MVM_TMP"
	MVM_TMP=""
}

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench-nat.sh - TCP throughput through mvm's NAT vs pasta and slirp4netns
#
# One iperf3 server listens on the host's loopback. For each MTU, a client
# in a namespace reaches it through each translator's "host loopback"
# address, once sending (guest -> host) and once receiving (-R, host ->
# guest):
#   mvm          a namespace guest on an mvm network of that MTU, to the
#                gateway address (host access)
#   pasta        pasta --config-net -m MTU, to the gateway pasta maps to the
#                host (--map-gw, its default)
#   slirp4netns  slirp4netns --configure --mtu MTU, to 10.0.2.2
# The table gives the median of N runs of each, and mvm's ratio to each.
# All three run in the same invocation, one after the other, on the same
# machine: compare ratios, not absolute numbers, on a shared machine.
#
# Needs no root: every side builds its namespace itself (user namespaces);
# /dev/net/tun must be usable by the user (0666).
#
# Usage: perf/bench-nat.sh [-n RUNS] [-t SECONDS] [-m "MTU..."]
#                          [--only mvm|pasta|slirp4netns] [-v]
# Environment: MVM_BIN (default build/bin), RUNS, DURATION, MTUS.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-3}
DURATION=${DURATION:-5}
MTUS=${MTUS:-"1500 65520"}
MVM_BIN=${MVM_BIN:-build/bin}
ONLY=""
VERBOSE=0
PORT=""
SERVER=""

# DIRECTION as iperf3 flags: "up" = client sends, "down" = -R
dir_flag() { [ "$1" = down ] && echo -R || true; }

# -------------------------------------------------------------- pasta ----
# Arguments: MTU DIR. Prints one Gbit/s per run.
pasta_bench() {
	local mtu=$1 dir=$2 i gw

	for i in $(seq "$RUNS"); do
		# the namespace copies the host's routes: its gateway is mapped
		# to the host's loopback
		pasta --config-net -q -4 -m "$mtu" -- sh -c '
			gw=$(ip -4 route show default | awk "{print \$3; exit}")
			exec iperf3 -c "$gw" -p '"$PORT"' -t '"$DURATION"' -J '"$(dir_flag "$dir")" \
			2>/dev/null | iperf_gbps || return
	done
}

# -------------------------------------------------------- slirp4netns ----
# slirp4netns runs in the host's namespaces and serves a namespace that a
# process made with `unshare -rn` holds; the client joins it with nsenter.
# Arguments: MTU DIR. Prints one Gbit/s per run.
slirp_bench() {
	local mtu=$1 dir=$2 i holder slirp rc=0

	unshare -rn sleep infinity </dev/null >/dev/null 2>&1 &
	holder=$!
	for i in $(seq 50); do
		[ "$(readlink /proc/$holder/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.02
	done
	slirp4netns --configure --mtu="$mtu" "$holder" tap0 </dev/null >/dev/null 2>&1 &
	slirp=$!
	for i in $(seq 100); do
		nsenter -t "$holder" -U -n --preserve-credentials \
			ip -4 route show default 2>/dev/null | grep -q tap0 && break
		sleep 0.05
	done
	for i in $(seq "$RUNS"); do
		# shellcheck disable=SC2046
		nsenter -t "$holder" -U -n --preserve-credentials \
			iperf3 -c 10.0.2.2 -p "$PORT" -t "$DURATION" -J $(dir_flag "$dir") |
			iperf_gbps || { rc=1; break; }
	done
	kill "$slirp" "$holder" 2>/dev/null || true
	wait "$slirp" "$holder" 2>/dev/null || true
	return $rc
}

# ----------------------------------------------------------------- mvm ----
# Arguments: MTU DIR. Prints one Gbit/s per run.
mvm_bench() {
	local mtu=$1 dir=$2 net="nat-$1" gw i

	mvm network inspect "$net" >/dev/null 2>&1 ||
		mvm network create "$net" --mtu "$mtu" >&2 || return
	gw=$(mvm network inspect "$net" | jq -er '.[0].gateway') || return
	for i in $(seq "$RUNS"); do
		# shellcheck disable=SC2046
		mvm run --netns --network "$net" -- \
			iperf3 -c "$gw" -p "$PORT" -t "$DURATION" -J $(dir_flag "$dir") |
			iperf_gbps || return
	done
}

# ---------------------------------------------------------------- main ----
while [ $# -gt 0 ]; do
	case $1 in
	-n) RUNS=$2; shift 2 ;;
	-t) DURATION=$2; shift 2 ;;
	-m) MTUS=$2; shift 2 ;;
	--only) ONLY=$2; shift 2 ;;
	-v) VERBOSE=1; shift ;;
	*) usage ;;
	esac
done
case $ONLY in ""|mvm|pasta|slirp4netns) ;; *) usage ;; esac
for t in iperf3 jq unshare nsenter ip ss python3; do
	command -v "$t" >/dev/null || die "$t is needed"
done
SIDES="mvm pasta slirp4netns"
[ -n "$ONLY" ] && SIDES=$ONLY
for s in $SIDES; do
	case $s in
	pasta|slirp4netns) command -v "$s" >/dev/null ||
		die "$s is needed (apt-get install ${s/pasta/passt})" ;;
	esac
done

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
iperf3 -s -B 127.0.0.1 -p "$PORT" </dev/null >/dev/null 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; mvm_cleanup; }
trap cleanup EXIT
for i in $(seq 100); do
	ss -Hltn "sport = :$PORT" | grep -q . && break
	sleep 0.05
done

MVM_ERR=""
case " $SIDES " in *" mvm "*)
	mvm_setup || die "mvm: $MVM_ERR" ;;
esac

declare -A R
for mtu in $MTUS; do
	for dir in up down; do
		for s in $SIDES; do
			log "$s mtu $mtu $dir: $RUNS x ${DURATION}s"
			case $s in
			mvm) runs=$(mvm_bench "$mtu" "$dir") ;;
			pasta) runs=$(pasta_bench "$mtu" "$dir") ;;
			slirp4netns) runs=$(slirp_bench "$mtu" "$dir") ;;
			esac || die "$s mtu $mtu $dir failed"
			log "$s mtu $mtu $dir runs: $(echo "$runs" | tr "\n" " ")"
			R[$s.$mtu.$dir]=$(echo "$runs" | median | awk '{ printf "%.2f", $1 }')
		done
	done
done

echo "# iperf3 TCP to the host's loopback, 1 stream, median of $RUNS x ${DURATION}s; Gbit/s"
echo "# up = guest -> host, down = host -> guest (-R)"
echo "# $(uname -r), $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
printf '%-6s %-5s %9s %9s %12s %11s %11s\n' MTU dir mvm pasta slirp4netns mvm/pasta mvm/slirp
for mtu in $MTUS; do
	for dir in up down; do
		m=${R[mvm.$mtu.$dir]:--} p=${R[pasta.$mtu.$dir]:--} s=${R[slirp4netns.$mtu.$dir]:--}
		rp=- rs=-
		[ "$m" != - ] && [ "$p" != - ] && rp=$(awk -v a="$m" -v b="$p" 'BEGIN { printf "%.2f", a / b }')
		[ "$m" != - ] && [ "$s" != - ] && rs=$(awk -v a="$m" -v b="$s" 'BEGIN { printf "%.2f", a / b }')
		printf '%-6s %-5s %9s %9s %12s %11s %11s\n' "$mtu" "$dir" "$m" "$p" "$s" "$rp" "$rs"
	done
done
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

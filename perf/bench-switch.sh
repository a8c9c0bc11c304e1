#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench-switch.sh - TCP throughput through mvm's switch vs a kernel veth pair
#
# For each MTU, two namespace guests on one mvm network run iperf3 (server
# started with -d, client in the foreground), and the same pair of network
# namespaces joined directly by a veth pair runs the same iperf3 test. The
# table gives the median of N runs of each and the ratio mvm/veth.
#
# Needs no root: the veth reference builds its namespaces with unshare(1) in
# a user namespace of its own (first namespace: unshare -rn; second: unshare
# -n started from inside the first, so both belong to the same user namespace
# and the veth end can be moved with `ip link set X netns PID`). The mvm side
# runs its own mvmd with private XDG_RUNTIME_DIR/XDG_DATA_HOME/XDG_CONFIG_HOME
# and stops it at the end; /dev/net/tun must be usable by the user (0666).
#
# Usage: perf/bench-switch.sh [-n RUNS] [-t SECONDS] [-m "MTU..."]
#                             [--only veth|mvm] [-v]
# Environment: MVM_BIN (default build/bin), RUNS, DURATION, MTUS.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-3}
DURATION=${DURATION:-5}
MTUS=${MTUS:-"1500 65520"}
MVM_BIN=${MVM_BIN:-build/bin}
ONLY=""
VERBOSE=0
VETH_NET=10.199.0	# veth reference addresses: .1 client, .2 server
VETH_PEER="" VETH_SERVER=""	# pids inside the veth reference

# ---------------------------------------------------------------- veth ----
# Runs inside `unshare -rn`: we are root of a fresh user namespace, in the
# client namespace. Arguments: MTU RUNS DURATION. Prints one Gbit/s per run.
veth_inner() {
	local mtu=$1 runs=$2 dur=$3 i

	ip link set lo up
	# stdio off: a leftover child would hold the caller's $(...) open
	unshare -n sleep infinity </dev/null >/dev/null 2>&1 &
	VETH_PEER=$!
	# nothing may outlive us: the peer namespace lives as long as a process
	trap 'kill $VETH_PEER $VETH_SERVER 2>/dev/null' EXIT
	# wait until the child has its own netns
	for i in $(seq 50); do
		[ "$(readlink /proc/$VETH_PEER/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.02
	done
	ip link add va mtu "$mtu" type veth peer name vb mtu "$mtu"
	ip link set vb netns "$VETH_PEER"
	ip addr add "$VETH_NET.1/24" dev va
	ip link set va up
	nsenter -t "$VETH_PEER" -n sh -ec "
		ip link set lo up
		ip addr add $VETH_NET.2/24 dev vb
		ip link set vb up"
	nsenter -t "$VETH_PEER" -n iperf3 -s </dev/null >/dev/null 2>&1 &
	VETH_SERVER=$!		# nsenter execs iperf3: this is its pid
	for i in $(seq 100); do
		nsenter -t "$VETH_PEER" -n ss -Hltn 'sport = :5201' | grep -q . && break
		sleep 0.05
	done
	for i in $(seq "$runs"); do
		iperf3 -c "$VETH_NET.2" -t "$dur" -J | iperf_gbps
	done
}

veth_bench() {
	unshare -rn --kill-child bash "$0" --veth-inner "$1" "$RUNS" "$DURATION"
}

# ----------------------------------------------------------------- mvm ----
# Arguments: MTU. Prints one Gbit/s per run.
mvm_bench() {
	local mtu=$1 net="bench-$1" srv="bench-srv-$1" addr i out try

	# (set -e does not reach in here: we are called on the left of ||)
	mvm network create "$net" --mtu "$mtu" >&2 || return
	mvm run --netns --name "$srv" --network "$net" -d -- iperf3 -s >&2 ||
		return
	# inspect prints an array of guests (one here) or a single one
	addr=$(mvm inspect "$srv" --format json |
	       jq -er 'if type == "array" then .[0] else . end
		       | .interfaces[0].ip') || return
	log "mvm: server $srv at $addr on $net (mtu $mtu)"
	for i in $(seq "$RUNS"); do
		# the first run also waits for the server to listen
		for try in $(seq 20); do
			if out=$(mvm run --netns --network "$net" -- \
				 iperf3 -c "$addr" -t "$DURATION" -J) &&
			   printf '%s' "$out" | iperf_gbps; then
				break
			fi
			[ "$i" = 1 ] && [ "$try" -lt 20 ] ||
				{ echo "iperf3 through mvm failed" >&2; return 1; }
			sleep 0.25
		done
	done
	mvm stop "$srv" >&2 || true
	mvm rm "$srv" >&2 || true
	mvm network rm "$net" >&2 || true
}

# ---------------------------------------------------------------- main ----
if [ "${1:-}" = "--veth-inner" ]; then
	shift
	veth_inner "$@"
	exit
fi

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
case $ONLY in ""|veth|mvm) ;; *) usage ;; esac
for t in iperf3 jq unshare nsenter ip ss; do
	command -v "$t" >/dev/null || die "$t is needed"
done

MVM_ERR=""
if [ "$ONLY" != veth ]; then
	trap mvm_cleanup EXIT
	if ! mvm_setup; then
		[ "$ONLY" = mvm ] && die "mvm: $MVM_ERR"
		echo "bench: mvm side skipped: $MVM_ERR" >&2
	fi
fi

declare -A VETH MVM
for mtu in $MTUS; do
	if [ "$ONLY" != mvm ]; then
		log "veth mtu $mtu: $RUNS x ${DURATION}s"
		runs=$(veth_bench "$mtu") || die "veth mtu $mtu failed"
		log "veth mtu $mtu runs: $(echo "$runs" | tr "\n" " ")"
		VETH[$mtu]=$(echo "$runs" | median)
	fi
	if [ "$ONLY" != veth ] && [ -z "$MVM_ERR" ]; then
		log "mvm mtu $mtu: $RUNS x ${DURATION}s"
		runs=$(mvm_bench "$mtu") || die "mvm mtu $mtu failed"
		log "mvm mtu $mtu runs: $(echo "$runs" | tr "\n" " ")"
		MVM[$mtu]=$(echo "$runs" | median)
	fi
done

echo "# iperf3 TCP, 1 stream, median of $RUNS x ${DURATION}s; Gbit/s"
echo "# $(uname -r), $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
printf '%-6s %12s %12s %9s\n' MTU veth mvm mvm/veth
for mtu in $MTUS; do
	v=${VETH[$mtu]:-} m=${MVM[$mtu]:-}
	r=-
	[ -n "$v" ] && [ -n "$m" ] && r=$(awk -v m="$m" -v v="$v" 'BEGIN { printf "%.2f", m / v }')
	printf '%-6s %12s %12s %9s\n' "$mtu" \
		"$([ -n "$v" ] && printf '%.2f' "$v" || echo -)" \
		"$([ -n "$m" ] && printf '%.2f' "$m" || echo -)" "$r"
done
[ -z "$MVM_ERR" ] || [ "$ONLY" = veth ] || echo "# mvm: not measured: $MVM_ERR"

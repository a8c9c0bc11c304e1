#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench-dns.sh - queries per second of mvm's gateway DNS vs dnsmasq
#
# One mvm network holds NAMES namespace guests (`-d -- sleep`), so its
# gateway's zone holds NAMES names. dnsperf, run inside a namespace guest on
# that network, asks for those names (A, FQDN, round-robin through the
# list) at the gateway. In the same run, dnsmasq, unprivileged on
# 127.0.0.1:PORT, serves the same names and addresses from a hosts file and
# dnsperf asks it the same queries from the host. Prints the median of N
# runs of each and the ratio mvm/dnsmasq.
#
# Not symmetric: the mvm queries cross a tap and mvm's userspace switch;
# the dnsmasq ones only the host's loopback (mvm's DNS is reachable only
# from inside a network, and dnsmasq's loopback is what the issue compares
# against). Both run on the same CPUs at the same time of the run.
#
# -m tcp measures DNS over TCP (dnsperf -m tcp: queries pipelined on one
# connection) instead of UDP, on both sides.
#
# Usage: perf/bench-dns.sh [-n RUNS] [-t SECONDS] [-g NAMES] [-m udp|tcp] [-v]
# Environment: MVM_BIN (default build/bin), RUNS, DURATION, NAMES, PORT, MODE.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
NAMES=${NAMES:-50}
PORT=${PORT:-15353}
MODE=${MODE:-udp}
MVM_BIN=${MVM_BIN:-build/bin}
VERBOSE=0
NET=benchdns

# queries per second from dnsperf's output on stdin; fails if any was lost
dnsperf_qps() {
	awk '/Queries lost:/ { lost = $3 }
	     /Queries per second:/ { qps = $4 }
	     END { if (qps == "") exit 1; if (lost + 0 > 0) print "lost " lost > "/dev/stderr"; print qps }'
}

while [ $# -gt 0 ]; do
	case $1 in
	-n) RUNS=$2; shift ;;
	-t) DURATION=$2; shift ;;
	-g) NAMES=$2; shift ;;
	-m) MODE=$2; shift ;;
	-v) VERBOSE=1 ;;
	*) usage ;;
	esac
	shift
done
case $MODE in udp | tcp) ;; *) usage ;; esac
for c in dnsperf dnsmasq jq; do
	command -v "$c" >/dev/null || die "needs $c (tools/install-deps installs it)"
done
[ -x "$MVM_BIN/mvm" ] || die "no $MVM_BIN/mvm: build first or set MVM_BIN"
MVM_BIN=$(cd "$MVM_BIN" && pwd)

T=$(mktemp -d "${TMPDIR:-/tmp}/bench-dns.XXXXXX")
DNSMASQ_PID=""
cleanup() {
	set +e
	[ -n "$DNSMASQ_PID" ] && kill "$DNSMASQ_PID" 2>/dev/null
	XDG_RUNTIME_DIR=$T/run XDG_DATA_HOME=$T/data XDG_CONFIG_HOME=$T/config \
		"$MVM_BIN/mvm" system stop >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
export XDG_RUNTIME_DIR=$T/run XDG_DATA_HOME=$T/data XDG_CONFIG_HOME=$T/config
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
chmod 0700 "$XDG_RUNTIME_DIR"

# the mvm side: NAMES guests, their names in the network's zone
mvm network create "$NET" --internal >/dev/null
GW=$(mvm network inspect "$NET" | jq -r '.[0].gateway')
DOMAIN=$(mvm network inspect "$NET" | jq -r '.[0].domain')
: >"$T/hosts"
: >"$T/queries"
for i in $(seq 1 "$NAMES"); do
	mvm run --netns --name "h$i" --network "$NET" -d -- sleep infinity >/dev/null
	ip=$(mvm inspect "h$i" --format json | jq -r '.[0].interfaces[0].ip')
	echo "$ip h$i.$DOMAIN" >>"$T/hosts"
	echo "h$i.$DOMAIN A" >>"$T/queries"
done
log "$NAMES guests on $NET ($DOMAIN), gateway $GW"

# the dnsmasq side: the same names from a hosts file, on loopback only
dnsmasq --no-daemon --port "$PORT" --listen-address 127.0.0.1 \
	--bind-interfaces --no-resolv --no-hosts --addn-hosts "$T/hosts" \
	--pid-file= --log-facility=- --cache-size=1000 2>"$T/dnsmasq.log" &
DNSMASQ_PID=$!
sleep 0.5
kill -0 "$DNSMASQ_PID" 2>/dev/null || die "dnsmasq did not start: $(cat "$T/dnsmasq.log")"

# check both answer the first name the same way before measuring
want=$(head -1 "$T/hosts" | cut -d' ' -f1)
got=$(dig +short -p "$PORT" @127.0.0.1 "h1.$DOMAIN" 2>/dev/null || true)
[ "$got" = "$want" ] || die "dnsmasq answers '$got' for h1.$DOMAIN, want $want"
got=$(mvm run --netns --network "$NET" -- dig +short @"$GW" "h1.$DOMAIN")
[ "$got" = "$want" ] || die "mvm answers '$got' for h1.$DOMAIN, want $want"

: >"$T/mvm.qps"
: >"$T/dnsmasq.qps"
for r in $(seq 1 "$RUNS"); do
	q=$(mvm run --netns --network "$NET" -- \
		dnsperf -m "$MODE" -s "$GW" -d "$T/queries" -l "$DURATION" 2>&1 |
		dnsperf_qps) ||
		die "dnsperf against mvm failed"
	echo "$q" >>"$T/mvm.qps"
	log "run $r: mvm $q q/s"
	q=$(dnsperf -m "$MODE" -s 127.0.0.1 -p "$PORT" -d "$T/queries" \
		-l "$DURATION" 2>&1 |
		dnsperf_qps) || die "dnsperf against dnsmasq failed"
	echo "$q" >>"$T/dnsmasq.qps"
	log "run $r: dnsmasq $q q/s"
done
m=$(median <"$T/mvm.qps")
d=$(median <"$T/dnsmasq.qps")
echo "# dnsperf $(dpkg-query -W -f '${Version}' dnsperf 2>/dev/null || echo '?'), dnsmasq $(dnsmasq --version | sed -n '1s/^Dnsmasq version \([^ ]*\).*/\1/p'); A queries over $MODE for $NAMES local names, median of $RUNS x ${DURATION}s; queries/s"
echo "# $(uname -r), $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
printf "%-10s %12s %12s %12s\n" "" dnsmasq mvm mvm/dnsmasq
printf "%-10s %12.0f %12.0f %12.2f\n" "A, FQDN" "$d" "$m" "$(echo "$m $d" | awk '{print $1 / $2}')"
if [ "$VERBOSE" = 1 ]; then
	echo "# runs: mvm $(tr '\n' ' ' <"$T/mvm.qps"); dnsmasq $(tr '\n' ' ' <"$T/dnsmasq.qps")"
fi

# SPDX-License-Identifier: MIT
# lib.sh - shared setup for integration tests (sourced, not run)
#
# Every test runs the real binaries as the invoking, unprivileged user, in a
# private XDG_RUNTIME_DIR / XDG_DATA_HOME / XDG_CONFIG_HOME / HOME, so tests
# never touch the user's own mvm and can run in parallel. Exit status 77
# means "skipped" (ctest SKIP_RETURN_CODE) and always comes with a reason.

set -u
MVM_SRC=${MVM_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
MVM_BIN=${MVM_BIN:-$MVM_SRC/build/bin}
TEST_NAME=$(basename "$0" .sh)

skip() { echo "SKIP: $TEST_NAME: $*"; exit 77; }
fail() { echo "FAIL: $TEST_NAME: $*" >&2; exit 1; }
log() { echo "-- $*"; }

# Rootless is the claim: as root, re-run as $MVM_TEST_USER, or skip.
if [ "$(id -u)" -eq 0 ]; then
	if [ -n "${MVM_TEST_USER:-}" ]; then
		exec runuser -u "$MVM_TEST_USER" -- env MVM_BIN="$MVM_BIN" MVM_SRC="$MVM_SRC" \
			PATH="$PATH" bash "$0" "$@"
	fi
	skip "integration tests run mvm as an unprivileged user; run ctest as a normal user or set MVM_TEST_USER"
fi

need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "needs '$c' (tools/install-deps installs it)"
	done
}

[ -x "$MVM_BIN/mvm" ] && [ -x "$MVM_BIN/mvmd" ] || fail "no mvm/mvmd in $MVM_BIN (build first)"
[ -r /dev/net/tun ] && [ -w /dev/net/tun ] ||
	skip "/dev/net/tun is not read-writable by $(id -un): sudo chmod 0666 /dev/net/tun (udev does this on desktops)"
if ! unshare -rn true 2>/dev/null; then
	skip "unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone / apparmor_restrict_unprivileged_userns)"
fi
need jq ip ping

T=$(mktemp -d "${TMPDIR:-/tmp}/mvm-test.XXXXXX")
chmod 0700 "$T"
export HOME=$T/home XDG_RUNTIME_DIR=$T/run XDG_DATA_HOME=$T/data XDG_CONFIG_HOME=$T/config
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
chmod 0700 "$XDG_RUNTIME_DIR"
# sanitizer reports from any mvm process land in files we check at the end
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}log_path=$T/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}log_path=$T/sanitizer"

mvm() { "$MVM_BIN/mvm" "$@"; }

cleanup() {
	local rc=$?
	set +e
	"$MVM_BIN/mvm" system stop >/dev/null 2>&1
	# a daemon that did not stop (or a test that killed it) must not linger
	if [ -f "$XDG_RUNTIME_DIR/mvm/mvmd.pid" ]; then
		kill -9 "$(cat "$XDG_RUNTIME_DIR/mvm/mvmd.pid" 2>/dev/null)" 2>/dev/null
	fi
	jobs -p | xargs -r kill 2>/dev/null
	if ls "$T"/sanitizer.* >/dev/null 2>&1; then
		echo "FAIL: $TEST_NAME: sanitizer reports:" >&2
		cat "$T"/sanitizer.* >&2
		rc=1
	fi
	if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -f "$XDG_DATA_HOME/mvm/mvmd.log" ]; then
		echo "---- mvmd.log (last 40 lines)" >&2
		tail -40 "$XDG_DATA_HOME/mvm/mvmd.log" >&2
	fi
	rm -rf "$T"
	[ $rc -eq 0 ] && echo "PASS: $TEST_NAME"
	exit $rc
}
trap cleanup EXIT

# guest_ip NAME [NETWORK] - a running guest's address (on NETWORK, or its first)
guest_ip() {
	mvm inspect "$1" --format json | jq -r --arg n "${2:-}" '
		(if type == "array" then .[0] else . end).interfaces
		| map(select($n == "" or .network == $n)) | .[0].ip'
}

# net_field NETWORK FIELD - one field of `mvm network inspect`
net_field() {
	mvm network inspect "$1" | jq -r --arg f "$2" '(if type == "array" then .[0] else . end)[$f]'
}

# wait_for SECONDS CMD... - retry CMD every 0.1 s until it succeeds
wait_for() {
	local t=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -ge $((t * 10)) ] && return 1
		sleep 0.1
	done
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# expect_contains WHAT HAYSTACK NEEDLE
expect_contains() {
	case "$2" in
	*"$3"*) ;;
	*) fail "$1: '$3' not found in: $2" ;;
	esac
}

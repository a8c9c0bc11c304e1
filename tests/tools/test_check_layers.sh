#!/bin/bash
# SPDX-License-Identifier: MIT
# test_check_layers.sh - tools/check-layers passes on the tree and fails,
# naming file and line, on each kind of edge the architecture forbids
set -u
SRC=${MVM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
CHECK="$SRC/tools/check-layers"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$CHECK" "$SRC" >/dev/null || fail "the tree itself has a forbidden edge: $("$CHECK" "$SRC")"

# a small tree: pkt may use common, common may use nothing
mkdir -p "$T/docs" "$T/common" "$T/pkt"
cat >"$T/docs/architecture.md" <<'DOC'
<!-- layers:begin -->
| folder | may depend on |
|---|---|
| common | |
| pkt | common |
<!-- layers:end -->
DOC
echo '#include "common/a.h"' >"$T/pkt/b.c"
echo 'int a;' >"$T/common/a.h"
"$CHECK" "$T" >/dev/null || fail "an allowed edge was refused"

echo '#include "pkt/b.h"' >"$T/common/c.c"
out=$("$CHECK" "$T" 2>/dev/null) && fail "common -> pkt include was accepted"
grep -q '^common/c.c:1: common/ may not include "pkt/b.h"' <<<"$out" || fail "no file:line: $out"
rm "$T/common/c.c"

printf 'add_library(mvm_common a.c)\ntarget_link_libraries(mvm_common PUBLIC mvm_pkt)\n' >"$T/common/CMakeLists.txt"
out=$("$CHECK" "$T" 2>/dev/null) && fail "common linking mvm_pkt was accepted"
grep -q '^common/CMakeLists.txt:2: common/ may not link mvm_pkt' <<<"$out" || fail "link edge: $out"
rm "$T/common/CMakeLists.txt"

mkdir "$T/newdir"; echo 'int x;' >"$T/newdir/x.c"
out=$("$CHECK" "$T" 2>/dev/null) && fail "a folder without a row was accepted"
grep -q '^newdir/: holds C sources but has no row' <<<"$out" || fail "missing row: $out"
echo "check-layers: all cases behave"

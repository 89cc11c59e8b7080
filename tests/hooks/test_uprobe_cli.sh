#!/bin/sh
# test_uprobe_cli.sh BPFRT OBJDIR TARGET — bpfrt trace with uprobe programs:
# uprobe_args.o on uprobe_target 50 must count 50 entries and 50 returns
# with the right sums in the pinned map; the bare usdt program is left out
# with a warning; uprobes on a running process (pid PID) are refused with a
# sentence.  Skips (77) without the object or where ptrace is refused.
set -u
B=$1 OBJ=$2/uprobe_args.o T=$3
[ -f "$OBJ" ] || { echo "SKIP: $OBJ not built (no clang-19)"; exit 77; }
D=$(mktemp -d "${BPFRT_PIN_ROOT:-/run/bpfrt}/uprobe-cli.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$B" trace "$OBJ" pinmaps "$D/maps" -- "$T" 50 >"$D/out" 2>"$D/err"
rc=$?
if grep -q "not permitted" "$D/err"; then echo "SKIP: $(head -1 "$D/err")"; exit 77; fi
[ $rc = 0 ] || fail "trace exit $rc: $(cat "$D/err")"
grep -q "Warning: program 'on_tick'.*USDT.*not attached" "$D/err" || fail "no warning for the usdt program: $(cat "$D/err")"
dump=$("$B" map dump pinned "$D/maps/stats" | tr -d ' \n')
for kv in '"key":0,"value":50' '"key":1,"value":0' '"key":2,"value":1225' '"key":3,"value":50' '"key":4,"value":2500'; do
	echo "$dump" | grep -q "$kv" || fail "stats lack $kv: $dump"
done

sleep 5 &
pid=$!
"$B" trace "$OBJ" pid $pid >"$D/out" 2>"$D/err" && fail "uprobes on pid PID accepted"
kill $pid 2>/dev/null
grep -q "uprobes are put into a command bpfrt starts" "$D/err" || fail "pid refusal: $(cat "$D/err")"
echo ok

#!/bin/sh
# test_uprobe_cli.sh BPFRT OBJDIR TARGET [AGENT] — bpfrt trace with uprobe programs:
# uprobe_args.o on uprobe_target 50 must count 50 entries and 50 returns
# with the right sums in the pinned map; the bare usdt program is left out
# with a warning; uprobes on a running process (pid PID) are refused with a
# sentence; a uprobe and a uretprobe on libc.so.6:strtol (uprobe_libc.o)
# under bpfrt trace and, given AGENT, through the preloaded agent; a USDT
# probe (usdt_trace.o) under bpfrt trace.  Skips
# (77) without the object or where ptrace is refused.
set -u
B=$1 OBJ=$2/uprobe_args.o LIBC=$2/uprobe_libc.o T=$3 AGENT=${4:-}
[ -f "$OBJ" ] || { echo "SKIP: $OBJ not built (no clang-19)"; exit 77; }
D=$(mktemp -d "${BPFRT_PIN_ROOT:-/run/bpfrt}/uprobe-cli.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$D"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$B" trace "$OBJ" pinmaps "$D/maps" -- "$T" 50 >"$D/out" 2>"$D/err"
rc=$?
if grep -q "not permitted" "$D/err"; then echo "SKIP: $(head -1 "$D/err")"; exit 77; fi
[ $rc = 0 ] || fail "trace exit $rc: $(cat "$D/err")"
grep -q "Warning: program 'on_tick'.*names no PATH:PROVIDER:NAME; not attached" "$D/err" ||
	fail "no warning for the bare usdt program: $(cat "$D/err")"
dump=$("$B" map dump pinned "$D/maps/stats" | tr -d ' \n')
for kv in '"key":0,"value":50' '"key":1,"value":0' '"key":2,"value":1225' '"key":3,"value":50' '"key":4,"value":2500'; do
	echo "$dump" | grep -q "$kv" || fail "stats lack $kv: $dump"
done

sleep 5 &
pid=$!
"$B" trace "$OBJ" pid $pid >"$D/out" 2>"$D/err" && fail "uprobes on pid PID accepted"
kill $pid 2>/dev/null
grep -q "uprobes are put into a command bpfrt starts" "$D/err" || fail "pid refusal: $(cat "$D/err")"
# a shared library: strtol("7") once; hits[1] = '7' + (7 << 8)
"$B" trace "$LIBC" pinmaps "$D/libc" -- "$T" 7 >/dev/null 2>"$D/err" || fail "trace libc: $(cat "$D/err")"
dump=$("$B" map dump pinned "$D/libc/hits" | tr -d ' \n')
echo "$dump" | grep -q '"key":0,"value":1}' || fail "libc probe hits: $dump"
echo "$dump" | grep -q '"key":1,"value":1847' || fail "libc probe argument/return: $dump"
# USDT under ptrace: the site's semaphore set, arguments via bpf_usdt_arg
"$B" trace "$2/usdt_trace.o" pinmaps "$D/usdt" -- "$T" 40 >/dev/null 2>"$D/err" || fail "trace usdt: $(cat "$D/err")"
dump=$("$B" map dump pinned "$D/usdt/st" | tr -d ' \n')
echo "$dump" | grep -q '"key":0,"value":40}' || fail "usdt hits: $dump"
echo "$dump" | grep -q '"key":1,"value":0}' || fail "usdt wrong arguments: $dump"
if [ -n "$AGENT" ]; then
	"$B" prog loadall "$LIBC" "$D/lp" pinmaps "$D/lp/maps" || fail "loadall"
	BPFRT_AGENT_STRICT=1 BPFRT_AGENT_PROBES="$D/lp/on_strtol|uprobe/libc.so.6:strtol;$D/lp/on_strtol_ret|uretprobe/libc.so.6:strtol" \
		LD_PRELOAD="$AGENT" "$T" 7 || fail "agent run"
	dump=$("$B" map dump pinned "$D/lp/maps/hits" | tr -d ' \n')
	echo "$dump" | grep -q '"key":1,"value":1847' || fail "agent libc probe: $dump"
fi
echo ok

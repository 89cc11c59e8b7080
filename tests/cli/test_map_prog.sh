#!/bin/bash
# test_map_prog.sh — `bpfrt map` and `bpfrt prog` end to end: every command
# is its own process with its own runtime, sharing objects only through pins
# under a private pin root.  Checks exact text and JSON output, exit codes
# and bpftool-style errors.  Usage: test_map_prog.sh PATH/TO/bpfrt
set -u
BPFRT=${1:?usage: $0 PATH/TO/bpfrt}
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/bpfrt-cli.XXXXXX")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bpfrt-cli-work.XXXXXX")
trap 'rm -rf "$ROOT" "$WORK"' EXIT
export BPFRT_PIN_ROOT=$ROOT
FAILS=0

fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

# check RC EXPECTED_STDOUT -- ARGS...: run bpfrt, compare exit code and stdout.
check() {
	local want_rc=$1 want_out=$2
	shift 3
	local out rc
	out=$("$BPFRT" "$@" 2>"$WORK/stderr")
	rc=$?
	[ "$rc" = "$want_rc" ] || fail "bpfrt $*: exit $rc, want $want_rc ($(cat "$WORK/stderr"))"
	[ "$out" = "$want_out" ] || fail "bpfrt $*: stdout
--- got
$out
--- want
$want_out"
}

# check_err EXPECTED_STDERR -- ARGS...: must fail with 255 and this message.
check_err() {
	local want=$1
	shift 2
	local err rc
	err=$("$BPFRT" "$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 255 ] || fail "bpfrt $*: exit $rc, want 255"
	[ "$err" = "$want" ] || fail "bpfrt $*: stderr '$err', want '$want'"
}

M=$ROOT/counts

# ---- create, update, lookup, dump (text and JSON) ----
check 0 "" -- map create "$M" type array key 4 value 4 entries 4 name counts
check 0 "" -- map update pinned "$M" key 1 0 0 0 value 10 0 0 0
check 0 "null" -- -j map update pinned "$M" key hex 02 00 00 00 value 0x0b 0 0 0 exist
check 0 "key: 01 00 00 00  value: 0a 00 00 00" -- map lookup pinned "$M" key 1 0 0 0
check 0 '{"key":["0x02","0x00","0x00","0x00"],"value":["0x0b","0x00","0x00","0x00"]}' -- \
	-j map lookup name counts key 2 0 0 0
check 0 "key: 00 00 00 00  value: 00 00 00 00
key: 01 00 00 00  value: 0a 00 00 00
key: 02 00 00 00  value: 0b 00 00 00
key: 03 00 00 00  value: 00 00 00 00
Found 4 elements" -- map dump pinned "$M"
check 0 '[{"key":["0x00","0x00","0x00","0x00"],"value":["0x00","0x00","0x00","0x00"]},{"key":["0x01","0x00","0x00","0x00"],"value":["0x0a","0x00","0x00","0x00"]},{"key":["0x02","0x00","0x00","0x00"],"value":["0x0b","0x00","0x00","0x00"]},{"key":["0x03","0x00","0x00","0x00"],"value":["0x00","0x00","0x00","0x00"]}]' -- \
	-j map dump id 1
check 0 '{
    "key": ["0x01","0x00","0x00","0x00"
    ],
    "value": ["0x0a","0x00","0x00","0x00"
    ]
}' -- -p map lookup id 1 key 1 0 0 0

# ---- show: ids come from scanning the pin root ----
check 0 "1: array  name counts  flags 0x0
	key 4B  value 4B  max_entries 4  memlock 4096B
	pinned $M" -- map show
check 0 "[{\"id\":1,\"type\":\"array\",\"name\":\"counts\",\"flags\":0,\"bytes_key\":4,\"bytes_value\":4,\"max_entries\":4,\"bytes_memlock\":4096,\"frozen\":0,\"pinned\":[\"$M\"]}]" -- \
	-j map list
check 0 "{\"id\":1,\"type\":\"array\",\"name\":\"counts\",\"flags\":0,\"bytes_key\":4,\"bytes_value\":4,\"max_entries\":4,\"bytes_memlock\":4096,\"frozen\":0,\"pinned\":[\"$M\"]}" -- \
	-j map show name counts
# A second pin of the same map is the same entry, with both paths.
check 0 "" -- map pin id 1 "$ROOT/counts2"
check 0 "1: array  name counts  flags 0x0
	key 4B  value 4B  max_entries 4  memlock 4096B
	pinned $M
	pinned $ROOT/counts2" -- map show id 1
rm -f "$ROOT/counts2"
# --pin-root overrides the environment.
EMPTY=$WORK/empty-root
mkdir -p "$EMPTY"
check 0 "[]" -- -j --pin-root "$EMPTY" map show

# ---- getnext, delete ----
check 0 "key: None
next key:
00 00 00 00" -- map getnext id 1
check 0 "key:
01 00 00 00
next key:
02 00 00 00" -- map getnext id 1 key 1 0 0 0
check 0 '{"key":["0x02","0x00","0x00","0x00"],"next_key":["0x03","0x00","0x00","0x00"]}' -- \
	-j map getnext id 1 key 2 0 0 0
check 255 "" -- map getnext id 1 key 3 0 0 0
check_err "Error: delete failed: Invalid argument" -- map delete id 1 key 1 0 0 0

# ---- errors: bpftool-style messages, exit 255 ----
check_err "Error: key expected 4 bytes got 3" -- map lookup id 1 key 1 0 0
check_err "Error: key expected 4 bytes got 5" -- map lookup id 1 key 1 0 0 0 0
check_err "Error: value expected 4 bytes got 0" -- map update id 1 key 1 0 0 0 value
check_err "Error: can't parse '256' as byte" -- map update id 1 key 256 0 0 0 value 1 0 0 0
check_err "Error: can't parse '1ff' as byte" -- map update id 1 key hex 01 00 00 1ff value 1 0 0 0
check_err "Error: key expected 4 bytes got 3" -- map update id 1 key hex 01 00 00 zz value 1 0 0 0
check_err "Error: did not find value" -- map update id 1 key 1 0 0 0
check_err "Error: unexpected argument 'bogus'" -- map dump id 1 bogus
check_err "Error: command 'frob' is unknown, have you spelled it right?" -- map frob id 1
check_err "Error: expected 'id', 'name' or 'pinned', got: 'idd'?" -- map dump idd 1
check_err "Error: 'id' needs an argument" -- map dump id
check_err "Error: expected MAP (id ID | pinned FILE | name NAME)" -- map lookup
check_err "Error: can't parse 'x1' as ID" -- map dump id x1
check_err "Error: no map with name nosuch found" -- map dump name nosuch
check_err "Error: unrecognized map type: nosuch" -- map create "$ROOT/x" type nosuch key 4 value 4 entries 1 name x
check_err "Error: map name not specified" -- map create "$ROOT/x" type array key 4 value 4 entries 1
check_err "Error: can't parse entries 'many'" -- map create "$ROOT/x" type array key 4 value 4 entries many name x
check_err "Error: unknown keyword 'size' (expected type, key, value, entries, name, flags, inner_map)" -- \
	map create "$ROOT/x" type array size 4 name x
check_err "Error: map create failed: Invalid argument" -- map create "$ROOT/x" type array key 4 value 0 entries 1 name x
check 255 '{"error":"key expected 4 bytes got 1"}' -- -j map lookup id 1 key 1
check_err "Error: unknown option '--frob'" -- --frob map show

# ---- freeze: updates are refused afterwards ----
check 0 "" -- map freeze pinned "$M"
check 0 "1: array  name counts  flags 0x0
	key 4B  value 4B  max_entries 4  memlock 4096B  frozen
	pinned $M" -- map show pinned "$M"
check_err "Error: update failed: Operation not permitted" -- map update pinned "$M" key 0 0 0 0 value 1 0 0 0
check_err "Error: failed to freeze map: Device or resource busy" -- map freeze pinned "$M"

# ---- queue: push, peek, pop (skipped when the runtime lacks QUEUE) ----
Q=$ROOT/q
if "$BPFRT" map create "$Q" type queue key 0 value 4 entries 2 name q 2>/dev/null; then
	check 0 "" -- map push pinned "$Q" value 7 0 0 0
	check 0 "" -- map enqueue pinned "$Q" value 8 0 0 0
	check_err "Error: update failed: Argument list too long" -- map push pinned "$Q" value 9 0 0 0
	check 0 "value: 07 00 00 00" -- map peek pinned "$Q"
	check 0 '{"key":[],"value":["0x07","0x00","0x00","0x00"]}' -- -j map pop pinned "$Q"
	check 0 "value: 08 00 00 00" -- map dequeue pinned "$Q"
	check_err "Error: empty map" -- map pop pinned "$Q"
	check_err "Error: can't dump a queue map: it has no keys (use 'map peek' or 'map pop')" -- map dump pinned "$Q"
	check_err "Error: 'pop' is for queue and stack maps; this is a array map" -- map pop pinned "$M"
	rm -f "$Q"
else
	echo "SKIP: queue maps are not supported by this runtime"
fi

# ---- programs: pin from a file, then run by pin/id/name in new processes ----
printf 'r0 = 2\nexit\n' >"$WORK/pass.s"
if "$BPFRT" asm "$WORK/pass.s" -o "$WORK/pass.bin" >/dev/null 2>&1; then
	PASS=$WORK/pass.s
else
	# r0 = 2; exit — raw instructions when the assembler is unavailable.
	printf '\267\000\000\000\002\000\000\000\225\000\000\000\000\000\000\000' >"$WORK/pass.bin"
	PASS=$WORK/pass.bin
fi
head -c 64 /dev/zero >"$WORK/pkt"
check 0 "" -- prog pin file "$PASS" type xdp "$ROOT/pass"
out=$("$BPFRT" prog run pinned "$ROOT/pass" data_in "$WORK/pkt" data_out "$WORK/pkt.out" repeat 3)
[[ $out =~ ^"Return value: 2, duration (average): "[0-9]+ns$ ]] || fail "prog run pinned: '$out'"
cmp -s "$WORK/pkt" "$WORK/pkt.out" || fail "prog run pinned: data_out differs from data_in"
out=$("$BPFRT" -j prog run name pass data_in "$WORK/pkt")
[[ $out =~ ^\{\"retval\":2,\"duration\":[0-9]+\}$ ]] || fail "prog run -j: '$out'"
out=$("$BPFRT" prog show)
[[ $out =~ ^"1: xdp  name pass  tag "[0-9a-f]{16}"  gpl"$'\n\t'"loaded_at ".*"  uid "[0-9]+$'\n\t'"xlated 16B  not jited"$'\n\t'"pinned $ROOT/pass"$ ]] ||
	fail "prog show: '$out'"
# ---- engines: the JIT by default; --engine, `engine E`, `checked` and
# $BPFRT_ENGINE choose; -d says on stderr which one ran ----
engine_of() { "$BPFRT" -d "$@" 2>&1 >/dev/null | grep '^bpfrt: engine'; }
[[ $(engine_of prog run id 1 data_in "$WORK/pkt") =~ ^"bpfrt: engine jit: ran native code ("[0-9]+" bytes for 2 insns, compiled in "[0-9]+" us)"$ ]] ||
	fail "default engine: '$(engine_of prog run id 1 data_in "$WORK/pkt")'"
[ "$(engine_of --engine interp prog run id 1 data_in "$WORK/pkt")" = "bpfrt: engine interp: interpreted" ] ||
	fail "--engine interp ran on the JIT"
[ "$(engine_of prog run id 1 data_in "$WORK/pkt" engine checked)" = "bpfrt: engine checked: interpreted" ] ||
	fail "engine checked"
[[ $(engine_of --engine interp prog run id 1 data_in "$WORK/pkt" engine jit) =~ ^"bpfrt: engine jit: ran native code (" ]] ||
	fail "'engine jit' does not win over --engine interp"
[ "$(BPFRT_ENGINE=interp engine_of prog run id 1 data_in "$WORK/pkt")" = "bpfrt: engine interp: interpreted" ] ||
	fail "BPFRT_ENGINE=interp"
[ "$(engine_of prog run file "$PASS" checked)" = "bpfrt: engine checked: interpreted" ] || fail "prog run file checked"
[[ $(engine_of prog run file "$PASS") =~ ^"bpfrt: engine jit: ran native code (" ]] || fail "prog run file on the JIT"
check_err "Error: --engine needs 'jit', 'interp' or 'checked'" -- --engine fast prog show
check_err "Error: 'engine' needs 'jit', 'interp' or 'checked', got 'fast'" -- prog run id 1 engine fast
BPFRT_ENGINE=fast check_err "Error: can't create the runtime: \$BPFRT_ENGINE must be jit, interp or checked" -- prog show
check_err "Error: get prog by id (9): No such file or directory (ids are this process's: see 'bpfrt prog show')" -- prog run id 9
check_err "Error: incorrect object type: map" -- prog run pinned "$M"
check_err "Error: incorrect object type: program" -- map dump pinned "$ROOT/pass"
check_err "Error: 'repeat' needs a positive number, got 'lots'" -- prog run id 1 repeat lots
out=$("$BPFRT" prog run file "$PASS")
[[ $out =~ ^"Return value: 2, duration: "[0-9]+ns$ ]] || fail "prog run file: '$out'"
rm -f "$ROOT/pass"

# ---- three processes, one map (design.md): create, run a program that
# counts in it, dump it.  The program is raw instructions: it refers to its
# map by index 0 (BPF_PSEUDO_MAP_IDX), bound with `map idx 0 MAP`.
C=$ROOT/counter
check 0 "" -- map create "$ROOT/hits" type array key 4 value 8 entries 1 name hits
# *(u32 *)(r10-4) = 0; r1 = map[0]; r2 = r10 - 4; r0 = lookup(r1, r2);
# if r0 == 0 exit; lock *(u64 *)r0 += 1; r0 = *(u64 *)r0; exit
printf '%b' \
	'\142\012\374\377\000\000\000\000' \
	'\030\121\000\000\000\000\000\000' '\000\000\000\000\000\000\000\000' \
	'\277\242\000\000\000\000\000\000' '\007\002\000\000\374\377\377\377' \
	'\205\000\000\000\001\000\000\000' '\125\000\001\000\000\000\000\000' \
	'\225\000\000\000\000\000\000\000' '\267\001\000\000\001\000\000\000' \
	'\333\020\000\000\000\000\000\000' '\171\000\000\000\000\000\000\000' \
	'\225\000\000\000\000\000\000\000' >"$WORK/counter.bin"
check 0 "" -- prog pin file "$WORK/counter.bin" type syscall map idx 0 pinned "$ROOT/hits" "$C"
# SYSCALL programs refuse repeat (as in the kernel): five separate runs.
"$BPFRT" prog run pinned "$C" repeat 5 >/dev/null 2>&1 && fail "repeat accepted for a syscall program"
for i in 1 2 3 4; do "$BPFRT" prog run pinned "$C" >/dev/null || fail "counter run $i"; done
out=$("$BPFRT" prog run pinned "$C")
[[ $out =~ ^"Return value: 5, duration: "[0-9]+ns$ ]] || fail "counter run: '$out'"
out=$("$BPFRT" -j prog run pinned "$C")
[[ $out =~ ^\{\"retval\":6, ]] || fail "counter run again: '$out'"
check 0 '[{"key":["0x00","0x00","0x00","0x00"],"value":["0x06","0x00","0x00","0x00","0x00","0x00","0x00","0x00"]}]' -- \
	-j map dump pinned "$ROOT/hits"
# The program's map is the pinned map, not a second entry.
out=$("$BPFRT" -j map show)
[[ $(grep -o '"id":' <<<"$out" | wc -l) = 2 ]] || fail "map show lists a program's map twice: $out"
# Scan order is path order: "counter" comes first, so its map is id 1.
out=$("$BPFRT" prog show name counter)
[[ $out == *"map_ids 1"$'\n'* ]] || fail "prog show map_ids: '$out'"
check 0 "1: array  name hits  flags 0x0
	key 4B  value 8B  max_entries 1  memlock 4096B
	pinned $ROOT/hits" -- map show id 1

if [ "$FAILS" != 0 ]; then
	echo "$FAILS check(s) failed" >&2
	exit 1
fi
echo "all CLI checks passed"

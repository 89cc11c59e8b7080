#!/bin/sh
# test_btf_dump.sh BPFRT OBJDIR — `bpfrt btf dump file` in raw and C form:
# raw output equals bpftool's where bpftool is installed, the C form
# compiles, and bad arguments are refused with exit 255.
set -u
BPFRT=$1
OBJ=$2/btf_values.o
[ -f "$OBJ" ] || { echo "SKIP: $OBJ not built (clang-19 missing)"; exit 77; }
FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$BPFRT" btf dump file "$OBJ" >"$TMP/raw" || fail "raw dump failed"
grep -q "^\[1\] " "$TMP/raw" || fail "raw dump has no type [1]"
grep -q "STRUCT 'value_rec'\|STRUCT '" "$TMP/raw" || fail "raw dump has no struct"
if command -v bpftool >/dev/null 2>&1; then
	bpftool btf dump file "$OBJ" >"$TMP/raw.bpftool" 2>/dev/null &&
		{ cmp -s "$TMP/raw" "$TMP/raw.bpftool" || fail "raw dump differs from bpftool's: $(diff "$TMP/raw" "$TMP/raw.bpftool" | head -5)"; }
fi
"$BPFRT" btf dump file "$OBJ" format c >"$TMP/vmlinux.h" || fail "C dump failed"
CC=$(command -v clang-19 || command -v cc)
printf '#include "vmlinux.h"\nint main(void) { return 0; }\n' >"$TMP/use.c"
"$CC" -c -w -o "$TMP/use.o" -I"$TMP" "$TMP/use.c" 2>"$TMP/cc.err" || fail "C dump does not compile: $(head -3 "$TMP/cc.err")"
"$BPFRT" btf dump file "$OBJ" format x >/dev/null 2>&1; [ $? = 255 ] || fail "bad format accepted"
"$BPFRT" btf dump >/dev/null 2>&1; [ $? = 255 ] || fail "missing source accepted"
"$BPFRT" btf dump file /nonexistent >/dev/null 2>&1; [ $? = 255 ] || fail "missing file accepted"
[ "$FAILS" = 0 ] && echo "btf dump: ok"
exit $((FAILS != 0))

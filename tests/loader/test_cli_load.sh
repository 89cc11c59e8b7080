#!/bin/sh
# test_cli_load.sh — bpfrt prog load/loadall/run file/dump xlated on the
# objects tests/loader builds.  Usage: test_cli_load.sh BPFRT OBJDIR.
# Exits 77 (skip) when the objects were not built (no clang-19).
set -u
B=$1 O=$2
[ -f "$O/xdp_parse.o" ] || { echo "SKIP: no objects in $O"; exit 77; }
export BPFRT_PIN_ROOT=$(mktemp -d /tmp/bpfrt-cli-load-XXXXXX)
trap 'rm -rf "$BPFRT_PIN_ROOT"' EXIT
fail=0
expect() { # expect NAME PATTERN OUTPUT
	if printf '%s' "$3" | grep -q -- "$2"; then :; else echo "FAIL $1: '$2' not in: $3"; fail=1; fi
}
printf '\0\0\0\0\0\0\0\0\0\0\0\0\10\0\105\0\0\0\0\0\0\0\0\21' > "$BPFRT_PIN_ROOT/pkt"
head -c 40 /dev/zero >> "$BPFRT_PIN_ROOT/pkt"
expect "run file" "Return value: 2," "$($B prog run file $O/xdp_parse.o data_in $BPFRT_PIN_ROOT/pkt 2>&1)"
expect "run file prog" '"retval":13' "$($B -j prog run file $O/xdp_parse.o prog sys_sum 2>&1)"
expect "run file no prog" "has no program 'nope'" "$($B prog run file $O/xdp_parse.o prog nope 2>&1)"
$B prog load $O/xdp_parse.o $BPFRT_PIN_ROOT/xp pinmaps $BPFRT_PIN_ROOT/maps || { echo "FAIL: prog load"; fail=1; }
expect "run pinned" "Return value: 2," "$($B prog run pinned $BPFRT_PIN_ROOT/xp data_in $BPFRT_PIN_ROOT/pkt 2>&1)"
expect "map shared" "Found 1 element" "$($B map dump pinned $BPFRT_PIN_ROOT/maps/proto_count 2>&1)"
[ -e "$BPFRT_PIN_ROOT/maps/xdp_pars.rodata" ] || { echo "FAIL: xdp_pars.rodata not pinned"; fail=1; }
$B prog loadall $O/maps_in_maps.o $BPFRT_PIN_ROOT/mm >/dev/null 2>&1
for p in fill_inner tail_caller tail_target; do
	[ -e "$BPFRT_PIN_ROOT/mm/$p" ] || { echo "FAIL: loadall did not pin $p"; fail=1; }
done
expect "dump linum" "; return add_bias((int)sum); \[file:.*xdp_parse.bpf.c line_num:" \
	"$($B prog dump xlated file $O/xdp_parse.o prog sys_sum linum 2>&1)"
expect "dump pinned" "   0: (61) r2 = \*(u32 \*)(r1 + 0x4)" "$($B prog dump xlated pinned $BPFRT_PIN_ROOT/xp 2>&1)"
expect "load bad" "Error: failed to open object file" "$($B prog load /dev/null $BPFRT_PIN_ROOT/x 2>&1)"
exit $fail

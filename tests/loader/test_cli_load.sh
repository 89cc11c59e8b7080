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
# proto_count has BTF (u32 -> u64): bpftool's layout by type, not hex.
expect "map shared" '"value": 1' "$($B map dump pinned $BPFRT_PIN_ROOT/maps/proto_count 2>&1)"
# A hash map of structs: fields by name, plain (bpftool's pretty JSON) and -j ("formatted").
$B prog loadall $O/btf_values.o $BPFRT_PIN_ROOT/bv pinmaps $BPFRT_PIN_ROOT/bvm >/dev/null 2>&1 || { echo "FAIL: loadall btf_values"; fail=1; }
$B prog run pinned $BPFRT_PIN_ROOT/bv/fill >/dev/null 2>&1
want='[{
        "key": 1,
        "value": {
            "x": 7,
            "dy": [-1,2,3
            ],
            "tag": "abc"
        }
    }
]'
got=$($B map dump pinned $BPFRT_PIN_ROOT/bvm/points 2>&1)
[ "$got" = "$want" ] || { echo "FAIL btf dump: got:"; echo "$got"; fail=1; }
expect "btf dump -j" '"formatted":{"key":1,"value":{"x":7,"dy":\[-1,2,3\],"tag":"abc"}}' \
	"$($B -j map dump pinned $BPFRT_PIN_ROOT/bvm/points 2>&1)"
expect "btf lookup" '^    "key": 1,' "$($B map lookup pinned $BPFRT_PIN_ROOT/bvm/points key 1 0 0 0 2>&1)"
expect "btf show" "btf_id [0-9]" "$($B map show pinned $BPFRT_PIN_ROOT/bvm/points 2>&1)"
[ -e "$BPFRT_PIN_ROOT/maps/xdp_pars.rodata" ] || { echo "FAIL: xdp_pars.rodata not pinned"; fail=1; }
$B prog loadall $O/maps_in_maps.o $BPFRT_PIN_ROOT/mm >/dev/null 2>&1
for p in fill_inner tail_caller tail_target; do
	[ -e "$BPFRT_PIN_ROOT/mm/$p" ] || { echo "FAIL: loadall did not pin $p"; fail=1; }
done
expect "dump linum" "; return add_bias((int)sum); \[file:.*xdp_parse.bpf.c line_num:" \
	"$($B prog dump xlated file $O/xdp_parse.o prog sys_sum linum 2>&1)"
# xlated as run: the 32-bit xdp_md.data_end load became the 64-bit load of
# the real pointer (ctx rewriting, core/pkt_ctx.h), as the kernel's xlated form.
expect "dump pinned" "   0: (79) r2 = \*(u64 \*)(r1 + 0x20)" "$($B prog dump xlated pinned $BPFRT_PIN_ROOT/xp 2>&1)"
expect "load bad" "Error: failed to open object file" "$($B prog load /dev/null $BPFRT_PIN_ROOT/x 2>&1)"
exit $fail

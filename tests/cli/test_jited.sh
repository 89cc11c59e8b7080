#!/bin/bash
# test_jited.sh — `bpfrt prog dump jited` (the JIT's code disassembled by
# objdump, interleaved with the eBPF instructions and source lines) and the
# perf map ($BPFRT_PERF_MAP=1 writes /tmp/perf-PID.map).  Skips (77) without
# objdump.  Usage: test_jited.sh PATH/TO/bpfrt [DIR/OF/tests/progs/obj]
set -u
BPFRT=${1:?usage: $0 PATH/TO/bpfrt [OBJDIR]}
OBJDIR=${2:-}
command -v objdump >/dev/null || { echo "objdump (binutils) not found: skipped"; exit 77; }
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/bpfrt-jited.XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
export BPFRT_PIN_ROOT=$ROOT
FAILS=0
fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

printf 'r0 = 2\nr1 = 0x123456789 ll\nr0 += r1\nexit\n' >"$ROOT/t.s"
"$BPFRT" prog pin file "$ROOT/t.s" type xdp "$ROOT/p" || fail "prog pin"
out=$("$BPFRT" prog dump jited pinned "$ROOT/p")
# Every eBPF instruction is followed by its native code; the lddw's is a
# movabs of the constant, the add a 64-bit add, exit a ret.
want='   0: \(b7\) r0 = 0x2
 +[0-9a-f]+:	mov +\$0x2,%eax
   1: \(18\) r1 = 0x123456789 ll
 +[0-9a-f]+:	movabs \$0x123456789,%rdi
   3: \(0f\) r0 \+= r1
 +[0-9a-f]+:	add +%rdi,%rax
   4: \(95\) exit
 +[0-9a-f]+:	ret'
[[ $out =~ $want ]] || fail "dump jited: '$out'"
[[ $out =~ ^"; entry from C, abort path" ]] || fail "dump jited: no entry part"
out=$("$BPFRT" prog dump jited id 1 opcodes)
[[ $out =~ "movabs \$0x123456789,%rdi"$'\n'"      	48 bf 89 67 45 23 01 00  00 00" ]] || fail "dump jited opcodes: '$out'"
out=$("$BPFRT" -j prog dump jited name t)
[[ $out =~ \{\"insn\":1,\"disasm\":\"r1\ =\ 0x123456789\ ll\",\"jited\":\[\{\"pc\":\"0x[0-9a-f]+\",\"operation\":\"movabs\ \$0x123456789,%rdi\"\}\]\} ]] ||
	fail "dump jited -j: '$out'"
err=$("$BPFRT" prog dump jited pinned "$ROOT/p" bogus 2>&1 >/dev/null)
[ "$err" = "Error: unknown keyword 'bogus' (expected linum, opcodes)" ] || fail "bad keyword: '$err'"
err=$("$BPFRT" prog dump native pinned "$ROOT/p" 2>&1 >/dev/null)
[ "$err" = "Error: expected 'xlated' or 'jited' after 'prog dump'" ] || fail "bad mode: '$err'"
# Without objdump on PATH the command says so (and fails) rather than
# printing nothing.
err=$(PATH=/nonexistent "$BPFRT" prog dump jited pinned "$ROOT/p" 2>&1 >/dev/null)
[[ $err =~ ^"Error: objdump (binutils) not found: can't disassemble "[0-9]+" bytes of native code"$ ]] ||
	fail "no objdump: '$err'"

# An ELF object: source lines from BTF line info before their instructions.
OBJ=$OBJDIR/raw_tp_bloom.v3.o
if [ -n "$OBJDIR" ] && [ -f "$OBJ" ]; then
	out=$("$BPFRT" prog dump jited file "$OBJ" linum)
	[[ $out =~ "; int raw_tp_bloom(struct bpf_raw_tracepoint_args *ctx) [file:"[^]]*"raw_tp_bloom.bpf.c line_num:"[0-9]+" line_col:0]"$'\n'"   0: (bf) r6 = r1"$'\n'" "+[0-9a-f]+":	mov "+"%rdi,%rbx" ]] ||
		fail "dump jited file linum: '$(echo "$out" | head -60)'"
fi

# The perf map: one "START SIZE bpf_prog_NAME" line per compiled program.
out=$(BPFRT_PERF_MAP=1 sh -c 'echo $$; exec "$0" prog run pinned "$1" data_in "$2"' "$BPFRT" "$ROOT/p" "$ROOT/t.s")
pid=${out%%$'\n'*}
map=/tmp/perf-$pid.map
if [ -f "$map" ]; then
	grep -Eq '^[0-9a-f]+ [0-9a-f]+ bpf_prog_t$' "$map" || fail "perf map: '$(cat "$map")'"
	rm -f "$map"
else
	fail "no perf map $map after a JIT run with BPFRT_PERF_MAP=1 ($out)"
fi
out=$(sh -c 'echo $$; exec "$0" prog run pinned "$1" data_in "$2"' "$BPFRT" "$ROOT/p" "$ROOT/t.s")
pid=${out%%$'\n'*}
[ -f "/tmp/perf-$pid.map" ] && { rm -f "/tmp/perf-$pid.map"; fail "a perf map without BPFRT_PERF_MAP=1"; }

[ "$FAILS" = 0 ] && echo "prog dump jited, perf map: ok"
exit $((FAILS != 0))

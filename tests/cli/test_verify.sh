#!/bin/bash
# test_verify.sh — `bpfrt verify` and `bpfrt prog load` on clang-compiled
# objects from the verifier corpus (tests/verifier/c, built into OBJDIR):
# a rejected program exits non-zero with the readable "bpfrt: insn N"
# summary and its hint, an accepted one exits 0.
# Usage: test_verify.sh PATH/TO/bpfrt OBJDIR  (exit 77 without the objects)
set -u
BPFRT=${1:?usage: $0 PATH/TO/bpfrt OBJDIR}
OBJ=${2:?usage: $0 PATH/TO/bpfrt OBJDIR}
BAD=$OBJ/pkt-parse-ip-missing-check.o
GOOD=$OBJ/pkt-parse-eth-ip-checked.o
[ -f "$BAD" ] && [ -f "$GOOD" ] || { echo "no corpus objects in $OBJ (clang missing?)"; exit 77; }
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/bpfrt-cli.XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
export BPFRT_PIN_ROOT=$ROOT
FAILS=0
fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}
# has OUT PATTERN WHAT: OUT contains the fixed string PATTERN
has() {
	grep -qF -- "$2" <<<"$1" || fail "$3: no '$2' in
$1"
}

# ---- rejected: readable summary, non-zero exit ----
out=$("$BPFRT" verify "$BAD" 2>&1)
rc=$?
[ "$rc" = 1 ] || fail "verify rejected: exit $rc, want 1"
has "$out" "prog prog: rejected (Permission denied)" "verify rejected"
has "$out" "bpfrt: insn 6 (" "verify rejected"
has "$out" "pkt-parse-ip-missing-check.bpf.c:12): invalid access to packet" "verify rejected: source line from BTF line info"
has "$out" "  source: return ip->ttl > 1 ? XDP_PASS : XDP_DROP;" "verify rejected: source text"
has "$out" "  hint: prove the packet is long enough first" "verify rejected"
has "$out" "  registers: R1=pkt(off=0,r=14)" "verify rejected"

# the same program by name, and the full log with log_level 2
out=$("$BPFRT" verify "$BAD" prog prog log_level 2 2>&1)
rc=$?
[ "$rc" = 1 ] || fail "verify log_level 2: exit $rc, want 1"
has "$out" "6: (71) r1 = *(u8 *)(r1 + 0x16)" "verify log_level 2"
has "$out" "R0=2 R1=ctx() R10=fp(off=0)" "verify log_level 2"
has "$out" "invalid access to packet" "verify log_level 2"
has "$out" "  hint: " "verify log_level 2"

# JSON
out=$("$BPFRT" -j verify "$BAD" 2>&1)
rc=$?
[ "$rc" = 1 ] || fail "verify -j rejected: exit $rc, want 1"
has "$out" '[{"prog":"prog","verified":false,"insns_processed":null,"error":"bpfrt: insn 6 (' "verify -j"
has "$out" 'invalid access to packet' "verify -j"
has "$out" '\n  hint: prove the packet' "verify -j"

# ---- accepted ----
out=$("$BPFRT" verify "$GOOD" 2>&1)
rc=$?
[ "$rc" = 0 ] || fail "verify accepted: exit $rc, want 0 ($out)"
grep -qE '^prog prog: verified \([0-9]+ insns processed\)$' <<<"$out" || fail "verify accepted: '$out'"
out=$("$BPFRT" -j verify "$GOOD" 2>&1)
grep -qE '^\[\{"prog":"prog","verified":true,"insns_processed":[0-9]+,"error":null,"log":"' <<<"$out" ||
	fail "verify -j accepted: '$out'"

# ---- usage errors ----
out=$("$BPFRT" verify "$GOOD" prog nosuch 2>&1)
rc=$?
[ "$rc" = 255 ] || fail "verify prog nosuch: exit $rc, want 255"
has "$out" "Error: object '$GOOD' has no program 'nosuch'" "verify prog nosuch"
out=$("$BPFRT" verify "$GOOD" log_level 7 2>&1)
[ $? = 255 ] || fail "verify log_level 7: want exit 255"

# ---- assembly file with a type ----
cat >"$ROOT/ctx.s" <<'ASM'
r0 = *(u32 *)(r1 + 0)
exit
ASM
out=$("$BPFRT" verify "$ROOT/ctx.s" type socket_filter 2>&1)
rc=$?
[ "$rc" = 0 ] || fail "verify asm socket_filter: exit $rc ($out)"
cat >"$ROOT/uninit.s" <<'ASM'
r0 = r2
r0 += r3
exit
ASM
out=$("$BPFRT" verify "$ROOT/uninit.s" 2>&1)
rc=$?
[ "$rc" = 1 ] || fail "verify asm uninit: exit $rc, want 1 ($out)"
has "$out" "bpfrt: insn 0: R2 !read_ok" "verify asm uninit"

# ---- prog load of a rejected program: the loader's error carries the summary ----
out=$("$BPFRT" prog load "$BAD" "$ROOT/p" 2>&1)
rc=$?
[ "$rc" = 255 ] || fail "prog load rejected: exit $rc, want 255"
has "$out" "BPF_PROG_LOAD failed: Permission denied" "prog load rejected"
has "$out" "pkt-parse-ip-missing-check.bpf.c:12): invalid access to packet" "prog load rejected"
has "$out" "  source: return ip->ttl" "prog load rejected"
has "$out" "  hint: prove the packet is long enough first" "prog load rejected"
[ ! -e "$ROOT/p" ] || fail "prog load rejected: pinned anyway"
"$BPFRT" prog load "$GOOD" "$ROOT/good" >/dev/null 2>&1 || fail "prog load accepted: failed"

[ "$FAILS" = 0 ] && echo "cli verify: all passed"
exit $((FAILS > 0))

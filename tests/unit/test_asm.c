/* test_asm.c — the assembler and disassembler: every opcode table row round
 * trips in both syntaxes, known encodings, lines copied from real
 * llvm-objdump-19 and kernel verifier output, errors with their line
 * numbers, and random instructions/text that must never crash and, when
 * they disassemble, must re-assemble to the same bytes. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/asm.h"
#include "check.h"

static const char *const syntax_name[] = {"auto", "llvm", "conformance"};

/* Assemble text that must hold exactly want_cnt slots. */
static struct bpf_insn *assemble(const char *text, enum bpfrt_syntax syntax, uint32_t want_cnt)
{
	struct bpf_insn *insns = NULL;
	uint32_t cnt = 0;
	struct bpfrt_diag diag;
	int err = bpfrt_asm(text, syntax, &insns, &cnt, &diag);
	CHECK(err == 0, "asm(%s) '%s': line %d: %s", syntax_name[syntax], text, diag.line, diag.msg);
	if (err)
		return NULL;
	CHECK(cnt == want_cnt, "asm '%s': %u slots, want %u", text, cnt, want_cnt);
	if (cnt != want_cnt) {
		free(insns);
		return NULL;
	}
	return insns;
}

static bool same_insns(const struct bpf_insn *a, const struct bpf_insn *b, uint32_t n)
{
	return !memcmp(a, b, n * sizeof(*a));
}

static void hex_insns(const struct bpf_insn *in, int n, char *buf, size_t len)
{
	size_t pos = 0;
	for (int i = 0; i < n; i++) {
		uint64_t v;
		memcpy(&v, &in[i], 8);
		pos += (size_t)snprintf(buf + pos, len - pos, "%016llx ", (unsigned long long)v);
	}
}

/* insns -> text -> insns -> text: the same bytes and the same text. */
static void round_trip(const struct bpf_insn *in, int slots, enum bpfrt_syntax syntax)
{
	char text[256], again[256], hex[64];
	hex_insns(in, slots, hex, sizeof(hex));
	int n = bpfrt_disasm_insn(in, (uint32_t)slots, 0, syntax, text, sizeof(text));
	CHECK(n == slots, "disasm %s (%s): %d: %s", hex, syntax_name[syntax], n, text);
	if (n != slots)
		return;
	/* Targets print as +off; make the program long enough to hold them. */
	struct bpf_insn *out = assemble(text, syntax, (uint32_t)slots);
	if (!out)
		return;
	CHECK(same_insns(in, out, (uint32_t)slots), "'%s' (%s) re-assembles differently from %s",
	      text, syntax_name[syntax], hex);
	bpfrt_disasm_insn(out, (uint32_t)slots, 0, syntax, again, sizeof(again));
	CHECK(!strcmp(text, again), "'%s' printed again as '%s'", text, again);
	free(out);
	/* AUTO must read what either syntax prints. */
	out = assemble(text, BPFRT_SYNTAX_AUTO, (uint32_t)slots);
	if (out)
		CHECK(same_insns(in, out, (uint32_t)slots), "'%s' (auto) assembles differently", text);
	free(out);
}

/* A representative instruction of a row, with its used fields set to v. */
static int build_row(int op, int variant, struct bpf_insn in[2])
{
	static const int32_t imms[] = {5, -5, 0x7fffffff, INT32_MIN, 0, -1};
	static const int16_t offs[] = {3, -3, 0x7fff, INT16_MIN, 0, -1};
	const struct bpfrt_opcode_info *row = &bpfrt_opcodes[op];
	uint8_t form = row->form;
	memset(in, 0, 2 * sizeof(*in));
	in[0].code = row->code;
	int32_t imm = imms[variant];
	int16_t off = offs[variant];
	uint8_t dst = (uint8_t)(1 + variant), src = (uint8_t)(9 - variant);
	bool uses_dst = form != BPFRT_F_JA && form != BPFRT_F_JA32 && form != BPFRT_F_CALL &&
			form != BPFRT_F_CALL_LOCAL && form != BPFRT_F_CALL_KFUNC &&
			form != BPFRT_F_EXIT && form != BPFRT_F_LDABS && form != BPFRT_F_LDIND;
	bool uses_src = form == BPFRT_F_ALU_X || form == BPFRT_F_MOVSX || form == BPFRT_F_JMP_X ||
			form == BPFRT_F_LDIND || form == BPFRT_F_LDX || form == BPFRT_F_STX ||
			form == BPFRT_F_ATOMIC;
	bool uses_off = form == BPFRT_F_JA || form == BPFRT_F_JMP_K || form == BPFRT_F_JMP_X ||
			form == BPFRT_F_LDX || form == BPFRT_F_ST || form == BPFRT_F_STX ||
			form == BPFRT_F_ATOMIC || form == BPFRT_F_CALL_KFUNC;
	bool uses_imm = form == BPFRT_F_ALU_K || form == BPFRT_F_JA32 || form == BPFRT_F_JMP_K ||
			form == BPFRT_F_CALL || form == BPFRT_F_CALL_LOCAL ||
			form == BPFRT_F_CALL_KFUNC || form == BPFRT_F_LDDW || form == BPFRT_F_LDABS ||
			form == BPFRT_F_LDIND || form == BPFRT_F_ST;
	in[0].dst_reg = uses_dst ? dst : 0;
	in[0].src_reg = uses_src ? src : 0;
	in[0].off = uses_off ? off : 0;
	in[0].imm = uses_imm ? imm : 0;
	if (row->disc == BPFRT_D_OFF)
		in[0].off = (int16_t)row->disc_value;
	else if (row->disc == BPFRT_D_IMM)
		in[0].imm = row->disc_value;
	else if (row->disc == BPFRT_D_SRC)
		in[0].src_reg = (uint8_t)row->disc_value;
	if (form != BPFRT_F_LDDW)
		return 1;
	in[1].imm = imms[(variant + 1) % 6];
	if (variant == 5)
		in[0].src_reg = 2; /* a pseudo lddw (map value) */
	return 2;
}

static void test_every_row(void)
{
	for (int op = 0; op < BPFRT_OP_COUNT; op++) {
		for (int variant = 0; variant < 6; variant++) {
			struct bpf_insn in[2];
			int slots = build_row(op, variant, in);
			CHECK(bpfrt_insn_op(in) == (enum bpfrt_op)op, "row %s builds as another row",
			      bpfrt_opcodes[op].id);
			round_trip(in, slots, BPFRT_SYNTAX_LLVM);
			round_trip(in, slots, BPFRT_SYNTAX_CONFORMANCE);
		}
	}
}

struct encoding {
	enum bpfrt_syntax syntax;
	const char *text;
	uint64_t slot[2];
	uint32_t cnt;
};

static const struct encoding encodings[] = {
	{BPFRT_SYNTAX_CONFORMANCE, "lddw %r0, 0x1122334455667788",
	 {0x5566778800000018ull, 0x1122334400000000ull}, 2},
	{BPFRT_SYNTAX_CONFORMANCE, "call %r2", {0x000000000000028dull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "ja32 +3", {0x0000000300000006ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "call 5", {0x0000000500000085ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "call local +2", {0x0000000200001085ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "mov %r0, 1", {0x00000001000000b7ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "mov %r1, 0xffffffff", {0xffffffff000001b7ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "mov32 %r0, -2147483648", {0x80000000000000b4ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "add32 %r1, %r2", {0x000000000000210cull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "ldxw %r0, [%r1+4]", {0x0000000000041061ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "ldxh %r0, [%r1]", {0x0000000000001069ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "stdw [%r10-8], 0xab", {0x000000abfff80a7aull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "stxb [%r1+2], %r3", {0x0000000000023173ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "jeq %r1, 5, +3", {0x0000000500030115ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "jeq %r1, %r2, -1", {0x00000000ffff211dull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "sdiv32 %r0, 3", {0x0000000300010034ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "smod %r0, %r1", {0x000000000001109full}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "movsx832 %r0, %r1", {0x00000000000810bcull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "be16 %r0", {0x00000010000000dcull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "le32 %r0", {0x00000020000000d4ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "swap64 %r3", {0x00000040000003d7ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "neg %r0", {0x0000000000000087ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "lock add [%r1+0], %r2", {0x00000000000021dbull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "lock fetch add32 [%r10-8], %r1", {0x00000001fff81ac3ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "lock xchg [%r10-8], %r1", {0x000000e1fff81adbull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "lock cmpxchg32 [%r10-8], %r1", {0x000000f1fff81ac3ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "ldabsw 12", {0x0000000c00000020ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "ldindh %r1, 4", {0x0000000400001048ull}, 1},
	{BPFRT_SYNTAX_CONFORMANCE, "exit", {0x0000000000000095ull}, 1},
	/* Lines from llvm-objdump-19 -d --mcpu=v4 (clang-19 -target bpf -O2 -mcpu=v4). */
	{BPFRT_SYNTAX_LLVM, "r0 = *(u32 *)(r1 + 0x0)", {0x0000000000001061ull}, 1},
	{BPFRT_SYNTAX_LLVM, "if w0 s< 0x6 goto +0x3 <prog+0x28>", {0x00000006000300c6ull}, 1},
	{BPFRT_SYNTAX_LLVM, "w1 = w0", {0x00000000000001bcull}, 1},
	{BPFRT_SYNTAX_LLVM, "r2 = 0x0 ll", {0x0000000000000218ull, 0}, 2},
	{BPFRT_SYNTAX_LLVM, "lock *(u64 *)(r2 + 0x0) += r1", {0x00000000000012dbull}, 1},
	{BPFRT_SYNTAX_LLVM, "w6 *= 0x3", {0x0000000300000624ull}, 1},
	{BPFRT_SYNTAX_LLVM, "r1 s/= r2", {0x000000000001213full}, 1},
	{BPFRT_SYNTAX_LLVM, "w1 s%= -0x5", {0xfffffffb00010194ull}, 1},
	{BPFRT_SYNTAX_LLVM, "r1 = -r1", {0x0000000000000187ull}, 1},
	{BPFRT_SYNTAX_LLVM, "r1 = be16 r1", {0x00000010000001dcull}, 1},
	{BPFRT_SYNTAX_LLVM, "r1 = bswap64 r1", {0x00000040000001d7ull}, 1},
	{BPFRT_SYNTAX_LLVM, "w1 = (s16)w2", {0x00000000001021bcull}, 1},
	{BPFRT_SYNTAX_LLVM, "r1 = (s32)r2", {0x00000000002021bfull}, 1},
	{BPFRT_SYNTAX_LLVM, "r1 = *(s8 *)(r2 - 0x3)", {0x00000000fffd2191ull}, 1},
	{BPFRT_SYNTAX_LLVM, "w1 = *(u16 *)(r2 - 0x3)", {0x00000000fffd2169ull}, 1},
	{BPFRT_SYNTAX_LLVM, "*(u32 *)(r1 + 0x4) = w2", {0x0000000000042163ull}, 1},
	{BPFRT_SYNTAX_LLVM, "*(u64 *)(r1 - 0x3) = -0x5", {0xfffffffbfffd017aull}, 1},
	{BPFRT_SYNTAX_LLVM, "r1 = 0x1122334455667788 ll",
	 {0x5566778800000118ull, 0x1122334400000000ull}, 2},
	{BPFRT_SYNTAX_LLVM, "r1 = -0x1 ll", {0xffffffff00000118ull, 0xffffffff00000000ull}, 2},
	{BPFRT_SYNTAX_LLVM, "ld_pseudo r1, 0x2, 0x5", {0x0000000500002118ull, 0}, 2},
	{BPFRT_SYNTAX_LLVM, "if r1 & -0x5 goto +0x3 <.text+0x2a0>", {0xfffffffb00030145ull}, 1},
	{BPFRT_SYNTAX_LLVM, "if w1 s<= w2 goto -0x3 <.text+0x398>", {0x00000000fffd21deull}, 1},
	{BPFRT_SYNTAX_LLVM, "goto -0x3 <.text+0x230>", {0x00000000fffd0005ull}, 1},
	{BPFRT_SYNTAX_LLVM, "gotol -0x3 <.text+0x238>", {0xfffffffd00000006ull}, 1},
	{BPFRT_SYNTAX_LLVM, "call 0x5", {0x0000000500000085ull}, 1},
	{BPFRT_SYNTAX_LLVM, "callx r2", {0x000000000000028dull}, 1},
	{BPFRT_SYNTAX_LLVM, "r0 = *(u16 *)skb[0xc]", {0x0000000c00000028ull}, 1},
	{BPFRT_SYNTAX_LLVM, "w2 = atomic_fetch_add((u32 *)(r1 + 0x4), w2)", {0x00000001000421c3ull}, 1},
	{BPFRT_SYNTAX_LLVM, "lock *(u32 *)(r1 + 0x4) |= w2", {0x00000040000421c3ull}, 1},
	{BPFRT_SYNTAX_LLVM, "r2 = atomic_fetch_xor((u64 *)(r1 + 0x4), r2)", {0x000000a1000421dbull}, 1},
	{BPFRT_SYNTAX_LLVM, "w2 = xchg32_32(r1 + 0x4, w2)", {0x000000e1000421c3ull}, 1},
	{BPFRT_SYNTAX_LLVM, "r2 = xchg_64(r1 + 0x4, r2)", {0x000000e1000421dbull}, 1},
	{BPFRT_SYNTAX_LLVM, "r0 = cmpxchg_64(r1 + 0x4, r0, r2)", {0x000000f1000421dbull}, 1},
	{BPFRT_SYNTAX_LLVM, "w0 = cmpxchg32_32(r1 + 0x4, w0, w2)", {0x000000f1000421c3ull}, 1},
	{BPFRT_SYNTAX_LLVM, "exit", {0x0000000000000095ull}, 1},
	/* The kernel verifier log's spellings. */
	{BPFRT_SYNTAX_LLVM, "0: (b7) r0 = 1", {0x00000001000000b7ull}, 1},
	{BPFRT_SYNTAX_LLVM, "1: (85) call bpf_ktime_get_ns#5", {0x0000000500000085ull}, 1},
	{BPFRT_SYNTAX_LLVM, "call pc+2", {0x0000000200001085ull}, 1},
	{BPFRT_SYNTAX_LLVM, "goto pc-1", {0x00000000ffff0005ull}, 1},
	{BPFRT_SYNTAX_LLVM, "if r1 > 0x5 goto pc+3", {0x0000000500030125ull}, 1},
	{BPFRT_SYNTAX_LLVM, "*(u32 *)(r10 -8) = 5", {0x00000005fff80a62ull}, 1},
	{BPFRT_SYNTAX_LLVM, "r0 = *(u8 *)skb[12]", {0x0000000c00000030ull}, 1},
	{BPFRT_SYNTAX_LLVM, "r0 = *(u16 *)skb[r1 + 4]", {0x0000000400001048ull}, 1},
	{BPFRT_SYNTAX_LLVM, "r1 = 0x1122334455667788", {0x5566778800000118ull, 0x1122334400000000ull}, 2},
	{BPFRT_SYNTAX_LLVM, "r2 = atomic64_fetch_add((u64 *)(r1 +4), r2)", {0x00000001000421dbull}, 1},
	{BPFRT_SYNTAX_LLVM, "r0 = atomic64_cmpxchg((u64 *)(r1 +4), r0, r2)", {0x000000f1000421dbull}, 1},
	{BPFRT_SYNTAX_LLVM, "r2 = atomic64_xchg((u64 *)(r1 +4), r2)", {0x000000e1000421dbull}, 1},
	/* llvm-objdump listing lines, with index and bytes. */
	{BPFRT_SYNTAX_AUTO, "       0:\tb7 00 00 00 01 00 00 00\tr0 = 0x1", {0x00000001000000b7ull}, 1},
	/* The bytes win where llvm's text is lossy: this is a local call. */
	{BPFRT_SYNTAX_AUTO, "       3:\t85 10 00 00 06 00 00 00\tcall 0x6", {0x0000000600001085ull}, 1},
	{BPFRT_SYNTAX_AUTO, "     146:\tc3 21 04 00 00 00 00 00\t<unknown>", {0x00000000000421c3ull}, 1},
	{BPFRT_SYNTAX_AUTO, "  0: mov %r0, 1 # comment", {0x00000001000000b7ull}, 1},
	{BPFRT_SYNTAX_AUTO, "r0 = 1 ; comment", {0x00000001000000b7ull}, 1},
};

static void test_encodings(void)
{
	for (size_t i = 0; i < sizeof(encodings) / sizeof(encodings[0]); i++) {
		const struct encoding *e = &encodings[i];
		struct bpf_insn *out = assemble(e->text, e->syntax, e->cnt);
		if (!out)
			continue;
		for (uint32_t s = 0; s < e->cnt; s++) {
			uint64_t v;
			memcpy(&v, &out[s], 8);
			CHECK(v == e->slot[s], "'%s' slot %u: 0x%016llx, want 0x%016llx", e->text, s,
			      (unsigned long long)v, (unsigned long long)e->slot[s]);
		}
		free(out);
	}
}

/* A whole program with labels, the conformance suite's style. */
static const char conformance_prog[] =
	"# prime.data, abridged\n"
	"mov %r1, 67\n"
	"mov %r0, 0x1\n"
	"mov %r2, 0x2\n"
	"jgt %r1, 0x2, L3\n"
	"L1:\n"
	"ja exit\n"
	"L2:\n"
	"add %r2, 0x1\n"
	"mov %r0, 0x1\n"
	"jge %r2, %r1, exit\n"
	"L3:\n"
	"mov %r3, %r1\n"
	"lddw %r5, 0x100000000\n"
	"call local fn\n"
	"jne %r4, 0x0, L2\n"
	"exit\n"
	"fn:\n"
	"ja32 L1\n";

static char *listing(const struct bpf_insn *insns, uint32_t cnt, enum bpfrt_syntax syntax,
		     uint32_t flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err = bpfrt_disasm(insns, cnt, syntax, flags, f);
	fclose(f);
	CHECK(err == 0, "bpfrt_disasm: %d", err);
	return buf;
}

static void test_program_round_trip(void)
{
	struct bpf_insn *p = assemble(conformance_prog, BPFRT_SYNTAX_CONFORMANCE, 15);
	if (!p)
		return;
	CHECK(p[3].off == 4, "jgt to L3: off %d", p[3].off);
	CHECK(p[4].off == 8, "ja exit goes to the first exit: off %d", p[4].off);
	CHECK(p[11].imm == 2 && p[11].src_reg == 1, "call local fn: imm %d", p[11].imm);
	CHECK(p[14].imm == -11, "ja32 L1: imm %d", p[14].imm);
	struct bpfrt_diag diag;
	CHECK(bpfrt_insns_check(p, 15, &diag) == 0, "check: %s", diag.msg);
	static const uint32_t flag_sets[] = {0, BPFRT_DISASM_LABELS,
					     BPFRT_DISASM_LABELS | BPFRT_DISASM_INDEX,
					     BPFRT_DISASM_INDEX | BPFRT_DISASM_OPCODES};
	for (int s = BPFRT_SYNTAX_LLVM; s <= BPFRT_SYNTAX_CONFORMANCE; s++) {
		for (size_t k = 0; k < sizeof(flag_sets) / sizeof(flag_sets[0]); k++) {
			char *text = listing(p, 15, (enum bpfrt_syntax)s, flag_sets[k]);
			struct bpf_insn *q = assemble(text, (enum bpfrt_syntax)s, 15);
			CHECK(q && same_insns(p, q, 15), "%s listing (flags %u) re-assembles differently:\n%s",
			      syntax_name[s], flag_sets[k], text);
			if (q) {
				char *again = listing(q, 15, (enum bpfrt_syntax)s, flag_sets[k]);
				CHECK(!strcmp(text, again), "listing is not stable:\n%s\n%s", text, again);
				free(again);
			}
			free(q);
			free(text);
		}
	}
	free(p);
}

struct bad {
	enum bpfrt_syntax syntax;
	const char *text;
	int line;
	const char *msg; /* a substring of the message */
};

static const struct bad bad_inputs[] = {
	{BPFRT_SYNTAX_CONFORMANCE, "mov %r0, 1\nadd %r0, %r11\nexit\n", 2, "invalid register"},
	{BPFRT_SYNTAX_CONFORMANCE, "or %r0, %r50\nexit\n", 1, "invalid register"},
	{BPFRT_SYNTAX_CONFORMANCE, "mov %r0, 1\n\nldxq %r0, %r1\nexit\n", 3, "unknown mnemonic"},
	{BPFRT_SYNTAX_CONFORMANCE, "lddw %r0\nexit\n", 1, "number of operands"},
	{BPFRT_SYNTAX_CONFORMANCE, "add %r1,\nexit\n", 1, "missing operand"},
	{BPFRT_SYNTAX_CONFORMANCE, "lock\nexit\n", 1, "number of operands for lock"},
	{BPFRT_SYNTAX_CONFORMANCE, "lock or [%r10-8]\nexit\n", 1, "number of operands"},
	{BPFRT_SYNTAX_CONFORMANCE, "exit\nmov32 %r0, 2147483648\n", 2, "out of range"},
	{BPFRT_SYNTAX_CONFORMANCE, "mov32 %r0, 0x100000000\nexit\n", 1, "out of range"},
	{BPFRT_SYNTAX_CONFORMANCE, "ldxb %r0, [%r1+0x10000]\nexit\n", 1, "out of range"},
	{BPFRT_SYNTAX_CONFORMANCE, "ldxb %r0, %r1\nexit\n", 1, "memory operand"},
	{BPFRT_SYNTAX_CONFORMANCE, "mov %r0, 0\nja NOT_A_LABEL\nexit\n", 2, "undefined label"},
	{BPFRT_SYNTAX_CONFORMANCE, "a:\nmov %r0, 0\na:\nexit\n", 3, "defined twice"},
	{BPFRT_SYNTAX_CONFORMANCE, "jeq %r1, 5, +40000\nexit\n", 1, "out of range"},
	{BPFRT_SYNTAX_CONFORMANCE, "mov %r0, 1 2\nexit\n", 1, "unexpected"},
	{BPFRT_SYNTAX_CONFORMANCE, "# nothing\n\n", 0, "no instructions"},
	{BPFRT_SYNTAX_LLVM, "r0 = 1\nr11 = 1\n", 2, "invalid register"},
	{BPFRT_SYNTAX_LLVM, "r0 = 1\nfoo r1\n", 2, "unknown instruction"},
	{BPFRT_SYNTAX_LLVM, "r1 +=\nexit\n", 1, "missing operand"},
	{BPFRT_SYNTAX_LLVM, "exit\nw1 = 0x100000000\n", 2, "out of range"},
	{BPFRT_SYNTAX_LLVM, "goto nowhere\nexit\n", 1, "undefined label"},
	{BPFRT_SYNTAX_LLVM, "r0 = -r1\nexit\n", 1, "same"},
	{BPFRT_SYNTAX_LLVM, "r0 = *(u32 *)(r1 + 0x8000)\nexit\n", 1, "out of range"},
	{BPFRT_SYNTAX_LLVM, "mov %r0, 1\n", 1, "unknown instruction"},
	{BPFRT_SYNTAX_AUTO, "r0 = 1\nmov %r12, 1\n", 2, "invalid register"},
	{BPFRT_SYNTAX_AUTO, "r0 = 1\nr1 += r12\n", 2, "invalid register"},
	{BPFRT_SYNTAX_AUTO, "exit\n       0:\tb7 00 00 00 01 00 00 00\tr0 = 0x1\n...\n", 3, "-z"},
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		const struct bad *b = &bad_inputs[i];
		struct bpf_insn *insns = NULL;
		uint32_t cnt = 0;
		struct bpfrt_diag diag;
		int err = bpfrt_asm(b->text, b->syntax, &insns, &cnt, &diag);
		CHECK(err == -EINVAL, "'%s' assembled (%d)", b->text, err);
		if (err != -EINVAL) {
			free(insns);
			continue;
		}
		CHECK(diag.line == b->line, "'%s': line %d, want %d (%s)", b->text, diag.line, b->line,
		      diag.msg);
		CHECK(strstr(diag.msg, b->msg) != NULL, "'%s': message '%s' lacks '%s'", b->text,
		      diag.msg, b->msg);
	}
}

static void test_invalid_insns(void)
{
	char buf[128];
	struct bpf_insn bad = {.code = 0xff};
	CHECK(bpfrt_disasm_insn(&bad, 1, 0, BPFRT_SYNTAX_LLVM, buf, sizeof(buf)) == -EINVAL, "0xff");
	CHECK(strstr(buf, "invalid opcode 0xff") != NULL, "message: %s", buf);
	struct bpf_insn reserved = {.code = 0x07, .src_reg = 1}; /* add K with src set */
	CHECK(bpfrt_disasm_insn(&reserved, 1, 0, BPFRT_SYNTAX_LLVM, buf, sizeof(buf)) == -EINVAL,
	      "reserved src: %s", buf);
	struct bpf_insn lddw = {.code = 0x18};
	CHECK(bpfrt_disasm_insn(&lddw, 1, 0, BPFRT_SYNTAX_LLVM, buf, sizeof(buf)) == -EINVAL,
	      "half an lddw: %s", buf);
	struct bpf_insn ok = {.code = 0x95};
	CHECK(bpfrt_disasm_insn(&ok, 1, 0, BPFRT_SYNTAX_LLVM, buf, 3) == 1 && !strcmp(buf, "ex"),
	      "truncated output: '%s'", buf);
	CHECK(bpfrt_disasm_insn(&ok, 1, 1, BPFRT_SYNTAX_LLVM, buf, sizeof(buf)) == -EINVAL, "idx");
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Random instructions: whatever disassembles must re-assemble identically. */
static void test_random_insns(void)
{
	int printed = 0;
	for (int i = 0; i < 200000; i++) {
		struct bpf_insn in[2];
		uint64_t v = rnd();
		memcpy(&in[0], &v, 8);
		memset(&in[1], 0, 8);
		in[1].imm = (int32_t)rnd();
		const struct bpfrt_opcode_info *row = &bpfrt_opcodes[rnd() % BPFRT_OP_COUNT];
		in[0].code = row->code;
		/* Clear some fields so valid encodings are common. */
		uint64_t mask = rnd();
		if (mask & 1)
			in[0].src_reg = row->disc == BPFRT_D_SRC ? (uint8_t)row->disc_value : 0;
		if (mask & 2)
			in[0].off = row->disc == BPFRT_D_OFF ? (int16_t)row->disc_value : 0;
		if (mask & 4)
			in[0].imm = row->disc == BPFRT_D_IMM ? row->disc_value : 0;
		if (mask & 8)
			in[0].dst_reg &= 7;
		if (mask & 16)
			in[0].src_reg &= 7;
		for (int s = BPFRT_SYNTAX_LLVM; s <= BPFRT_SYNTAX_CONFORMANCE; s++) {
			char text[256];
			int n = bpfrt_disasm_insn(in, 2, 0, (enum bpfrt_syntax)s, text, sizeof(text));
			if (n < 0)
				continue;
			printed++;
			struct bpf_insn *out = NULL;
			uint32_t cnt = 0;
			struct bpfrt_diag diag;
			int err = bpfrt_asm(text, (enum bpfrt_syntax)s, &out, &cnt, &diag);
			CHECK(!err && cnt == (uint32_t)n && same_insns(in, out, cnt),
			      "random insn '%s' (%s) does not round trip: %s", text, syntax_name[s],
			      err ? diag.msg : "different bytes");
			free(out);
		}
	}
	CHECK(printed > 10000, "only %d random instructions were valid", printed);
}

/* Mangled text: truncations and byte flips of valid programs never crash. */
static void test_random_text(void)
{
	static const char *const seeds[] = {
		conformance_prog,
		"r0 = *(u32 *)(r1 + 0x4)\nif w0 s< 0x6 goto +0x3 <prog+0x28>\nr2 = 0x0 ll\n"
		"w0 = cmpxchg32_32(r1 + 0x4, w0, w2)\ncall pc+2\nr0 = *(u16 *)skb[r1 + 4]\nexit\n",
		"       0:\tb7 00 00 00 01 00 00 00\tr0 = 0x1\n0000000000000050 <f>:\n0: (b7) r0 = 1\n",
	};
	static const char junk[] = "%r[]+-,:#;<>()*=0x9fwr \t\nlockcall";
	char buf[1024];
	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		size_t len = strlen(seeds[s]);
		for (int i = 0; i < 20000; i++) {
			memcpy(buf, seeds[s], len + 1);
			size_t cut = rnd() % (len + 1);
			buf[cut] = 0;
			for (int k = 0; k < 3 && cut; k++)
				buf[rnd() % cut] = junk[rnd() % (sizeof(junk) - 1)];
			struct bpf_insn *out = NULL;
			uint32_t cnt = 0;
			struct bpfrt_diag diag;
			int err = bpfrt_asm(buf, (enum bpfrt_syntax)(i % 3), &out, &cnt, &diag);
			CHECK(err || (out && cnt), "success without instructions");
			CHECK(!err || diag.msg[0], "error without a message for '%s'", buf);
			free(out);
		}
	}
}

int main(void)
{
	test_every_row();
	test_encodings();
	test_program_round_trip();
	test_errors();
	test_invalid_insns();
	test_random_insns();
	test_random_text();
	return CHECK_DONE();
}

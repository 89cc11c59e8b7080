/* test_check.c — every kind of malformed bytecode is rejected by
 * bpfrt_insns_check() (and so by bpfrt_vm_prog_new) with the instruction
 * index and a reason that says what is wrong. */
#include "bpfrt/bpfrt.h"
#include "check.h"

#include <errno.h>
#include <string.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)

struct bad_case {
	const char *what;
	struct bpf_insn insns[4];
	uint32_t cnt;
	int32_t insn;       /* expected index in the diagnostic */
	const char *needle; /* expected in the message */
};

static const struct bad_case bad[] = {
	{"unknown opcode", {INSN(0xff, 0, 0, 0, 0), EXIT}, 2, 0, "unknown opcode 0xff"},
	{"unknown opcode 0x8c (neg with X)", {INSN(0x8c, 0, 0, 0, 0), EXIT}, 2, 0, "unknown opcode 0x8c"},
	{"ALU K with src set", {MOV64_IMM(0, 1), INSN(BPF_ALU64 | BPF_ADD | BPF_K, 0, 3, 0, 1), EXIT}, 3, 1, "src_reg"},
	{"ALU X with imm set", {INSN(BPF_ALU64 | BPF_ADD | BPF_X, 0, 1, 0, 7), EXIT}, 2, 0, "imm"},
	{"ALU with offset set", {INSN(BPF_ALU | BPF_ADD | BPF_K, 0, 0, 2, 1), EXIT}, 2, 0, "offset"},
	{"sdiv with bad offset", {INSN(BPF_ALU64 | BPF_DIV | BPF_K, 0, 0, 2, 1), EXIT}, 2, 0, "unknown opcode"},
	{"movsx with bad width", {INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 24, 0), EXIT}, 2, 0, "unknown opcode"},
	{"byte swap with bad width", {INSN(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 24), EXIT}, 2, 0, "unknown opcode"},
	{"exit with dst set", {INSN(BPF_JMP | BPF_EXIT, 1, 0, 0, 0)}, 1, 0, "dst_reg"},
	{"exit with imm set", {INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 1)}, 1, 0, "imm"},
	{"ja with imm set", {INSN(BPF_JMP | BPF_JA, 0, 0, 0, 1), EXIT}, 2, 0, "imm"},
	{"call with dst set", {INSN(BPF_JMP | BPF_CALL, 1, 0, 0, 5), EXIT}, 2, 0, "dst_reg"},
	{"call with offset set", {INSN(BPF_JMP | BPF_CALL, 0, 0, 1, 5), EXIT}, 2, 0, "offset"},
	{"ldxw with imm set", {INSN(BPF_LDX | BPF_MEM | BPF_W, 0, 10, -8, 1), EXIT}, 2, 0, "imm"},
	{"stw with src set", {INSN(BPF_ST | BPF_MEM | BPF_W, 10, 1, -8, 1), EXIT}, 2, 0, "src_reg"},
	{"register r11", {INSN(BPF_ALU64 | BPF_MOV | BPF_X, 11, 0, 0, 0), EXIT}, 2, 0, "invalid register r11"},
	{"source register r12", {INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 12, 0, 0), EXIT}, 2, 0, "invalid register r12"},
	{"write to r10", {MOV64_IMM(10, 0), EXIT}, 2, 0, "frame pointer"},
	{"jump out of the program", {INSN(BPF_JMP | BPF_JA, 0, 0, 5, 0), EXIT}, 2, 0, "outside the program"},
	{"jump backwards out", {INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, -3, 0), EXIT}, 2, 0, "outside the program"},
	{"gotol out of the program", {INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, 9), EXIT}, 2, 0, "outside the program"},
	{"call local out of the program", {INSN(BPF_JMP | BPF_CALL, 0, 1, 0, 40), EXIT}, 2, 0, "call target"},
	{"jump into the middle of lddw",
	 {INSN(BPF_JMP | BPF_JA, 0, 0, 1, 0), INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 1), INSN(0, 0, 0, 0, 0), EXIT},
	 4, 0, "second slot of the lddw at 1"},
	{"lddw as the last slot", {MOV64_IMM(0, 0), EXIT, INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 1)}, 3, 2, "second half is missing"},
	{"lddw second slot with opcode", {INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 1), EXIT, EXIT}, 3, 1, "malformed lddw"},
	{"lddw second slot with registers", {INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 1), INSN(0, 1, 0, 0, 0), EXIT}, 3, 1, "malformed lddw"},
	{"lddw unknown pseudo kind", {INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 9, 0, 1), INSN(0, 0, 0, 0, 0), EXIT}, 3, 0, "unknown src_reg 9"},
	{"falls off the end", {MOV64_IMM(0, 0)}, 1, 0, "run off the end"},
	{"LD_ABS with dst set", {INSN(BPF_LD | BPF_ABS | BPF_W, 1, 0, 0, 0), EXIT}, 2, 0, "dst_reg"},
	{"LD_ABS doubleword", {INSN(BPF_LD | BPF_ABS | BPF_DW, 0, 0, 0, 0), EXIT}, 2, 0, "unknown opcode 0x38"},
	{"atomic with unknown op", {INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 1, -8, 0x02), EXIT}, 2, 0, "unknown opcode"},
	{"atomic on a byte", {INSN(BPF_STX | BPF_ATOMIC | BPF_B, 10, 1, -8, 0), EXIT}, 2, 0, "unknown opcode 0xd3"},
};

static void test_bad_cases(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad_case *c = &bad[i];
		struct bpfrt_diag diag = {0};
		int err = bpfrt_insns_check(c->insns, c->cnt, &diag);
		CHECK(err == -EINVAL, "%s: expected -EINVAL, got %d", c->what, err);
		CHECK(diag.insn == c->insn, "%s: expected insn %d, got %d (%s)", c->what, c->insn,
		      diag.insn, diag.msg);
		CHECK(strstr(diag.msg, c->needle), "%s: message '%s' lacks '%s'", c->what, diag.msg,
		      c->needle);
	}
}

static void test_empty(void)
{
	struct bpfrt_diag diag;
	CHECK(bpfrt_insns_check(NULL, 0, &diag) == -EINVAL, "empty program accepted");
	CHECK(strstr(diag.msg, "empty"), "message: %s", diag.msg);
}

static void test_good(void)
{
	const struct bpf_insn ok[] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 1), INSN(0, 0, 0, 0, 2),
		INSN(BPF_ALU64 | BPF_DIV | BPF_K, 0, 0, 1, 3), /* sdiv */
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 0, 16, 0), /* movsx */
		INSN(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, -5, 0),   /* back to lddw start */
		EXIT,
	};
	struct bpfrt_diag diag = {0};
	CHECK(bpfrt_insns_check(ok, 6, &diag) == 0, "valid program rejected: %s", diag.msg);
}

/* The loader-level rejections of bpfrt_vm_prog_new on top of the checker. */
static void test_prog_new_rejects(void)
{
	struct bpfrt *rt = bpfrt_new(NULL);
	struct bpfrt_vm_prog *p = NULL;
	struct bpfrt_diag diag = {0};
	const struct bpf_insn unknown_helper[] = {INSN(BPF_JMP | BPF_CALL, 0, 0, 0, 999), EXIT};
	CHECK(bpfrt_vm_prog_new(rt, unknown_helper, 2, NULL, &p, &diag) == -EINVAL && !p, "unknown helper accepted");
	CHECK(diag.insn == 0 && strstr(diag.msg, "unknown helper 999"), "diag: %d %s", diag.insn, diag.msg);
	const struct bpf_insn map_ref[] = {INSN(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, 3), INSN(0, 0, 0, 0, 0), EXIT};
	CHECK(bpfrt_vm_prog_new(rt, map_ref, 3, NULL, &p, &diag) == -EINVAL, "unresolved map fd accepted");
	CHECK(strstr(diag.msg, "resolved by the loader"), "diag: %s", diag.msg);
	const struct bpf_insn kfunc[] = {INSN(BPF_JMP | BPF_CALL, 0, 2, 0, 77), EXIT};
	CHECK(bpfrt_vm_prog_new(rt, kfunc, 2, NULL, &p, &diag) == -EINVAL, "kfunc accepted");
	CHECK(strstr(diag.msg, "kfunc"), "diag: %s", diag.msg);
	bpfrt_free(rt);
}

/* Allocation failure injection: every allocation of prog_new may fail,
 * and each failure is clean (no crash; ASan reports leaks). */
static void test_alloc_failures(void)
{
	const struct bpf_insn prog[] = {MOV64_IMM(0, 1), EXIT};
	for (uint64_t n = 1; n <= 4; n++) {
		struct bpfrt_opts o = {.sz = sizeof(o), .fail_alloc_nth = n};
		struct bpfrt *rt = bpfrt_new(&o);
		CHECK(rt, "bpfrt_new failed");
		struct bpfrt_vm_prog *p = NULL;
		int err = bpfrt_vm_prog_new(rt, prog, 2, NULL, &p, NULL);
		CHECK(err == 0 || (err == -ENOMEM && !p), "alloc failure %llu: err %d", (unsigned long long)n, err);
		bpfrt_vm_prog_free(p);
		bpfrt_free(rt);
	}
}

int main(void)
{
	test_bad_cases();
	test_empty();
	test_good();
	test_prog_new_rejects();
	test_alloc_failures();
	return CHECK_DONE();
}

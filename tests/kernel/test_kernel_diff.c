/* test_kernel_diff.c — differential test of bpfrt's interpreter against the host kernel.
 * Seeded random programs the verifier accepts (ALU rows of the opcode table, lddw edge values,
 * stack ld/st/atomics, forward branches, goto/gotol diamonds) run in the kernel (XDP,
 * BPF_PROG_TEST_RUN) and in bpfrt (fast and checked); r0-r9 and the stack slots must agree.
 * Env: BPFRT_DIFF_SEED (unset: a fixed seed; "random": a new one, printed with the command that
 * replays it), _COUNT, _SHOW, _KERNEL_BUGS (see emit_misc_guard, zext_guard); BPFRT_ENGINE=jit
 * runs the JIT as the fast engine (kernel.diff_jit).
 * Exits 77 (CTest skip) when bpf() is unavailable. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/asm.h"
#include "bpfrt/bpfrt.h"
#include "jit/jit.h"

/* ---- Program layout ----------------------------------------------------
 * slot 0 (prefix):  *(u64 *)(r10 - 8) = r1        (ctx, for the epilogue)
 * body:             the generated instructions; they touch the stack only in
 *                   NSLOTS 8-byte slots at r10 - 40 - 8k and never read r10
 *                   as a value, so the body means the same on both sides
 * epilogue:         writes r0..r9 and the slots to an output buffer (the XDP
 *                   packet in the kernel, the ctx buffer in bpfrt); r10-16..-32
 *                   are the epilogue's own spill slots. */
#define NSLOTS 8
#define SLOT_OFF(k) (-40 - 8 * (k))
#define STATE_WORDS (10 + NSLOTS)
#define STATE_BYTES (8 * STATE_WORDS)
#define PKT_BYTES 256
#define MAX_SLOTS 512
#define XDP_PASS_CODE 2

struct prog {
	struct bpf_insn insn[MAX_SLOTS];
	uint32_t n;
	uint32_t prologue; /* body: slots that initialise registers and stack */
};

static struct bpf_insn mk(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	return (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

static uint32_t emit(struct prog *p, struct bpf_insn in)
{
	if (p->n < MAX_SLOTS)
		p->insn[p->n] = in;
	return p->n++;
}

static void emit_lddw(struct prog *p, uint8_t dst, uint64_t v)
{
	emit(p, mk(BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, (int32_t)(uint32_t)v));
	emit(p, mk(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32)));
}

static void emit_ldx(struct prog *p, uint8_t size, uint8_t dst, uint8_t src, int16_t off)
{
	emit(p, mk(BPF_LDX | size | BPF_MEM, dst, src, off, 0));
}

static void emit_stx(struct prog *p, uint8_t size, uint8_t dst, uint8_t src, int16_t off)
{
	emit(p, mk(BPF_STX | size | BPF_MEM, dst, src, off, 0));
}

static bool is_lddw(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_DW | BPF_IMM);
}

/* ---- Random numbers (splitmix64: every program has its own seed) ------- */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)(rnd(r) % n);
}

static const uint64_t edge64[] = {
	0, 1, 2, UINT64_MAX, UINT64_MAX - 1, 0xffffffff80000000ull, 0x7fffffff, 0x80000000,
	0xffffffff, 0x100000000ull, 1ull << 63, INT64_MAX, 0x7f, 0x80, 0xff, 0x7fff, 0x8000,
	0xffff, 31, 32, 63, 64, 0xffffffff00000000ull, 0x8000000000000001ull,
};
static const int32_t edge32[] = {
	0, 1, 2, -1, -2, INT32_MIN, INT32_MAX, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 31, 32, 63, 64,
};

static int32_t rand_imm(struct rng *r)
{
	switch (below(r, 3)) {
	case 0:
		return edge32[below(r, sizeof(edge32) / sizeof(edge32[0]))];
	case 1:
		return (int32_t)below(r, 33) - 16;
	default:
		return (int32_t)(uint32_t)rnd(r);
	}
}

static uint64_t rand_u64(struct rng *r)
{
	switch (below(r, 4)) {
	case 0:
		return edge64[below(r, sizeof(edge64) / sizeof(edge64[0]))];
	case 1:
		return (uint64_t)(int64_t)rand_imm(r);
	default:
		return rnd(r);
	}
}

static uint8_t rand_reg(struct rng *r)
{
	return (uint8_t)below(r, 10);
}

/* A naturally aligned offset of `size` bytes inside a random body slot. */
static int16_t rand_stack_off(struct rng *r, uint32_t size)
{
	return (int16_t)(SLOT_OFF(below(r, NSLOTS)) + (int)(below(r, 8 / size) * size));
}

/* ---- Opcode-table rows the generator may use --------------------------- */

enum row_kind { K_ALU, K_JMP, K_LDX, K_ST, K_STX, K_ATOMIC, K_COUNT };

struct row_pool {
	uint16_t op[K_COUNT][BPFRT_OP_COUNT];
	uint32_t n[K_COUNT];
	uint16_t ja, ja32;
};

static int row_kind(const struct bpfrt_opcode_info *o)
{
	switch (o->form) {
	case BPFRT_F_ALU_K: case BPFRT_F_ALU_X: case BPFRT_F_NEG: case BPFRT_F_END:
	case BPFRT_F_MOVSX:
		return K_ALU;
	case BPFRT_F_JMP_K: case BPFRT_F_JMP_X:
		return K_JMP;
	case BPFRT_F_LDX:
		return K_LDX;
	case BPFRT_F_ST:
		return K_ST;
	case BPFRT_F_STX:
		return K_STX;
	case BPFRT_F_ATOMIC:
		return K_ATOMIC;
	default:
		return -1;
	}
}

static void pool_init(struct row_pool *pool, int max_version)
{
	memset(pool, 0, sizeof(*pool));
	for (uint32_t i = 0; i < BPFRT_OP_COUNT; i++) {
		const struct bpfrt_opcode_info *o = &bpfrt_opcodes[i];
		int k = row_kind(o);
		if (o->version > max_version)
			continue;
		if (o->form == BPFRT_F_JA)
			pool->ja = (uint16_t)i;
		else if (o->form == BPFRT_F_JA32)
			pool->ja32 = (uint16_t)i;
		else if (k >= 0)
			pool->op[k][pool->n[k]++] = (uint16_t)i;
	}
	if (max_version < 4)
		pool->ja32 = pool->ja;
}

/* An instruction of row `op` with its discriminating field filled in. */
static struct bpf_insn from_row(uint16_t op)
{
	const struct bpfrt_opcode_info *o = &bpfrt_opcodes[op];
	struct bpf_insn in = mk(o->code, 0, 0, 0, 0);
	if (o->disc == BPFRT_D_OFF)
		in.off = (int16_t)o->disc_value;
	else if (o->disc == BPFRT_D_IMM)
		in.imm = o->disc_value;
	else if (o->disc == BPFRT_D_SRC)
		in.src_reg = (uint8_t)o->disc_value;
	return in;
}

static uint16_t pick(struct rng *r, const struct row_pool *pool, int kind)
{
	return pool->op[kind][below(r, pool->n[kind])];
}

/* ---- The generator ------------------------------------------------------ */

struct gen {
	struct rng r;
	const struct row_pool *pool;
	struct prog *p;
	bool avoid_kernel_bugs; /* see emit_misc_guard() */
};

static bool is_shift(uint8_t code)
{
	uint8_t op = BPF_OP(code);
	return op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH;
}

static bool is_divmod(uint8_t code)
{
	return BPF_OP(code) == BPF_DIV || BPF_OP(code) == BPF_MOD;
}

/* The verifier rejects constant shifts past the width and constant division by
 * zero; register operands are free (the kernel masks and patches those). */
static int32_t alu_imm(struct gen *g, uint8_t code)
{
	uint32_t width = BPF_CLASS(code) == BPF_ALU64 ? 64 : 32;
	int32_t imm = rand_imm(&g->r);
	if (is_shift(code))
		return (int32_t)((uint32_t)imm % width);
	if (is_divmod(code) && imm == 0)
		return 1 + (int32_t)below(&g->r, 7);
	return imm;
}

static void gen_alu(struct gen *g)
{
	uint16_t op = pick(&g->r, g->pool, K_ALU);
	const struct bpfrt_opcode_info *o = &bpfrt_opcodes[op];
	struct bpf_insn in = from_row(op);
	in.dst_reg = rand_reg(&g->r);
	if (o->form == BPFRT_F_ALU_K)
		in.imm = alu_imm(g, in.code);
	if (o->form == BPFRT_F_ALU_X || o->form == BPFRT_F_MOVSX)
		in.src_reg = rand_reg(&g->r);
	/* Half the register shifts get an in-range amount; the rest are masked. */
	if (o->form == BPFRT_F_ALU_X && is_shift(in.code) && below(&g->r, 2)) {
		bool is64 = BPF_CLASS(in.code) == BPF_ALU64;
		emit(g->p, mk(BPF_ALU64 | BPF_AND | BPF_K, in.src_reg, 0, 0, is64 ? 63 : 31));
	}
	emit(g->p, in);
}

static void gen_const(struct gen *g)
{
	uint8_t dst = rand_reg(&g->r);
	switch (below(&g->r, 3)) {
	case 0:
		emit_lddw(g->p, dst, rand_u64(&g->r));
		break;
	case 1:
		emit(g->p, mk(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, rand_imm(&g->r)));
		break;
	default:
		emit(g->p, mk(BPF_ALU | BPF_MOV | BPF_K, dst, 0, 0, rand_imm(&g->r)));
		break;
	}
}

/* Linux 6.18's precision backtracking treats an atomic fetch from the stack
 * as if it did not load (`regs=r6 stack= before: r6 = atomic64_fetch_or(
 * (u64 *)(r10 -64), r6)` keeps chasing the old r6, never the slot), so a
 * branch on the fetched value can be pruned as "safe" on a path where the
 * spilled scalar had other bounds and the branch is then hard-wired: the
 * kernel computes a wrong result.  A non-fetching atomic on the same bytes
 * first turns the slot into plain initialised memory (STACK_MISC), whose
 * fetch yields an unknown scalar and so cannot mislead the pruning. */
static void emit_misc_guard(struct gen *g, const struct bpf_insn *fetch)
{
	struct bpf_insn guard = *fetch;
	guard.imm = BPF_OR;
	guard.src_reg = rand_reg(&g->r);
	emit(g->p, guard);
}

/* x86's 32-bit `lock cmpxchg` leaves rax's upper half alone when it succeeds,
 * so the kernel zero-extends r0 explicitly after cmpxchg32 — but only where
 * its liveness says r0's upper half is read later, and Linux 6.18 loses that
 * mark when the read sits behind a pruned join: r0 keeps its old upper half.
 * A 64-bit read right after the cmpxchg keeps the mark on every path. */
static struct bpf_insn zext_guard(void)
{
	return mk(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_0, BPF_REG_0, 0, 0);
}

/* ldx/st/stx/atomic on r10 at an aligned offset inside the body slots. */
static void gen_mem(struct gen *g, int kind)
{
	uint16_t op = pick(&g->r, g->pool, kind);
	struct bpf_insn in = from_row(op);
	int16_t off = rand_stack_off(&g->r, bpfrt_opcodes[op].size);
	in.off = off;
	if (kind == K_LDX) {
		in.dst_reg = rand_reg(&g->r);
		in.src_reg = BPF_REG_10;
	} else if (kind == K_ATOMIC) {
		in.dst_reg = BPF_REG_10;
		in.src_reg = rand_reg(&g->r);
		if ((bpfrt_opcodes[op].flags & BPFRT_OPF_FETCH) && g->avoid_kernel_bugs)
			emit_misc_guard(g, &in);
		if (op == BPFRT_OP_ATOMIC32_CMPXCHG && g->avoid_kernel_bugs) {
			emit(g->p, in);
			emit(g->p, zext_guard());
			return;
		}
	} else {
		in.dst_reg = BPF_REG_10;
		if (kind == K_ST)
			in.imm = rand_imm(&g->r);
		else
			in.src_reg = rand_reg(&g->r);
	}
	emit(g->p, in);
}

static void gen_simple(struct gen *g)
{
	uint32_t x = below(&g->r, 100);
	if (x < 55)
		gen_alu(g);
	else if (x < 65)
		gen_const(g);
	else if (x < 75)
		gen_mem(g, K_LDX);
	else if (x < 80)
		gen_mem(g, K_ST);
	else if (x < 90)
		gen_mem(g, K_STX);
	else
		gen_mem(g, K_ATOMIC);
}

static uint32_t gen_cond(struct gen *g)
{
	uint16_t op = pick(&g->r, g->pool, K_JMP);
	struct bpf_insn in = from_row(op);
	in.dst_reg = rand_reg(&g->r);
	if (bpfrt_opcodes[op].form == BPFRT_F_JMP_K)
		in.imm = rand_imm(&g->r);
	else
		in.src_reg = rand_reg(&g->r);
	return emit(g->p, in);
}

/* Point the forward jump at slot j to the next slot to be emitted. */
static void patch_to_here(struct prog *p, uint32_t j)
{
	int32_t off = (int32_t)(p->n - j - 1);
	if (j >= MAX_SLOTS)
		return;
	if (BPF_CLASS(p->insn[j].code) == BPF_JMP32 && BPF_OP(p->insn[j].code) == BPF_JA)
		p->insn[j].imm = off;
	else
		p->insn[j].off = (int16_t)off;
}

static void gen_block(struct gen *g, int depth, int budget);

/* if (cond) skip A  —  or  —  if (cond) goto B; A; goto end; B: ... end: */
static void gen_branch(struct gen *g, int depth, int budget, bool diamond)
{
	uint32_t j = gen_cond(g);
	gen_block(g, depth + 1, (int)below(&g->r, (uint32_t)budget + 1));
	if (!diamond) {
		patch_to_here(g->p, j);
		return;
	}
	uint16_t ja = below(&g->r, 2) ? g->pool->ja : g->pool->ja32;
	uint32_t k = emit(g->p, from_row(ja));
	patch_to_here(g->p, j);
	gen_block(g, depth + 1, (int)below(&g->r, (uint32_t)budget + 1));
	patch_to_here(g->p, k);
}

static void gen_block(struct gen *g, int depth, int budget)
{
	while (budget-- > 0 && g->p->n < MAX_SLOTS - 64) {
		uint32_t x = below(&g->r, 100);
		if (depth < 3 && x < 7)
			gen_branch(g, depth, budget / 2, false);
		else if (depth < 3 && x < 11)
			gen_branch(g, depth, budget / 3, true);
		else
			gen_simple(g);
	}
}

/* Every register and body slot gets a value first: the verifier rejects
 * reads of uninitialised registers and stack on any path. */
static void gen_prologue(struct gen *g)
{
	for (uint8_t reg = 0; reg < 10; reg++) {
		if (below(&g->r, 2))
			emit_lddw(g->p, reg, rand_u64(&g->r));
		else
			emit(g->p, mk(BPF_ALU64 | BPF_MOV | BPF_K, reg, 0, 0, rand_imm(&g->r)));
	}
	for (int k = 0; k < NSLOTS; k++) {
		if (below(&g->r, 2))
			emit(g->p, mk(BPF_ST | BPF_DW | BPF_MEM, BPF_REG_10, 0, (int16_t)SLOT_OFF(k),
				      rand_imm(&g->r)));
		else
			emit_stx(g->p, BPF_DW, BPF_REG_10, rand_reg(&g->r), (int16_t)SLOT_OFF(k));
	}
}

static void gen_body(struct prog *body, const struct row_pool *pool, uint64_t seed,
		     bool avoid_kernel_bugs)
{
	struct gen g = {.r = {seed}, .pool = pool, .p = body, .avoid_kernel_bugs = avoid_kernel_bugs};
	body->n = 0;
	gen_prologue(&g);
	body->prologue = body->n;
	gen_block(&g, 0, 10 + (int)below(&g.r, 61));
}

/* ---- Whole programs: prefix + body + epilogue -------------------------- */

static void append(struct prog *dst, const struct prog *src)
{
	for (uint32_t i = 0; i < src->n; i++)
		emit(dst, src->insn[i]);
}

/* Store r(first)..r9 and then the body slots at base+8*first.., using
 * `scratch` (already saved) for the slots. */
static void emit_state_stores(struct prog *p, uint8_t base, uint8_t first, uint8_t scratch)
{
	for (uint8_t reg = first; reg < 10; reg++)
		emit_stx(p, BPF_DW, base, reg, (int16_t)(8 * reg));
	for (int k = 0; k < NSLOTS; k++) {
		emit_ldx(p, BPF_DW, scratch, BPF_REG_10, (int16_t)SLOT_OFF(k));
		emit_stx(p, BPF_DW, base, scratch, (int16_t)(8 * (10 + k)));
	}
}

/* Kernel: the state goes to the XDP packet at data+0 after a bounds check. */
static void build_kernel(struct prog *p, const struct prog *body)
{
	p->n = 0;
	emit_stx(p, BPF_DW, BPF_REG_10, BPF_REG_1, -8);
	append(p, body);
	emit_stx(p, BPF_DW, BPF_REG_10, BPF_REG_1, -16);
	emit_stx(p, BPF_DW, BPF_REG_10, BPF_REG_2, -24);
	emit_stx(p, BPF_DW, BPF_REG_10, BPF_REG_3, -32);
	emit_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_10, -8);
	emit_ldx(p, BPF_W, BPF_REG_2, BPF_REG_1, 0); /* xdp_md.data */
	emit_ldx(p, BPF_W, BPF_REG_3, BPF_REG_1, 4); /* xdp_md.data_end */
	emit(p, mk(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_2, 0, 0));
	emit(p, mk(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, STATE_BYTES));
	uint32_t j = emit(p, mk(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0));
	emit_stx(p, BPF_DW, BPF_REG_2, BPF_REG_0, 0);
	for (uint8_t reg = 1; reg <= 3; reg++) {
		emit_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_10, (int16_t)(-8 - 8 * reg));
		emit_stx(p, BPF_DW, BPF_REG_2, BPF_REG_1, (int16_t)(8 * reg));
	}
	emit_state_stores(p, BPF_REG_2, 4, BPF_REG_1);
	patch_to_here(p, j);
	emit(p, mk(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_PASS_CODE));
	emit(p, mk(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

/* bpfrt: ctx (r1 at entry, saved at r10-8) is the state buffer itself; the
 * program returns the body's r0. */
static void build_bpfrt(struct prog *p, const struct prog *body)
{
	p->n = 0;
	emit_stx(p, BPF_DW, BPF_REG_10, BPF_REG_1, -8);
	append(p, body);
	emit_stx(p, BPF_DW, BPF_REG_10, BPF_REG_1, -16);
	emit_ldx(p, BPF_DW, BPF_REG_1, BPF_REG_10, -8);
	emit_stx(p, BPF_DW, BPF_REG_1, BPF_REG_0, 0);
	emit_state_stores(p, BPF_REG_1, 2, BPF_REG_2);
	emit_ldx(p, BPF_DW, BPF_REG_2, BPF_REG_10, -16);
	emit_stx(p, BPF_DW, BPF_REG_1, BPF_REG_2, 8);
	emit(p, mk(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

/* ---- The kernel side ------------------------------------------------------ */

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* Returns a prog fd, or -errno with the verifier log in log (if given). */
static int kernel_load(const struct prog *p, char *log, size_t log_size)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uint64_t)(uintptr_t)p->insn;
	a.insn_cnt = p->n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	if (log) {
		log[0] = 0;
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = (uint32_t)log_size;
		a.log_level = 1;
	}
	long fd = sys_bpf(BPF_PROG_LOAD, &a);
	return fd < 0 ? -errno : (int)fd;
}

static int kernel_run(int fd, uint64_t *state, uint32_t *retval)
{
	uint8_t in[PKT_BYTES] = {0}, out[PKT_BYTES];
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)in;
	a.test.data_size_in = sizeof(in);
	a.test.data_out = (uint64_t)(uintptr_t)out;
	a.test.data_size_out = sizeof(out);
	a.test.repeat = 1;
	if (sys_bpf(BPF_PROG_TEST_RUN, &a) < 0)
		return -errno;
	memcpy(state, out, STATE_BYTES);
	*retval = a.test.retval;
	return 0;
}

/* Load and run p; the kernel's state in state.  -errno on failure. */
static int kernel_exec(const struct prog *p, uint64_t *state)
{
	uint32_t retval = 0;
	int fd = kernel_load(p, NULL, 0);
	if (fd < 0)
		return fd;
	int err = kernel_run(fd, state, &retval);
	close(fd);
	if (!err && retval != XDP_PASS_CODE)
		err = -EIO;
	return err;
}

/* ---- The bpfrt side --------------------------------------------------------- */

/* The "fast" engine: the interpreter, or the JIT with BPFRT_ENGINE=jit (no
 * instruction budget then: the kernel verified the program, so it ends). */
static uint32_t fast_flags;

/* Runs p with the state buffer as ctx; returns 0 or the error (diag filled). */
static int bpfrt_exec(struct bpfrt *rt, const struct prog *p, uint32_t flags, uint64_t *state,
		      uint64_t *r0, struct bpfrt_diag *diag)
{
	struct bpfrt_vm_prog *vp = NULL;
	int err = bpfrt_vm_prog_new(rt, p->insn, p->n, NULL, &vp, diag);
	if (err)
		return err;
	memset(state, 0, STATE_BYTES);
	struct bpfrt_run_opts o = {.sz = sizeof(o), .flags = flags, .ctx = state,
				   .ctx_size = STATE_BYTES, .insn_limit = 1u << 20};
	if (flags & BPFRT_RUN_JIT)
		o.insn_limit = 0;
	err = bpfrt_vm_run(vp, &o, r0, diag);
	const char *why = NULL;
	if (!err && (flags & BPFRT_RUN_JIT) && bpfrt_jit_status(vp, &why) != 1) {
		snprintf(diag->msg, sizeof(diag->msg), "not compiled by the JIT: %s", why ? why : "?");
		err = -ENOTSUP;
	}
	bpfrt_vm_prog_free(vp);
	return err;
}

/* ---- Comparing ---------------------------------------------------------------- */

struct outcome {
	int kerr;                 /* kernel load/run error, 0 if it ran */
	int ferr, cerr;           /* bpfrt fast / checked errors */
	uint64_t k[STATE_WORDS], f[STATE_WORDS], c[STATE_WORDS];
	uint64_t fr0, cr0;
	struct bpfrt_diag fdiag, cdiag;
};

static void run_both(struct bpfrt *rt, const struct prog *body, struct outcome *o)
{
	static struct prog kp, bp;
	memset(o, 0, sizeof(*o));
	build_kernel(&kp, body);
	build_bpfrt(&bp, body);
	o->kerr = kernel_exec(&kp, o->k);
	if (o->kerr)
		return;
	o->ferr = bpfrt_exec(rt, &bp, fast_flags, o->f, &o->fr0, &o->fdiag);
	o->cerr = bpfrt_exec(rt, &bp, BPFRT_RUN_CHECKED, o->c, &o->cr0, &o->cdiag);
}

static bool outcome_differs(const struct outcome *o)
{
	if (o->kerr)
		return false;
	if (o->ferr || o->cerr || o->fr0 != o->k[0] || o->cr0 != o->k[0])
		return true;
	return memcmp(o->k, o->f, STATE_BYTES) || memcmp(o->k, o->c, STATE_BYTES);
}

static void state_name(int w, char *buf, size_t len)
{
	if (w < 10)
		snprintf(buf, len, "r%d", w);
	else
		snprintf(buf, len, "*(u64 *)(r10 %d)", SLOT_OFF(w - 10));
}

static void print_outcome(const struct outcome *o)
{
	if (o->ferr)
		printf("  bpfrt fast failed: %d (%s)\n", o->ferr, o->fdiag.msg);
	if (o->cerr)
		printf("  bpfrt checked failed: %d (%s)\n", o->cerr, o->cdiag.msg);
	if (!o->ferr && o->fr0 != o->k[0])
		printf("  r0 returned by bpfrt fast: 0x%016" PRIx64 "\n", o->fr0);
	for (int w = 0; w < STATE_WORDS; w++) {
		if (o->k[w] == o->f[w] && o->k[w] == o->c[w])
			continue;
		char name[32];
		state_name(w, name, sizeof(name));
		printf("  %-18s kernel 0x%016" PRIx64 "  bpfrt fast 0x%016" PRIx64
		       "  checked 0x%016" PRIx64 "\n",
		       name, o->k[w], o->f[w], o->c[w]);
	}
}

/* ---- Shrinking a mismatch ---------------------------------------------------------
 * Replace instructions by `goto +0` while the mismatch stays, then drop the
 * no-ops, re-aiming every jump. */

static bool is_nop(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_JA) && in->off == 0;
}

static bool still_differs(struct bpfrt *rt, const struct prog *body)
{
	static struct outcome o;
	run_both(rt, body, &o);
	return outcome_differs(&o);
}

/* A guard from emit_misc_guard() or zext_guard() must stay, or shrinking
 * would walk into the kernel bug it avoids. */
static bool is_misc_guard(const struct prog *body, uint32_t i)
{
	struct bpf_insn zg = zext_guard();
	if (i > 0 && !memcmp(&body->insn[i], &zg, sizeof(zg)) &&
	    bpfrt_insn_op(&body->insn[i - 1]) == BPFRT_OP_ATOMIC32_CMPXCHG)
		return true;
	const struct bpf_insn *a = &body->insn[i], *b = &body->insn[i + 1];
	return i + 1 < body->n && BPF_MODE(a->code) == BPF_ATOMIC && a->imm == BPF_OR &&
	       a->code == b->code && a->off == b->off && (b->imm & BPF_FETCH);
}

/* One pass; returns how many slots it turned into no-ops. */
static int nop_out(struct bpfrt *rt, struct prog *body)
{
	int changed = 0;
	const struct bpf_insn nop = mk(BPF_JMP | BPF_JA, 0, 0, 0, 0);
	/* The prologue stays: without it the kernel (which lets root read
	 * uninitialised stack) would compare its own stack garbage. */
	for (uint32_t i = body->prologue; i < body->n; i++) {
		if (is_nop(&body->insn[i]) || is_misc_guard(body, i))
			continue;
		uint32_t w = is_lddw(&body->insn[i]) ? 2 : 1;
		struct bpf_insn saved[2] = {body->insn[i], body->insn[i + w - 1]};
		for (uint32_t s = 0; s < w; s++)
			body->insn[i + s] = nop;
		if (!still_differs(rt, body)) {
			body->insn[i] = saved[0];
			body->insn[i + w - 1] = saved[1];
		} else {
			changed++;
		}
		i += w - 1;
	}
	return changed;
}

static bool is_jump(const struct bpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	return (cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_EXIT && op != BPF_CALL;
}

static void compact(const struct prog *in, struct prog *out)
{
	uint32_t map[MAX_SLOTS + 1];
	uint32_t n = 0;
	for (uint32_t i = 0; i < in->n; i++) {
		map[i] = n;
		n += !is_nop(&in->insn[i]);
	}
	map[in->n] = n;
	out->n = 0;
	out->prologue = in->prologue;
	for (uint32_t i = 0; i < in->n; i++) {
		struct bpf_insn x = in->insn[i];
		if (is_nop(&x))
			continue;
		bool wide = BPF_CLASS(x.code) == BPF_JMP32 && BPF_OP(x.code) == BPF_JA;
		if (is_jump(&x)) {
			int32_t off = wide ? x.imm : x.off;
			int32_t target = (int32_t)map[i + 1 + off];
			int32_t rel = target - (int32_t)map[i] - 1;
			if (wide)
				x.imm = rel;
			else
				x.off = (int16_t)rel;
		}
		emit(out, x);
	}
}

static void shrink(struct bpfrt *rt, struct prog *body)
{
	static struct prog small;
	for (int pass = 0; pass < 8 && nop_out(rt, body); pass++)
		;
	compact(body, &small);
	if (still_differs(rt, &small))
		*body = small;
}

/* ---- Driver --------------------------------------------------------------------- */

struct config {
	uint64_t seed;
	uint64_t count;
	uint64_t show; /* 1-based index of a program to print, 0: none */
	bool kernel_bugs; /* generate patterns known to miscompute in the kernel */
	bool fixed;       /* the default seed: must cover every generator row */
};

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);
	return s && *s ? strtoull(s, NULL, 0) : dflt;
}

/* The seed: by default a fixed one, so `make test` never fails by chance (20,000 programs, each
 * with its own seed derived from it, cover every generator row: checked below);
 * BPFRT_DIFF_SEED=N (or argv[1]) replays one, BPFRT_DIFF_SEED=random picks a new one (the
 * kernel.diff_random test, label `random`, run by `make test-random`). */
#define FIXED_SEED 0x6b65726e656c3031ull

static void parse_config(int argc, char **argv, struct config *c)
{
	const char *s = getenv("BPFRT_DIFF_SEED");
	c->fixed = false;
	if (s && !strcmp(s, "random")) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		c->seed = ((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec) ^ ((uint64_t)getpid() << 40);
	} else if (s && *s) {
		c->seed = strtoull(s, NULL, 0);
	} else {
		c->seed = FIXED_SEED, c->fixed = true;
	}
	c->count = env_u64("BPFRT_DIFF_COUNT", 20000);
	c->show = env_u64("BPFRT_DIFF_SHOW", 0);
	c->kernel_bugs = env_u64("BPFRT_DIFF_KERNEL_BUGS", 0) != 0;
	if (argc > 1)
		c->seed = strtoull(argv[1], NULL, 0), c->fixed = false;
	if (argc > 2)
		c->count = strtoull(argv[2], NULL, 0);
}

/* 0 when the kernel loads and test-runs XDP programs, else -errno. */
static int probe_kernel(const struct prog *p)
{
	uint64_t state[STATE_WORDS];
	return kernel_exec(p, state);
}

static int probe_bpf(void)
{
	static struct prog p;
	/* the epilogue reads r0 and r4..r9: give them values */
	struct prog body = {.n = 0};
	for (uint8_t reg = 0; reg < 10; reg++)
		emit(&body, mk(BPF_ALU64 | BPF_MOV | BPF_K, reg, 0, 0, reg));
	for (int k = 0; k < NSLOTS; k++)
		emit(&body, mk(BPF_ST | BPF_DW | BPF_MEM, BPF_REG_10, 0, (int16_t)SLOT_OFF(k), k));
	build_kernel(&p, &body);
	return probe_kernel(&p);
}

/* Does the kernel take ISA v4 (sdiv, movsx, ldsx, bswap, gotol)? */
static bool probe_v4(void)
{
	static struct prog p;
	struct prog body = {.n = 0};
	for (uint8_t reg = 0; reg < 10; reg++)
		emit(&body, mk(BPF_ALU64 | BPF_MOV | BPF_K, reg, 0, 0, reg + 1));
	for (int k = 0; k < NSLOTS; k++)
		emit(&body, mk(BPF_ST | BPF_DW | BPF_MEM, BPF_REG_10, 0, (int16_t)SLOT_OFF(k), k));
	emit(&body, mk(BPF_ALU64 | BPF_DIV | BPF_X, 1, 2, 1, 0));
	emit(&body, mk(BPF_ALU64 | BPF_MOV | BPF_X, 3, 4, 8, 0));
	emit(&body, mk(BPF_LDX | BPF_MEMSX | BPF_B, 5, BPF_REG_10, (int16_t)SLOT_OFF(0), 0));
	emit(&body, mk(BPF_ALU64 | BPF_END | BPF_TO_LE, 6, 0, 0, 32));
	emit(&body, mk(BPF_JMP32 | BPF_JA, 0, 0, 0, 0));
	build_kernel(&p, &body);
	return probe_kernel(&p) == 0;
}

static void print_reject(const struct prog *kp, uint64_t idx, int err)
{
	static char log[1 << 16];
	kernel_load(kp, log, sizeof(log));
	size_t len = strlen(log);
	const char *tail = len > 600 ? log + len - 600 : log;
	printf("kernel rejected program %" PRIu64 ": %s\n  verifier log (tail): %s\n", idx,
	       strerror(-err), tail);
}

/* One line per slot: the disassembler's text when it has one, else the
 * opcode-table row and the raw fields. */
static void print_body(const struct prog *body)
{
	uint32_t nops = 0;
	for (uint32_t i = 0; i < body->n; i++) {
		const struct bpf_insn *in = &body->insn[i];
		char text[128], target[24] = "";
		if (is_nop(in)) {
			nops++;
			continue;
		}
		if (is_jump(in)) {
			bool wide = BPF_CLASS(in->code) == BPF_JMP32 && BPF_OP(in->code) == BPF_JA;
			snprintf(target, sizeof(target), "  -> %d", (int)i + 1 + (wide ? in->imm : in->off));
		}
		if (bpfrt_disasm_insn(body->insn, body->n, i, BPFRT_SYNTAX_LLVM, text, sizeof(text)) < 0) {
			enum bpfrt_op op = bpfrt_insn_op(in);
			snprintf(text, sizeof(text), "%s", op < BPFRT_OP_COUNT ? bpfrt_opcodes[op].id : "-");
		}
		printf("  %4u: %02x dst=r%u src=r%u off=%-6d imm=%-11d  %s%s%s\n", i, in->code,
		       in->dst_reg, in->src_reg, in->off, in->imm, text, target,
		       i < body->prologue ? "  (prologue)" : "");
		if (is_lddw(in) && i + 1 < body->n) {
			i++;
			printf("  %4u: 00 (lddw high) imm=0x%08x\n", i, (uint32_t)body->insn[i].imm);
		}
	}
	if (nops)
		printf("  (%u `goto +0` no-op slots not shown; the kernel's outcome depended on them)\n",
		       nops);
}

static void report_mismatch(struct bpfrt *rt, struct prog *body, const struct config *c,
			    uint64_t idx)
{
	static struct outcome o;
	printf("MISMATCH: program %" PRIu64 " (seed %" PRIu64 ", reproduce with "
	       "BPFRT_DIFF_SEED=%" PRIu64 " BPFRT_DIFF_COUNT=%" PRIu64 ")\n",
	       idx, c->seed, c->seed, idx + 1);
	shrink(rt, body);
	run_both(rt, body, &o);
	printf("  shrunk body (%u slots; runs after *(u64 *)(r10 -8) = r1, then r0-r9 and "
	       "the stack slots are compared):\n", body->n);
	print_body(body);
	print_outcome(&o);
}

/* BPFRT_DIFF_SHOW=i+1: print program i and both sides' state. */
static void show_program(const struct prog *body, const struct outcome *o)
{
	print_body(body);
	for (int w = 0; w < STATE_WORDS; w++) {
		char name[32];
		state_name(w, name, sizeof(name));
		printf("  %-18s kernel 0x%016" PRIx64 "  bpfrt 0x%016" PRIx64 "\n", name, o->k[w],
		       o->f[w]);
	}
}

struct tally {
	uint64_t ran, mismatches, rejected;
	uint64_t rows[BPFRT_OP_COUNT]; /* how often each table row was generated */
};

static void count_rows(const struct prog *body, struct tally *t)
{
	for (uint32_t i = 0; i < body->n; i += bpfrt_insn_slots(&body->insn[i])) {
		enum bpfrt_op op = bpfrt_insn_op(&body->insn[i]);
		if (op < BPFRT_OP_COUNT)
			t->rows[op]++;
	}
}

/* Which rows of the table the run covered (a generator that silently lost a
 * row would otherwise go unnoticed). */
/* The number of generator rows never generated. */
static uint32_t print_coverage(const struct tally *t, const struct row_pool *pool)
{
	uint32_t want = 0, got = 0;
	for (int k = 0; k < K_COUNT; k++)
		for (uint32_t i = 0; i < pool->n[k]; i++) {
			want++;
			got += t->rows[pool->op[k][i]] != 0;
			if (!t->rows[pool->op[k][i]])
				printf("  row %s never generated\n", bpfrt_opcodes[pool->op[k][i]].id);
		}
	printf("kernel diff: covered %u of %u generator rows (+ ja %s, gotol %s)\n", got, want,
	       t->rows[pool->ja] ? "yes" : "no", t->rows[pool->ja32] ? "yes" : "no");
	return want - got + !t->rows[pool->ja] + !t->rows[pool->ja32];
}

static void run_one(struct bpfrt *rt, const struct row_pool *pool, const struct config *c,
		    uint64_t idx, struct tally *t)
{
	static struct prog body, kp;
	static struct outcome o;
	gen_body(&body, pool, c->seed ^ (idx * 0x9e3779b97f4a7c15ull), !c->kernel_bugs);
	count_rows(&body, t);
	run_both(rt, &body, &o);
	if (o.kerr) {
		t->rejected++;
		build_kernel(&kp, &body);
		print_reject(&kp, idx, o.kerr);
		return;
	}
	t->ran++;
	if (c->show == idx + 1)
		show_program(&body, &o);
	if (outcome_differs(&o)) {
		t->mismatches++;
		if (t->mismatches <= 10)
			report_mismatch(rt, &body, c, idx);
	}
}

int main(int argc, char **argv)
{
	struct config c;
	static struct tally t;
	static struct row_pool pool;
	parse_config(argc, argv, &c);
	const char *engine = getenv("BPFRT_ENGINE");
	if (engine && !strcmp(engine, "jit"))
		fast_flags = BPFRT_RUN_JIT;
	else if (engine && strcmp(engine, "interp"))
		return printf("BPFRT_ENGINE must be interp or jit, not %s\n", engine), 1;
	int err = probe_bpf();
	if (err) {
		printf("SKIP: bpf() unavailable: %s\n", strerror(-err));
		return 77;
	}
	bool v4 = probe_v4();
	pool_init(&pool, v4 ? 4 : 3);
	printf("kernel diff: seed %" PRIu64 ", %" PRIu64 " programs, ISA v%d, engine %s\n", c.seed, c.count,
	       v4 ? 4 : 3, fast_flags ? "jit" : "interp");
	fflush(stdout);
	struct bpfrt *rt = bpfrt_new(NULL);
	if (!rt) {
		printf("bpfrt_new failed: %s\n", strerror(errno));
		return 1;
	}
	for (uint64_t i = 0; i < c.count; i++)
		run_one(rt, &pool, &c, i, &t);
	bpfrt_free(rt);
	uint32_t uncovered = print_coverage(&t, &pool);
	printf("kernel diff: %" PRIu64 " programs, %" PRIu64 " mismatches, %" PRIu64
	       " rejected by the kernel verifier, seed %" PRIu64 "\n",
	       t.ran, t.mismatches, t.rejected, c.seed);
	bool too_many_rejects = t.rejected * 100 > c.count;
	if (too_many_rejects)
		printf("FAIL: more than 1%% of generated programs were rejected (generator bug)\n");
	/* Only the default run (deterministic) insists on full coverage; a short or random run
	 * just reports it. */
	bool short_coverage = c.fixed && c.count >= 20000 && uncovered;
	if (short_coverage)
		printf("FAIL: the fixed seed no longer generates every row (generator changed): pick another\n");
	bool fail = t.mismatches || too_many_rejects || short_coverage;
	if (fail)
		printf("kernel diff: replay with: BPFRT_DIFF_SEED=%" PRIu64 " BPFRT_DIFF_COUNT=%" PRIu64 " %s\n", c.seed,
		       c.count, argv[0]);
	return fail ? 1 : 0;
}

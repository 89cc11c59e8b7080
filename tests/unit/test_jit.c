/* test_jit.c — the JIT against the interpreter on random programs.
 *
 * Programs are built from the opcode table: every ALU/ALU32/END/MOVSX row,
 * stack loads, stores and atomics (r10-relative, aligned), forward
 * conditional jumps of every row, ja/gotol, helper calls, bpf-to-bpf calls
 * into subprograms, legacy packet loads.  Jumps go forward only, so every
 * program ends.  The stack is initialised first and the epilogue copies
 * r0-r9 and the main frame into a buffer (its address is an lddw), so a run
 * compares r0, the error code, all registers and the stack.  Fixed seeds;
 * BPFRT_SEED=N replays one seed (printed on failure), BPFRT_JIT_PROGS sets
 * the programs per seed.  Also: tail calls with the 33-call limit and
 * bpf_loop callbacks, JIT vs interpreter.
 */
#include "bpfrt/asm.h"
#include "bpfrt/bpfrt.h"
#include "bpfrt/isa.h"
#include "jit/jit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HELPER_ID 900
#define DUMP_WORDS (10 + 64)

static uint64_t rng;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
static uint32_t below(uint32_t n) { return (uint32_t)(rnd() % n); }

static uint64_t interesting(void)
{
	static const uint64_t v[] = {0, 1, 2, 7, 31, 32, 63, 64, 0xff, 0xffff, 0x7fffffff, 0x80000000,
				     0xffffffff, 0x100000000ull, 0x8000000000000000ull, ~0ull, ~1ull,
				     0xffffffff80000000ull, 0x7fffffffffffffffull};
	switch (below(3)) {
	case 0: return v[below(sizeof(v) / sizeof(v[0]))];
	case 1: return (uint64_t)(int64_t)(int8_t)rnd();
	default: return rnd();
	}
}

static uint64_t dump[DUMP_WORDS];
static uint8_t packet[64];

static uint64_t test_helper(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, struct bpfrt_run *run)
{
	(void)run;
	return a * 3 + (b ^ (c << 7)) - (d >> 3) + e * 0x9e3779b97f4a7c15ull;
}

struct gen {
	struct bpf_insn v[4096];
	uint32_t n;
	/* forward jumps to fix: slot, target unit index */
	uint32_t fix_slot[1024], fix_unit[1024], nfix;
	uint32_t unit_slot[1024], nunits;
	uint32_t call_slot[256], call_sub[256], ncall;
	uint32_t sub_slot[4];
};

static void put(struct gen *g, struct bpf_insn in) { g->v[g->n++] = in; }
static struct bpf_insn mk(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	return (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}
static void lddw(struct gen *g, uint8_t dst, uint64_t v)
{
	put(g, mk(0x18, dst, 0, 0, (int32_t)(uint32_t)v));
	put(g, mk(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32)));
}

static const struct bpfrt_opcode_info *pick(int form_mask)
{
	for (;;) {
		const struct bpfrt_opcode_info *r = &bpfrt_opcodes[below(BPFRT_OP_COUNT)];
		if (form_mask & (1 << r->form))
			return r;
	}
}

static struct bpf_insn from_row(const struct bpfrt_opcode_info *r, uint8_t dst, uint8_t src, int16_t off,
				int32_t imm)
{
	struct bpf_insn in = mk(r->code, dst, src, off, imm);
	switch (r->form) { /* reserved fields zero */
	case BPFRT_F_ALU_K: case BPFRT_F_JMP_K: case BPFRT_F_ST: in.src_reg = 0; break;
	case BPFRT_F_ALU_X: case BPFRT_F_JMP_X: case BPFRT_F_LDX: case BPFRT_F_STX: case BPFRT_F_MOVSX:
		in.imm = 0;
		break;
	case BPFRT_F_NEG: case BPFRT_F_END: in.src_reg = 0, in.imm = 0; break;
	case BPFRT_F_JA: in.dst_reg = in.src_reg = 0, in.imm = 0; break;
	case BPFRT_F_JA32: in.dst_reg = in.src_reg = 0, in.off = 0; break;
	case BPFRT_F_LDABS: in.dst_reg = in.src_reg = 0, in.off = 0; break;
	case BPFRT_F_LDIND: in.dst_reg = 0, in.off = 0; break;
	default: break;
	}
	if (r->form == BPFRT_F_ALU_K || r->form == BPFRT_F_ALU_X || r->form == BPFRT_F_NEG ||
	    r->form == BPFRT_F_END || r->form == BPFRT_F_MOVSX)
		in.off = 0;
	if (r->disc == BPFRT_D_OFF)
		in.off = (int16_t)r->disc_value;
	else if (r->disc == BPFRT_D_IMM)
		in.imm = r->disc_value;
	else if (r->disc == BPFRT_D_SRC)
		in.src_reg = (uint8_t)r->disc_value;
	return in;
}

/* One random unit (1-2 slots, or a few for calls); jumps recorded. */
static void unit(struct gen *g, uint32_t units_left, int nsubs, bool in_sub)
{
	g->unit_slot[g->nunits++] = g->n;
	uint8_t dst = (uint8_t)below(10), src = (uint8_t)below(10);
	uint32_t k = below(100);
	if (k < 45) {
		const struct bpfrt_opcode_info *r =
			pick(1 << BPFRT_F_ALU_K | 1 << BPFRT_F_ALU_X | 1 << BPFRT_F_NEG | 1 << BPFRT_F_END |
			     1 << BPFRT_F_MOVSX);
		int32_t imm = (int32_t)interesting();
		if (!strncmp(r->id, "LSH", 3) || !strncmp(r->id, "RSH", 3) || !strncmp(r->id, "ARSH", 4))
			imm = (int32_t)below(strstr(r->id, "32") ? 32 : 64);
		put(g, from_row(r, dst, src, 0, imm));
	} else if (k < 50) {
		lddw(g, dst, interesting());
	} else if (k < 68) {
		const struct bpfrt_opcode_info *r =
			pick(1 << BPFRT_F_LDX | 1 << BPFRT_F_ST | 1 << BPFRT_F_STX | 1 << BPFRT_F_ATOMIC);
		int16_t off = (int16_t)(-(int)r->size * (int)(1 + below(512 / r->size)));
		if (r->form == BPFRT_F_LDX)
			put(g, from_row(r, dst, 10, off, 0));
		else
			put(g, from_row(r, 10, src, off, (int32_t)interesting()));
	} else if (k < 88 && units_left > 1) {
		const struct bpfrt_opcode_info *r = pick(1 << BPFRT_F_JMP_K | 1 << BPFRT_F_JMP_X | 1 << BPFRT_F_JA |
							 1 << BPFRT_F_JA32);
		int32_t imm = below(2) ? (int32_t)interesting() : (int32_t)below(8);
		g->fix_slot[g->nfix] = g->n;
		g->fix_unit[g->nfix++] = g->nunits + below(units_left); /* a later unit or the end */
		put(g, from_row(r, dst, src, 0, imm));
	} else if (k < 93) {
		for (uint8_t a = 1; a <= 5; a++)
			if (below(2))
				put(g, mk(0xb7, a, 0, 0, (int32_t)interesting()));
		put(g, mk(0x85, 0, 0, 0, HELPER_ID));
		for (uint8_t a = 1; a <= 5; a++) /* r1-r5 are undefined after a call */
			put(g, mk(0xb7, a, 0, 0, (int32_t)interesting()));
	} else if (k < 97 && nsubs && !in_sub) {
		g->call_slot[g->ncall] = g->n;
		g->call_sub[g->ncall++] = below((uint32_t)nsubs);
		put(g, mk(0x85, 0, 1, 0, 0));
	} else if (k < 99) {
		const struct bpfrt_opcode_info *r = pick(1 << BPFRT_F_LDABS | 1 << BPFRT_F_LDIND);
		int32_t imm = (int32_t)below(r->form == BPFRT_F_LDIND ? 20 : 62);
		if (r->form == BPFRT_F_LDIND)
			put(g, mk(0xb7, src, 0, 0, (int32_t)below(40))); /* mostly in bounds */
		put(g, from_row(r, 0, src, 0, imm));
	} else {
		put(g, mk(0xbf, dst, src, 0, 0));
	}
}

/* Units [first, nunits) of a body: resolve their jumps (target unit index
 * past the body = its end). */
static void body(struct gen *g, uint32_t units, int nsubs, bool in_sub)
{
	uint32_t first = g->nunits, fix0 = g->nfix;
	for (uint32_t u = 0; u < units; u++)
		unit(g, units - u, nsubs, in_sub);
	uint32_t end_slot = g->n;
	for (uint32_t f = fix0; f < g->nfix; f++) {
		uint32_t tu = g->fix_unit[f];
		uint32_t t = tu < first + units ? g->unit_slot[tu] : end_slot;
		int32_t rel = (int32_t)t - (int32_t)g->fix_slot[f] - 1;
		struct bpf_insn *in = &g->v[g->fix_slot[f]];
		if (in->code == 0x06)
			in->imm = rel;
		else
			in->off = (int16_t)rel;
	}
	g->nfix = fix0;
}

static void init_frame(struct gen *g)
{
	for (int k = 1; k <= 64; k++)
		put(g, mk(0x7a, 10, 0, (int16_t)(-8 * k), (int32_t)interesting()));
}

static void generate(struct gen *g)
{
	memset(g, 0, sizeof(*g));
	int nsubs = (int)below(3);
	init_frame(g);
	for (uint8_t r = 0; r <= 9; r++)
		if (r == 0 || r >= 6 || below(4) == 0)
			lddw(g, r, interesting());
	body(g, 20 + below(100), nsubs, false);
	/* epilogue: r0 to the stack, then every register and the frame to dump[] */
	put(g, mk(0x7b, 10, 0, -8, 0));
	lddw(g, 0, (uintptr_t)dump);
	for (uint8_t r = 1; r <= 9; r++)
		put(g, mk(0x7b, 0, r, (int16_t)(8 * r), 0));
	for (int k = 1; k <= 64; k++) {
		put(g, mk(0x79, 1, 10, (int16_t)(-8 * k), 0));
		put(g, mk(0x7b, 0, 1, (int16_t)(8 * (9 + k)), 0));
	}
	put(g, mk(0x79, 1, 10, -8, 0)); /* r0 was saved at -8 */
	put(g, mk(0x7b, 0, 1, 0, 0));
	put(g, mk(0xbf, 0, 1, 0, 0));
	put(g, mk(0x95, 0, 0, 0, 0));
	for (int s = 0; s < nsubs; s++) {
		g->sub_slot[s] = g->n;
		init_frame(g);
		body(g, 5 + below(30), 0, true);
		put(g, mk(0x95, 0, 0, 0, 0));
	}
	for (uint32_t c = 0; c < g->ncall; c++)
		g->v[g->call_slot[c]].imm = (int32_t)g->sub_slot[g->call_sub[c]] - (int32_t)g->call_slot[c] - 1;
}

struct outcome {
	int err;
	uint64_t r0;
	uint64_t dump[DUMP_WORDS];
};

static void run(const struct bpfrt_vm_prog *p, uint32_t flags, const uint64_t args[5], struct outcome *o)
{
	struct bpfrt_run_opts opts = {.sz = sizeof(opts), .flags = flags, .args = args, .nr_args = 5,
				      .packet = packet, .packet_size = sizeof(packet)};
	struct bpfrt_diag diag;
	memset(dump, 0, sizeof(dump));
	o->r0 = 0;
	o->err = bpfrt_vm_run(p, &opts, &o->r0, &diag);
	memcpy(o->dump, dump, sizeof(dump));
}

static uint64_t faulted, early; /* runs ending in a fault, runs that stopped early (packet miss) */

static int differential(struct bpfrt *rt, uint64_t seed, int progs, int inputs, uint64_t *execs)
{
	static struct gen g;
	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	for (int p = 0; p < progs; p++) {
		generate(&g);
		struct bpfrt_vm_prog *prog = NULL;
		struct bpfrt_diag diag;
		if (bpfrt_vm_prog_new(rt, g.v, g.n, NULL, &prog, &diag)) {
			printf("FAIL seed %" PRIu64 " prog %d: not loadable: %s\n", seed, p, diag.msg);
			return 1;
		}
		for (int in = 0; in < inputs; in++) {
			uint64_t args[5];
			for (int a = 0; a < 5; a++)
				args[a] = interesting();
			for (size_t b = 0; b < sizeof(packet); b++)
				packet[b] = (uint8_t)rnd();
			struct outcome a, b;
			run(prog, 0, args, &a);
			run(prog, BPFRT_RUN_JIT, args, &b);
			const char *why = NULL;
			if (bpfrt_jit_status(prog, &why) != 1) {
				printf("FAIL seed %" PRIu64 " prog %d: not compiled: %s\n", seed, p, why ? why : "?");
				return 1;
			}
			(*execs)++;
			if (a.err)
				faulted++;
			else if (!a.dump[9] && !a.dump[5] && !a.dump[20])
				early++;
			if (a.err != b.err || a.r0 != b.r0 || memcmp(a.dump, b.dump, sizeof(a.dump))) {
				printf("FAIL seed %" PRIu64 " prog %d input %d: interp err %d r0 0x%" PRIx64
				       ", jit err %d r0 0x%" PRIx64 " (replay: BPFRT_SEED=%" PRIu64 ")\n",
				       seed, p, in, a.err, a.r0, b.err, b.r0, seed);
				for (int w = 0; w < DUMP_WORDS; w++)
					if (a.dump[w] != b.dump[w])
						printf("  %s %d: interp 0x%" PRIx64 " jit 0x%" PRIx64 "\n",
						       w < 10 ? "r" : "stack word", w < 10 ? w : w - 9, a.dump[w], b.dump[w]);
				bpfrt_disasm(g.v, g.n, BPFRT_SYNTAX_LLVM, BPFRT_DISASM_INDEX, stdout);
				bpfrt_vm_prog_free(prog);
				return 1;
			}
		}
		bpfrt_vm_prog_free(prog);
	}
	return 0;
}

static const struct bpfrt_vm_prog *tail_target;
static const struct bpfrt_vm_prog *tail_resolve(struct bpfrt_run *run, uint64_t map, uint32_t index)
{
	(void)run, (void)map;
	return index == 0 ? tail_target : NULL;
}

/* A program that counts its runs in ctx[0] and tail-calls itself: 1 + 33
 * runs, then the call falls through (r0 = 7). */
static int test_tail_calls(struct bpfrt *rt)
{
	struct bpf_insn v[] = {
		mk(0x79, 0, 1, 0, 0), mk(0x07, 0, 0, 0, 1), mk(0x7b, 1, 0, 0, 0),
		mk(0xb7, 2, 0, 0, 0), mk(0xb7, 3, 0, 0, 0), mk(0x85, 0, 0, 0, 12),
		mk(0x07, 0, 0, 0, 100), mk(0x95, 0, 0, 0, 0),
	};
	struct bpfrt_vm_prog *p = NULL;
	struct bpfrt_diag diag;
	if (bpfrt_vm_prog_new(rt, v, sizeof(v) / sizeof(v[0]), NULL, &p, &diag))
		return printf("FAIL tail: %s\n", diag.msg), 1;
	tail_target = p;
	uint64_t res[2][2];
	for (int e = 0; e < 2; e++) {
		uint64_t ctx[1] = {0};
		struct bpfrt_run_opts o = {.sz = sizeof(o), .flags = e ? BPFRT_RUN_JIT : 0, .ctx = ctx,
					   .ctx_size = sizeof(ctx), .tail_call = tail_resolve};
		uint64_t r0 = 0;
		if (bpfrt_vm_run(p, &o, &r0, &diag))
			return printf("FAIL tail [%d]: %s\n", e, diag.msg), 1;
		res[e][0] = r0, res[e][1] = ctx[0];
	}
	bpfrt_vm_prog_free(p);
	printf("tail calls: interp r0=%" PRIu64 " runs=%" PRIu64 ", jit r0=%" PRIu64 " runs=%" PRIu64 "\n",
	       res[0][0], res[0][1], res[1][0], res[1][1]);
	return res[0][0] != res[1][0] || res[0][1] != res[1][1] || res[1][1] != 34;
}

/* bpf_loop with a callback (runs on the interpreter from JIT code), a
 * bpf-to-bpf call and callx to the same function. */
static int test_callbacks(struct bpfrt *rt)
{
	struct bpf_insn v[] = {
		mk(0xbf, 6, 1, 0, 0),          /* 0: r6 = ctx */
		mk(0xb7, 1, 0, 0, 10),         /* 1: r1 = 10 */
		mk(0x18, 2, 4, 0, 13), mk(0, 0, 0, 0, 0), /* 2: r2 = callback (slot 16) */
		mk(0xbf, 3, 6, 0, 0),          /* 4: r3 = ctx */
		mk(0xb7, 4, 0, 0, 0),          /* 5 */
		mk(0x85, 0, 0, 0, 181),        /* 6: bpf_loop */
		mk(0xbf, 7, 0, 0, 0),          /* 7: r7 = iterations */
		mk(0xb7, 1, 0, 0, 5),          /* 8: r1 = 5 */
		mk(0xbf, 2, 6, 0, 0),          /* 9: r2 = ctx */
		mk(0x85, 0, 1, 0, 5),          /* 10: call slot 16 */
		mk(0x18, 8, 4, 0, 4), mk(0, 0, 0, 0, 0), /* 11: r8 = callback */
		mk(0x8d, 8, 0, 0, 0),          /* 13: callx r8 (r1, r2 unchanged by the callee) */
		mk(0x79, 0, 6, 0, 0),          /* 14: r0 = ctx[0] */
		mk(0x95, 0, 0, 0, 0),          /* 15 */
		mk(0x79, 0, 2, 0, 0),          /* 16: callback(i, ctx): ctx[0] += i + 1 */
		mk(0x0f, 0, 1, 0, 0), mk(0x07, 0, 0, 0, 1), mk(0x7b, 2, 0, 0, 0),
		mk(0xb7, 0, 0, 0, 0), mk(0x95, 0, 0, 0, 0),
	};
	struct bpfrt_vm_prog *p = NULL;
	struct bpfrt_diag diag;
	if (bpfrt_vm_prog_new(rt, v, sizeof(v) / sizeof(v[0]), NULL, &p, &diag))
		return printf("FAIL callbacks: %s\n", diag.msg), 1;
	uint64_t r[2];
	for (int e = 0; e < 2; e++) {
		uint64_t ctx[1] = {0};
		struct bpfrt_run_opts o = {.sz = sizeof(o), .flags = e ? BPFRT_RUN_JIT : 0, .ctx = ctx,
					   .ctx_size = sizeof(ctx)};
		if (bpfrt_vm_run(p, &o, &r[e], &diag))
			return printf("FAIL callbacks [%d]: %s\n", e, diag.msg), 1;
	}
	int jit = bpfrt_jit_status(p, NULL);
	bpfrt_vm_prog_free(p);
	printf("callbacks: interp r0=%" PRIu64 ", jit r0=%" PRIu64 " (compiled %d)\n", r[0], r[1], jit);
	return r[0] != r[1] || r[0] != 55 + 12 || jit != 1;
}

/* BPF_PROG_TEST_RUN runs on the runtime's engine: the JIT by default (the
 * program then has native code: bpf_prog_info.jited_prog_len,
 * bpfrt_prog_jited), never for interp/checked runtimes or unverified
 * programs. */
static int test_run_engine(enum bpfrt_engine engine, const char *env, uint32_t prog_flags, bool want_jit)
{
	if (env)
		setenv("BPFRT_ENGINE", env, 1);
	else
		unsetenv("BPFRT_ENGINE");
	struct bpfrt_opts ro = {.sz = sizeof(ro), .engine = engine};
	struct bpfrt *rt = bpfrt_new(&ro);
	unsetenv("BPFRT_ENGINE");
	if (!rt)
		return printf("engine %d: bpfrt_new failed\n", engine), 1;
	/* r0 = 0; r1 = 5; loop: r0 += r1; r1 -= 1; if r1 != 0 goto loop; r0 = 2 if r0 == 15; exit */
	const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 1, .imm = 5},
		{.code = BPF_ALU64 | BPF_ADD | BPF_X, .dst_reg = 0, .src_reg = 1},
		{.code = BPF_ALU64 | BPF_SUB | BPF_K, .dst_reg = 1, .imm = 1},
		{.code = BPF_JMP | BPF_JNE | BPF_K, .dst_reg = 1, .off = -3, .imm = 0},
		{.code = BPF_ALU64 | BPF_SUB | BPF_K, .dst_reg = 0, .imm = 13},
		{.code = BPF_JMP | BPF_EXIT},
	};
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP, a.insns = (uintptr_t)insns, a.insn_cnt = 7, a.license = (uintptr_t)"GPL";
	a.prog_flags = prog_flags;
	int fd = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a)), fails = 0;
	uint8_t pkt[64] = {0};
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd, a.test.data_in = (uintptr_t)pkt, a.test.data_size_in = sizeof(pkt);
	a.test.repeat = 3;
	if (fd < 0 || bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)) || a.test.retval != 2)
		fails++, printf("engine %d: load/test run failed (fd %d, retval %u)\n", engine, fd, a.test.retval);
	struct bpf_prog_info info;
	uint8_t code[256];
	memset(&info, 0, sizeof(info));
	info.jited_prog_insns = (uintptr_t)code, info.jited_prog_len = sizeof(code);
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd, a.info.info = (uintptr_t)&info, a.info.info_len = sizeof(info);
	if (bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)))
		fails++, printf("engine %d: get info failed\n", engine);
	struct bpfrt_jited j = {.sz = sizeof(j)};
	int jerr = bpfrt_prog_jited(rt, fd, false, &j);
	bool jited = info.jited_prog_len != 0;
	if (jited != want_jit || (jerr == 0) != want_jit)
		fails++, printf("engine %s (env %s, flags 0x%x): jited_prog_len %u, bpfrt_prog_jited %d; want %s\n",
				bpfrt_engine_name(bpfrt_engine(rt)), env ? env : "-", prog_flags, info.jited_prog_len,
				jerr, want_jit ? "native code" : "none");
	if (want_jit && !jerr && (j.size != info.jited_prog_len || j.insn_cnt != 7 || memcmp(code, j.code, j.size > 256 ? 256 : j.size) ||
				  j.insn_off[7] > j.size || j.insn_off[0] >= j.insn_off[7]))
		fails++, printf("engine jit: image and info disagree (%zu vs %u bytes)\n", j.size, info.jited_prog_len);
	/* Unverified programs never reach the JIT through a test run, but an
	 * explicit request compiles any program. */
	if (bpfrt_prog_jited(rt, fd, true, &j) || !j.code)
		fails++, printf("engine %d: explicit compile failed\n", engine);
	bpfrt_close(rt, fd);
	bpfrt_free(rt);
	return fails;
}

static int test_engines(void)
{
	int fails = test_run_engine(BPFRT_ENGINE_DEFAULT, NULL, 0, true) +
		    test_run_engine(BPFRT_ENGINE_JIT, "interp", 0, true) +
		    test_run_engine(BPFRT_ENGINE_INTERP, NULL, 0, false) +
		    test_run_engine(BPFRT_ENGINE_CHECKED, NULL, 0, false) +
		    test_run_engine(BPFRT_ENGINE_DEFAULT, "interp", 0, false) +
		    test_run_engine(BPFRT_ENGINE_DEFAULT, "checked", 0, false) +
		    test_run_engine(BPFRT_ENGINE_DEFAULT, "jit", 0, true) +
		    test_run_engine(BPFRT_ENGINE_DEFAULT, NULL, BPFRT_F_UNVERIFIED, false);
	setenv("BPFRT_ENGINE", "fast", 1);
	struct bpfrt *bad = bpfrt_new(NULL);
	unsetenv("BPFRT_ENGINE");
	struct bpfrt_opts ro = {.sz = sizeof(ro), .engine = 99};
	struct bpfrt *bad2 = bpfrt_new(&ro);
	if (bad || bad2)
		fails++, printf("a bad engine name or number was accepted\n");
	bpfrt_free(bad);
	bpfrt_free(bad2);
	printf("engines: %s\n", fails ? "FAILED" : "test runs on the JIT by default; interp, checked and unverified programs interpret");
	return fails;
}

int main(void)
{
	struct bpfrt *rt = bpfrt_new(NULL);
	if (!rt || bpfrt_register_helper(rt, HELPER_ID, "test_mix", test_helper))
		return 1;
	int fails = test_engines() + test_tail_calls(rt) + test_callbacks(rt);
	/* 125 programs x 40 seeds x 200 inputs: a million executions in a
	 * few seconds (compiling dominates, so many inputs per program);
	 * sanitizer builds set BPFRT_JIT_INPUTS lower (Makefile). */
	const char *s = getenv("BPFRT_SEED"), *np = getenv("BPFRT_JIT_PROGS"), *ni = getenv("BPFRT_JIT_INPUTS");
	int progs = np ? atoi(np) : 125, inputs = ni ? atoi(ni) : 200;
	uint64_t execs = 0, first = s ? strtoull(s, NULL, 0) : 1, last = s ? first : 40;
	for (uint64_t seed = first; seed <= last; seed++)
		fails += differential(rt, seed, progs, inputs, &execs);
	printf("random differential: %" PRIu64 " programs x %d inputs = %" PRIu64
	       " executions compared (registers, stack, r0, error), %d failures\n",
	       (last - first + 1) * (uint64_t)progs, inputs, execs, fails);
	printf("  of which %" PRIu64 " ended in a fault, %" PRIu64 " stopped at a missed packet load\n", faulted,
	       early);
	/* Constant blinding changes every immediate's code: the same
	 * comparison on other seeds with BPFRT_JIT_HARDEN=1. */
	if (!s) {
		uint64_t hexecs = 0;
		int hfails = 0;
		setenv("BPFRT_JIT_HARDEN", "1", 1);
		for (uint64_t seed = 101; seed <= 104; seed++)
			hfails += differential(rt, seed, progs, inputs < 20 ? inputs : 20, &hexecs);
		unsetenv("BPFRT_JIT_HARDEN");
		printf("hardened JIT (constant blinding): %" PRIu64 " executions compared, %d failures\n", hexecs,
		       hfails);
		fails += hfails;
	}
	bpfrt_free(rt);
	return fails != 0;
}

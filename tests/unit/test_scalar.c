/* test_scalar.c — the scalar domain against concrete execution.
 *
 * Soundness: abstract values are built from small sets of concrete 64-bit
 * values (edge values, small ranges, values with a few unknown bits, random
 * ones) by abstracting the set (union of the tnums, min and max of every
 * view).  Every ALU row of the opcode table (32/64-bit, K and X forms, every
 * off/imm variant) is applied abstractly and concretely: every concrete
 * result must be a member of the abstract one, and constants must fold to
 * the exact value.  Every conditional jump (both branches, jmp32 and 64, K
 * and X forms): scalar_branch_taken is never wrong and scalar_refine never
 * drops a satisfying pair.  The concrete reference is checked against the
 * interpreter itself (bpfrt_vm_run) first.
 *
 * Precision: the patterns the kernel verifier is precise on.
 *
 * Fixed seeds; BPFRT_SEED=N runs another one and failures print the seed.
 */
#include "bpfrt/bpfrt.h"
#include "bpfrt/isa.h"
#include "verifier/scalar.h"
#include "check.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

static uint64_t seed = 20240601u;
static uint64_t rng_state;
static int fails_reported;
#define FAIL_LIMIT 25
#define REPORT(...)                                                 \
	do {                                                        \
		if (fails_reported++ < FAIL_LIMIT)                  \
			fprintf(stderr, __VA_ARGS__);               \
	} while (0)

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Random value of random magnitude (each rnd() call in its own statement,
 * so the sequence is the same whatever order a compiler evaluates in). */
static uint64_t rnd_shr(unsigned mask)
{
	uint64_t v = rnd();
	return v >> (rnd() & mask);
}
static int64_t rnd_sar(void)
{
	int64_t v = (int64_t)rnd();
	return v >> (rnd() & 63);
}

/* ---- Concrete reference (RFC 9669 as src/vm/interp_loop.h runs it) ------ */

static uint64_t ref_alu(uint64_t dst, uint64_t src, const struct bpf_insn *in)
{
	uint8_t op = BPF_OP(in->code);
	bool k = BPF_SRC(in->code) == BPF_K;
	if (BPF_CLASS(in->code) == BPF_ALU64) {
		uint64_t a = dst, b = k ? (uint64_t)(int64_t)in->imm : src;
		int64_t sa = (int64_t)a, sb = (int64_t)b;
		switch (op) {
		case BPF_ADD: return a + b;
		case BPF_SUB: return a - b;
		case BPF_MUL: return a * b;
		case BPF_DIV:
			if (in->off == 0)
				return b ? a / b : 0;
			return b == 0 ? 0 : sb == -1 ? -a : (uint64_t)(sa / sb);
		case BPF_MOD:
			if (in->off == 0)
				return b ? a % b : a;
			return b == 0 ? a : sb == -1 ? 0 : (uint64_t)(sa % sb);
		case BPF_OR: return a | b;
		case BPF_AND: return a & b;
		case BPF_XOR: return a ^ b;
		case BPF_LSH: return a << (b & 63);
		case BPF_RSH: return a >> (b & 63);
		case BPF_ARSH: return (uint64_t)(sa >> (b & 63));
		case BPF_NEG: return -a;
		case BPF_MOV:
			switch (in->off) {
			case 8: return (uint64_t)(int64_t)(int8_t)b;
			case 16: return (uint64_t)(int64_t)(int16_t)b;
			case 32: return (uint64_t)(int64_t)(int32_t)b;
			}
			return b;
		case BPF_END:
			return in->imm == 16 ? __builtin_bswap16((uint16_t)a)
			       : in->imm == 32 ? __builtin_bswap32((uint32_t)a) : __builtin_bswap64(a);
		}
		abort();
	}
	uint32_t a = (uint32_t)dst, b = k ? (uint32_t)in->imm : (uint32_t)src;
	int32_t sa = (int32_t)a, sb = (int32_t)b;
	switch (op) {
	case BPF_ADD: return (uint32_t)(a + b);
	case BPF_SUB: return (uint32_t)(a - b);
	case BPF_MUL: return (uint32_t)(a * b);
	case BPF_DIV:
		if (in->off == 0)
			return b ? a / b : 0;
		return b == 0 ? 0 : sb == -1 ? (uint32_t)-a : (uint32_t)(sa / sb);
	case BPF_MOD:
		if (in->off == 0)
			return b ? a % b : a;
		return b == 0 ? a : sb == -1 ? 0 : (uint32_t)(sa % sb);
	case BPF_OR: return a | b;
	case BPF_AND: return a & b;
	case BPF_XOR: return a ^ b;
	case BPF_LSH: return (uint32_t)(a << (b & 31));
	case BPF_RSH: return a >> (b & 31);
	case BPF_ARSH: return (uint32_t)(sa >> (b & 31));
	case BPF_NEG: return (uint32_t)-a;
	case BPF_MOV:
		switch (in->off) {
		case 8: return (uint32_t)(int32_t)(int8_t)b;
		case 16: return (uint32_t)(int32_t)(int16_t)b;
		}
		return b;
	case BPF_END: {
		bool be = BPF_SRC(in->code) == BPF_TO_BE;
		if (in->imm == 16)
			return be ? __builtin_bswap16((uint16_t)dst) : (uint16_t)dst;
		if (in->imm == 32)
			return be ? __builtin_bswap32((uint32_t)dst) : (uint32_t)dst;
		return be ? __builtin_bswap64(dst) : dst;
	}
	}
	abort();
}

static bool ref_jmp(uint64_t a, uint64_t b, uint8_t op, bool jmp32)
{
	if (jmp32) {
		uint32_t x = (uint32_t)a, y = (uint32_t)b;
		switch (op) {
		case BPF_JEQ: return x == y;
		case BPF_JNE: return x != y;
		case BPF_JGT: return x > y;
		case BPF_JGE: return x >= y;
		case BPF_JLT: return x < y;
		case BPF_JLE: return x <= y;
		case BPF_JSGT: return (int32_t)x > (int32_t)y;
		case BPF_JSGE: return (int32_t)x >= (int32_t)y;
		case BPF_JSLT: return (int32_t)x < (int32_t)y;
		case BPF_JSLE: return (int32_t)x <= (int32_t)y;
		case BPF_JSET: return (x & y) != 0;
		case SCALAR_JNSET: return (x & y) == 0;
		}
		abort();
	}
	switch (op) {
	case BPF_JEQ: return a == b;
	case BPF_JNE: return a != b;
	case BPF_JGT: return a > b;
	case BPF_JGE: return a >= b;
	case BPF_JLT: return a < b;
	case BPF_JLE: return a <= b;
	case BPF_JSGT: return (int64_t)a > (int64_t)b;
	case BPF_JSGE: return (int64_t)a >= (int64_t)b;
	case BPF_JSLT: return (int64_t)a < (int64_t)b;
	case BPF_JSLE: return (int64_t)a <= (int64_t)b;
	case BPF_JSET: return (a & b) != 0;
	case SCALAR_JNSET: return (a & b) == 0;
	}
	abort();
}

/* ---- The rows under test ------------------------------------------------ */

struct row {
	const char *id;
	struct bpf_insn insn; /* dst r0, src r2 for X forms; imm filled in for K */
	bool k_form, uses_src;
};
static struct row alu_rows[128], jmp_rows[64];
static int n_alu, n_jmp;

static void collect_rows(void)
{
	for (int i = 0; i < BPFRT_OP_COUNT; i++) {
		const struct bpfrt_opcode_info *o = &bpfrt_opcodes[i];
		uint8_t cls = o->code & 7;
		struct row r = {.id = o->id, .insn = INSN(o->code, 0, 0, 0, 0)};
		if (o->disc == BPFRT_D_OFF)
			r.insn.off = (int16_t)o->disc_value;
		if (o->disc == BPFRT_D_IMM)
			r.insn.imm = o->disc_value;
		if ((cls == BPF_ALU || cls == BPF_ALU64) && n_alu < 128) {
			r.k_form = o->form == BPFRT_F_ALU_K;
			r.uses_src = o->form == BPFRT_F_ALU_X || o->form == BPFRT_F_MOVSX;
			if (r.uses_src)
				r.insn.src_reg = 2;
			alu_rows[n_alu++] = r;
		} else if ((o->form == BPFRT_F_JMP_K || o->form == BPFRT_F_JMP_X) && n_jmp < 64) {
			r.k_form = o->form == BPFRT_F_JMP_K;
			r.uses_src = !r.k_form;
			r.insn.dst_reg = 1;
			if (r.uses_src)
				r.insn.src_reg = 2;
			jmp_rows[n_jmp++] = r;
		}
	}
}

static const int32_t imms[] = {0, 1, -1, 2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 0xff, 0x100, 0xffff,
			       0x7fffffff, INT32_MIN, INT32_MIN + 1, -2, -8, -255, 0x12345678};

static int32_t rand_imm(void)
{
	if (rnd() & 1)
		return imms[rnd() % (sizeof(imms) / sizeof(imms[0]))];
	return (int32_t)(uint32_t)rnd_shr(31);
}

/* The reference against the interpreter itself, so that what the domain is
 * checked against is what bpfrt runs. */
static void test_reference_vs_vm(void)
{
	struct bpfrt *rt = bpfrt_new(NULL);
	CHECK(rt, "bpfrt_new");
	if (!rt)
		return;
	long mismatches = 0, runs = 0;
	for (int i = 0; i < n_alu + n_jmp; i++) {
		bool is_alu = i < n_alu;
		struct row *row = is_alu ? &alu_rows[i] : &jmp_rows[i - n_alu];
		for (int rep = 0; rep < (row->k_form ? 12 : 1); rep++) {
			struct bpf_insn in = row->insn, prog[5];
			uint32_t cnt;
			if (row->k_form)
				in.imm = rand_imm();
			if (is_alu) {
				prog[0] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 0, 0);
				prog[1] = in;
				prog[2] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
				cnt = 3;
			} else {
				in.off = 1;
				prog[0] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
				prog[1] = in;
				prog[2] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
				prog[3] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
				cnt = 4;
			}
			struct bpfrt_vm_prog *p = NULL;
			struct bpfrt_diag diag = {0};
			if (bpfrt_vm_prog_new(rt, prog, cnt, NULL, &p, &diag)) {
				CHECK(0, "%s: prog_new: %s", row->id, diag.msg);
				continue;
			}
			for (int j = 0; j < 40; j++) {
				uint64_t args[2];
				args[0] = rnd_shr(63);
				args[1] = rnd_shr(63);
				if (j & 1)
					args[1] = (uint64_t)(int64_t)imms[rnd() % (sizeof(imms) / sizeof(imms[0]))];
				if (j % 5 == 0)
					args[0] = j & 2 ? (uint64_t)INT64_MIN : (uint64_t)INT32_MIN, args[1] = -1ull;
				if (j % 7 == 0)
					args[1] = args[0];
				struct bpfrt_run_opts o = {.sz = sizeof(o), .args = args, .nr_args = 2};
				uint64_t r0 = 0, want;
				if (bpfrt_vm_run(p, &o, &r0, &diag)) {
					CHECK(0, "%s: run: %s", row->id, diag.msg);
					break;
				}
				if (is_alu)
					want = ref_alu(args[0], args[1], &in);
				else
					want = ref_jmp(args[0], row->k_form ? (uint64_t)(int64_t)in.imm : args[1],
						       BPF_OP(in.code), BPF_CLASS(in.code) == BPF_JMP32);
				runs++;
				if (r0 != want) {
					mismatches++;
					REPORT("reference %s imm %d: %#" PRIx64 ", %#" PRIx64 ": vm %#" PRIx64
					       " reference %#" PRIx64 "\n",
					       row->id, in.imm, args[0], args[1], r0, want);
				}
				/* and the domain's own concrete helper */
				if (is_alu && scalar_alu_concrete(args[0], row->k_form ? (uint64_t)(int64_t)in.imm : args[1],
								  &in) != r0) {
					mismatches++;
					REPORT("scalar_alu_concrete %s disagrees with the vm\n", row->id);
				}
			}
			bpfrt_vm_prog_free(p);
		}
	}
	CHECK(mismatches == 0, "%ld of %ld reference runs differ from the interpreter", mismatches, runs);
	CHECK(n_alu >= 70 && n_jmp >= 40, "rows: %d alu, %d jmp", n_alu, n_jmp);
	bpfrt_free(rt);
}

/* ---- Concrete sets and their abstraction -------------------------------- */

#define MAXN 8
struct cset {
	uint64_t v[MAXN];
	int n;
};

static const uint64_t edges[] = {
	0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
	0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x100000000ull,
	0x100000001ull, 0x17fffffffull, 0x7fffffffffffffffull, 0x8000000000000000ull,
	0x8000000000000001ull, 0xfffffffffffffffeull, 0xffffffffffffffffull,
	0xffffffff80000000ull, 0xffffffff7fffffffull, 0xffffffff80000001ull, 0xffffffffffffff00ull,
	0xffffffffffff8000ull, 0x00000000ffff0000ull, 0xdeadbeefcafef00dull,
};
#define N_EDGES (sizeof(edges) / sizeof(edges[0]))

static uint64_t rand_val(void)
{
	switch (rnd() % 4) {
	case 0: return edges[rnd() % N_EDGES];
	case 1: {
		uint64_t e = edges[rnd() % N_EDGES];
		return e + (rnd() % 5) - 2;
	}
	case 2: return rnd_shr(63);
	default: return (uint64_t)rnd_sar();
	}
}

static void cset_add(struct cset *c, uint64_t x)
{
	for (int i = 0; i < c->n; i++)
		if (c->v[i] == x)
			return;
	if (c->n < MAXN)
		c->v[c->n++] = x;
}

static void gen_set(struct cset *c)
{
	c->n = 0;
	switch (rnd() % 6) {
	case 0: /* one value */
		cset_add(c, rand_val());
		break;
	case 1: { /* a small range */
		uint64_t base = rand_val(), len = 1 + rnd() % MAXN;
		uint64_t stride = (rnd() & 3) == 0 ? 1ull << (rnd() & 7) : 1;
		for (uint64_t i = 0; i < len; i++)
			cset_add(c, base + i * stride);
		break;
	}
	case 2: { /* a value with a few unknown bits: all combinations */
		uint64_t base = rand_val();
		int bits[3], nb = 1 + (int)(rnd() % 3);
		for (int i = 0; i < nb; i++)
			if (rnd() & 1) {
				bits[i] = (int)(rnd() & 63);
			} else {
				bits[i] = (int)(rnd() & 7);
				bits[i] += (rnd() & 1) ? 28 : 0;
			}
		for (int m = 0; m < (1 << nb); m++) {
			uint64_t x = base;
			for (int i = 0; i < nb; i++)
				if (m & (1 << i))
					x ^= 1ull << bits[i];
			cset_add(c, x);
		}
		break;
	}
	case 3: { /* edge values */
		int n = 2 + (int)(rnd() % 5);
		for (int i = 0; i < n; i++)
			cset_add(c, edges[rnd() % N_EDGES]);
		break;
	}
	case 4: { /* around one value */
		uint64_t base = rand_val();
		int n = 2 + (int)(rnd() % 5);
		for (int i = 0; i < n; i++)
			cset_add(c, base + (rnd() % 9) - 4);
		break;
	}
	default: { /* anything */
		int n = 1 + (int)(rnd() % MAXN);
		for (int i = 0; i < n; i++)
			cset_add(c, rand_val());
		break;
	}
	}
}

static void abstract(struct scalar *s, const struct cset *c)
{
	uint64_t and_ = c->v[0], or_ = c->v[0];
	s->umin = s->umax = c->v[0];
	s->smin = s->smax = (int64_t)c->v[0];
	s->u32_min = s->u32_max = (uint32_t)c->v[0];
	s->s32_min = s->s32_max = (int32_t)(uint32_t)c->v[0];
	for (int i = 1; i < c->n; i++) {
		uint64_t x = c->v[i];
		and_ &= x, or_ |= x;
		if (x < s->umin) s->umin = x;
		if (x > s->umax) s->umax = x;
		if ((int64_t)x < s->smin) s->smin = (int64_t)x;
		if ((int64_t)x > s->smax) s->smax = (int64_t)x;
		if ((uint32_t)x < s->u32_min) s->u32_min = (uint32_t)x;
		if ((uint32_t)x > s->u32_max) s->u32_max = (uint32_t)x;
		if ((int32_t)(uint32_t)x < s->s32_min) s->s32_min = (int32_t)(uint32_t)x;
		if ((int32_t)(uint32_t)x > s->s32_max) s->s32_max = (int32_t)(uint32_t)x;
	}
	s->var_off = TNUM(and_, and_ ^ or_);
}

static bool contains(const struct scalar *s, uint64_t x)
{
	return (x & ~s->var_off.mask) == s->var_off.value && x >= s->umin && x <= s->umax &&
	       (int64_t)x >= s->smin && (int64_t)x <= s->smax && (uint32_t)x >= s->u32_min &&
	       (uint32_t)x <= s->u32_max && (int32_t)(uint32_t)x >= s->s32_min &&
	       (int32_t)(uint32_t)x <= s->s32_max;
}

static void show(const char *what, const struct scalar *s)
{
	char buf[400];
	scalar_print(buf, sizeof(buf), s);
	fprintf(stderr, "    %s: %s [u %#" PRIx64 "..%#" PRIx64 " s %" PRId64 "..%" PRId64 " u32 %#x..%#x s32 %d..%d"
		" var_off (%#" PRIx64 "; %#" PRIx64 ")]\n",
		what, buf, s->umin, s->umax, s->smin, s->smax, s->u32_min, s->u32_max, s->s32_min, s->s32_max,
		s->var_off.value, s->var_off.mask);
}

static void show_set(const char *what, const struct cset *c)
{
	fprintf(stderr, "    %s = {", what);
	for (int i = 0; i < c->n; i++)
		fprintf(stderr, "%s%#" PRIx64, i ? ", " : "", c->v[i]);
	fprintf(stderr, "}\n");
}

static long n_alu_checks, n_jmp_checks;

/* ---- ALU soundness ------------------------------------------------------- */

static void check_alu_one(const struct row *row, const struct bpf_insn *in, const struct cset *A,
			  const struct cset *B)
{
	struct scalar a, b, r;
	abstract(&a, A);
	abstract(&b, B);
	scalar_sync(&a);
	scalar_sync(&b);
	r = a;
	scalar_alu(&r, &b, in);
	n_alu_checks++;
	bool bad = !scalar_valid(&r);
	uint64_t miss = 0;
	for (int i = 0; i < A->n && !bad; i++)
		for (int j = 0; j < B->n && !bad; j++) {
			uint64_t want = ref_alu(A->v[i], B->v[j], in);
			if (!contains(&r, want))
				bad = true, miss = want;
		}
	bool folds = A->n == 1 && (B->n == 1 || !row->uses_src);
	uint64_t exact = ref_alu(A->v[0], B->v[0], in);
	if (!bad && folds && !(scalar_is_const(&r) && r.var_off.value == exact))
		bad = true, miss = exact;
	if (bad) {
		if (fails_reported++ < FAIL_LIMIT) {
			fprintf(stderr, "ALU %s (code %#x off %d imm %d)%s misses %#" PRIx64 "\n", row->id, in->code,
				in->off, in->imm, folds ? " (constant)" : "", miss);
			show_set("dst", A);
			show_set("src", B);
			show("dst", &a);
			show("src", &b);
			show("result", &r);
		}
		check_failures++;
	}
	/* the engine may pass the same register as both operands */
	if (row->uses_src && !row->k_form) {
		r = a;
		scalar_alu(&r, &r, in);
		for (int i = 0; i < A->n; i++)
			if (!contains(&r, ref_alu(A->v[i], A->v[i], in))) {
				REPORT("ALU %s with dst == src misses %#" PRIx64 "\n", row->id,
				       ref_alu(A->v[i], A->v[i], in));
				check_failures++;
				break;
			}
	}
}

static void test_alu_soundness(int iters)
{
	for (int it = 0; it < iters; it++) {
		struct cset A, B;
		gen_set(&A);
		gen_set(&B);
		int32_t imm = rand_imm();
		for (int i = 0; i < n_alu; i++) {
			const struct row *row = &alu_rows[i];
			struct bpf_insn in = row->insn;
			struct cset K = {{0}, 1};
			if (row->k_form) {
				in.imm = imm;
				K.v[0] = (uint64_t)(int64_t)imm;
			}
			check_alu_one(row, &in, &A, row->k_form ? &K : &B);
		}
	}
}

/* ---- Jump soundness ------------------------------------------------------ */

static void check_refine(const char *id, uint8_t op, bool jmp32, const struct scalar *a0, const struct scalar *b0,
			 const struct cset *A, const struct cset *B, bool swapped)
{
	struct scalar a = *a0, b = *b0;
	bool ok = swapped ? scalar_refine(&b, &a, scalar_jmp_swap(op), jmp32) : scalar_refine(&a, &b, op, jmp32);
	bool any = false, bad = false;
	uint64_t mx = 0, my = 0;
	for (int i = 0; i < A->n; i++)
		for (int j = 0; j < B->n; j++) {
			if (!ref_jmp(A->v[i], B->v[j], op, jmp32))
				continue;
			any = true;
			if (ok && (!contains(&a, A->v[i]) || !contains(&b, B->v[j])) && !bad)
				bad = true, mx = A->v[i], my = B->v[j];
		}
	if (any && !ok)
		bad = true;
	if (ok && (!scalar_valid(&a) || !scalar_valid(&b)))
		bad = true;
	n_jmp_checks++;
	if (bad) {
		if (fails_reported++ < FAIL_LIMIT) {
			fprintf(stderr, "refine %s op %#x%s%s: %s pair (%#" PRIx64 ", %#" PRIx64 ")\n", id, op,
				jmp32 ? " jmp32" : "", swapped ? " swapped" : "",
				ok ? "drops" : "says impossible, has", mx, my);
			show_set("a", A);
			show_set("b", B);
			show("a before", a0);
			show("b before", b0);
			show("a after", &a);
			show("b after", &b);
		}
		check_failures++;
	}
}

static void check_jmp_one(const char *id, uint8_t op, bool jmp32, const struct cset *A, const struct cset *B)
{
	struct scalar a, b;
	abstract(&a, A);
	abstract(&b, B);
	scalar_sync(&a);
	scalar_sync(&b);
	int t = scalar_branch_taken(&a, &b, op, jmp32);
	bool all = true, none = true;
	for (int i = 0; i < A->n; i++)
		for (int j = 0; j < B->n; j++) {
			bool c = ref_jmp(A->v[i], B->v[j], op, jmp32);
			all &= c, none &= !c;
		}
	if ((t == 1 && !all) || (t == 0 && !none) || t < -1 || t > 1 || (A->n == 1 && B->n == 1 && t < 0)) {
		if (fails_reported++ < FAIL_LIMIT) {
			fprintf(stderr, "branch_taken %s op %#x%s = %d, wrong\n", id, op, jmp32 ? " jmp32" : "", t);
			show_set("a", A);
			show_set("b", B);
		}
		check_failures++;
	}
	/* both branches, and the same question asked the other way round */
	uint8_t neg = scalar_jmp_negate(op);
	check_refine(id, op, jmp32, &a, &b, A, B, false);
	check_refine(id, neg, jmp32, &a, &b, A, B, false);
	check_refine(id, op, jmp32, &a, &b, A, B, true);
	check_refine(id, neg, jmp32, &a, &b, A, B, true);
	if (scalar_jmp_negate(neg) != op)
		CHECK(0, "negate is not an involution for %#x", op);
	/* the engine may compare a register with itself */
	struct scalar s = a;
	bool ok = scalar_refine(&s, &s, op, jmp32);
	for (int i = 0; i < A->n; i++)
		if (ref_jmp(A->v[i], A->v[i], op, jmp32) && (!ok || !contains(&s, A->v[i]))) {
			REPORT("refine %s op %#x%s with a == b drops %#" PRIx64 "\n", id, op, jmp32 ? " jmp32" : "",
			       A->v[i]);
			check_failures++;
			break;
		}
}

/* Chains of operations: the inputs are no longer best abstractions of
 * their sets but whatever earlier steps produced, as in the verifier.  The
 * concrete side follows a sample of the members (soundness is per member). */
static void test_chains(int iters)
{
	static const uint8_t ops[] = {BPF_JEQ,  BPF_JNE,  BPF_JGT,  BPF_JGE,  BPF_JLT,  BPF_JLE,
				      BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE, BPF_JSET, SCALAR_JNSET};
	for (int it = 0; it < iters; it++) {
		struct cset A, B;
		struct scalar s, b;
		gen_set(&A);
		abstract(&s, &A);
		scalar_sync(&s);
		for (int step = 0; step < 10; step++) {
			gen_set(&B);
			if (rnd() & 1)
				B.n = 1;
			abstract(&b, &B);
			scalar_sync(&b);
			struct cset N = {{0}, 0};
			struct scalar r = s;
			const char *what;
			if (rnd() % 10 < 7) {
				const struct row *row = &alu_rows[rnd() % (uint64_t)n_alu];
				struct bpf_insn in = row->insn;
				if (row->k_form) {
					in.imm = rand_imm();
					B.n = 1, B.v[0] = (uint64_t)(int64_t)in.imm;
					scalar_set_const(&b, B.v[0]);
				}
				what = row->id;
				scalar_alu(&r, &b, &in);
				for (int i = 0; i < A.n; i++)
					for (int j = 0; j < B.n; j++)
						cset_add(&N, ref_alu(A.v[i], B.v[j], &in));
			} else {
				uint8_t op = ops[rnd() % (sizeof(ops) / sizeof(ops[0]))];
				bool j32 = rnd() & 1;
				what = "refine";
				if (!scalar_refine(&r, &b, op, j32)) {
					r = s;
					op = scalar_jmp_negate(op);
					if (!scalar_refine(&r, &b, op, j32))
						r = s, op = 0;
				}
				for (int i = 0; i < A.n; i++)
					for (int j = 0; j < B.n; j++)
						if (!op || ref_jmp(A.v[i], B.v[j], op, j32))
							cset_add(&N, A.v[i]);
			}
			n_alu_checks++;
			for (int i = 0; i < N.n; i++)
				if (!contains(&r, N.v[i]) || !scalar_valid(&r)) {
					if (fails_reported++ < FAIL_LIMIT) {
						fprintf(stderr, "chain step %d (%s) misses %#" PRIx64 "\n", step, what, N.v[i]);
						show_set("before", &A);
						show("before", &s);
						show_set("operand", &B);
						show("result", &r);
					}
					check_failures++;
					break;
				}
			if (N.n == 0)
				break;
			A = N;
			s = r;
		}
	}
}

static void test_jmp_soundness(int iters)
{
	static const uint8_t ops[] = {BPF_JEQ,  BPF_JNE,  BPF_JGT,  BPF_JGE,  BPF_JLT,  BPF_JLE,
				      BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE, BPF_JSET, SCALAR_JNSET};
	for (int it = 0; it < iters; it++) {
		struct cset A, B, K = {{0}, 1};
		gen_set(&A);
		gen_set(&B);
		K.v[0] = (uint64_t)(int64_t)rand_imm();
		/* every row of the table: K and X forms, jmp and jmp32 */
		for (int i = 0; i < n_jmp; i++) {
			const struct row *row = &jmp_rows[i];
			check_jmp_one(row->id, BPF_OP(row->insn.code), BPF_CLASS(row->insn.code) == BPF_JMP32, &A,
				      row->k_form ? &K : &B);
		}
		for (int j = 0; j < 2; j++)
			check_jmp_one("JNSET", SCALAR_JNSET, j, &A, (it & 1) ? &K : &B);
		(void)ops;
	}
}

/* ---- Sync, pruning, loads ----------------------------------------------- */

static void test_sync_within(int iters)
{
	long bad = 0;
	for (int it = 0; it < iters; it++) {
		struct cset A, B;
		gen_set(&A);
		gen_set(&B);
		struct scalar a, b;
		abstract(&a, &A);
		abstract(&b, &B);
		scalar_sync(&a);
		scalar_sync(&b);
		for (int i = 0; i < A.n; i++)
			if (!contains(&a, A.v[i]))
				bad++;
		if (!scalar_valid(&a) || !scalar_within(&a, &a))
			bad++;
		/* within(old, cur): every member of cur is in old */
		if (scalar_within(&a, &b))
			for (int i = 0; i < B.n; i++)
				if (!contains(&a, B.v[i]))
					bad++;
		/* a subset is within its superset */
		struct cset S = A;
		S.n = 1 + (int)(rnd() % A.n);
		struct scalar s;
		abstract(&s, &S);
		struct scalar au;
		abstract(&au, &A);
		if (!scalar_within(&au, &s))
			bad++;
	}
	CHECK(bad == 0, "sync/within: %ld failures", bad);

	static const struct {
		uint8_t size;
		bool sx;
		int64_t smin, smax;
		uint64_t umax;
	} loads[] = {
		{1, false, 0, 255, 255},
		{2, false, 0, 65535, 65535},
		{4, false, 0, UINT32_MAX, UINT32_MAX},
		{8, false, INT64_MIN, INT64_MAX, UINT64_MAX},
		{1, true, -128, 127, UINT64_MAX},
		{2, true, -32768, 32767, UINT64_MAX},
		{4, true, INT32_MIN, INT32_MAX, UINT64_MAX},
	};
	for (size_t i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		struct scalar s;
		scalar_set_load(&s, loads[i].size, loads[i].sx);
		CHECK(s.smin == loads[i].smin && s.smax == loads[i].smax && s.umax == loads[i].umax && scalar_valid(&s),
		      "load size %u sx %d: smin %" PRId64 " smax %" PRId64 " umax %#" PRIx64, loads[i].size,
		      loads[i].sx, s.smin, s.smax, s.umax);
	}
	struct scalar s;
	scalar_set_urange(&s, 16, 31);
	CHECK(s.umin == 16 && s.umax == 31 && s.var_off.value == 16 && s.var_off.mask == 15, "urange 16..31");
}

/* ---- Precision ----------------------------------------------------------- */

static void alu(struct scalar *d, uint8_t code, int16_t off, int32_t imm)
{
	struct bpf_insn in = INSN(code, 0, 0, off, imm);
	struct scalar k;
	scalar_set_const(&k, (uint64_t)(int64_t)imm);
	scalar_alu(d, &k, &in);
}

static void alux(struct scalar *d, const struct scalar *s, uint8_t code, int16_t off)
{
	struct bpf_insn in = INSN(code, 0, 1, off, 0);
	scalar_alu(d, s, &in);
}

static bool refine_k(struct scalar *d, uint8_t op, bool jmp32, int32_t imm)
{
	struct scalar k;
	scalar_set_const(&k, (uint64_t)(int64_t)imm);
	return scalar_refine(d, &k, op, jmp32);
}

static void expect_print(const struct scalar *s, const char *want, int line)
{
	char buf[400];
	scalar_print(buf, sizeof(buf), s);
	CHECK(strcmp(buf, want) == 0, "line %d: got %s, want %s", line, buf, want);
}
#define EXPECT(s, want) expect_print(s, want, __LINE__)

static void test_precision(void)
{
	struct scalar r, t, u;

	/* r &= 0xff */
	scalar_set_unknown(&r);
	EXPECT(&r, "scalar()");
	alu(&r, BPF_ALU64 | BPF_AND | BPF_K, 0, 0xff);
	CHECK(r.umax == 255 && r.umin == 0 && r.smin == 0 && r.smax == 255, "r &= 0xff");
	EXPECT(&r, "scalar(umax=255,var_off=(0x0; 0xff))");

	/* ... if r < 16: [0, 15] taken, [16, 255] not */
	t = r, u = r;
	CHECK(refine_k(&t, BPF_JLT, false, 16) && t.umax == 15 && t.var_off.mask == 0xf, "r < 16");
	CHECK(refine_k(&u, BPF_JGE, false, 16) && u.umin == 16 && u.umax == 255, "r >= 16");
	EXPECT(&u, "scalar(umin=16,umax=255,var_off=(0x0; 0xff))");
	t = r;
	CHECK(refine_k(&t, BPF_JGT, false, 10) && t.umin == 11 && t.umax == 255, "r > 10");
	t = r;
	CHECK(refine_k(&t, BPF_JLE, false, 10) && t.umax == 10, "r <= 10");
	/* the same through jmp32 */
	t = r;
	CHECK(refine_k(&t, BPF_JLT, true, 16) && t.umax == 15, "w < 16: umax %" PRIu64, t.umax);

	/* jmp32 on a zero-extended value bounds all 64 bits */
	scalar_set_unknown(&t);
	alux(&t, &t, BPF_ALU | BPF_MOV | BPF_X, 0);
	EXPECT(&t, "scalar(umax=4294967295,var_off=(0x0; 0xffffffff))");
	CHECK(refine_k(&t, BPF_JLT, true, 10) && t.umax == 9 && t.smax == 9, "w < 10 after zext: umax %" PRIu64, t.umax);
	/* jmp32 on a 64-bit unknown leaves the upper half alone */
	scalar_set_unknown(&t);
	CHECK(refine_k(&t, BPF_JLT, true, 10) && t.u32_max == 9 && t.umax == UINT64_MAX - 0xffffffffull + 9,
	      "w < 10 on unknown: u32_max %u umax %#" PRIx64, t.u32_max, t.umax);

	/* 32-bit arithmetic on constants is exact and zero-extended */
	scalar_set_const(&t, 0xffffffffull);
	alu(&t, BPF_ALU | BPF_ADD | BPF_K, 0, 2);
	CHECK(scalar_is_const(&t) && t.var_off.value == 1, "w = 0xffffffff + 2");
	scalar_set_const(&t, 0x1234567800000005ull);
	alu(&t, BPF_ALU | BPF_MUL | BPF_K, 0, -1);
	CHECK(scalar_is_const(&t) && t.var_off.value == 0xfffffffbull, "w = 5 * -1");
	EXPECT(&t, "4294967291");
	/* a constant low half is enough for a 32-bit op */
	scalar_set_unknown(&t);
	t.var_off = TNUM(7, 0xffffffff00000000ull);
	scalar_sync(&t);
	alu(&t, BPF_ALU | BPF_LSH | BPF_K, 0, 4);
	CHECK(scalar_is_const(&t) && t.var_off.value == 0x70, "w = 7 << 4 with an unknown upper half");

	/* add/sub: overflow checked in every view */
	scalar_set_urange(&t, 0, 255);
	u = t;
	alux(&t, &u, BPF_ALU64 | BPF_ADD | BPF_X, 0);
	CHECK(t.umin == 0 && t.umax == 510 && t.smin == 0 && t.smax == 510, "[0,255] + [0,255]");
	alu(&t, BPF_ALU64 | BPF_SUB | BPF_K, 0, 10);
	CHECK(t.smin == -10 && t.smax == 500 && t.umin == 0 && t.umax == UINT64_MAX && t.s32_min == -10 &&
	      t.s32_max == 500, "[0,510] - 10: s %" PRId64 "..%" PRId64, t.smin, t.smax);
	alu(&t, BPF_ALU64 | BPF_ADD | BPF_K, 0, 10);
	CHECK(t.umin == 0 && t.umax == 510, "back: umax %" PRIu64, t.umax);
	scalar_set_urange(&t, UINT64_MAX - 5, UINT64_MAX);
	alu(&t, BPF_ALU64 | BPF_ADD | BPF_K, 0, 10);
	CHECK(t.umin == 4 && t.umax == 9, "wrapping add of a range that always wraps: %" PRIu64 "..%" PRIu64, t.umin,
	      t.umax);

	/* shifts by constants */
	scalar_set_urange(&t, 0, 255);
	alu(&t, BPF_ALU64 | BPF_LSH | BPF_K, 0, 4);
	EXPECT(&t, "scalar(umax=4080,var_off=(0x0; 0xff0))");
	scalar_set_unknown(&t);
	alu(&t, BPF_ALU64 | BPF_RSH | BPF_K, 0, 56);
	CHECK(t.umax == 255 && t.smin == 0, "unknown >> 56");
	scalar_set_load(&t, 1, true);
	alu(&t, BPF_ALU64 | BPF_ARSH | BPF_K, 0, 4);
	CHECK(t.smin == -8 && t.smax == 7, "s8 s>> 4: %" PRId64 "..%" PRId64, t.smin, t.smax);
	/* a shift amount known to be small */
	scalar_set_urange(&t, 1, 1);
	scalar_set_urange(&u, 0, 3);
	alux(&t, &u, BPF_ALU64 | BPF_LSH | BPF_X, 0);
	CHECK(t.umin == 1 && t.umax == 8, "1 << [0,3]: %" PRIu64 "..%" PRIu64, t.umin, t.umax);

	/* and/or with bounds */
	scalar_set_urange(&t, 0, 1000);
	alu(&t, BPF_ALU64 | BPF_OR | BPF_K, 0, 1);
	CHECK(t.umin == 1 && t.umax == 1023, "[0,1000] | 1: %" PRIu64 "..%" PRIu64, t.umin, t.umax);
	scalar_set_load(&t, 2, true);
	alu(&t, BPF_ALU64 | BPF_AND | BPF_K, 0, 0x7fff);
	CHECK(t.umax == 0x7fff && t.smin == 0, "s16 & 0x7fff");

	/* 32-bit ops zero-extend: the 64-bit bounds follow */
	scalar_set_unknown(&t);
	alu(&t, BPF_ALU | BPF_AND | BPF_K, 0, 0xfff);
	EXPECT(&t, "scalar(umax=4095,var_off=(0x0; 0xfff))");
	scalar_set_load(&t, 4, true);
	alu(&t, BPF_ALU | BPF_ADD | BPF_K, 0, 1);
	CHECK(t.umax == UINT32_MAX && t.smin == 0, "alu32 result is within u32");

	/* div/mod */
	scalar_set_urange(&t, 0, 1000);
	alu(&t, BPF_ALU64 | BPF_MOD | BPF_K, 0, 16);
	CHECK(t.umax == 15, "[0,1000] %% 16: umax %" PRIu64, t.umax);
	scalar_set_urange(&t, 0, 1000);
	alu(&t, BPF_ALU64 | BPF_DIV | BPF_K, 0, 10);
	CHECK(t.umax == 100, "[0,1000] / 10: umax %" PRIu64, t.umax);
	scalar_set_urange(&t, 3, 9);
	alu(&t, BPF_ALU | BPF_MOD | BPF_K, 0, 100);
	CHECK(t.umin == 3 && t.umax == 9, "[3,9] %% 100 = itself");
	scalar_set_load(&t, 1, true);
	alu(&t, BPF_ALU64 | BPF_DIV | BPF_K, 1, 2);
	CHECK(t.smin == -64 && t.smax == 63, "s8 sdiv 2: %" PRId64 "..%" PRId64, t.smin, t.smax);
	/* division by zero, modulo by zero, INT_MIN / -1 */
	scalar_set_const(&t, 77);
	alu(&t, BPF_ALU64 | BPF_DIV | BPF_K, 0, 0);
	CHECK(scalar_is_const(&t) && t.var_off.value == 0, "77 / 0 = 0");
	scalar_set_const(&t, 0xabcdef0000000077ull);
	alu(&t, BPF_ALU | BPF_MOD | BPF_K, 0, 0);
	CHECK(scalar_is_const(&t) && t.var_off.value == 0x77, "w %% 0 keeps the low half");
	scalar_set_const(&t, (uint64_t)INT64_MIN);
	alu(&t, BPF_ALU64 | BPF_DIV | BPF_K, 1, -1);
	CHECK(scalar_is_const(&t) && t.var_off.value == (uint64_t)INT64_MIN, "INT64_MIN s/ -1");
	scalar_set_const(&t, (uint64_t)INT64_MIN);
	alu(&t, BPF_ALU64 | BPF_MOD | BPF_K, 1, -1);
	CHECK(scalar_is_const(&t) && t.var_off.value == 0, "INT64_MIN s%% -1");

	/* movsx and byte swaps */
	scalar_set_urange(&t, 0x80, 0x80);
	u = t;
	alux(&t, &u, BPF_ALU64 | BPF_MOV | BPF_X, 8);
	EXPECT(&t, "-128");
	scalar_set_urange(&u, 0, 0x7f);
	alux(&t, &u, BPF_ALU64 | BPF_MOV | BPF_X, 8);
	CHECK(t.umax == 0x7f, "movsx8 of [0,127]");
	scalar_set_urange(&u, 0x80, 0xff);
	alux(&t, &u, BPF_ALU | BPF_MOV | BPF_X, 8);
	CHECK(t.umin == 0xffffff80u && t.umax == 0xffffffffu, "movsx832 of [0x80,0xff]: %#" PRIx64 "..%#" PRIx64,
	      t.umin, t.umax);
	scalar_set_urange(&t, 0, 0xff);
	alu(&t, BPF_ALU | BPF_END | BPF_TO_BE, 0, 16);
	EXPECT(&t, "scalar(umax=65280,var_off=(0x0; 0xff00))");
	scalar_set_urange(&t, 0, 1000);
	alu(&t, BPF_ALU | BPF_END | BPF_TO_LE, 0, 16);
	CHECK(t.umax == 1000, "le16 of [0,1000]");

	/* JEQ gives the constant; JNE trims a range at its ends */
	scalar_set_unknown(&t);
	CHECK(refine_k(&t, BPF_JEQ, false, 5) && scalar_is_const(&t) && t.var_off.value == 5, "r == 5");
	scalar_set_unknown(&t);
	CHECK(refine_k(&t, BPF_JEQ, true, -1) && scalar_is_const32(&t) && t.u32_min == UINT32_MAX &&
	      t.var_off.mask == 0xffffffff00000000ull, "w == -1");
	scalar_set_urange(&t, 0, 10);
	u = t;
	CHECK(refine_k(&t, BPF_JNE, false, 10) && t.umax == 9, "[0,10] != 10");
	CHECK(refine_k(&u, BPF_JNE, false, 0) && u.umin == 1, "[0,10] != 0");
	scalar_set_urange(&t, 0, 10);
	CHECK(refine_k(&t, BPF_JNE, false, 5) && t.umin == 0 && t.umax == 10, "[0,10] != 5 (middle)");
	scalar_set_urange(&t, 0, 10);
	CHECK(!refine_k(&t, BPF_JEQ, false, 11), "[0,10] == 11 impossible");
	scalar_set_const(&u, 11);
	CHECK(scalar_branch_taken(&t, &u, BPF_JLT, false) == 1, "[0,10] < 11 always");
	CHECK(scalar_branch_taken(&t, &u, BPF_JNE, false) == 1, "[0,10] != 11 always");
	CHECK(scalar_branch_taken(&t, &u, BPF_JSGE, false) == 0, "[0,10] s>= 11 never");

	/* both sides unknown */
	scalar_set_urange(&t, 0, 100);
	scalar_set_urange(&u, 50, 200);
	CHECK(scalar_refine(&t, &u, BPF_JGT, false) && t.umin == 51 && u.umax == 99, "x > y");
	scalar_set_urange(&t, 0, 100);
	scalar_set_urange(&u, 50, 200);
	CHECK(scalar_refine(&t, &u, BPF_JEQ, false) && t.umin == 50 && t.umax == 100 && u.umin == 50 && u.umax == 100,
	      "x == y");

	/* signed */
	scalar_set_load(&t, 2, true);
	u = t;
	CHECK(refine_k(&t, BPF_JSLT, false, 0) && t.smin == -32768 && t.smax == -1, "s16 s< 0");
	CHECK(refine_k(&u, BPF_JSGE, false, 0) && u.smin == 0 && u.umax == 32767, "s16 s>= 0");

	/* JSET */
	scalar_set_urange(&t, 0, 255);
	u = t;
	CHECK(refine_k(&t, BPF_JSET, false, 0x80) && t.umin == 0x80 && (t.var_off.value & 0x80), "r & 0x80");
	CHECK(refine_k(&u, SCALAR_JNSET, false, 0x80) && u.umax == 0x7f, "!(r & 0x80)");
	scalar_set_urange(&t, 0, 0x7f);
	scalar_set_const(&u, 0x80);
	CHECK(scalar_branch_taken(&t, &u, BPF_JSET, false) == 0, "[0,127] & 0x80 never");
	scalar_set_const(&t, 0x81);
	scalar_set_urange(&u, 0x80, 0xff);
	CHECK(scalar_branch_taken(&t, &u, BPF_JSET, false) == 1, "0x81 & [0x80,0xff] always");

	/* pruning */
	scalar_set_urange(&t, 0, 100);
	scalar_set_urange(&u, 10, 20);
	CHECK(scalar_within(&t, &u) && !scalar_within(&u, &t), "within");

	/* printing */
	scalar_set_const(&t, 42);
	EXPECT(&t, "42");
	scalar_set_load(&t, 1, true);
	EXPECT(&t, "scalar(smin=-128,smax=127)");
	char small[8];
	int n = scalar_print(small, sizeof(small), &t);
	CHECK(n == (int)strlen("scalar(smin=-128,smax=127)") && strlen(small) == 7,
	      "snprintf-like return %d", n);
}

int main(void)
{
	const char *env = getenv("BPFRT_SEED");
	if (env && *env)
		seed = strtoull(env, NULL, 0);
	rng_state = seed;
	collect_rows();
	test_reference_vs_vm();
	test_precision();
	test_sync_within(20000);
	test_alu_soundness(5000);
	test_jmp_soundness(5000);
	test_chains(40000);
	printf("%ld ALU and %ld refine checks\n", n_alu_checks, n_jmp_checks);
	if (check_failures)
		fprintf(stderr, "seed %" PRIu64 "; replay with BPFRT_SEED=%" PRIu64 " ./test_scalar\n", seed, seed);
	return CHECK_DONE();
}

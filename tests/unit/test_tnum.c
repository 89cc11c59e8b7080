/* test_tnum.c — every tnum operation against brute force.
 *
 * Exhaustive part: every tnum of 4 bits (81 of them) placed at a few bit
 * positions of a 64-bit word (low bits, top bits, around bit 31/32) over a
 * fixed background, times every other, times every pair of members: each
 * result must contain every concrete result (soundness); the bitwise
 * operations, shifts and union must also be exact (the smallest tnum).
 * Random part: 64-bit tnums with a few unknown bits, fixed seed (BPFRT_SEED
 * overrides it; a failure prints the seed).
 */
#include "verifier/tnum.h"
#include "check.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static uint64_t seed = 0x7e57u;
static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static bool in(struct tnum t, uint64_t x)
{
	return (x & ~t.mask) == t.value;
}

static bool wf(struct tnum t)
{
	return (t.value & t.mask) == 0;
}

/* Smallest tnum holding every value fed to it. */
struct acc {
	uint64_t and_, or_;
	bool any;
};
static void acc_add(struct acc *a, uint64_t x)
{
	if (!a->any)
		a->and_ = a->or_ = x, a->any = true;
	else
		a->and_ &= x, a->or_ |= x;
}
static struct tnum acc_tnum(const struct acc *a)
{
	return TNUM(a->and_, a->and_ ^ a->or_);
}

/* 4-bit tnums embedded at four bit positions over a background. */
struct embed {
	int pos[4];
	uint64_t bg;
};
static uint64_t spread(const struct embed *e, uint64_t bits)
{
	uint64_t r = 0;
	for (int i = 0; i < 4; i++)
		if (bits & (1u << i))
			r |= 1ull << e->pos[i];
	return r;
}
static struct tnum emb_tnum(const struct embed *e, unsigned v, unsigned m)
{
	return TNUM(e->bg | spread(e, v), spread(e, m));
}

enum { OP_ADD, OP_SUB, OP_MUL, OP_AND, OP_OR, OP_XOR, OP_INTERSECT, OP_UNION, NBIN };
static const char *const binname[NBIN] = {"add", "sub", "mul", "and", "or", "xor", "intersect", "union"};

static int fails_reported;
#define FAIL_LIMIT 20

static void report(const char *what, struct tnum a, struct tnum b, struct tnum r, uint64_t x)
{
	if (fails_reported++ < FAIL_LIMIT)
		fprintf(stderr,
			"tnum %s: a=(%#" PRIx64 ";%#" PRIx64 ") b=(%#" PRIx64 ";%#" PRIx64 ") -> (%#" PRIx64
			";%#" PRIx64 ") misses %#" PRIx64 "\n",
			what, a.value, a.mask, b.value, b.mask, r.value, r.mask, x);
}

static void test_exhaustive_binary(const struct embed *e)
{
	unsigned tn[81][2], n = 0;
	for (unsigned v = 0; v < 16; v++)
		for (unsigned m = 0; m < 16; m++)
			if (!(v & m))
				tn[n][0] = v, tn[n][1] = m, n++;
	long bad[NBIN] = {0}, inexact[NBIN] = {0};
	for (unsigned i = 0; i < n; i++) {
		struct tnum a = emb_tnum(e, tn[i][0], tn[i][1]);
		for (unsigned j = 0; j < n; j++) {
			struct tnum b = emb_tnum(e, tn[j][0], tn[j][1]);
			struct tnum r[NBIN] = {tnum_add(a, b), tnum_sub(a, b), tnum_mul(a, b), tnum_and(a, b),
					       tnum_or(a, b),  tnum_xor(a, b), tnum_intersect(a, b),
					       tnum_union(a, b)};
			struct acc acc[NBIN];
			memset(acc, 0, sizeof(acc));
			for (unsigned x4 = 0; x4 < 16; x4++) {
				if ((x4 & ~tn[i][1]) != tn[i][0])
					continue;
				uint64_t x = e->bg | spread(e, x4);
				acc_add(&acc[OP_UNION], x);
				if (in(b, x))
					acc_add(&acc[OP_INTERSECT], x);
				for (unsigned y4 = 0; y4 < 16; y4++) {
					if ((y4 & ~tn[j][1]) != tn[j][0])
						continue;
					uint64_t y = e->bg | spread(e, y4);
					uint64_t c[6] = {x + y, x - y, x * y, x & y, x | y, x ^ y};
					for (int k = 0; k < 6; k++) {
						acc_add(&acc[k], c[k]);
						if (!in(r[k], c[k]))
							bad[k]++, report(binname[k], a, b, r[k], c[k]);
					}
				}
			}
			/* union: members of a and of b */
			for (unsigned y4 = 0; y4 < 16; y4++)
				if ((y4 & ~tn[j][1]) == tn[j][0])
					acc_add(&acc[OP_UNION], e->bg | spread(e, y4));
			for (int k = 0; k < NBIN; k++) {
				if (!wf(r[k]))
					bad[k]++, report(binname[k], a, b, r[k], 0);
				if (k == OP_INTERSECT || k == OP_UNION) {
					/* intersect must hold the common members, exactly when there are any */
					if (acc[k].any) {
						struct tnum want = acc_tnum(&acc[k]);
						if (k == OP_UNION ? (r[k].value != want.value || r[k].mask != want.mask)
								  : !(in(r[k], want.value) && (want.mask & ~r[k].mask) == 0))
							inexact[k]++;
					}
					continue;
				}
				/* add, sub: optimal as the kernel's are; bitwise: exact */
				if (k == OP_MUL)
					continue;
				struct tnum want = acc_tnum(&acc[k]);
				if (r[k].value != want.value || r[k].mask != want.mask)
					inexact[k]++;
			}
		}
	}
	for (int k = 0; k < NBIN; k++) {
		CHECK(bad[k] == 0, "%s at (%d,%d,%d,%d): %ld unsound results", binname[k], e->pos[0], e->pos[1],
		      e->pos[2], e->pos[3], bad[k]);
		CHECK(inexact[k] == 0, "%s at (%d,%d,%d,%d): %ld results not the smallest tnum", binname[k],
		      e->pos[0], e->pos[1], e->pos[2], e->pos[3], inexact[k]);
	}
}

static void test_exhaustive_unary(const struct embed *e)
{
	long bad = 0, inexact = 0;
	for (unsigned v = 0; v < 16; v++)
		for (unsigned m = 0; m < 16; m++) {
			if (v & m)
				continue;
			struct tnum a = emb_tnum(e, v, m);
			for (unsigned s = 0; s < 64; s++) {
				struct tnum r[5] = {tnum_lshift(a, (uint8_t)s), tnum_rshift(a, (uint8_t)s),
						    tnum_arshift(a, (uint8_t)s, 64),
						    tnum_arshift(a, (uint8_t)s, 32), tnum_neg(a)};
				struct acc acc[5];
				memset(acc, 0, sizeof(acc));
				for (unsigned x4 = 0; x4 < 16; x4++) {
					if ((x4 & ~m) != v)
						continue;
					uint64_t x = e->bg | spread(e, x4);
					uint64_t c[5] = {x << s, x >> s, (uint64_t)((int64_t)x >> s),
							 (uint32_t)((int32_t)(uint32_t)x >> (s & 31)), -x};
					for (int k = 0; k < 5; k++) {
						acc_add(&acc[k], c[k]);
						if (!in(r[k], c[k]))
							bad++, report("shift/neg", a, TNUM(s, k), r[k], c[k]);
					}
				}
				for (int k = 0; k < 5; k++) {
					struct tnum want = acc_tnum(&acc[k]);
					if (!wf(r[k]) || r[k].value != want.value || r[k].mask != want.mask)
						inexact++;
				}
			}
			/* casts, subregs, alignment */
			for (unsigned size = 1; size <= 8; size *= 2) {
				struct tnum c = tnum_cast(a, (uint8_t)size);
				uint64_t keep = size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
				for (unsigned x4 = 0; x4 < 16; x4++) {
					if ((x4 & ~m) != v)
						continue;
					uint64_t x = e->bg | spread(e, x4);
					if (!in(c, x & keep))
						bad++, report("cast", a, TNUM(size, 0), c, x & keep);
					if (!in(tnum_subreg(a), (uint32_t)x) ||
					    !in(tnum_clear_subreg(a), x & ~0xffffffffull))
						bad++, report("subreg", a, a, tnum_subreg(a), x);
					bool al = tnum_is_aligned(a, size);
					if (al && (x & (size - 1)))
						bad++, report("is_aligned", a, TNUM(size, 0), a, x);
				}
			}
			struct tnum w = tnum_with_subreg(a, TNUM(0x12340000u, 0xffffu));
			for (unsigned x4 = 0; x4 < 16; x4++) {
				if ((x4 & ~m) != v)
					continue;
				uint64_t x = e->bg | spread(e, x4);
				for (uint64_t lo = 0x12340000u; lo < 0x12350000u; lo += 0x1111) {
					uint64_t y = (x & ~0xffffffffull) | lo;
					if (!in(w, y))
						bad++, report("with_subreg", a, TNUM(0x12340000u, 0xffffu), w, y);
				}
				if (!in(tnum_const_subreg(a, 7), (x & ~0xffffffffull) | 7))
					bad++, report("const_subreg", a, a, tnum_const_subreg(a, 7), x);
			}
		}
	CHECK(bad == 0, "unary ops at (%d,%d,%d,%d): %ld unsound", e->pos[0], e->pos[1], e->pos[2], e->pos[3], bad);
	CHECK(inexact == 0, "shifts/neg at (%d,%d,%d,%d): %ld not exact", e->pos[0], e->pos[1], e->pos[2],
	      e->pos[3], inexact);
}

/* tnum_in against membership: a contains b iff every member of b is in a. */
static void test_in_exhaustive(void)
{
	long bad = 0;
	for (unsigned av = 0; av < 16; av++)
		for (unsigned am = 0; am < 16; am++) {
			if (av & am)
				continue;
			for (unsigned bv = 0; bv < 16; bv++)
				for (unsigned bm = 0; bm < 16; bm++) {
					if (bv & bm)
						continue;
					bool all = true;
					for (unsigned x = 0; x < 16; x++)
						if ((x & ~bm) == bv && (x & ~am) != av)
							all = false;
					if (tnum_in(TNUM(av, am), TNUM(bv, bm)) != all)
						bad++;
				}
		}
	CHECK(bad == 0, "tnum_in wrong %ld times", bad);
}

/* tnum_range: every value of [min, max] is in, and the result is the
 * smallest tnum for ranges of 7-bit numbers. */
static void test_range(void)
{
	long bad = 0, inexact = 0;
	for (uint64_t lo = 0; lo < 128; lo++)
		for (uint64_t hi = lo; hi < 128; hi++) {
			struct tnum t = tnum_range(lo, hi);
			struct acc acc = {0};
			for (uint64_t x = lo; x <= hi; x++) {
				acc_add(&acc, x);
				if (!in(t, x))
					bad++;
			}
			/* the kernel's range is exact only for power-of-two aligned
			 * blocks; the rule is: everything at or below the top differing bit */
			if (!wf(t) || (t.mask & ~acc_tnum(&acc).mask))
				inexact++;
		}
	CHECK(bad == 0, "tnum_range misses values %ld times", bad);
	CHECK(inexact == 0, "tnum_range unknown bits beyond the differing ones %ld times", inexact);
	struct tnum full = tnum_range(0, ~0ull);
	CHECK(tnum_is_unknown(full), "range(0, max) = (%#" PRIx64 "; %#" PRIx64 ")", full.value, full.mask);
	struct tnum t = tnum_range(1ull << 63, ~0ull);
	CHECK(t.value == 1ull << 63 && t.mask == ~0ull >> 1, "upper half range");
	CHECK(tnum_equals_const(tnum_range(42, 42), 42), "single value range");
	for (int i = 0; i < 20000; i++) {
		uint64_t a = rnd();
		a >>= rnd() & 63;
		uint64_t b = rnd();
		b >>= rnd() & 63;
		uint64_t lo = a < b ? a : b, hi = a < b ? b : a;
		struct tnum r = tnum_range(lo, hi);
		uint64_t probe[4] = {lo, hi, lo + (hi - lo) / 2, hi - (hi - lo) / 3};
		for (int k = 0; k < 4; k++)
			if (!in(r, probe[k])) {
				CHECK(0, "range(%#" PRIx64 ", %#" PRIx64 ") misses %#" PRIx64 " (seed %" PRIu64 ")",
				      lo, hi, probe[k], seed);
				break;
			}
	}
}

/* 64-bit tnums with a few unknown bits anywhere: members sampled. */
static struct tnum rand_tnum(void)
{
	uint64_t m = 0;
	int n = (int)(rnd() % 7);
	for (int i = 0; i < n; i++)
		m |= 1ull << (rnd() & 63);
	if ((rnd() & 7) == 0)
		m |= ~0ull >> (rnd() & 63); /* a run of low unknown bits */
	if ((rnd() & 7) == 0)
		m |= ~0ull << (rnd() & 63); /* a run of high unknown bits */
	return TNUM(rnd() & ~m, m);
}
static uint64_t member(struct tnum t)
{
	switch (rnd() & 3) {
	case 0: return t.value;
	case 1: return t.value | t.mask;
	default: return t.value | (rnd() & t.mask);
	}
}

static void test_random(void)
{
	long bad = 0;
	for (int i = 0; i < 40000; i++) {
		struct tnum a = rand_tnum(), b = rand_tnum();
		uint8_t s = (uint8_t)(rnd() & 63);
		struct tnum r[12] = {tnum_add(a, b), tnum_sub(a, b),        tnum_mul(a, b),
				     tnum_and(a, b), tnum_or(a, b),         tnum_xor(a, b),
				     tnum_neg(a),    tnum_lshift(a, s),     tnum_rshift(a, s),
				     tnum_arshift(a, s, 64), tnum_arshift(a, s, 32), tnum_union(a, b)};
		for (int k = 0; k < 12; k++)
			if (!wf(r[k]))
				bad++;
		for (int j = 0; j < 8; j++) {
			uint64_t x = member(a), y = member(b);
			uint64_t c[12] = {x + y, x - y, x * y, x & y, x | y, x ^ y, -x, x << s, x >> s,
					  (uint64_t)((int64_t)x >> s), (uint32_t)((int32_t)(uint32_t)x >> (s & 31)), y};
			for (int k = 0; k < 12; k++)
				if (!in(r[k], c[k])) {
					bad++;
					report("random", a, b, r[k], c[k]);
				}
			if (!in(r[11], x))
				bad++;
			if (in(b, x) && !in(tnum_intersect(a, b), x))
				bad++, report("intersect", a, b, tnum_intersect(a, b), x);
		}
	}
	CHECK(bad == 0, "random tnums: %ld unsound results (seed %" PRIu64 "; replay: BPFRT_SEED=%" PRIu64
			" ./test_tnum)", bad, seed, seed);
}

static void test_print(void)
{
	char buf[64];
	tnum_sbin(buf, sizeof(buf), TNUM(0, 0xff));
	CHECK(strcmp(buf, "(0x0; 0xff)") == 0, "got %s", buf);
	tnum_sbin(buf, sizeof(buf), TNUM(0x100, 0xf));
	CHECK(strcmp(buf, "(0x100; 0xf)") == 0, "got %s", buf);
	CHECK(tnum_is_aligned(TNUM(0x10, 0x20), 16) && !tnum_is_aligned(TNUM(0x10, 0x1), 2), "aligned");
}

int main(void)
{
	const char *env = getenv("BPFRT_SEED");
	if (env && *env)
		seed = strtoull(env, NULL, 0);
	rng_state = seed;
	struct embed embeds[] = {
		{{0, 1, 2, 3}, 0},
		{{0, 1, 2, 3}, 0xfff0},
		{{60, 61, 62, 63}, 0x5},
		{{0, 1, 62, 63}, 0x0ff0000000000010ull},
		{{30, 31, 32, 33}, 0xffffffff00000000ull},
		{{5, 17, 31, 47}, 0x8000000000000001ull},
	};
	for (size_t i = 0; i < sizeof(embeds) / sizeof(embeds[0]); i++) {
		embeds[i].bg &= ~spread(&embeds[i], 15);
		test_exhaustive_binary(&embeds[i]);
		test_exhaustive_unary(&embeds[i]);
	}
	test_in_exhaustive();
	test_range();
	test_random();
	test_print();
	if (check_failures)
		fprintf(stderr, "seed %" PRIu64 "; replay with BPFRT_SEED=%" PRIu64 "\n", seed, seed);
	return CHECK_DONE();
}

/* scalar.c — the verifier's integer domain (see scalar.h).
 *
 * A scalar has five views of one set of values: known bits (var_off),
 * unsigned and signed 64-bit bounds, unsigned and signed bounds of the low
 * 32 bits.  The ideas follow the Linux kernel verifier's: each operation
 * computes every view it can cheaply, and scalar_sync() lets the views
 * tighten each other.  Where this file differs from the kernel it is either
 * to follow bpfrt's interpreter (RFC 9669 semantics for division, modulo,
 * shifts) or to be a little more precise in a way that is easy to check
 * (exact interval arithmetic in 128 bits instead of overflow flags).
 *
 * Bounds of one width are handled by "views": struct view holds the unsigned
 * and signed bounds of the 64-bit value or of its low 32 bits (zero- and
 * sign-extended into 64-bit integers), so every interval rule is written
 * once for both widths.
 */
#include "verifier/scalar.h"

#include <stdio.h>
#include <string.h>

typedef __int128 i128;
typedef unsigned __int128 u128;

struct view {
	uint64_t umin, umax;
	int64_t smin, smax;
};

static uint64_t w_umax(int w) { return w == 64 ? UINT64_MAX : UINT32_MAX; }
static int64_t w_smin(int w) { return w == 64 ? INT64_MIN : INT32_MIN; }
static int64_t w_smax(int w) { return w == 64 ? INT64_MAX : INT32_MAX; }

/* x reduced to w bits, read as unsigned / as signed. */
static uint64_t w_trunc(uint64_t x, int w) { return x & w_umax(w); }
static int64_t w_sext(uint64_t x, int w) { return w == 64 ? (int64_t)x : (int64_t)(int32_t)(uint32_t)x; }

static uint64_t umin64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t umax64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static int64_t smin64(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t smax64(int64_t a, int64_t b) { return a > b ? a : b; }

static struct view view_unknown(int w)
{
	return (struct view){0, w_umax(w), w_smin(w), w_smax(w)};
}

static struct view view_get(const struct scalar *s, int w)
{
	if (w == 64)
		return (struct view){s->umin, s->umax, s->smin, s->smax};
	return (struct view){s->u32_min, s->u32_max, s->s32_min, s->s32_max};
}

static void view_put(struct scalar *s, int w, struct view v)
{
	if (w == 64) {
		s->umin = v.umin, s->umax = v.umax, s->smin = v.smin, s->smax = v.smax;
	} else {
		s->u32_min = (uint32_t)v.umin, s->u32_max = (uint32_t)v.umax;
		s->s32_min = (int32_t)v.smin, s->s32_max = (int32_t)v.smax;
	}
}

static struct tnum w_tnum(const struct scalar *s, int w)
{
	return w == 64 ? s->var_off : tnum_subreg(s->var_off);
}

/* The exact integers [lo, hi] reduced modulo 2^w: one interval when no
 * wrap-around point lies inside, else everything. */
static void wrap_u(struct view *v, i128 lo, i128 hi, int w)
{
	if ((lo >> w) == (hi >> w)) {
		v->umin = w_trunc((uint64_t)lo, w);
		v->umax = w_trunc((uint64_t)hi, w);
	} else {
		v->umin = 0, v->umax = w_umax(w);
	}
}

static void wrap_s(struct view *v, i128 lo, i128 hi, int w)
{
	i128 bias = (i128)1 << (w - 1);
	if (((lo + bias) >> w) == ((hi + bias) >> w)) {
		v->smin = w_sext((uint64_t)lo, w);
		v->smax = w_sext((uint64_t)hi, w);
	} else {
		v->smin = w_smin(w), v->smax = w_smax(w);
	}
}

/* All ones from bit 0 up to the highest set bit of x. */
static uint64_t fill_down(uint64_t x)
{
	return x ? ~0ull >> __builtin_clzll(x) : 0;
}

/* ---- Interval rules, one width at a time ------------------------------ */

static struct view v_add(struct view a, struct view b, int w)
{
	struct view r;
	wrap_u(&r, (i128)a.umin + b.umin, (i128)a.umax + b.umax, w);
	wrap_s(&r, (i128)a.smin + b.smin, (i128)a.smax + b.smax, w);
	return r;
}

static struct view v_sub(struct view a, struct view b, int w)
{
	struct view r;
	wrap_u(&r, (i128)a.umin - (i128)b.umax, (i128)a.umax - (i128)b.umin, w);
	wrap_s(&r, (i128)a.smin - b.smax, (i128)a.smax - b.smin, w);
	return r;
}

static struct view v_mul(struct view a, struct view b, int w)
{
	struct view r;
	u128 lo = (u128)a.umin * b.umin, hi = (u128)a.umax * b.umax;
	if ((lo >> w) == (hi >> w))
		r.umin = w_trunc((uint64_t)lo, w), r.umax = w_trunc((uint64_t)hi, w);
	else
		r.umin = 0, r.umax = w_umax(w);
	/* The product is bilinear: its extremes over a box are at corners. */
	i128 c[4] = {(i128)a.smin * b.smin, (i128)a.smin * b.smax, (i128)a.smax * b.smin,
		     (i128)a.smax * b.smax};
	i128 mn = c[0], mx = c[0];
	for (int i = 1; i < 4; i++) {
		mn = c[i] < mn ? c[i] : mn;
		mx = c[i] > mx ? c[i] : mx;
	}
	wrap_s(&r, mn, mx, w);
	return r;
}

static struct view v_and(struct view a, struct view b, int w)
{
	struct view r = view_unknown(w);
	/* a & b is at most either operand (unsigned). */
	r.umax = umin64(a.umax, b.umax);
	if (a.smin >= 0 || b.smin >= 0) {
		/* a non-negative operand bounds the result from above. */
		r.smin = 0;
		r.smax = w_smax(w);
		if (a.smin >= 0)
			r.smax = smin64(r.smax, a.smax);
		if (b.smin >= 0)
			r.smax = smin64(r.smax, b.smax);
	} else if (a.smax < 0 && b.smax < 0) {
		/* Both negative: so is the result, and no larger than either. */
		r.smax = smin64(a.smax, b.smax);
	}
	return r;
}

static struct view v_or(struct view a, struct view b, int w)
{
	struct view r = view_unknown(w);
	r.umin = umax64(a.umin, b.umin);
	r.umax = fill_down(umax64(a.umax, b.umax));
	if (a.smin >= 0 && b.smin >= 0) {
		r.smin = smax64(a.smin, b.smin);
		r.smax = (int64_t)fill_down((uint64_t)smax64(a.smax, b.smax));
	} else if (a.smax < 0 || b.smax < 0) {
		/* A negative operand makes the result negative and no smaller. */
		r.smax = -1;
		if (a.smax < 0)
			r.smin = smax64(r.smin, a.smin);
		if (b.smax < 0)
			r.smin = smax64(r.smin, b.smin);
	}
	return r;
}

static struct view v_xor(struct view a, struct view b, int w)
{
	struct view r = view_unknown(w);
	r.umax = fill_down(umax64(a.umax, b.umax));
	bool a_pos = a.smin >= 0, b_pos = b.smin >= 0, a_neg = a.smax < 0, b_neg = b.smax < 0;
	if (a_pos && b_pos)
		r.smin = 0, r.smax = (int64_t)fill_down((uint64_t)smax64(a.smax, b.smax));
	else if (a_neg && b_neg)
		r.smin = 0;
	else if ((a_pos && b_neg) || (a_neg && b_pos))
		r.smax = -1;
	return r;
}

static struct view v_lsh(struct view a, unsigned k, int w)
{
	struct view r = view_unknown(w);
	if (k == 0)
		return a;
	if (a.umax <= (w_umax(w) >> k))
		r.umin = a.umin << k, r.umax = a.umax << k;
	if (a.smin >= (w_smin(w) >> k) && a.smax <= (w_smax(w) >> k))
		r.smin = (int64_t)((uint64_t)a.smin << k), r.smax = (int64_t)((uint64_t)a.smax << k);
	return r;
}

static struct view v_rsh(struct view a, unsigned k, int w)
{
	struct view r = view_unknown(w);
	if (k == 0)
		return a;
	r.umin = a.umin >> k, r.umax = a.umax >> k;
	return r;
}

static struct view v_arsh(struct view a, unsigned k, int w)
{
	struct view r = view_unknown(w);
	if (k == 0)
		return a;
	r.smin = a.smin >> k, r.smax = a.smax >> k;
	return r;
}

static struct view v_div(struct view a, struct view b, int w)
{
	struct view r = view_unknown(w);
	/* x / 0 = 0; otherwise the quotient grows with x and shrinks with y. */
	r.umax = a.umax / (b.umin ? b.umin : 1);
	r.umin = b.umin ? a.umin / b.umax : 0;
	return r;
}

static struct view v_mod(struct view a, struct view b, int w, bool *is_dst)
{
	struct view r = view_unknown(w);
	*is_dst = false;
	if (b.umin > a.umax) {
		/* x < y for every pair, and y > 0: x % y = x. */
		*is_dst = true;
		return a;
	}
	/* x % 0 = x; else x % y <= min(x, y - 1). */
	r.umax = b.umin == 0 ? a.umax : umin64(a.umax, b.umax - 1);
	return r;
}

/* Signed division by the constant c (not 0 or -1): truncating division by
 * a positive number never decreases with x, by a negative one never grows. */
static struct view v_sdiv_const(struct view a, int64_t c, int w)
{
	struct view r = view_unknown(w);
	if (c > 0)
		r.smin = a.smin / c, r.smax = a.smax / c;
	else
		r.smin = a.smax / c, r.smax = a.smin / c;
	return r;
}

/* Signed remainder by the constant c (not 0 or -1): |x % c| < |c| and the
 * sign follows x. */
static struct view v_smod_const(struct view a, int64_t c, int w)
{
	struct view r = view_unknown(w);
	uint64_t abs_c = c < 0 ? -(uint64_t)c : (uint64_t)c;
	int64_t lim = (int64_t)(abs_c - 1);
	r.smin = -lim, r.smax = lim;
	if (a.smin >= 0)
		r.smin = 0, r.smax = smin64(lim, a.smax);
	else if (a.smax <= 0)
		r.smin = smax64(-lim, a.smin), r.smax = 0;
	return r;
}

/* ---- Whole scalars ----------------------------------------------------- */

void scalar_set_unknown(struct scalar *s)
{
	s->var_off = tnum_unknown();
	view_put(s, 64, view_unknown(64));
	view_put(s, 32, view_unknown(32));
}

void scalar_set_const(struct scalar *s, uint64_t v)
{
	s->var_off = tnum_const(v);
	s->umin = s->umax = v;
	s->smin = s->smax = (int64_t)v;
	s->u32_min = s->u32_max = (uint32_t)v;
	s->s32_min = s->s32_max = (int32_t)(uint32_t)v;
}

void scalar_set_urange(struct scalar *s, uint64_t lo, uint64_t hi)
{
	scalar_set_unknown(s);
	s->umin = lo, s->umax = hi;
	scalar_sync(s);
}

void scalar_set_load(struct scalar *s, uint8_t size, bool sign_ext)
{
	scalar_set_unknown(s);
	if (size >= 8)
		return;
	unsigned bits = size * 8u;
	if (sign_ext) {
		s->smin = -((int64_t)1 << (bits - 1));
		s->smax = ((int64_t)1 << (bits - 1)) - 1;
	} else {
		s->var_off = TNUM(0, (1ull << bits) - 1);
	}
	scalar_sync(s);
}

bool scalar_is_const(const struct scalar *s)
{
	return tnum_is_const(s->var_off);
}

bool scalar_is_const32(const struct scalar *s)
{
	return tnum_is_const(tnum_subreg(s->var_off));
}

/* Bounds implied by the known bits. */
static void bounds_from_tnum(struct scalar *s)
{
	struct tnum t = s->var_off;
	uint32_t v = (uint32_t)t.value, m = (uint32_t)t.mask;
	s->u32_min = s->u32_min > v ? s->u32_min : v;
	s->u32_max = s->u32_max < (v | m) ? s->u32_max : (v | m);
	int32_t lo32 = (int32_t)(v | (m & 0x80000000u)), hi32 = (int32_t)(v | (m & 0x7fffffffu));
	s->s32_min = s->s32_min > lo32 ? s->s32_min : lo32;
	s->s32_max = s->s32_max < hi32 ? s->s32_max : hi32;

	s->umin = umax64(s->umin, t.value);
	s->umax = umin64(s->umax, t.value | t.mask);
	s->smin = smax64(s->smin, (int64_t)(t.value | (t.mask & (1ull << 63))));
	s->smax = smin64(s->smax, (int64_t)(t.value | (t.mask & ~(1ull << 63))));
}

static void tighten32(struct scalar *s, int64_t slo, int64_t shi, bool sign_ok, uint32_t ulo, uint32_t uhi)
{
	s->u32_min = s->u32_min > ulo ? s->u32_min : ulo;
	s->u32_max = s->u32_max < uhi ? s->u32_max : uhi;
	if (sign_ok) {
		s->s32_min = (int32_t)smax64(s->s32_min, slo);
		s->s32_max = (int32_t)smin64(s->s32_max, shi);
	}
}

/* Low-half bounds from the 64-bit bounds, and between the two 32-bit views. */
static void deduce32(struct scalar *s)
{
	/* A 64-bit range within one 2^32 block maps its ends to the low half. */
	if ((s->umin >> 32) == (s->umax >> 32))
		tighten32(s, (int32_t)s->umin, (int32_t)s->umax, (int32_t)s->umin <= (int32_t)s->umax,
			  (uint32_t)s->umin, (uint32_t)s->umax);
	if ((s->smin >> 32) == (s->smax >> 32))
		tighten32(s, (int32_t)s->smin, (int32_t)s->smax, (int32_t)s->smin <= (int32_t)s->smax,
			  (uint32_t)s->smin, (uint32_t)s->smax);
	/* Two adjacent blocks: the low halves run from a negative s32 up
	 * through -1, 0 and on to a non-negative one. */
	if ((uint32_t)(s->umin >> 32) + 1 == (uint32_t)(s->umax >> 32) && (s->umax >> 32) != 0 &&
	    (int32_t)s->umin < 0 && (int32_t)s->umax >= 0) {
		s->s32_min = s->s32_min > (int32_t)s->umin ? s->s32_min : (int32_t)s->umin;
		s->s32_max = s->s32_max < (int32_t)s->umax ? s->s32_max : (int32_t)s->umax;
	}
	if ((uint64_t)(s->smin >> 32) + 1 == (uint64_t)(s->smax >> 32) &&
	    (int32_t)s->smin < 0 && (int32_t)s->smax >= 0) {
		s->s32_min = s->s32_min > (int32_t)s->smin ? s->s32_min : (int32_t)s->smin;
		s->s32_max = s->s32_max < (int32_t)s->smax ? s->s32_max : (int32_t)s->smax;
	}
	/* Unsigned and signed 32-bit ranges that do not cross their sign
	 * boundaries describe the same numbers. */
	if ((int32_t)s->u32_min <= (int32_t)s->u32_max) {
		s->s32_min = s->s32_min > (int32_t)s->u32_min ? s->s32_min : (int32_t)s->u32_min;
		s->s32_max = s->s32_max < (int32_t)s->u32_max ? s->s32_max : (int32_t)s->u32_max;
	}
	if ((uint32_t)s->s32_min <= (uint32_t)s->s32_max) {
		s->u32_min = s->u32_min > (uint32_t)s->s32_min ? s->u32_min : (uint32_t)s->s32_min;
		s->u32_max = s->u32_max < (uint32_t)s->s32_max ? s->u32_max : (uint32_t)s->s32_max;
	}
}

static void deduce64(struct scalar *s)
{
	if ((int64_t)s->umin <= (int64_t)s->umax) {
		s->smin = smax64(s->smin, (int64_t)s->umin);
		s->smax = smin64(s->smax, (int64_t)s->umax);
	}
	if ((uint64_t)s->smin <= (uint64_t)s->smax) {
		s->umin = umax64(s->umin, (uint64_t)s->smin);
		s->umax = umin64(s->umax, (uint64_t)s->smax);
	} else if (s->umax < (uint64_t)s->smin) {
		/* The signed range wraps (negative..positive); the unsigned
		 * range only reaches its non-negative part. */
		s->smin = smax64(s->smin, (int64_t)s->umin);
		s->umax = umin64(s->umax, (uint64_t)s->smax);
	} else if ((uint64_t)s->smax < s->umin) {
		/* ... or only its negative part. */
		s->smax = smin64(s->smax, (int64_t)s->umax);
		s->umin = umax64(s->umin, (uint64_t)s->smin);
	}
}

/* 64-bit bounds from the 32-bit ones. */
static void deduce_mixed(struct scalar *s)
{
	/* Replacing the low half of a bound by the low-half bound keeps it a
	 * bound: values sharing the bound's upper half obey the low one. */
	uint64_t nu_lo = (s->umin & ~0xffffffffull) | s->u32_min;
	uint64_t nu_hi = (s->umax & ~0xffffffffull) | s->u32_max;
	s->umin = umax64(s->umin, nu_lo);
	s->umax = umin64(s->umax, nu_hi);
	int64_t ns_lo = (int64_t)(((uint64_t)s->smin & ~0xffffffffull) | s->u32_min);
	int64_t ns_hi = (int64_t)(((uint64_t)s->smax & ~0xffffffffull) | s->u32_max);
	s->smin = smax64(s->smin, ns_lo);
	s->smax = smin64(s->smax, ns_hi);
	/* A 64-bit value within the s32 range is its low half sign-extended;
	 * a non-negative low half then bounds all four. */
	if (s->s32_min >= 0 && s->smin >= INT32_MIN && s->smax <= INT32_MAX) {
		s->smin = smax64(s->smin, s->s32_min);
		s->smax = smin64(s->smax, s->s32_max);
		s->umin = umax64(s->umin, (uint64_t)s->s32_min);
		s->umax = umin64(s->umax, (uint64_t)s->s32_max);
	}
}

static bool tnum_overlap(struct tnum a, struct tnum b)
{
	return ((a.value ^ b.value) & ~a.mask & ~b.mask) == 0;
}

static void mark_empty(struct scalar *s)
{
	s->umin = UINT64_MAX, s->umax = 0;
}

/* Known bits from the unsigned bounds of both widths. */
static void tnum_from_bounds(struct scalar *s)
{
	if (s->umin > s->umax || s->u32_min > s->u32_max)
		return;
	struct tnum r64 = tnum_range(s->umin, s->umax);
	if (!tnum_overlap(s->var_off, r64)) {
		mark_empty(s);
		return;
	}
	struct tnum t = tnum_intersect(s->var_off, r64);
	struct tnum r32 = tnum_range(s->u32_min, s->u32_max);
	struct tnum low = tnum_subreg(t);
	if (!tnum_overlap(low, r32)) {
		mark_empty(s);
		return;
	}
	s->var_off = tnum_or(tnum_clear_subreg(t), tnum_intersect(low, r32));
}

void scalar_sync(struct scalar *s)
{
	bounds_from_tnum(s);
	for (int i = 0; i < 2; i++) {
		deduce32(s);
		deduce64(s);
		deduce_mixed(s);
	}
	tnum_from_bounds(s);
	bounds_from_tnum(s);
	deduce32(s);
	deduce64(s);
	deduce_mixed(s);
}

void scalar_zext32(struct scalar *s)
{
	s->var_off = tnum_subreg(s->var_off);
	s->umin = s->u32_min, s->umax = s->u32_max;
	s->smin = s->u32_min, s->smax = s->u32_max;
}

bool scalar_within(const struct scalar *old, const struct scalar *cur)
{
	return old->umin <= cur->umin && cur->umax <= old->umax && old->smin <= cur->smin &&
	       cur->smax <= old->smax && old->u32_min <= cur->u32_min && cur->u32_max <= old->u32_max &&
	       old->s32_min <= cur->s32_min && cur->s32_max <= old->s32_max &&
	       tnum_in(old->var_off, cur->var_off);
}

bool scalar_valid(const struct scalar *s)
{
	struct tnum t = s->var_off, t32 = tnum_subreg(t);
	if (t.value & t.mask)
		return false;
	if (s->umin > s->umax || s->smin > s->smax || s->u32_min > s->u32_max || s->s32_min > s->s32_max)
		return false;
	if (tnum_umin(t) > s->umax || tnum_umax(t) < s->umin)
		return false;
	if (tnum_umin(t32) > s->u32_max || tnum_umax(t32) < s->u32_min)
		return false;
	return true;
}

/* ---- ALU ---------------------------------------------------------------- */

uint64_t scalar_alu_concrete(uint64_t dst, uint64_t src, const struct bpf_insn *insn)
{
	uint8_t op = BPF_OP(insn->code);
	bool is64 = BPF_CLASS(insn->code) == BPF_ALU64;
	if (op == BPF_END) {
		unsigned width = (unsigned)insn->imm;
		bool swap = is64 || BPF_SRC(insn->code) == BPF_TO_BE;
		if (width == 16)
			return swap ? __builtin_bswap16((uint16_t)dst) : (uint16_t)dst;
		if (width == 32)
			return swap ? __builtin_bswap32((uint32_t)dst) : (uint32_t)dst;
		return swap ? __builtin_bswap64(dst) : dst;
	}
	if (op == BPF_MOV && insn->off) {
		int64_t v = insn->off == 8 ? (int8_t)src : insn->off == 16 ? (int16_t)src : (int32_t)src;
		return is64 ? (uint64_t)v : (uint32_t)v;
	}
	bool sgn = insn->off == 1;
	if (is64) {
		uint64_t a = dst, b = src;
		switch (op) {
		case BPF_ADD: return a + b;
		case BPF_SUB: return a - b;
		case BPF_MUL: return a * b;
		case BPF_DIV:
			if (!b)
				return 0;
			if (!sgn)
				return a / b;
			if ((int64_t)b == -1)
				return -a;
			return (uint64_t)((int64_t)a / (int64_t)b);
		case BPF_MOD:
			if (!b)
				return a;
			if (!sgn)
				return a % b;
			if ((int64_t)b == -1)
				return 0;
			return (uint64_t)((int64_t)a % (int64_t)b);
		case BPF_OR: return a | b;
		case BPF_AND: return a & b;
		case BPF_XOR: return a ^ b;
		case BPF_LSH: return a << (b & 63);
		case BPF_RSH: return a >> (b & 63);
		case BPF_ARSH: return (uint64_t)((int64_t)a >> (b & 63));
		case BPF_NEG: return -a;
		case BPF_MOV: return b;
		}
		return 0;
	}
	uint32_t a = (uint32_t)dst, b = (uint32_t)src;
	switch (op) {
	case BPF_ADD: return (uint32_t)(a + b);
	case BPF_SUB: return (uint32_t)(a - b);
	case BPF_MUL: return (uint32_t)(a * b);
	case BPF_DIV:
		if (!b)
			return 0;
		if (!sgn)
			return a / b;
		if ((int32_t)b == -1)
			return (uint32_t)-a;
		return (uint32_t)((int32_t)a / (int32_t)b);
	case BPF_MOD:
		if (!b)
			return a;
		if (!sgn)
			return a % b;
		if ((int32_t)b == -1)
			return 0;
		return (uint32_t)((int32_t)a % (int32_t)b);
	case BPF_OR: return a | b;
	case BPF_AND: return a & b;
	case BPF_XOR: return a ^ b;
	case BPF_LSH: return (uint32_t)(a << (b & 31));
	case BPF_RSH: return a >> (b & 31);
	case BPF_ARSH: return (uint32_t)((int32_t)a >> (b & 31));
	case BPF_NEG: return (uint32_t)-a;
	case BPF_MOV: return b;
	}
	return 0;
}

/* Smallest scalar containing both (bounds of each view joined). */
static void join(struct scalar *r, const struct scalar *x)
{
	r->var_off = tnum_union(r->var_off, x->var_off);
	r->umin = umin64(r->umin, x->umin), r->umax = umax64(r->umax, x->umax);
	r->smin = smin64(r->smin, x->smin), r->smax = smax64(r->smax, x->smax);
	r->u32_min = r->u32_min < x->u32_min ? r->u32_min : x->u32_min;
	r->u32_max = r->u32_max > x->u32_max ? r->u32_max : x->u32_max;
	r->s32_min = r->s32_min < x->s32_min ? r->s32_min : x->s32_min;
	r->s32_max = r->s32_max > x->s32_max ? r->s32_max : x->s32_max;
}

/* a shifted by the constant k (already masked) at width w; 32-bit results
 * are not yet zero-extended. */
static void shift_const(struct scalar *r, const struct scalar *a, uint8_t op, unsigned k, int w)
{
	struct tnum t = w_tnum(a, w);
	struct view v = view_get(a, w);
	scalar_set_unknown(r);
	if (op == BPF_LSH) {
		r->var_off = tnum_lshift(t, (uint8_t)k);
		view_put(r, w, v_lsh(v, k, w));
		if (w == 64) {
			if (k < 32)
				view_put(r, 32, v_lsh(view_get(a, 32), k, 32));
			else
				view_put(r, 32, (struct view){0, 0, 0, 0});
		}
	} else if (op == BPF_RSH) {
		r->var_off = tnum_rshift(t, (uint8_t)k);
		view_put(r, w, v_rsh(v, k, w));
		if (k == 0)
			view_put(r, 32, view_get(a, 32));
	} else {
		r->var_off = tnum_arshift(t, (uint8_t)k, (uint8_t)w);
		view_put(r, w, v_arsh(v, k, w));
		if (k == 0)
			view_put(r, 32, view_get(a, 32));
	}
	if (w == 32)
		r->var_off = tnum_subreg(r->var_off);
	scalar_sync(r);
}

static void alu_shift(struct scalar *r, const struct scalar *a, const struct scalar *b, uint8_t op, int w)
{
	/* The possible shift amounts: members of b's low bits (masked as the
	 * interpreter masks them), within b's range when that needs no mask. */
	struct tnum amt = tnum_and(w_tnum(b, w), tnum_const((uint64_t)w - 1));
	struct view bv = view_get(b, w);
	uint64_t lo = 0, hi = (uint64_t)w - 1;
	if (bv.umax < (uint64_t)w)
		lo = bv.umin, hi = bv.umax;
	bool any = false;
	struct scalar part;
	for (uint64_t k = lo; k <= hi; k++) {
		if ((k & ~amt.mask) != amt.value)
			continue;
		shift_const(&part, a, op, (unsigned)k, w);
		if (!any)
			*r = part;
		else
			join(r, &part);
		any = true;
	}
	if (!any)
		scalar_set_unknown(r);
}

/* Sign-extend the low `bits` bits of s (MOVSX) into a w-bit result (not
 * yet zero-extended when w is 32). */
static void alu_movsx(struct scalar *r, const struct scalar *s, unsigned bits, int w)
{
	uint64_t m = 1ull << (bits - 1), field = (m << 1) - 1;
	struct tnum f = tnum_cast(s->var_off, (uint8_t)(bits / 8));
	struct tnum t = f;
	if (f.mask & m)
		t.mask |= ~field;
	else if (f.value & m)
		t.value |= ~field;
	int64_t lo = -(int64_t)m, hi = (int64_t)m - 1;
	if (bits == 32) {
		lo = s->s32_min, hi = s->s32_max;
	} else {
		if ((s->u32_min >> bits) == (s->u32_max >> bits)) {
			uint64_t fl = s->u32_min & field, fh = s->u32_max & field;
			if (fh < m)
				lo = smax64(lo, (int64_t)fl), hi = smin64(hi, (int64_t)fh);
			else if (fl >= m)
				lo = smax64(lo, (int64_t)fl - (int64_t)(m << 1)),
				hi = smin64(hi, (int64_t)fh - (int64_t)(m << 1));
		}
		if (s->s32_min >= -(int64_t)m && s->s32_max <= (int64_t)m - 1)
			lo = smax64(lo, s->s32_min), hi = smin64(hi, s->s32_max);
	}
	scalar_set_unknown(r);
	r->var_off = t;
	if (w == 64)
		r->smin = lo, r->smax = hi;
	r->s32_min = (int32_t)lo, r->s32_max = (int32_t)hi;
	if (bits == 32 && w == 64) {
		r->u32_min = s->u32_min, r->u32_max = s->u32_max;
	}
	if (w == 32)
		r->var_off = tnum_subreg(t);
}

static struct tnum tnum_bswap(struct tnum t, unsigned width)
{
	if (width == 16)
		return TNUM(__builtin_bswap16((uint16_t)t.value), __builtin_bswap16((uint16_t)t.mask));
	if (width == 32)
		return TNUM(__builtin_bswap32((uint32_t)t.value), __builtin_bswap32((uint32_t)t.mask));
	return TNUM(__builtin_bswap64(t.value), __builtin_bswap64(t.mask));
}

static void alu_end(struct scalar *r, const struct scalar *d, const struct bpf_insn *insn)
{
	unsigned width = (unsigned)insn->imm;
	bool swap = BPF_CLASS(insn->code) == BPF_ALU64 || BPF_SRC(insn->code) == BPF_TO_BE;
	if (swap) {
		scalar_set_unknown(r);
		r->var_off = tnum_bswap(d->var_off, width);
		scalar_sync(r);
		return;
	}
	*r = *d;
	if (width == 64 || (width == 16 && d->umax <= 0xffff))
		return;
	if (width == 32 || d->u32_max <= 0xffff) {
		scalar_zext32(r);
	} else {
		scalar_set_unknown(r);
		r->var_off = tnum_cast(d->var_off, 2);
	}
	scalar_sync(r);
}

/* The binary operations whose 32-bit results are the low halves of the
 * 64-bit ones, and division and modulo. */
static void alu_binary(struct scalar *r, const struct scalar *a, const struct scalar *b, uint8_t op,
		       bool sgn, int w)
{
	struct view a32 = view_get(a, 32), b32 = view_get(b, 32);
	struct view a64 = view_get(a, 64), b64 = view_get(b, 64);
	scalar_set_unknown(r);
	switch (op) {
	case BPF_ADD:
		r->var_off = tnum_add(a->var_off, b->var_off);
		view_put(r, 32, v_add(a32, b32, 32));
		view_put(r, 64, v_add(a64, b64, 64));
		break;
	case BPF_SUB:
		r->var_off = tnum_sub(a->var_off, b->var_off);
		view_put(r, 32, v_sub(a32, b32, 32));
		view_put(r, 64, v_sub(a64, b64, 64));
		break;
	case BPF_MUL:
		r->var_off = tnum_mul(a->var_off, b->var_off);
		view_put(r, 32, v_mul(a32, b32, 32));
		view_put(r, 64, v_mul(a64, b64, 64));
		break;
	case BPF_AND:
		r->var_off = tnum_and(a->var_off, b->var_off);
		view_put(r, 32, v_and(a32, b32, 32));
		view_put(r, 64, v_and(a64, b64, 64));
		break;
	case BPF_OR:
		r->var_off = tnum_or(a->var_off, b->var_off);
		view_put(r, 32, v_or(a32, b32, 32));
		view_put(r, 64, v_or(a64, b64, 64));
		break;
	case BPF_XOR:
		r->var_off = tnum_xor(a->var_off, b->var_off);
		view_put(r, 32, v_xor(a32, b32, 32));
		view_put(r, 64, v_xor(a64, b64, 64));
		break;
	case BPF_DIV:
	case BPF_MOD: {
		struct view av = view_get(a, w), bv = view_get(b, w);
		struct tnum bt = w_tnum(b, w);
		if (sgn) {
			int64_t c = w_sext(bt.value, w);
			if (!tnum_is_const(bt))
				break;
			if (c == 0) {
				if (op == BPF_DIV)
					scalar_set_const(r, 0);
				else
					*r = *a;
			} else if (c == -1) {
				if (op == BPF_DIV) {
					struct scalar zero;
					scalar_set_const(&zero, 0);
					alu_binary(r, &zero, a, BPF_SUB, false, w);
				} else {
					scalar_set_const(r, 0);
				}
			} else {
				view_put(r, w, op == BPF_DIV ? v_sdiv_const(av, c, w) : v_smod_const(av, c, w));
			}
			break;
		}
		if (op == BPF_DIV) {
			view_put(r, w, v_div(av, bv, w));
		} else {
			bool is_dst;
			struct view m = v_mod(av, bv, w, &is_dst);
			if (is_dst)
				*r = *a;
			else
				view_put(r, w, m);
		}
		break;
	}
	}
	if (w == 32) {
		scalar_sync(r);
		scalar_zext32(r);
	}
	scalar_sync(r);
}

void scalar_alu(struct scalar *dst, const struct scalar *src, const struct bpf_insn *insn)
{
	uint8_t op = BPF_OP(insn->code);
	int w = BPF_CLASS(insn->code) == BPF_ALU64 ? 64 : 32;
	struct scalar a = *dst, b = *src, r;
	bool uses_dst = op != BPF_MOV, uses_src = op != BPF_NEG && op != BPF_END;
	bool a_const = w == 64 || op == BPF_END ? scalar_is_const(&a) : scalar_is_const32(&a);
	bool b_const = w == 64 && !(op == BPF_MOV && insn->off) ? scalar_is_const(&b) : scalar_is_const32(&b);

	/* Constants fold exactly, by the interpreter's rules. */
	if ((!uses_dst || a_const) && (!uses_src || b_const)) {
		scalar_set_const(dst, scalar_alu_concrete(a.var_off.value, b.var_off.value, insn));
		return;
	}
	switch (op) {
	case BPF_MOV:
		if (insn->off && !(w == 32 && insn->off == 32)) {
			alu_movsx(&r, &b, (unsigned)insn->off, w);
			if (w == 32) {
				scalar_sync(&r);
				scalar_zext32(&r);
			}
			scalar_sync(&r);
		} else {
			r = b;
			if (w == 32)
				scalar_zext32(&r);
			scalar_sync(&r);
		}
		break;
	case BPF_NEG: {
		struct scalar zero;
		scalar_set_const(&zero, 0);
		alu_binary(&r, &zero, &a, BPF_SUB, false, w);
		break;
	}
	case BPF_LSH:
	case BPF_RSH:
	case BPF_ARSH:
		alu_shift(&r, &a, &b, op, w);
		if (w == 32)
			scalar_zext32(&r);
		scalar_sync(&r);
		break;
	case BPF_END:
		alu_end(&r, &a, insn);
		break;
	default:
		alu_binary(&r, &a, &b, op, insn->off == 1, w);
		break;
	}
	*dst = r;
}

/* ---- Conditional jumps ------------------------------------------------- */

static int taken(const struct scalar *a, const struct scalar *b, uint8_t op, int w)
{
	struct view x = view_get(a, w), y = view_get(b, w);
	struct tnum ta = w_tnum(a, w), tb = w_tnum(b, w);
	int r;
	switch (op) {
	case BPF_JEQ:
		if (tnum_is_const(ta) && tnum_is_const(tb))
			return ta.value == tb.value;
		if (!tnum_overlap(ta, tb))
			return 0;
		if (x.umin > y.umax || x.umax < y.umin || x.smin > y.smax || x.smax < y.smin)
			return 0;
		if (w == 64)
			return taken(a, b, BPF_JEQ, 32) == 0 ? 0 : -1;
		return -1;
	case BPF_JGT:
		return x.umin > y.umax ? 1 : x.umax <= y.umin ? 0 : -1;
	case BPF_JGE:
		return x.umin >= y.umax ? 1 : x.umax < y.umin ? 0 : -1;
	case BPF_JSGT:
		return x.smin > y.smax ? 1 : x.smax <= y.smin ? 0 : -1;
	case BPF_JSGE:
		return x.smin >= y.smax ? 1 : x.smax < y.smin ? 0 : -1;
	case BPF_JLT:
	case BPF_JLE:
	case BPF_JSLT:
	case BPF_JSLE:
		return taken(b, a, scalar_jmp_swap(op), w);
	case BPF_JSET:
		if (ta.value & tb.value)
			return 1;
		if (((ta.value | ta.mask) & (tb.value | tb.mask)) == 0)
			return 0;
		return -1;
	case BPF_JNE:
	case SCALAR_JNSET:
		r = taken(a, b, scalar_jmp_negate(op), w);
		return r < 0 ? r : !r;
	}
	return -1;
}

int scalar_branch_taken(const struct scalar *a, const struct scalar *b, uint8_t op, bool jmp32)
{
	return taken(a, b, op, jmp32 ? 32 : 64);
}

uint8_t scalar_jmp_negate(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: return BPF_JNE;
	case BPF_JNE: return BPF_JEQ;
	case BPF_JGT: return BPF_JLE;
	case BPF_JLE: return BPF_JGT;
	case BPF_JGE: return BPF_JLT;
	case BPF_JLT: return BPF_JGE;
	case BPF_JSGT: return BPF_JSLE;
	case BPF_JSLE: return BPF_JSGT;
	case BPF_JSGE: return BPF_JSLT;
	case BPF_JSLT: return BPF_JSGE;
	case BPF_JSET: return SCALAR_JNSET;
	case SCALAR_JNSET: return BPF_JSET;
	}
	return op;
}

uint8_t scalar_jmp_swap(uint8_t op)
{
	switch (op) {
	case BPF_JGT: return BPF_JLT;
	case BPF_JLT: return BPF_JGT;
	case BPF_JGE: return BPF_JLE;
	case BPF_JLE: return BPF_JGE;
	case BPF_JSGT: return BPF_JSLT;
	case BPF_JSLT: return BPF_JSGT;
	case BPF_JSGE: return BPF_JSLE;
	case BPF_JSLE: return BPF_JSGE;
	}
	return op; /* JEQ, JNE, JSET, JNSET are symmetric */
}

/* Put t as the w-bit known bits of s (the low half only when w is 32). */
static void set_w_tnum(struct scalar *s, struct tnum t, int w)
{
	s->var_off = w == 64 ? t : tnum_with_subreg(s->var_off, t);
}

/* JNE against a constant c: drop c where it is an end of a range. */
static void ne_edges(struct view *v, uint64_t c, int w)
{
	uint64_t uc = w_trunc(c, w);
	int64_t sc = w_sext(c, w);
	if (v->umin == uc && v->umin < v->umax)
		v->umin++;
	else if (v->umax == uc && v->umin < v->umax)
		v->umax--;
	if (v->smin == sc && v->smin < v->smax)
		v->smin++;
	else if (v->smax == sc && v->smin < v->smax)
		v->smax--;
}

bool scalar_refine(struct scalar *a, struct scalar *b, uint8_t op, bool jmp32)
{
	int w = jmp32 ? 32 : 64;
	int t = taken(a, b, op, w);
	if (t == 0)
		return false;
	if (t == 1)
		return true;
	struct scalar x = *a, y = *b;
	struct view xv = view_get(&x, w), yv = view_get(&y, w);
	struct tnum xt = w_tnum(&x, w), yt = w_tnum(&y, w);

	switch (op) {
	case BPF_JEQ: {
		struct view m = {umax64(xv.umin, yv.umin), umin64(xv.umax, yv.umax),
				 smax64(xv.smin, yv.smin), smin64(xv.smax, yv.smax)};
		if (!tnum_overlap(xt, yt))
			return false;
		struct tnum mt = tnum_intersect(xt, yt);
		xv = yv = m;
		set_w_tnum(&x, mt, w);
		set_w_tnum(&y, mt, w);
		if (w == 64) {
			/* Equal values have equal low halves. */
			struct view x32 = view_get(&x, 32), y32 = view_get(&y, 32);
			struct view m32 = {umax64(x32.umin, y32.umin), umin64(x32.umax, y32.umax),
					   smax64(x32.smin, y32.smin), smin64(x32.smax, y32.smax)};
			view_put(&x, 32, m32);
			view_put(&y, 32, m32);
		}
		break;
	}
	case BPF_JNE:
		if (tnum_is_const(yt))
			ne_edges(&xv, yt.value, w);
		else if (tnum_is_const(xt))
			ne_edges(&yv, xt.value, w);
		break;
	case BPF_JGT:
		if (yv.umin == w_umax(w) || xv.umax == 0)
			return false;
		xv.umin = umax64(xv.umin, yv.umin + 1);
		yv.umax = umin64(yv.umax, xv.umax - 1);
		break;
	case BPF_JGE:
		xv.umin = umax64(xv.umin, yv.umin);
		yv.umax = umin64(yv.umax, xv.umax);
		break;
	case BPF_JSGT:
		if (yv.smin == w_smax(w) || xv.smax == w_smin(w))
			return false;
		xv.smin = smax64(xv.smin, yv.smin + 1);
		yv.smax = smin64(yv.smax, xv.smax - 1);
		break;
	case BPF_JSGE:
		xv.smin = smax64(xv.smin, yv.smin);
		yv.smax = smin64(yv.smax, xv.smax);
		break;
	case BPF_JLT:
	case BPF_JLE:
	case BPF_JSLT:
	case BPF_JSLE:
		return scalar_refine(b, a, scalar_jmp_swap(op), jmp32);
	case BPF_JSET: {
		/* If only one bit can be set in both, it is set in both. */
		uint64_t both = (xt.value | xt.mask) & (yt.value | yt.mask);
		if (both == 0)
			return false;
		if ((both & (both - 1)) == 0) {
			set_w_tnum(&x, tnum_or(xt, tnum_const(both)), w);
			set_w_tnum(&y, tnum_or(yt, tnum_const(both)), w);
		}
		break;
	}
	case SCALAR_JNSET:
		/* A bit known set on one side is clear on the other. */
		set_w_tnum(&x, tnum_and(xt, tnum_const(~yt.value)), w);
		set_w_tnum(&y, tnum_and(yt, tnum_const(~xt.value)), w);
		break;
	default:
		return true;
	}
	if (op != BPF_JSET && op != SCALAR_JNSET) {
		view_put(&x, w, xv);
		view_put(&y, w, yv);
	}
	scalar_sync(&x);
	scalar_sync(&y);
	if (!scalar_valid(&x) || !scalar_valid(&y))
		return false;
	*a = x;
	*b = y;
	return true;
}

/* ---- Printing ---------------------------------------------------------- */

int scalar_print(char *buf, size_t len, const struct scalar *s)
{
	if (scalar_is_const(s))
		return snprintf(buf, len, "%lld", (long long)s->var_off.value);
	char tmp[320] = "";
	size_t n = 0;
	const char *sep = "";
#define FIELD(cond, ...)                                                         \
	do {                                                                     \
		if (cond) {                                                      \
			n += (size_t)snprintf(tmp + n, sizeof(tmp) - n, "%s", sep); \
			n += (size_t)snprintf(tmp + n, sizeof(tmp) - n, __VA_ARGS__); \
			sep = ",";                                               \
		}                                                                \
	} while (0)
	FIELD(s->smin != INT64_MIN && (uint64_t)s->smin != s->umin, "smin=%lld", (long long)s->smin);
	FIELD(s->smax != INT64_MAX && (uint64_t)s->smax != s->umax, "smax=%lld", (long long)s->smax);
	FIELD(s->umin != 0, "umin=%llu", (unsigned long long)s->umin);
	FIELD(s->umax != UINT64_MAX, "umax=%llu", (unsigned long long)s->umax);
	FIELD(s->s32_min != INT32_MIN && s->s32_min != s->smin, "smin32=%d", s->s32_min);
	FIELD(s->s32_max != INT32_MAX && s->s32_max != s->smax, "smax32=%d", s->s32_max);
	FIELD(s->u32_min != 0 && s->u32_min != s->umin, "umin32=%u", s->u32_min);
	FIELD(s->u32_max != UINT32_MAX && s->u32_max != s->umax, "umax32=%u", s->u32_max);
	if (!tnum_is_unknown(s->var_off)) {
		char t[48];
		tnum_sbin(t, sizeof(t), s->var_off);
		FIELD(1, "var_off=%s", t);
	}
#undef FIELD
	return snprintf(buf, len, "scalar(%s)", tmp);
}

/* tnum.c — tracked numbers (see tnum.h).
 *
 * The operations follow the ideas of the Linux kernel's tnum code (Edward
 * Cree's known-bits domain): bitwise operations work bit by bit, addition
 * and subtraction find the bits a carry or borrow can reach by comparing the
 * extreme sums, multiplication sums shifted partial products.
 */
#include "verifier/tnum.h"

#include <stdio.h>

struct tnum tnum_range(uint64_t min, uint64_t max)
{
	uint64_t diff = min ^ max;
	if (min > max)
		return tnum_unknown();
	if (diff == 0)
		return tnum_const(min);
	/* Every bit at or below the highest differing one can take either
	 * value somewhere in [min, max]; the bits above it are shared. */
	int top = 63 - __builtin_clzll(diff);
	if (top == 63)
		return tnum_unknown();
	uint64_t low = (2ull << top) - 1;
	return TNUM(min & ~low, low);
}

struct tnum tnum_lshift(struct tnum a, uint8_t shift)
{
	if (shift > 63)
		return tnum_const(0);
	return TNUM(a.value << shift, a.mask << shift);
}

struct tnum tnum_rshift(struct tnum a, uint8_t shift)
{
	if (shift > 63)
		return tnum_const(0);
	return TNUM(a.value >> shift, a.mask >> shift);
}

struct tnum tnum_arshift(struct tnum a, uint8_t shift, uint8_t insn_bitness)
{
	/* An unknown sign bit spreads into the mask, a known one into the
	 * value: shifting both halves arithmetically does exactly that. */
	if (insn_bitness == 32) {
		shift &= 31;
		return TNUM((uint32_t)((int32_t)(uint32_t)a.value >> shift),
			    (uint32_t)((int32_t)(uint32_t)a.mask >> shift));
	}
	shift &= 63;
	return TNUM((uint64_t)((int64_t)a.value >> shift), (uint64_t)((int64_t)a.mask >> shift));
}

struct tnum tnum_add(struct tnum a, struct tnum b)
{
	uint64_t lo = a.value + b.value;          /* all unknown bits 0 */
	uint64_t hi = lo + a.mask + b.mask;       /* all unknown bits 1 */
	/* A bit differs between the two extreme sums iff some carry chain can
	 * reach it; those bits and the unknown input bits are unknown. */
	uint64_t unknown = (lo ^ hi) | a.mask | b.mask;
	return TNUM(lo & ~unknown, unknown);
}

struct tnum tnum_sub(struct tnum a, struct tnum b)
{
	uint64_t d = a.value - b.value;
	uint64_t hi = d + a.mask;   /* largest minuend, smallest subtrahend */
	uint64_t lo = d - b.mask;   /* smallest minuend, largest subtrahend */
	uint64_t unknown = (lo ^ hi) | a.mask | b.mask;
	return TNUM(d & ~unknown, unknown);
}

struct tnum tnum_neg(struct tnum a)
{
	return tnum_sub(tnum_const(0), a);
}

struct tnum tnum_and(struct tnum a, struct tnum b)
{
	uint64_t ones = a.value & b.value;
	uint64_t maybe = (a.value | a.mask) & (b.value | b.mask);
	return TNUM(ones, maybe & ~ones);
}

struct tnum tnum_or(struct tnum a, struct tnum b)
{
	uint64_t ones = a.value | b.value;
	return TNUM(ones, (a.mask | b.mask) & ~ones);
}

struct tnum tnum_xor(struct tnum a, struct tnum b)
{
	uint64_t unknown = a.mask | b.mask;
	return TNUM((a.value ^ b.value) & ~unknown, unknown);
}

struct tnum tnum_mul(struct tnum a, struct tnum b)
{
	/* a * b = sum over the set bits i of a of (b << i).  The known part
	 * a.value * b.value is exact; what the unknown bits can add is
	 * gathered as a tnum with value 0 and summed. */
	uint64_t known = a.value * b.value;
	struct tnum extra = tnum_const(0);
	while (a.value || a.mask) {
		if (a.value & 1)
			extra = tnum_add(extra, TNUM(0, b.mask));
		else if (a.mask & 1)
			extra = tnum_add(extra, TNUM(0, b.value | b.mask));
		a = tnum_rshift(a, 1);
		b = tnum_lshift(b, 1);
	}
	return tnum_add(tnum_const(known), extra);
}

struct tnum tnum_intersect(struct tnum a, struct tnum b)
{
	uint64_t unknown = a.mask & b.mask;
	return TNUM((a.value | b.value) & ~unknown, unknown);
}

struct tnum tnum_union(struct tnum a, struct tnum b)
{
	uint64_t unknown = a.mask | b.mask | (a.value ^ b.value);
	return TNUM(a.value & b.value & ~unknown, unknown);
}

struct tnum tnum_cast(struct tnum a, uint8_t size)
{
	if (size >= 8)
		return a;
	uint64_t keep = (1ull << (size * 8)) - 1;
	return TNUM(a.value & keep, a.mask & keep);
}

bool tnum_in(struct tnum a, struct tnum b)
{
	if (b.mask & ~a.mask)
		return false;
	return a.value == (b.value & ~a.mask);
}

struct tnum tnum_subreg(struct tnum a)
{
	return tnum_cast(a, 4);
}

struct tnum tnum_clear_subreg(struct tnum a)
{
	return tnum_lshift(tnum_rshift(a, 32), 32);
}

struct tnum tnum_with_subreg(struct tnum a, struct tnum b)
{
	return tnum_or(tnum_clear_subreg(a), tnum_subreg(b));
}

struct tnum tnum_const_subreg(struct tnum a, uint32_t v)
{
	return tnum_with_subreg(a, tnum_const(v));
}

bool tnum_is_aligned(struct tnum a, uint64_t size)
{
	if (size == 0)
		return true;
	return ((a.value | a.mask) & (size - 1)) == 0;
}

int tnum_sbin(char *buf, unsigned int len, struct tnum a)
{
	return snprintf(buf, len, "(0x%llx; 0x%llx)", (unsigned long long)a.value,
			(unsigned long long)a.mask);
}

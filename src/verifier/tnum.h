/* tnum.h — tracked numbers: what the verifier knows about the bits of a value.
 *
 * A tnum is (value, mask): a bit set in mask is unknown; a bit clear in mask
 * is known and equals that bit of value.  Invariant: value & mask == 0.
 * The set of concrete values a tnum stands for is every x with
 * (x & ~mask) == value.  Every operation is sound: its result contains every
 * concrete result of the operation applied to members of its operands.
 * Pure functions; tests/unit/test_tnum.c checks each against brute force.
 */
#ifndef BPFRT_VERIFIER_TNUM_H
#define BPFRT_VERIFIER_TNUM_H

#include <stdbool.h>
#include <stdint.h>

struct tnum {
	uint64_t value;
	uint64_t mask;
};

#define TNUM(v, m) ((struct tnum){.value = (v), .mask = (m)})

static inline struct tnum tnum_const(uint64_t v) { return TNUM(v, 0); }
static inline struct tnum tnum_unknown(void) { return TNUM(0, ~0ull); }
static inline bool tnum_is_const(struct tnum a) { return a.mask == 0; }
static inline bool tnum_is_unknown(struct tnum a) { return a.mask == ~0ull; }
static inline bool tnum_equals_const(struct tnum a, uint64_t v) { return a.mask == 0 && a.value == v; }
/* Smallest and largest unsigned members. */
static inline uint64_t tnum_umin(struct tnum a) { return a.value; }
static inline uint64_t tnum_umax(struct tnum a) { return a.value | a.mask; }

/* The tnum of every value in [min, max] (unsigned). */
struct tnum tnum_range(uint64_t min, uint64_t max);
struct tnum tnum_add(struct tnum a, struct tnum b);
struct tnum tnum_sub(struct tnum a, struct tnum b);
struct tnum tnum_neg(struct tnum a);
struct tnum tnum_and(struct tnum a, struct tnum b);
struct tnum tnum_or(struct tnum a, struct tnum b);
struct tnum tnum_xor(struct tnum a, struct tnum b);
struct tnum tnum_mul(struct tnum a, struct tnum b);
struct tnum tnum_lshift(struct tnum a, uint8_t shift);
struct tnum tnum_rshift(struct tnum a, uint8_t shift);
/* Arithmetic right shift of a value insn_bitness (32 or 64) bits wide. */
struct tnum tnum_arshift(struct tnum a, uint8_t shift, uint8_t insn_bitness);
/* Values in both a and b (meaningful when they overlap). */
struct tnum tnum_intersect(struct tnum a, struct tnum b);
/* Smallest tnum containing both a and b. */
struct tnum tnum_union(struct tnum a, struct tnum b);
/* Keep the low size bytes (size 1, 2, 4 or 8); higher bits known zero. */
struct tnum tnum_cast(struct tnum a, uint8_t size);
/* Is every member of b a member of a? */
bool tnum_in(struct tnum a, struct tnum b);
/* tnum_subreg: the low 32 bits (upper 32 known zero).  tnum_clear_subreg:
 * the upper 32 bits kept in place, the low 32 known zero (as the kernel's). */
struct tnum tnum_subreg(struct tnum a);
struct tnum tnum_clear_subreg(struct tnum a);
/* a with its low 32 bits replaced by b's low 32 bits. */
struct tnum tnum_with_subreg(struct tnum a, struct tnum b);
struct tnum tnum_const_subreg(struct tnum a, uint32_t v);
/* Is a aligned to size bytes (low bits known zero)? */
bool tnum_is_aligned(struct tnum a, uint64_t size);
/* Print as the kernel does: "(0x0; 0xff)" into buf. */
int tnum_sbin(char *buf, unsigned int len, struct tnum a);

#endif

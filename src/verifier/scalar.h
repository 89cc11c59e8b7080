/* scalar.h — the verifier's abstract domain for integers (and for the
 * variable part of pointer offsets).
 *
 * A scalar is a tnum (known bits) plus unsigned and signed bounds on the full
 * 64-bit value and on its low 32 bits.  The five views describe one set of
 * concrete values; every function here leaves them consistent (scalar_sync)
 * and is sound: the result contains every concrete result the interpreter
 * (src/vm/interp_loop.h, RFC 9669 semantics) can produce from members of the
 * operands.  Pure functions, no allocation; tests/unit/test_scalar.c checks
 * soundness of every operation against concrete execution.
 */
#ifndef BPFRT_VERIFIER_SCALAR_H
#define BPFRT_VERIFIER_SCALAR_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verifier/tnum.h"

struct scalar {
	struct tnum var_off;
	int64_t smin, smax;
	uint64_t umin, umax;
	int32_t s32_min, s32_max;
	uint32_t u32_min, u32_max;
};

/* Pseudo jump op for the fall-through of JSET: "(a & b) == 0". */
#define SCALAR_JNSET 0xf0

void scalar_set_const(struct scalar *s, uint64_t v);
void scalar_set_unknown(struct scalar *s);
/* Unknown value of a zero-extending load of size bytes (1, 2, 4, 8), or of a
 * sign-extending one (BPF_MEMSX) when sign_ext. */
void scalar_set_load(struct scalar *s, uint8_t size, bool sign_ext);
/* The unsigned range [lo, hi], everything else derived. */
void scalar_set_urange(struct scalar *s, uint64_t lo, uint64_t hi);
bool scalar_is_const(const struct scalar *s);
/* The low 32 bits are known (subregister constant). */
bool scalar_is_const32(const struct scalar *s);
/* Deduce every view from every other (the kernel's reg_bounds_sync). */
void scalar_sync(struct scalar *s);
/* Upper 32 bits become zero, low 32 kept (what every ALU32 result is). */
void scalar_zext32(struct scalar *s);
/* Is every value of cur also a value of old?  (State pruning.) */
bool scalar_within(const struct scalar *old, const struct scalar *cur);
/* Is every view internally consistent (min <= max, tnum within bounds)?
 * False means the set is empty (e.g. an impossible branch). */
bool scalar_valid(const struct scalar *s);

/* dst = dst OP src for the ALU/ALU64 instruction insn (its class, op, off and
 * imm decide: 32/64-bit, div vs sdiv, movsx widths, byte swaps).  src is the
 * abstract source operand: the caller passes the register's scalar for the X
 * form and scalar_set_const((uint64_t)(int64_t)insn->imm) for the K form.
 * Ignored for NEG and END.  Division by zero gives 0, modulo by zero keeps
 * dst (32-bit forms: its low half, zero-extended), INT_MIN / -1 = INT_MIN,
 * INT_MIN % -1 = 0; shift amounts are masked (& 63 or & 31) as the
 * interpreter does. */
void scalar_alu(struct scalar *dst, const struct scalar *src, const struct bpf_insn *insn);
/* The interpreter's result of that instruction on concrete values (dst, and
 * src as the register or the sign-extended imm); scalar_alu folds constants
 * with it. */
uint64_t scalar_alu_concrete(uint64_t dst, uint64_t src, const struct bpf_insn *insn);

/* For "if a OP b" (op: BPF_JEQ ... BPF_JSLE, BPF_JSET or SCALAR_JNSET;
 * jmp32 compares the low 32 bits): 1 if true for every pair of members, 0
 * if false for every pair, -1 if it depends. */
int scalar_branch_taken(const struct scalar *a, const struct scalar *b, uint8_t op, bool jmp32);
/* Narrow a and b to the members for which "a OP b" holds.  Returns false
 * when there are none (the branch cannot be taken). */
bool scalar_refine(struct scalar *a, struct scalar *b, uint8_t op, bool jmp32);
/* The op that holds when "a OP b" does not: JEQ<->JNE, JGT<->JLE,
 * JSGE<->JSLT, ..., JSET<->SCALAR_JNSET. */
uint8_t scalar_jmp_negate(uint8_t op);
/* The op for "b OP' a" equivalent to "a OP b" (JGT -> JLT, JEQ -> JEQ...). */
uint8_t scalar_jmp_swap(uint8_t op);

/* The kernel log's form: "42" for a constant, else
 * "scalar(smin=...,smax=...,umin=...,umax=...,var_off=(0x0; 0xff))" with
 * only the fields that say something.  Returns the length as snprintf. */
int scalar_print(char *buf, size_t len, const struct scalar *s);

#endif

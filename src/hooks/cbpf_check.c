/* cbpf_check.c — the classic BPF checker: the kernel's bpf_check_classic
 * (net/core/filter.c) and, for seccomp filters, seccomp_check_filter, rule
 * for rule, with a message naming the instruction.  The translator
 * (cbpf.c) relies on what it proves: every opcode is known, every jump
 * lands inside the program, the last instruction returns, and every
 * scratch word read was written on every path that reaches the read.
 */
#include "hooks/cbpf.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int cbpf_fail(struct bpfrt_diag *diag, int err, int32_t pc, const char *fmt, ...)
{
	if (diag) {
		va_list ap;
		int n = 0;
		diag->insn = pc;
		diag->line = 0;
		if (pc >= 0)
			n = snprintf(diag->msg, sizeof(diag->msg), "cBPF insn %d: ", pc);
		va_start(ap, fmt);
		vsnprintf(diag->msg + n, sizeof(diag->msg) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	errno = -err;
	return err;
}

/* The opcodes bpf_check_classic accepts (its codes[] table). */
bool cbpf_code_known(uint16_t code)
{
	switch (code) {
	case BPF_ALU | BPF_ADD | BPF_K: case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K: case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K: case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_K: case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_MOD | BPF_K: case BPF_ALU | BPF_MOD | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K: case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K: case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K: case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_LD | BPF_W | BPF_ABS: case BPF_LD | BPF_H | BPF_ABS: case BPF_LD | BPF_B | BPF_ABS:
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LD | BPF_W | BPF_IND: case BPF_LD | BPF_H | BPF_IND: case BPF_LD | BPF_B | BPF_IND:
	case BPF_LD | BPF_IMM: case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_W | BPF_LEN: case BPF_LDX | BPF_B | BPF_MSH:
	case BPF_LDX | BPF_IMM: case BPF_LDX | BPF_MEM:
	case BPF_ST: case BPF_STX:
	case BPF_MISC | BPF_TAX: case BPF_MISC | BPF_TXA:
	case BPF_RET | BPF_K: case BPF_RET | BPF_A:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
		return true;
	default:
		return false;
	}
}

/* The ancillary loads the kernel knows (bpf_anc_helper): SKF_AD_OFF plus
 * one of the SKF_AD_* codes, through an absolute load of any size. */
bool cbpf_is_ancillary(const struct sock_filter *in)
{
	if (BPF_CLASS(in->code) != BPF_LD || BPF_MODE(in->code) != BPF_ABS)
		return false;
	if (in->k < (uint32_t)SKF_AD_OFF)
		return false;
	uint32_t ad = in->k - (uint32_t)SKF_AD_OFF;
	return ad < SKF_AD_MAX && ad % 4 == 0;
}

/* check_load_and_stores: walk the program once, carrying the set of
 * scratch words written on the path so far; a jump target keeps only the
 * words written on every path into it (jumps go forward, so every
 * predecessor of pc is seen before pc). */
static int check_scratch(const struct sock_filter *prog, uint32_t len, struct bpfrt_diag *diag)
{
	uint16_t valid_at[BPF_MAXINSNS];
	for (uint32_t i = 0; i < len; i++)
		valid_at[i] = 0xffff;
	uint16_t valid = 0;
	for (uint32_t pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &prog[pc];
		valid &= valid_at[pc];
		switch (in->code) {
		case BPF_ST:
		case BPF_STX:
			valid |= (uint16_t)(1u << in->k);
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
			if (!(valid & (1u << in->k)))
				return cbpf_fail(diag, -EINVAL, (int32_t)pc,
						 "reads scratch memory M[%u] that is not written on every path to it",
						 in->k);
			break;
		case BPF_JMP | BPF_JA:
			valid_at[pc + 1 + in->k] &= valid;
			valid = 0xffff; /* the next insn is reached by jumps only */
			break;
		case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
		case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
		case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
		case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
			valid_at[pc + 1 + in->jt] &= valid;
			valid_at[pc + 1 + in->jf] &= valid;
			valid = 0xffff;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* seccomp_check_filter: loads only of aligned words of seccomp_data. */
static int check_seccomp_insn(const struct sock_filter *in, int32_t pc, struct bpfrt_diag *diag)
{
	switch (in->code) {
	case BPF_LD | BPF_W | BPF_ABS:
		if (in->k >= sizeof(struct seccomp_data) || (in->k & 3))
			return cbpf_fail(diag, -EINVAL, pc,
					 "seccomp: load of offset %u is not an aligned 32-bit word of struct seccomp_data (%zu bytes)",
					 in->k, sizeof(struct seccomp_data));
		return 0;
	case BPF_LD | BPF_H | BPF_ABS: case BPF_LD | BPF_B | BPF_ABS:
	case BPF_LD | BPF_W | BPF_IND: case BPF_LD | BPF_H | BPF_IND: case BPF_LD | BPF_B | BPF_IND:
	case BPF_LDX | BPF_B | BPF_MSH:
		return cbpf_fail(diag, -EINVAL, pc,
				 "seccomp: opcode 0x%02x is a packet load, not allowed in a seccomp filter", in->code);
	default:
		return 0;
	}
}

static int check_insn(const struct sock_filter *prog, uint32_t len, uint32_t pc, struct bpfrt_diag *diag)
{
	const struct sock_filter *in = &prog[pc];
	int32_t at = (int32_t)pc;
	if (!cbpf_code_known(in->code))
		return cbpf_fail(diag, -EINVAL, at, "unknown opcode 0x%02x", in->code);
	switch (in->code) {
	case BPF_ALU | BPF_DIV | BPF_K:
	case BPF_ALU | BPF_MOD | BPF_K:
		if (in->k == 0)
			return cbpf_fail(diag, -EINVAL, at, "%s by constant 0",
					 BPF_OP(in->code) == BPF_DIV ? "division" : "modulo");
		break;
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_K:
		if (in->k >= 32)
			return cbpf_fail(diag, -EINVAL, at, "shift by constant %u (at most 31)", in->k);
		break;
	case BPF_LD | BPF_MEM: case BPF_LDX | BPF_MEM:
	case BPF_ST: case BPF_STX:
		if (in->k >= BPF_MEMWORDS)
			return cbpf_fail(diag, -EINVAL, at, "scratch memory index %u out of range (M[0..%d])", in->k,
					 BPF_MEMWORDS - 1);
		break;
	case BPF_JMP | BPF_JA:
		if (in->k >= len - pc - 1)
			return cbpf_fail(diag, -EINVAL, at, "ja +%u jumps past the last instruction (%u)", in->k,
					 len - 1);
		break;
	case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
		if (pc + in->jt + 1 >= len || pc + in->jf + 1 >= len)
			return cbpf_fail(diag, -EINVAL, at,
					 "conditional jump (jt %u, jf %u) lands past the last instruction (%u)", in->jt,
					 in->jf, len - 1);
		break;
	case BPF_LD | BPF_W | BPF_ABS: case BPF_LD | BPF_H | BPF_ABS: case BPF_LD | BPF_B | BPF_ABS:
		/* Indirect loads are not checked: X + k is only known at run
		 * time, and a negative sum is a miss (result 0). */
		if (in->k >= (uint32_t)SKF_AD_OFF && !cbpf_is_ancillary(in))
			return cbpf_fail(diag, -EINVAL, at, "unknown ancillary load at SKF_AD_OFF%+d",
					 (int32_t)(in->k - (uint32_t)SKF_AD_OFF));
		break;
	default:
		break;
	}
	return 0;
}

int bpfrt_cbpf_check(const struct sock_filter *prog, uint32_t len, enum bpfrt_cbpf_flavor flavor,
		     struct bpfrt_diag *diag)
{
	if (flavor != BPFRT_CBPF_SOCKET_FILTER && flavor != BPFRT_CBPF_SECCOMP &&
	    flavor != BPFRT_CBPF_SOCKET_FILTER_DIRECT)
		return cbpf_fail(diag, -EINVAL, -1, "unknown cBPF flavour %d", (int)flavor);
	if (!prog || len == 0 || len > BPF_MAXINSNS)
		return cbpf_fail(diag, -EINVAL, -1, "a cBPF program has 1 to %d instructions, not %u", BPF_MAXINSNS,
				 prog ? len : 0);
	for (uint32_t pc = 0; pc < len; pc++) {
		int err = check_insn(prog, len, pc, diag);
		if (!err && flavor == BPFRT_CBPF_SECCOMP)
			err = check_seccomp_insn(&prog[pc], (int32_t)pc, diag);
		if (err)
			return err;
	}
	uint16_t last = prog[len - 1].code;
	if (last != (BPF_RET | BPF_K) && last != (BPF_RET | BPF_A))
		return cbpf_fail(diag, -EINVAL, (int32_t)len - 1, "the last instruction must be ret, not opcode 0x%02x",
				 last);
	return check_scratch(prog, len, diag);
}

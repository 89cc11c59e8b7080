/* check.c — static well-formedness of an instruction stream (RFC 9669).
 *
 * This is the layer below the verifier: it knows nothing of types or
 * memory, only whether each slot is a real instruction with its reserved
 * fields zero, registers in range, and every jump landing on the first slot
 * of an instruction inside the program.  Errors name the slot index.
 */
#include "bpfrt/isa.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

enum field { F_DST = 1, F_SRC = 2, F_OFF = 4, F_IMM = 8 };

/* Fields each form uses; any other field is reserved and must be zero. */
static const uint8_t form_uses[BPFRT_F_COUNT] = {
	[BPFRT_F_ALU_K] = F_DST | F_IMM,
	[BPFRT_F_ALU_X] = F_DST | F_SRC,
	[BPFRT_F_NEG] = F_DST,
	[BPFRT_F_END] = F_DST | F_IMM,
	[BPFRT_F_MOVSX] = F_DST | F_SRC | F_OFF,
	[BPFRT_F_JA] = F_OFF,
	[BPFRT_F_JA32] = F_IMM,
	[BPFRT_F_JMP_K] = F_DST | F_OFF | F_IMM,
	[BPFRT_F_JMP_X] = F_DST | F_SRC | F_OFF,
	[BPFRT_F_CALL] = F_SRC | F_IMM,
	[BPFRT_F_CALL_LOCAL] = F_SRC | F_IMM,
	[BPFRT_F_CALL_KFUNC] = F_SRC | F_OFF | F_IMM,
	[BPFRT_F_CALLX] = F_DST,
	[BPFRT_F_EXIT] = 0,
	[BPFRT_F_LDDW] = F_DST | F_SRC | F_IMM,
	[BPFRT_F_LDABS] = F_IMM,
	[BPFRT_F_LDIND] = F_SRC | F_IMM,
	[BPFRT_F_LDX] = F_DST | F_SRC | F_OFF,
	[BPFRT_F_ST] = F_DST | F_OFF | F_IMM,
	[BPFRT_F_STX] = F_DST | F_SRC | F_OFF,
	[BPFRT_F_ATOMIC] = F_DST | F_SRC | F_OFF | F_IMM,
};

static const char *const field_name[] = {[F_DST] = "dst_reg", [F_SRC] = "src_reg",
					 [F_OFF] = "offset", [F_IMM] = "imm"};

static int fail(struct bpfrt_diag *diag, int32_t idx, const char *fmt, ...)
{
	if (diag) {
		va_list ap;
		diag->insn = idx;
		va_start(ap, fmt);
		vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool field_nonzero(const struct bpf_insn *insn, enum field f)
{
	switch (f) {
	case F_DST:
		return insn->dst_reg != 0;
	case F_SRC:
		return insn->src_reg != 0;
	case F_OFF:
		return insn->off != 0;
	case F_IMM:
		return insn->imm != 0;
	}
	return false;
}

/* Does an instruction of this row write its dst register? */
static bool writes_dst(const struct bpfrt_opcode_info *row)
{
	return row->flags & BPFRT_OPF_WRITE_DST;
}

static int check_fields(const struct bpf_insn *insn, const struct bpfrt_opcode_info *row,
			int32_t i, struct bpfrt_diag *diag)
{
	uint8_t uses = form_uses[row->form];
	if (row->disc == BPFRT_D_OFF)
		uses |= F_OFF;
	for (int f = F_DST; f <= F_IMM; f <<= 1) {
		if (!(uses & f) && field_nonzero(insn, (enum field)f))
			return fail(diag, i, "insn %d: %s (opcode 0x%02x) uses reserved field %s (must be 0)",
				    i, row->mnemonic, insn->code, field_name[f]);
	}
	if (((uses & F_DST) && insn->dst_reg > 10) ||
	    ((uses & F_SRC) && row->form != BPFRT_F_LDDW && row->form != BPFRT_F_CALL &&
	     row->form != BPFRT_F_CALL_LOCAL && row->form != BPFRT_F_CALL_KFUNC && insn->src_reg > 10))
		return fail(diag, i, "insn %d: invalid register r%d (registers are r0..r10)", i,
			    insn->dst_reg > 10 ? insn->dst_reg : insn->src_reg);
	if (insn->dst_reg == BPF_REG_10 && writes_dst(row))
		return fail(diag, i, "insn %d: %s writes r10, the frame pointer is read only", i,
			    row->mnemonic);
	if (row->form == BPFRT_F_ATOMIC && (row->flags & BPFRT_OPF_FETCH) &&
	    row->disc_value != (BPF_CMPXCHG) && insn->src_reg == BPF_REG_10)
		return fail(diag, i, "insn %d: %s writes r10, the frame pointer is read only", i,
			    row->mnemonic);
	return 0;
}

/* Where does the instruction at i transfer control?  -1 if nowhere. */
static int64_t jump_target(const struct bpf_insn *insn, const struct bpfrt_opcode_info *row, int32_t i)
{
	switch (row->form) {
	case BPFRT_F_JA:
	case BPFRT_F_JMP_K:
	case BPFRT_F_JMP_X:
		return (int64_t)i + insn->off + 1;
	case BPFRT_F_JA32:
	case BPFRT_F_CALL_LOCAL:
		return (int64_t)i + insn->imm + 1;
	default:
		return -1;
	}
}

static int check_lddw(const struct bpf_insn *insns, uint32_t cnt, int32_t i, struct bpfrt_diag *diag)
{
	if ((uint32_t)i + 1 >= cnt)
		return fail(diag, i, "insn %d: lddw is the last slot; its second half is missing", i);
	const struct bpf_insn *hi = &insns[i + 1];
	if (hi->code != 0 || hi->dst_reg != 0 || hi->src_reg != 0 || hi->off != 0)
		return fail(diag, i + 1,
			    "insn %d: malformed lddw: the second slot must have code, registers and offset 0",
			    i + 1);
	if (insns[i].src_reg > BPF_PSEUDO_MAP_IDX_VALUE)
		return fail(diag, i, "insn %d: lddw with unknown src_reg %d (pseudo kinds are 0..6)", i,
			    insns[i].src_reg);
	return 0;
}

int bpfrt_insns_check(const struct bpf_insn *insns, uint32_t cnt, struct bpfrt_diag *diag)
{
	if (!insns || cnt == 0)
		return fail(diag, -1, "empty program");
	if (cnt > (1u << 24))
		return fail(diag, -1, "program too large: %u instructions", cnt);
	if (diag)
		diag->insn = -1, diag->msg[0] = 0;

	/* First pass: decode every instruction, mark second halves of lddw. */
	uint8_t *second = calloc(cnt, 1);
	if (!second)
		return -ENOMEM;
	int err = 0;
	for (uint32_t i = 0; i < cnt && !err; i++) {
		enum bpfrt_op op = bpfrt_insn_op(&insns[i]);
		if (op == BPFRT_OP_INVALID) {
			err = fail(diag, (int32_t)i, "insn %u: unknown opcode 0x%02x", i, insns[i].code);
			break;
		}
		const struct bpfrt_opcode_info *row = &bpfrt_opcodes[op];
		err = check_fields(&insns[i], row, (int32_t)i, diag);
		if (!err && row->form == BPFRT_F_LDDW) {
			err = check_lddw(insns, cnt, (int32_t)i, diag);
			if (!err)
				second[++i] = 1;
		}
	}
	/* Second pass: every jump lands on the first slot of an instruction. */
	for (uint32_t i = 0; i < cnt && !err; i += bpfrt_insn_slots(&insns[i])) {
		const struct bpfrt_opcode_info *row = &bpfrt_opcodes[bpfrt_insn_op(&insns[i])];
		int64_t t = jump_target(&insns[i], row, (int32_t)i);
		if (row->form != BPFRT_F_JA && row->form != BPFRT_F_JA32 && row->form != BPFRT_F_JMP_K &&
		    row->form != BPFRT_F_JMP_X && row->form != BPFRT_F_CALL_LOCAL)
			continue;
		if (t < 0 || t >= (int64_t)cnt)
			err = fail(diag, (int32_t)i, "insn %u: %s target %lld is outside the program (0..%u)", i,
				   row->form == BPFRT_F_CALL_LOCAL ? "call" : "jump", (long long)t, cnt - 1);
		else if (second[t])
			err = fail(diag, (int32_t)i,
				   "insn %u: %s target %lld is the second slot of the lddw at %lld", i,
				   row->form == BPFRT_F_CALL_LOCAL ? "call" : "jump", (long long)t,
				   (long long)t - 1);
	}
	/* Control must not run off the end (the kernel's rule, too). */
	if (!err) {
		uint32_t last = cnt - 1;
		if (second[last])
			last--;
		enum bpfrt_op op = bpfrt_insn_op(&insns[last]);
		if (op != BPFRT_OP_EXIT && op != BPFRT_OP_JA && op != BPFRT_OP_JA32)
			err = fail(diag, (int32_t)last,
				   "insn %u: the last instruction is not exit or goto; control would run off the end",
				   last);
	}
	free(second);
	return err;
}

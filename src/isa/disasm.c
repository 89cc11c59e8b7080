/* disasm.c — instructions to text: decode a slot with the opcode table,
 * refuse what the table cannot express (unknown opcodes, reserved fields set,
 * bad registers, a broken lddw pair) so that whatever prints re-assembles to
 * the same bytes, then hand the fields to the chosen syntax.  bpfrt_disasm
 * adds listing decorations: indexes, raw bytes and labels for targets. */
#include "isa/asm_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_names[] = {
	[ASM_FIELD_DST] = "dst_reg", [ASM_FIELD_SRC] = "src_reg",
	[ASM_FIELD_OFF] = "offset", [ASM_FIELD_IMM] = "imm",
};

static uint8_t fields_set(const struct bpf_insn *insn)
{
	return (insn->dst_reg ? ASM_FIELD_DST : 0) | (insn->src_reg ? ASM_FIELD_SRC : 0) |
	       (insn->off ? ASM_FIELD_OFF : 0) | (insn->imm ? ASM_FIELD_IMM : 0);
}

static const uint8_t disc_field[] = {
	[BPFRT_D_NONE] = 0, [BPFRT_D_OFF] = ASM_FIELD_OFF,
	[BPFRT_D_IMM] = ASM_FIELD_IMM, [BPFRT_D_SRC] = ASM_FIELD_SRC,
};

/* Registers are r0..r10, except where src_reg holds a kind, not a register. */
static bool registers_ok(const struct bpf_insn *insn, const struct bpfrt_opcode_info *row,
			 uint8_t uses)
{
	bool src_is_reg = row->disc != BPFRT_D_SRC && row->form != BPFRT_F_LDDW;
	return !((uses & ASM_FIELD_DST) && insn->dst_reg > 10) &&
	       !((uses & ASM_FIELD_SRC) && src_is_reg && insn->src_reg > 10);
}

static int decode_lddw(const struct bpf_insn *insns, uint32_t cnt, uint32_t idx,
		       struct asm_insn *ai, struct asm_out *o)
{
	if (idx + 1 >= cnt) {
		asm_out_printf(o, "invalid: lddw without its second slot");
		return -EINVAL;
	}
	const struct bpf_insn *hi = &insns[idx + 1];
	if (hi->code || hi->dst_reg || hi->src_reg || hi->off) {
		asm_out_printf(o, "invalid: malformed second slot of lddw");
		return -EINVAL;
	}
	ai->imm_hi = hi->imm;
	return 2;
}

/* Fill ai from insns[idx]; returns the slot count or -EINVAL with a
 * description in o. */
static int decode(const struct bpf_insn *insns, uint32_t cnt, uint32_t idx, struct asm_insn *ai,
		  struct asm_out *o)
{
	const struct bpf_insn *insn = &insns[idx];
	enum bpfrt_op op = bpfrt_insn_op(insn);
	if (op == BPFRT_OP_INVALID) {
		asm_out_printf(o, "invalid opcode 0x%02x", insn->code);
		return -EINVAL;
	}
	const struct bpfrt_opcode_info *row = &bpfrt_opcodes[op];
	uint8_t uses = asm_form_fields(row->form) | disc_field[row->disc];
	uint8_t extra = fields_set(insn) & (uint8_t)~uses;
	if (extra) {
		asm_out_printf(o, "invalid: %s (opcode 0x%02x) with reserved field %s set", row->mnemonic,
			       insn->code, field_names[extra & -extra]);
		return -EINVAL;
	}
	if (!registers_ok(insn, row, uses)) {
		asm_out_printf(o, "invalid: %s (opcode 0x%02x) with register r%d", row->mnemonic,
			       insn->code, insn->dst_reg > 10 ? insn->dst_reg : insn->src_reg);
		return -EINVAL;
	}
	*ai = (struct asm_insn){.op = op, .dst = insn->dst_reg, .src = insn->src_reg,
				.off = insn->off, .imm = insn->imm, .print_target = -1};
	return row->form == BPFRT_F_LDDW ? decode_lddw(insns, cnt, idx, ai, o) : 1;
}

static int disasm_one(const struct bpf_insn *insns, uint32_t cnt, uint32_t idx,
		      enum bpfrt_syntax syntax, const uint8_t *is_target, struct asm_out *o)
{
	struct asm_insn ai;
	if (!insns || idx >= cnt) {
		asm_out_printf(o, "invalid: no instruction %u", idx);
		return -EINVAL;
	}
	int slots = decode(insns, cnt, idx, &ai, o);
	if (slots < 0)
		return slots;
	int64_t target = asm_insn_target(&ai, idx);
	if (is_target && target >= 0 && target < (int64_t)cnt && is_target[target])
		ai.print_target = (int32_t)target;
	if (syntax == BPFRT_SYNTAX_CONFORMANCE)
		asm_conf_print(&ai, o);
	else
		asm_llvm_print(&ai, o);
	return slots;
}

int bpfrt_disasm_insn(const struct bpf_insn *insns, uint32_t cnt, uint32_t idx,
		      enum bpfrt_syntax syntax, char *buf, size_t len)
{
	struct asm_out o = {buf, buf ? len : 0, 0};
	if (buf && len)
		buf[0] = 0;
	return disasm_one(insns, cnt, idx, syntax, NULL, &o);
}

/* Which slots get a label: targets of jumps and calls that start an
 * instruction (a target inside an lddw stays numeric, as it has no line). */
static uint8_t *find_targets(const struct bpf_insn *insns, uint32_t cnt)
{
	uint8_t *is_target = calloc(cnt ? cnt : 1, 1);
	if (!is_target)
		return NULL;
	for (uint32_t i = 0; i < cnt; i++) {
		struct asm_insn ai;
		char scratch[8];
		struct asm_out o = {scratch, sizeof(scratch), 0};
		int slots = decode(insns, cnt, i, &ai, &o);
		int64_t t = slots > 0 ? asm_insn_target(&ai, i) : -1;
		if (t >= 0 && t < (int64_t)cnt)
			is_target[t] |= 1;
		if (slots == 2)
			is_target[++i] |= 2;
	}
	for (uint32_t i = 0; i < cnt; i++)
		is_target[i] = is_target[i] == 1;
	return is_target;
}

static void print_bytes(const struct bpf_insn *insn, int slots, FILE *f)
{
	const uint8_t *b = (const uint8_t *)insn;
	for (int i = 0; i < slots * 8; i++)
		fprintf(f, "%02x ", b[i]);
}

int bpfrt_disasm(const struct bpf_insn *insns, uint32_t cnt, enum bpfrt_syntax syntax,
		 uint32_t flags, FILE *f)
{
	if (!f || (!insns && cnt))
		return -EINVAL;
	uint8_t *is_target = NULL;
	if ((flags & BPFRT_DISASM_LABELS) && !(is_target = find_targets(insns, cnt)))
		return -ENOMEM;
	int err = 0;
	for (uint32_t i = 0; i < cnt;) {
		char text[256];
		struct asm_out o = {text, sizeof(text), 0};
		int slots = disasm_one(insns, cnt, i, syntax, is_target, &o);
		if (is_target && is_target[i])
			fprintf(f, "L%u:\n", i);
		if (flags & BPFRT_DISASM_INDEX)
			fprintf(f, "%4u: ", i);
		if (flags & BPFRT_DISASM_OPCODES)
			print_bytes(&insns[i], slots > 0 ? slots : 1, f);
		fprintf(f, "%s%s\n", flags & BPFRT_DISASM_OPCODES ? "\t" : "", text);
		if (slots < 0)
			err = -EINVAL;
		i += slots > 0 ? (uint32_t)slots : 1;
	}
	free(is_target);
	return err;
}

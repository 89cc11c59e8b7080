/* opcode_table.c — the instruction table (from opcodes.def) and decoding.
 *
 * Rows that share an opcode byte are adjacent in opcodes.def; a 256-entry
 * index built once (pthread_once, immutable afterwards) gives the first row
 * and the row count per byte, so decoding is O(variants), not O(table).
 */
#include "bpfrt/isa.h"

#include <pthread.h>

const struct bpfrt_opcode_info bpfrt_opcodes[BPFRT_OP_COUNT] = {
#define BPFRT_OP(id_, code_, disc_, dv_, mn_, op_, form_, ver_, size_, group_, flags_) \
	[BPFRT_OP_##id_] = {.id = #id_,                                                 \
			    .code = code_,                                              \
			    .disc = disc_,                                              \
			    .disc_value = dv_,                                          \
			    .mnemonic = mn_,                                            \
			    .op = op_,                                                  \
			    .form = form_,                                              \
			    .version = ver_,                                            \
			    .size = size_,                                              \
			    .group = group_,                                            \
			    .flags = flags_},
#include "bpfrt/opcodes.def"
#undef BPFRT_OP
};

struct code_index {
	uint16_t first[256];
	uint8_t count[256];
};

static struct code_index index_by_code;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static void build_index(void)
{
	for (int c = 0; c < 256; c++)
		index_by_code.first[c] = BPFRT_OP_INVALID;
	for (int i = 0; i < BPFRT_OP_COUNT; i++) {
		uint8_t c = bpfrt_opcodes[i].code;
		if (index_by_code.count[c] == 0)
			index_by_code.first[c] = (uint16_t)i;
		index_by_code.count[c]++;
	}
}

static int32_t disc_field(const struct bpf_insn *insn, uint8_t disc)
{
	switch (disc) {
	case BPFRT_D_OFF:
		return insn->off;
	case BPFRT_D_IMM:
		return insn->imm;
	case BPFRT_D_SRC:
		return insn->src_reg;
	default:
		return 0;
	}
}

enum bpfrt_op bpfrt_insn_op(const struct bpf_insn *insn)
{
	pthread_once(&index_once, build_index);
	uint16_t first = index_by_code.first[insn->code];
	uint8_t n = index_by_code.count[insn->code];
	for (uint16_t i = first; i < first + n; i++) {
		const struct bpfrt_opcode_info *row = &bpfrt_opcodes[i];
		if (row->disc == BPFRT_D_NONE || disc_field(insn, row->disc) == row->disc_value)
			return (enum bpfrt_op)i;
	}
	return BPFRT_OP_INVALID;
}

int bpfrt_insn_slots(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW) ? 2 : 1;
}

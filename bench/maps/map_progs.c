/* map_progs.c — the eBPF programs of the map benchmark, assembled here
 * instruction by instruction (no clang needed): a SCHED_CLS program that takes
 * its thread's LCG state from a state map, performs n_ops map operations on
 * keys drawn from it in a bounded loop, stores the state back and returns
 * the sum of the values found (lookups) or the number of successful updates.
 * The kernel's verifier accepts the loop (bounded by a constant counter).
 */
#include "map_bench.h"

#include <string.h>

struct asm_buf {
	struct bpf_insn *in;
	uint32_t n;
};

static void emit(struct asm_buf *b, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn *i = &b->in[b->n++];
	memset(i, 0, sizeof(*i));
	i->code = code;
	i->dst_reg = dst & 0xf;
	i->src_reg = src & 0xf;
	i->off = off;
	i->imm = imm;
}

static void emit_lddw(struct asm_buf *b, uint8_t dst, uint8_t pseudo, uint64_t v)
{
	emit(b, BPF_LD | BPF_IMM | BPF_DW, dst, pseudo, 0, (int32_t)(uint32_t)v);
	emit(b, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

#define ALU64_K(op, d, k) emit(b, BPF_ALU64 | BPF_K | (op), d, 0, 0, k)
#define ALU64_X(op, d, s) emit(b, BPF_ALU64 | BPF_X | (op), d, s, 0, 0)
#define LDX(sz, d, s, o) emit(b, BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o) emit(b, BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, k) emit(b, BPF_ST | BPF_MEM | (sz), d, 0, o, k)
#define CALL(id) emit(b, BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define EXIT() emit(b, BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* A forward jump whose target is set later by land(). */
static uint32_t jump_k(struct asm_buf *b, uint8_t op, uint8_t dst, int32_t k)
{
	emit(b, BPF_JMP | BPF_K | op, dst, 0, 0, k);
	return b->n - 1;
}

static uint32_t jump_x(struct asm_buf *b, uint8_t op, uint8_t dst, uint8_t src)
{
	emit(b, BPF_JMP | BPF_X | op, dst, src, 0, 0);
	return b->n - 1;
}

static void land(struct asm_buf *b, uint32_t at)
{
	b->in[at].off = (int16_t)(b->n - at - 1);
}

uint32_t prog_build(const struct prog_spec *sp, struct bpf_insn *insns)
{
	struct asm_buf buf = {insns, 0}, *b = &buf;
	enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 };

	/* The packet names the thread: r1 = *(u32 *)(data + PKT_TID_OFF). */
	LDX(BPF_W, R6, R1, (int16_t)offsetof(struct __sk_buff, data));
	LDX(BPF_W, R2, R1, (int16_t)offsetof(struct __sk_buff, data_end));
	ALU64_X(BPF_MOV, R3, R6);
	ALU64_K(BPF_ADD, R3, PKT_TID_OFF + 4);
	uint32_t short_pkt = jump_x(b, BPF_JGT, R3, R2);
	LDX(BPF_W, R1, R6, PKT_TID_OFF);
	STX(BPF_W, R10, R1, -4);
	ALU64_X(BPF_MOV, R2, R10);
	ALU64_K(BPF_ADD, R2, -4);
	emit_lddw(b, R1, BPF_PSEUDO_MAP_FD, (uint32_t)sp->state_fd);
	CALL(BPF_FUNC_map_lookup_elem);
	uint32_t no_state = jump_k(b, BPF_JEQ, R0, 0);
	ALU64_X(BPF_MOV, R6, R0);      /* r6: the state's address */
	LDX(BPF_DW, R7, R6, 0);        /* r7: the LCG */
	ALU64_K(BPF_MOV, R8, 0);       /* r8: the result */
	ALU64_K(BPF_MOV, R9, (int32_t)sp->n_ops); /* r9: the counter */

	uint32_t loop = b->n;
	emit_lddw(b, R1, 0, LCG_MUL);
	ALU64_X(BPF_MUL, R7, R1);
	emit_lddw(b, R1, 0, LCG_ADD);
	ALU64_X(BPF_ADD, R7, R1);
	ALU64_X(BPF_MOV, R1, R7);
	ALU64_K(BPF_RSH, R1, 32);

	/* The key at r10-8; r2 points at it (or at a key in keys_map). */
	uint32_t skip = 0;
	bool has_skip = false;
	switch (sp->key) {
	case KEY_U32_MASK:
		ALU64_K(BPF_AND, R1, (int32_t)sp->mask);
		STX(BPF_W, R10, R1, -8);
		break;
	case KEY_LPM_ADDR:
		ST(BPF_W, R10, -8, 32);
		STX(BPF_W, R10, R1, -4);
		break;
	case KEY_LPM_TABLE:
		ALU64_K(BPF_AND, R1, (int32_t)sp->mask);
		STX(BPF_W, R10, R1, -8);
		ALU64_X(BPF_MOV, R2, R10);
		ALU64_K(BPF_ADD, R2, -8);
		emit_lddw(b, R1, BPF_PSEUDO_MAP_FD, (uint32_t)sp->keys_fd);
		CALL(BPF_FUNC_map_lookup_elem);
		skip = jump_k(b, BPF_JEQ, R0, 0);
		has_skip = true;
		break;
	}
	if (sp->key == KEY_LPM_TABLE) {
		ALU64_X(BPF_MOV, R2, R0);
	} else {
		ALU64_X(BPF_MOV, R2, R10);
		ALU64_K(BPF_ADD, R2, -8);
	}

	switch (sp->op) {
	case PROG_LOOP:
		LDX(BPF_W, R1, R2, 0);
		ALU64_X(BPF_ADD, R8, R1);
		break;
	case PROG_LOOKUP:
		emit_lddw(b, R1, BPF_PSEUDO_MAP_FD, (uint32_t)sp->map_fd);
		CALL(BPF_FUNC_map_lookup_elem);
		{
			uint32_t miss = jump_k(b, BPF_JEQ, R0, 0);
			LDX(BPF_DW, R1, R0, 0);
			ALU64_X(BPF_ADD, R8, R1);
			land(b, miss);
		}
		break;
	case PROG_UPDATE:
		STX(BPF_DW, R10, R7, -16);
		ALU64_X(BPF_MOV, R3, R10);
		ALU64_K(BPF_ADD, R3, -16);
		ALU64_K(BPF_MOV, R4, BPF_ANY);
		emit_lddw(b, R1, BPF_PSEUDO_MAP_FD, (uint32_t)sp->map_fd);
		CALL(BPF_FUNC_map_update_elem);
		{
			uint32_t failed = jump_k(b, BPF_JNE, R0, 0);
			ALU64_K(BPF_ADD, R8, 1);
			land(b, failed);
		}
		break;
	}
	if (has_skip)
		land(b, skip);
	ALU64_K(BPF_SUB, R9, 1);
	emit(b, BPF_JMP | BPF_K | BPF_JNE, R9, 0, (int16_t)(loop - b->n - 1), 0);

	STX(BPF_DW, R6, R7, 0);
	ALU64_X(BPF_MOV, R0, R8);
	EXIT();
	land(b, short_pkt);
	land(b, no_state);
	ALU64_K(BPF_MOV, R0, -1);
	EXIT();
	return b->n;
}

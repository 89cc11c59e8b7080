/* precise.c — precision tracking: which scalar values a path's checks
 * actually relied on.
 *
 * Scalars start imprecise.  A check that depends on a scalar's exact range
 * (pointer arithmetic, a branch whose outcome the range decides, a helper's
 * size or constant argument) marks it precise, and backtracking walks the
 * path's history (the instructions since each checkpoint) to mark the
 * registers that value was computed from, in every checkpoint above.  State
 * pruning (prune.c) then compares only precise scalars by range; an
 * imprecise one in a finished checkpoint covers any scalar, because no check
 * below that checkpoint looked at it.  Where the history cannot be followed
 * precisely (bpf-to-bpf calls and returns, callbacks, values read back from
 * the stack), everything above is marked precise: conservative, never
 * unsound.  The kernel's mark_chain_precision, simplified.
 */
#include "verifier/state.h"

#include <errno.h>
#include <stdlib.h>

#define CLASS(c) ((c) & 0x07)
#define OPC(c) ((c) & 0xf0)

int vf_hist_push(struct vf_env *env, uint32_t insn)
{
	if (!VF_PRECISION)
		return 0;
	struct vf_state *st = env->cur;
	if (st->nhist == st->cap_hist) {
		uint32_t cap = st->cap_hist ? st->cap_hist * 2 : 16;
		uint32_t *n = realloc(st->hist, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		st->hist = n;
		st->cap_hist = cap;
	}
	st->hist[st->nhist++] = insn;
	return 0;
}

static void mark_frame_all(struct vf_frame *f)
{
	for (int r = 0; r < VF_MAX_REGS; r++)
		if (f->regs[r].type == SCALAR_VALUE)
			f->regs[r].precise = 1;
	for (uint32_t s = 0; s < f->nslots; s++)
		if (f->stack[s].spilled.type == SCALAR_VALUE)
			f->stack[s].spilled.precise = 1;
}

void vf_mark_all_precise(struct vf_state *st)
{
	if (!VF_PRECISION)
		return;
	for (struct vf_state *s = st; s; s = s->parent)
		for (uint32_t f = 0; f <= s->curframe; f++)
			mark_frame_all(s->frames[f]);
}

/* Mark the registers of mask precise in st's current frame; scalars linked
 * to them by id (copies) join the mask, since a branch on one refined all. */
static uint16_t mark_in(struct vf_state *st, uint16_t mask)
{
	struct vf_frame *f = vf_cur_frame(st);
	for (bool grew = true; grew;) {
		grew = false;
		for (int r = 0; r < VF_MAX_REGS; r++) {
			struct vf_reg *reg = &f->regs[r];
			if (!(mask & (1u << r)) || reg->type != SCALAR_VALUE)
				continue;
			reg->precise = 1;
			if (!reg->id)
				continue;
			for (int k = 0; k < VF_MAX_REGS; k++) {
				struct vf_reg *o = &f->regs[k];
				if (o->type == SCALAR_VALUE && o->id == reg->id && !(mask & (1u << k))) {
					mask |= (uint16_t)(1u << k);
					grew = true;
				}
			}
			for (uint32_t s = 0; s < f->nslots; s++)
				if (f->stack[s].spilled.type == SCALAR_VALUE && f->stack[s].spilled.id == reg->id)
					f->stack[s].spilled.precise = 1;
		}
	}
	return mask;
}

/* One instruction backwards: which registers before it the wanted ones
 * (mask, after it) came from.  false: the history cannot be followed. */
static bool backtrack(const struct vf_env *env, uint32_t entry, uint16_t *mask)
{
	uint32_t idx = entry & ~VF_HIST_STACK_READ;
	const struct bpf_insn *in = &env->insns[idx];
	uint8_t c = CLASS(in->code), op = OPC(in->code);
	uint16_t d = (uint16_t)(1u << in->dst_reg), s = (uint16_t)(1u << in->src_reg);
	bool x = (in->code & BPF_X) != 0;
	switch (c) {
	case BPF_ALU:
	case BPF_ALU64:
		if (!(*mask & d))
			return true;
		if (op == BPF_MOV) {
			*mask &= (uint16_t)~d;
			if (x)
				*mask |= s;
		} else if (x && op != BPF_NEG && op != BPF_END) {
			*mask |= s;
		}
		return true;
	case BPF_LDX:
		if (!(*mask & d))
			return true;
		if (entry & VF_HIST_STACK_READ)
			return false; /* a value read back from the stack */
		*mask &= (uint16_t)~d;
		return true;
	case BPF_ST:
		return true;
	case BPF_STX:
		if (BPF_MODE(in->code) != BPF_ATOMIC)
			return true;
		if (in->imm == BPF_CMPXCHG)
			return !(*mask & 1u);
		return !((in->imm & BPF_FETCH) && (*mask & s));
	case BPF_LD:
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW))
			*mask &= (uint16_t)~d;
		else
			*mask &= (uint16_t)~0x3fu;
		return true;
	default: /* JMP, JMP32 */
		if (op == BPF_JA)
			return true;
		if (op == BPF_EXIT)
			return false;
		if (op == BPF_CALL) {
			if (in->src_reg != 0)
				return false; /* into or out of a subprogram */
			const struct vf_helper_proto *p = vf_helper_proto((uint32_t)in->imm);
			if (p && p->callback != VF_CB_NONE)
				return false;
			*mask &= (uint16_t)~0x3fu;
			return true;
		}
		/* A comparison of two registers: each one's refinement depends on
		 * the other. */
		if (x && (*mask & (d | s)))
			*mask |= d | s;
		return true;
	}
}

void vf_mark_precise(struct vf_env *env, uint16_t regmask)
{
	if (!VF_PRECISION)
		return;
	struct vf_state *st = env->cur;
	uint16_t mask = mark_in(st, regmask & 0x3ff);
	for (struct vf_state *s = st; mask;) {
		/* During an instruction its own history entry is the last one:
		 * the demand is on the values before it. */
		uint32_t n = s->nhist;
		if (s == st && env->in_insn && n)
			n--;
		for (uint32_t k = n; k-- > 0 && mask;) {
			if (!backtrack(env, s->hist[k], &mask)) {
				vf_mark_all_precise(st);
				return;
			}
		}
		struct vf_state *cp = s->parent;
		if (!cp || !mask)
			return;
		if (cp->curframe != st->curframe) {
			vf_mark_all_precise(st);
			return;
		}
		mask = mark_in(cp, mask);
		s = cp;
	}
}

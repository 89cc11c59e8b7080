/* precise.c — precision tracking: which scalar values a path's checks
 * actually relied on (the kernel's mark_chain_precision, written anew).
 *
 * Scalars in checkpoints start imprecise.  A check that depends on a
 * scalar's exact range (pointer arithmetic, a branch whose outcome the
 * range decides, a helper's size or constant argument, a return value)
 * demands it, and backtracking walks the path's history (every instruction
 * since each checkpoint, with the stack slot of each fixed-offset stack
 * access) to find the registers and spilled slots the value was computed
 * from, marking them precise in every checkpoint above.  State pruning
 * (prune.c) compares only precise scalars by range against a finished
 * checkpoint: an imprecise one covers any scalar, because no check below
 * that checkpoint looked at it.
 *
 * Invariants that keep this sound and cheap:
 * - the current state is never marked, so a checkpoint (a copy of the
 *   current state) starts with no marks; marks are only ever added, and
 *   only to checkpoints;
 * - a register or slot precise in a checkpoint has had its own sources
 *   marked in every checkpoint above (marking and walking on happen
 *   together), so a walk stops at values already precise: repeated demands
 *   in a loop cost one iteration's history, not the whole path's;
 * - `all_precise` on a checkpoint implies it on every checkpoint above, so
 *   the fallback (mark every scalar everywhere above) stops at the first.
 * Where the history cannot be followed (bpf-to-bpf calls and returns,
 * callbacks, another frame's stack, a segment longer than VF_HIST_MAX, a
 * walk longer than VF_BT_BUDGET) the fallback is taken: conservative,
 * never unsound.
 */
#include "verifier/state.h"

#include <errno.h>
#include <stdlib.h>

#define CLASS(c) ((c) & 0x07)
#define OPC(c) ((c) & 0xf0)

/* What a walk still looks for: registers and spilled slots of the frame
 * being backtracked. */
struct bt {
	uint16_t regs;
	uint64_t slots;
};

static bool bt_empty(const struct bt *m)
{
	return !m->regs && !m->slots;
}

int vf_hist_push(struct vf_env *env, uint32_t insn)
{
	if (!VF_PRECISION)
		return 0;
	struct vf_state *st = env->cur;
	if (st->nhist >= VF_HIST_MAX) {
		/* Keep memory and copies bounded: demands reaching past here fall back. */
		st->nhist = 0;
		st->hist_lost = true;
	}
	if (st->nhist == st->cap_hist) {
		uint32_t cap = st->cap_hist ? st->cap_hist * 2 : 16;
		struct vf_hist *n = realloc(st->hist, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		st->hist = n;
		st->cap_hist = cap;
	}
	st->hist[st->nhist++] = (struct vf_hist){.idx = insn};
	return 0;
}

void vf_hist_stack(struct vf_env *env, uint32_t frameno, bool fixed, int64_t lo)
{
	struct vf_state *st = env->cur;
	if (!VF_PRECISION || !env->in_insn || !st->nhist || !fixed)
		return; /* variable offsets read unknowns and kill the spills they write */
	struct vf_hist *h = &st->hist[st->nhist - 1];
	uint8_t c = CLASS(env->insns[h->idx].code);
	if (c != BPF_LDX && c != BPF_STX && c != BPF_ST)
		return; /* helpers: a fill after their write reads plain data */
	if (frameno != st->curframe) {
		h->flags |= VF_H_OTHER_FRAME;
		return;
	}
	int s = (int)((-lo - 1) / 8);
	h->flags |= VF_H_SLOT;
	h->slot = (uint8_t)s;
	if (lo + 8 * (s + 1) == 0)
		h->flags |= VF_H_SLOT_LOW;
}

static bool slot_is_scalar_spill(const struct vf_frame *f, uint32_t s)
{
	if (s >= f->nslots)
		return false;
	const struct vf_slot *sl = &f->stack[s];
	return (sl->kind[0] == STACK_SPILL || sl->kind[7] == STACK_SPILL) && sl->spilled.type == SCALAR_VALUE;
}

/* Scalars linked by id to a wanted one (copies: a branch on one refined
 * all) are wanted too. */
static void expand_ids(const struct vf_frame *f, struct bt *m)
{
	uint32_t ids[VF_MAX_REGS + VF_STACK_SLOTS];
	uint32_t n = 0;
	for (int r = 0; r < VF_MAX_REGS; r++)
		if ((m->regs & (1u << r)) && f->regs[r].type == SCALAR_VALUE && f->regs[r].id)
			ids[n++] = f->regs[r].id;
	for (uint32_t s = 0; s < f->nslots && s < 64; s++)
		if ((m->slots & (1ull << s)) && slot_is_scalar_spill(f, s) && f->stack[s].spilled.id)
			ids[n++] = f->stack[s].spilled.id;
	if (!n)
		return;
	for (int r = 0; r < VF_MAX_REGS; r++) {
		const struct vf_reg *reg = &f->regs[r];
		if (reg->type != SCALAR_VALUE || !reg->id)
			continue;
		for (uint32_t k = 0; k < n; k++)
			if (ids[k] == reg->id)
				m->regs |= (uint16_t)(1u << r);
	}
	for (uint32_t s = 0; s < f->nslots && s < 64; s++) {
		if (!slot_is_scalar_spill(f, s) || !f->stack[s].spilled.id)
			continue;
		for (uint32_t k = 0; k < n; k++)
			if (ids[k] == f->stack[s].spilled.id)
				m->slots |= 1ull << s;
	}
}

/* At checkpoint cp: mark what is wanted precise; drop what is no scalar
 * (nothing to compare) or already precise (its sources are marked above). */
static void mark_in(struct vf_state *cp, struct bt *m)
{
	if (cp->all_precise) {
		*m = (struct bt){0};
		return;
	}
	struct vf_frame *f = vf_cur_frame(cp);
	expand_ids(f, m);
	for (int r = 0; r < VF_MAX_REGS; r++) {
		if (!(m->regs & (1u << r)))
			continue;
		struct vf_reg *reg = &f->regs[r];
		if (reg->type != SCALAR_VALUE || reg->precise)
			m->regs &= (uint16_t)~(1u << r);
		else
			reg->precise = 1;
	}
	for (uint32_t s = 0; s < 64; s++) {
		if (!(m->slots & (1ull << s)))
			continue;
		if (!slot_is_scalar_spill(f, s) || f->stack[s].spilled.precise) {
			m->slots &= ~(1ull << s);
			continue;
		}
		f->stack[s].spilled.precise = 1;
	}
}

/* One instruction backwards: which registers and slots before it the
 * wanted ones (after it) came from.  false: the history cannot be
 * followed. */
static bool backtrack(const struct vf_env *env, const struct vf_hist *h, struct bt *m)
{
	const struct bpf_insn *in = &env->insns[h->idx];
	uint8_t c = CLASS(in->code), op = OPC(in->code);
	uint16_t d = (uint16_t)(1u << in->dst_reg), s = (uint16_t)(1u << in->src_reg);
	uint64_t slot = (h->flags & VF_H_SLOT) ? 1ull << h->slot : 0;
	bool x = (in->code & BPF_X) != 0;
	switch (c) {
	case BPF_ALU:
	case BPF_ALU64:
		if (!(m->regs & d))
			return true;
		if (op == BPF_MOV) {
			m->regs &= (uint16_t)~d;
			if (x)
				m->regs |= s;
		} else if (x && op != BPF_NEG && op != BPF_END) {
			m->regs |= s;
		}
		return true;
	case BPF_LDX:
		if (!(m->regs & d))
			return true;
		if (h->flags & VF_H_OTHER_FRAME)
			return false; /* a value read back from a caller's stack */
		m->regs &= (uint16_t)~d;
		m->slots |= slot; /* a fill: the value came from the slot */
		return true;
	case BPF_ST:
	case BPF_STX:
		if (BPF_MODE(in->code) == BPF_ATOMIC) {
			if (m->slots & slot)
				return false;
			if (in->imm == BPF_CMPXCHG)
				return !(m->regs & 1u);
			return !((in->imm & BPF_FETCH) && (m->regs & s));
		}
		if (!(m->slots & slot))
			return true;
		/* A store to the wanted slot: a spill of src (or an immediate)
		 * starting at its lowest byte defines it; any other store killed
		 * the spill, so a later fill read plain data. */
		m->slots &= ~slot;
		if (c == BPF_STX && (h->flags & VF_H_SLOT_LOW))
			m->regs |= s;
		return true;
	case BPF_LD:
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW))
			m->regs &= (uint16_t)~d;
		else
			m->regs &= (uint16_t)~0x3fu;
		return true;
	default: /* JMP, JMP32 */
		if (op == BPF_JA)
			return true;
		if (op == BPF_EXIT)
			return false;
		if (op == BPF_CALL) {
			if (in->src_reg != 0)
				return false; /* into or out of a subprogram, or a kfunc */
			const struct vf_helper_proto *p = vf_helper_proto((uint32_t)in->imm);
			if (p && p->callback != VF_CB_NONE)
				return false;
			m->regs &= (uint16_t)~0x3fu;
			return true;
		}
		/* A comparison of two registers: each one's refinement depends on
		 * the other. */
		if (x && (m->regs & (d | s)))
			m->regs |= d | s;
		return true;
	}
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

void vf_mark_all_precise(struct vf_env *env)
{
	if (!VF_PRECISION)
		return;
	for (struct vf_state *s = env->cur->parent; s && !s->all_precise; s = s->parent) {
		for (uint32_t f = 0; f <= s->curframe; f++)
			mark_frame_all(s->frames[f]);
		s->all_precise = true;
	}
}

void vf_mark_precise_mask(struct vf_env *env, uint16_t regmask, uint64_t slotmask)
{
	if (!VF_PRECISION)
		return;
	struct vf_state *st = env->cur;
	struct bt m = {.regs = (uint16_t)(regmask & 0x3ff), .slots = slotmask};
	expand_ids(vf_cur_frame(st), &m);
	uint32_t budget = VF_BT_BUDGET;
	for (struct vf_state *s = st; !bt_empty(&m);) {
		/* During an instruction its own history entry is the last one:
		 * the demand is on the values before it. */
		uint32_t n = s->nhist;
		if (s == st && env->in_insn && n)
			n--;
		for (uint32_t k = n; k-- > 0 && !bt_empty(&m);) {
			if (!budget-- || !backtrack(env, &s->hist[k], &m))
				goto fallback;
		}
		if (bt_empty(&m))
			return;
		if (s->hist_lost)
			goto fallback;
		struct vf_state *cp = s->parent;
		if (!cp)
			return; /* the entry state: r1 and r10, nothing to mark */
		if (cp->curframe != st->curframe)
			goto fallback;
		mark_in(cp, &m);
		s = cp;
	}
	return;
fallback:
	vf_mark_all_precise(env);
}

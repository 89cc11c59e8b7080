/* prune.c — state pruning and loop detection at prune points.
 *
 * A checkpoint is a copy of a state kept at a prune point.  Its `branches`
 * counts the paths still being explored below it; at 0 every path from it
 * has been proven safe, and a new state it covers (every register and stack
 * slot the old one relied on is at least as constrained) can stop: whatever
 * it can do, the old state was shown to do safely.  Covering by a checkpoint
 * still in progress is not used for pruning (it would accept loops that never
 * end); an exact repeat of such an ancestor is an infinite loop.
 */
#include "verifier/state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Checkpoints kept per instruction.  Finished ones that keep failing to
 * cover anything are evicted (the kernel's miss > 3 * hit + 3 rule), so the
 * list holds mostly the checkpoints of paths still being explored: a loop's
 * every iteration needs its own, or the second arm of a branch in a late
 * iteration finds nothing to be pruned against. */
#define VF_MAX_STATES_PER_INSN 1024
#define VF_EVICT_MISSES 3
#define VF_LOOP_CP_JMPS 20
#define VF_LOOP_CP_INSNS 100

struct idmap {
	uint32_t old[128], cur[128];
	uint32_t n;
	uint32_t fresh;
};

/* Do old id a and current id b correspond (one to one)? */
static bool check_ids(struct idmap *m, uint32_t a, uint32_t b)
{
	if (!a)
		return true; /* the old state relied on no link */
	if (!b)
		b = 0x80000000u + ++m->fresh; /* an unlinked value: unique */
	for (uint32_t i = 0; i < m->n; i++) {
		if (m->old[i] == a)
			return m->cur[i] == b;
		if (m->cur[i] == b)
			return false;
	}
	if (m->n == 128)
		return false;
	m->old[m->n] = a;
	m->cur[m->n++] = b;
	return true;
}

static bool maps_equal(const struct vf_map *a, const struct vf_map *b)
{
	if (a == b)
		return true;
	if (!a || !b)
		return false;
	return a->addr == b->addr && a->type == b->type && a->key_size == b->key_size &&
	       a->value_size == b->value_size && a->max_entries == b->max_entries && a->flags == b->flags;
}

/* How states are compared: covering with precision (a finished
 * checkpoint), covering by range (a checkpoint still being explored, whose
 * precision marks are not final), or equal (loop detection). */
enum cmp_mode { CMP_PRECISE, CMP_RANGE, CMP_EXACT };

static bool regsafe(const struct vf_reg *old, const struct vf_reg *cur, struct idmap *m, enum cmp_mode mode)
{
	bool exact = mode == CMP_EXACT;
	if (old->type == NOT_INIT)
		return !exact || cur->type == NOT_INIT;
	if (cur->type == NOT_INIT)
		return false;
	if (old->type != cur->type || old->flags != cur->flags)
		return false;
	if (old->type == SCALAR_VALUE) {
		if (exact)
			return scalar_within(&old->s, &cur->s) && scalar_within(&cur->s, &old->s);
		if (VF_PRECISION && mode == CMP_PRECISE && !old->precise)
			return true; /* nothing below the checkpoint looked at its value */
		return scalar_within(&old->s, &cur->s) && check_ids(m, old->id, cur->id);
	}
	if (old->off != cur->off || old->frameno != cur->frameno)
		return false;
	if (!scalar_within(&old->s, &cur->s))
		return false;
	if (exact && !scalar_within(&cur->s, &old->s))
		return false;
	if (!check_ids(m, old->id, cur->id) || !check_ids(m, old->ref_obj_id, cur->ref_obj_id))
		return false;
	switch (old->type) {
	case PTR_TO_PACKET:
	case PTR_TO_PACKET_META:
		/* The current path must have proven at least as much packet. */
		return exact ? old->range == cur->range : old->range <= cur->range;
	case PTR_TO_MEM:
		return old->range == cur->range;
	case CONST_PTR_TO_MAP:
	case PTR_TO_MAP_VALUE:
	case PTR_TO_MAP_KEY:
		return maps_equal(old->map, cur->map);
	case PTR_TO_FUNC:
		return old->subprog == cur->subprog;
	default:
		return true;
	}
}

static bool slot_byte_safe(uint8_t old, uint8_t cur)
{
	if (old == STACK_INVALID)
		return true;
	if (old == STACK_MISC)
		return cur == STACK_MISC || cur == STACK_ZERO;
	return old == cur;
}

static bool stacksafe(const struct vf_frame *old, const struct vf_frame *cur, struct idmap *m, enum cmp_mode mode)
{
	bool exact = mode == CMP_EXACT;
	uint32_t n = old->nslots > cur->nslots ? old->nslots : cur->nslots;
	for (uint32_t s = 0; s < n; s++) {
		const struct vf_slot *o = vf_slot_peek(old, s), *c = vf_slot_peek(cur, s);
		bool ospill = o->kind[0] == STACK_SPILL || o->kind[7] == STACK_SPILL;
		bool cspill = c->kind[0] == STACK_SPILL || c->kind[7] == STACK_SPILL;
		if (exact) {
			if (memcmp(o->kind, c->kind, 8))
				return false;
			if (ospill && !regsafe(&o->spilled, &c->spilled, m, CMP_EXACT))
				return false;
			continue;
		}
		if (VF_PRECISION && ospill && o->spilled.type == SCALAR_VALUE && !o->spilled.precise &&
		    mode == CMP_PRECISE) {
			/* An imprecise spilled scalar: any initialised data will do. */
			bool ok = true;
			for (int b = 0; b < 8; b++) {
				if (o->kind[b] == STACK_INVALID)
					continue;
				uint8_t ck = c->kind[b];
				ok &= ck == STACK_MISC || ck == STACK_ZERO ||
				      (ck == STACK_SPILL && c->spilled.type == SCALAR_VALUE);
			}
			if (!ok)
				return false;
			continue;
		}
		if (ospill) {
			if (o->spilled.type == SCALAR_VALUE && !cspill) {
				/* An old spilled scalar that covers anything: plain data is as good. */
				struct scalar any;
				scalar_set_unknown(&any);
				bool all_init = true;
				for (int b = 0; b < 8; b++)
					all_init &= c->kind[b] == STACK_MISC || c->kind[b] == STACK_ZERO ||
						    o->kind[b] == STACK_INVALID;
				if (all_init && scalar_within(&o->spilled.s, &any) && !o->spilled.id)
					continue;
				return false;
			}
			if (!cspill || memcmp(o->kind, c->kind, 8))
				return false;
			if (!regsafe(&o->spilled, &c->spilled, m, mode))
				return false;
			continue;
		}
		for (int b = 0; b < 8; b++) {
			uint8_t ck = c->kind[b];
			if (cspill && ck == STACK_SPILL && o->kind[b] == STACK_MISC) {
				/* Old had unknown bytes; a spilled scalar reads the same way. */
				if (c->spilled.type != SCALAR_VALUE)
					return false;
				continue;
			}
			if (!slot_byte_safe(o->kind[b], ck))
				return false;
		}
	}
	return true;
}

static bool states_equal(struct vf_env *env, const struct vf_state *old, const struct vf_state *cur,
			 uint32_t insn, enum cmp_mode mode)
{
	bool exact = mode == CMP_EXACT;
	if (old->curframe != cur->curframe || old->nr_refs != cur->nr_refs)
		return false;
	if (!!old->lock_id != !!cur->lock_id || old->lock_map != cur->lock_map || old->lock_off != cur->lock_off)
		return false;
	struct idmap m = {0};
	if (old->lock_id && !check_ids(&m, old->lock_id, cur->lock_id))
		return false;
	for (uint32_t i = 0; i < old->nr_refs; i++)
		if (!check_ids(&m, old->refs[i].id, cur->refs[i].id))
			return false;
	for (uint32_t f = 0; f <= old->curframe; f++) {
		const struct vf_frame *of = old->frames[f], *cf = cur->frames[f];
		if (of->callsite != cf->callsite || of->in_callback != cf->in_callback)
			return false;
		uint16_t live;
		if (f == old->curframe)
			live = env->aux[insn].live_in;
		else
			live = (uint16_t)(env->aux[old->frames[f + 1]->callsite + 1].live_in & ~0x3fu);
		for (int r = 0; r < VF_MAX_REGS; r++) {
			if (!exact && !(live & (1u << r)))
				continue;
			if (!regsafe(&of->regs[r], &cf->regs[r], &m, mode))
				return false;
		}
		if (!stacksafe(of, cf, &m, mode))
			return false;
	}
	return true;
}

/* The current path stops here because old covers it: whatever old's
 * subtree relied on (its precise scalars, compared by range), this path's
 * values must keep, so the checkpoints above it learn the same precision. */
static void propagate_precision(struct vf_env *env, const struct vf_state *old, uint32_t insn, enum cmp_mode mode)
{
	if (!VF_PRECISION)
		return;
	if (mode != CMP_PRECISE) {
		vf_mark_all_precise(env);
		return;
	}
	uint16_t live = env->aux[insn].live_in, regs = 0;
	uint64_t slots = 0;
	for (uint32_t f = 0; f <= old->curframe; f++) {
		const struct vf_frame *of = old->frames[f];
		bool here = f == old->curframe;
		for (uint32_t s = 0; s < of->nslots; s++) {
			const struct vf_slot *sl = &of->stack[s];
			if (!(sl->kind[0] == STACK_SPILL || sl->kind[7] == STACK_SPILL) ||
			    sl->spilled.type != SCALAR_VALUE || !sl->spilled.precise)
				continue;
			if (!here || s >= 64) {
				vf_mark_all_precise(env); /* callers' frames are not backtracked */
				return;
			}
			slots |= 1ull << s;
		}
		for (int r = 0; r < VF_MAX_REGS; r++) {
			if (of->regs[r].type != SCALAR_VALUE || !of->regs[r].precise)
				continue;
			if (!here) {
				vf_mark_all_precise(env);
				return;
			}
			if (live & (1u << r))
				regs |= (uint16_t)(1u << r);
		}
	}
	if (regs || slots)
		vf_mark_precise_mask(env, regs, slots);
}

void vf_path_done(struct vf_env *env, struct vf_state *st)
{
	(void)env;
	for (struct vf_state *p = st->parent; p; p = p->parent) {
		if (p->branches)
			p->branches--;
		if (p->branches)
			break;
	}
}

/* A checkpoint that keeps failing to cover anything leaves its list.  A
 * finished one is freed: nothing being explored has it above (finished
 * means nothing below it is live).  One still being explored is the parent
 * of live paths: kept until the end. */
static int evict(struct vf_env *env, struct vf_state *old)
{
	env->total_states--;
	if (!old->branches) {
		vf_state_free(old);
		return 0;
	}
	if (env->nr_detached == env->cap_detached) {
		uint32_t cap = env->cap_detached ? env->cap_detached * 2 : 64;
		struct vf_state **n = realloc(env->detached, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		env->detached = n;
		env->cap_detached = cap;
	}
	env->detached[env->nr_detached++] = old;
	return 0;
}

int vf_is_state_visited(struct vf_env *env, uint32_t insn)
{
	struct vf_state_list *l = &env->explored[insn];
	struct vf_state *cur = env->cur;
	/* A callback's entry is reached again for each iteration the helper
	 * makes; the helper bounds them, so returning to a state being
	 * explored is no infinite loop, and covering it suffices. */
	const struct vf_frame *cf = vf_cur_frame(cur);
	bool callback_entry = cf->in_callback && env->subprogs[cf->subprog].start == insn;
	bool add = true;
	for (uint32_t i = 0; i < l->n; i++) {
		struct vf_state *old = l->v[i];
		if (old->branches && !callback_entry) {
			/* Still being explored: we came back around a loop. */
			if (states_equal(env, old, cur, insn, CMP_EXACT)) {
				int e = vf_error(env, -EINVAL, "infinite loop detected at insn %u", insn);
				vf_hint(env, "the loop returns to the same state: nothing it computes brings it closer to its exit condition");
				return e;
			}
			/* Each iteration's state differs and rarely helps later
			 * pruning: checkpoint a loop only every so often (the
			 * kernel's thresholds), which also bounds this list. */
			if (env->jmps_processed - env->prev_jmps_processed < VF_LOOP_CP_JMPS &&
			    env->insn_processed - env->prev_insn_processed < VF_LOOP_CP_INSNS)
				add = false;
		} else {
			enum cmp_mode mode = old->branches ? CMP_RANGE : CMP_PRECISE;
			if (states_equal(env, old, cur, insn, mode)) {
				l->hit++;
				old->hit++;
				propagate_precision(env, old, insn, mode);
				return 1;
			}
			l->miss++;
		}
		/* Misses count only where a checkpoint is added, or a loop's
		 * iterations would evict the ones kept from its start. */
		if (add)
			old->miss++;
		if (old->miss > old->hit * VF_EVICT_MISSES + VF_EVICT_MISSES) {
			int err = evict(env, old);
			if (err)
				return err;
			l->v[i--] = l->v[--l->n];
		}
	}
	if (!add || l->n >= VF_MAX_STATES_PER_INSN)
		return 0; /* keep exploring without a new checkpoint here */
	struct vf_state *cp = vf_state_copy(cur);
	if (!cp)
		return -ENOMEM;
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 4;
		struct vf_state **n = realloc(l->v, cap * sizeof(*n));
		if (!n) {
			vf_state_free(cp);
			return -ENOMEM;
		}
		l->v = n;
		l->cap = cap;
	}
	cp->parent = cur->parent;
	cp->branches = 1;
	cp->miss = cp->hit = 0;
	cp->insn_idx = insn;
	cur->parent = cp;
	cur->nhist = 0; /* the history restarts at the new checkpoint */
	cur->hist_lost = false;
	cp->all_precise = false;
	l->v[l->n++] = cp;
	env->prev_insn_processed = env->insn_processed;
	env->prev_jmps_processed = env->jmps_processed;
	env->total_states++;
	if (env->total_states > env->peak_states)
		env->peak_states = env->total_states;
	return 0;
}

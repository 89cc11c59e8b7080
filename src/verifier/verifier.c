/* verifier.c — the verifier's driver: program structure (subprograms, the
 * control-flow graph, unreachable code, static register liveness), then
 * depth-first exploration of every path from the entry, one instruction
 * at a time, with a copy of the state pushed at each branch and states
 * pruned at jump targets (prune.c).  Instruction semantics live in
 * check_alu.c, check_mem.c and check_call.c; this file handles jumps,
 * bpf-to-bpf calls, callbacks and exits.
 *
 * Invariant: env->cur is the state before env->insn_idx executes; every
 * path ends at the main program's exit, at a pruned prune point, or in an
 * error (the first error stops verification).
 */
#include "verifier/state.h"

#include "bpfrt/asm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLASS(c) ((c) & 0x07)
#define OPC(c) ((c) & 0xf0)

/* ---- program structure ------------------------------------------------- */

static bool is_pseudo_call(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL;
}

static bool is_pseudo_func(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_IMM | BPF_DW) && in->src_reg == BPF_PSEUDO_FUNC;
}

static int add_subprog(struct vf_env *env, uint32_t start)
{
	for (uint32_t i = 0; i < env->nr_subprogs; i++)
		if (env->subprogs[i].start == start)
			return 0;
	if (env->nr_subprogs >= 256)
		return vf_error(env, -E2BIG, "too many subprograms");
	struct vf_subprog *n = realloc(env->subprogs, (env->nr_subprogs + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	env->subprogs = n;
	memset(&n[env->nr_subprogs], 0, sizeof(*n));
	n[env->nr_subprogs++].start = start;
	return 0;
}

static int cmp_subprog(const void *a, const void *b)
{
	const struct vf_subprog *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

uint32_t vf_subprog_of(const struct vf_env *env, uint32_t insn)
{
	uint32_t i = 0;
	while (i + 1 < env->nr_subprogs && env->subprogs[i + 1].start <= insn)
		i++;
	return i;
}

static int jump_target(const struct bpf_insn *in, uint32_t idx)
{
	if (in->code == (BPF_JMP32 | BPF_JA))
		return (int)idx + 1 + in->imm;
	return (int)idx + 1 + in->off;
}

static bool is_jump(const struct bpf_insn *in)
{
	uint8_t c = CLASS(in->code);
	if (c != BPF_JMP && c != BPF_JMP32)
		return false;
	uint8_t op = OPC(in->code);
	return op != BPF_CALL && op != BPF_EXIT;
}

/* Subprograms: the entry, every bpf-to-bpf call target and every callback
 * (lddw PSEUDO_FUNC); no jump may leave its subprogram, and each must end
 * in an exit or a jump. */
static int find_subprogs(struct vf_env *env)
{
	int err = add_subprog(env, 0);
	for (uint32_t i = 0; !err && i < env->cnt; i++) {
		const struct bpf_insn *in = &env->insns[i];
		if (is_pseudo_call(in) || is_pseudo_func(in)) {
			int64_t t = (int64_t)i + 1 + in->imm;
			if (t < 0 || t >= env->cnt) {
				env->insn_idx = i;
				return vf_error(env, -EINVAL, "call to invalid destination %lld", (long long)t);
			}
			err = add_subprog(env, (uint32_t)t);
		}
		if (in->code == (BPF_JMP | BPF_CALL | BPF_X)) {
			env->insn_idx = i;
			return vf_error(env, -EINVAL, "indirect calls (callx r%u) are not supported by the verifier",
					in->dst_reg);
		}
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW))
			i++;
	}
	if (err)
		return err;
	qsort(env->subprogs, env->nr_subprogs, sizeof(*env->subprogs), cmp_subprog);
	for (uint32_t s = 0; s < env->nr_subprogs; s++)
		env->subprogs[s].end = s + 1 < env->nr_subprogs ? env->subprogs[s + 1].start : env->cnt;
	for (uint32_t s = 0; s < env->nr_subprogs; s++) {
		struct vf_subprog *sp = &env->subprogs[s];
		for (uint32_t i = sp->start; i < sp->end; i++) {
			const struct bpf_insn *in = &env->insns[i];
			if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
				i++;
				continue;
			}
			if (CLASS(in->code) == BPF_LD)
				sp->has_ld_abs = true;
			if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == 0 && in->imm == BPF_FUNC_tail_call)
				sp->has_tail_call = true;
			if (!is_jump(in))
				continue;
			int t = jump_target(in, i);
			if (t < (int)sp->start || t >= (int)sp->end) {
				env->insn_idx = i;
				return vf_error(env, -EINVAL, "jump out of range from insn %u to %d", i, t);
			}
		}
		const struct bpf_insn *last = &env->insns[sp->end - 1];
		bool ends = last->code == (BPF_JMP | BPF_EXIT) || last->code == (BPF_JMP | BPF_JA) ||
			    last->code == (BPF_JMP32 | BPF_JA);
		if (!ends) {
			env->insn_idx = sp->end - 1;
			return vf_error(env, -EINVAL, "last insn is not an exit or jmp");
		}
	}
	return 0;
}

/* Reachability from the entry (calls and callbacks lead into their
 * subprograms): the kernel rejects unreachable instructions.  Marks jump
 * targets and the instructions after conditional jumps and calls as prune
 * points. */
static int check_cfg(struct vf_env *env)
{
	uint32_t *work = malloc(env->cnt * sizeof(*work));
	if (!work)
		return -ENOMEM;
	uint32_t n = 0;
	bool *seen = calloc(env->cnt, 1);
	if (!seen) {
		free(work);
		return -ENOMEM;
	}
#define VISIT(t)                                  \
	do {                                          \
		uint32_t t_ = (t);                        \
		if (t_ < env->cnt && !seen[t_]) {         \
			seen[t_] = true;                      \
			work[n++] = t_;                       \
		}                                         \
	} while (0)
	VISIT(0);
	while (n) {
		uint32_t i = work[--n];
		const struct bpf_insn *in = &env->insns[i];
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			if (is_pseudo_func(in)) {
				uint32_t t = i + 1 + in->imm;
				env->aux[t].prune_point = true;
				VISIT(t);
			}
			VISIT(i + 2);
			continue;
		}
		if (in->code == (BPF_JMP | BPF_EXIT))
			continue;
		if (OPC(in->code) == BPF_CALL && (CLASS(in->code) == BPF_JMP)) {
			if (is_pseudo_call(in)) {
				uint32_t t = i + 1 + in->imm;
				env->aux[t].prune_point = true;
				VISIT(t);
			}
			env->aux[i + 1 < env->cnt ? i + 1 : i].prune_point = true;
			VISIT(i + 1);
			continue;
		}
		if (is_jump(in)) {
			int t = jump_target(in, i);
			env->aux[t].prune_point = true;
			env->aux[t].jmp_target = true;
			VISIT((uint32_t)t);
			bool uncond = OPC(in->code) == BPF_JA;
			if (!uncond) {
				if (i + 1 < env->cnt)
					env->aux[i + 1].prune_point = true;
				VISIT(i + 1);
			}
			continue;
		}
		VISIT(i + 1);
	}
#undef VISIT
	int err = 0;
	for (uint32_t i = 0; i < env->cnt; i++) {
		if (seen[i])
			continue;
		if (i > 0 && env->insns[i - 1].code == (BPF_LD | BPF_IMM | BPF_DW) && seen[i - 1])
			continue;
		env->insn_idx = i;
		err = vf_error(env, -EINVAL, "unreachable insn %u", i);
		vf_hint(env, "remove the dead code, or check that jump offsets are right");
		break;
	}
	free(seen);
	free(work);
	return err;
}

/* Static liveness of registers: live_in[i] = registers some path from i may
 * read before writing them.  Pruning compares only live registers. */
static void use_def(const struct vf_env *env, uint32_t i, uint16_t *use, uint16_t *def)
{
	const struct bpf_insn *in = &env->insns[i];
	uint8_t c = CLASS(in->code), op = OPC(in->code);
	uint16_t d = (uint16_t)(1u << in->dst_reg), s = (uint16_t)(1u << in->src_reg);
	*use = *def = 0;
	switch (c) {
	case BPF_ALU:
	case BPF_ALU64:
		*def = d;
		*use = op == BPF_MOV ? 0 : d;
		if (in->code & BPF_X && op != BPF_END && op != BPF_NEG)
			*use |= s;
		break;
	case BPF_LDX:
		*use = s;
		*def = d;
		break;
	case BPF_ST:
		*use = d;
		break;
	case BPF_STX:
		*use = d | s;
		if (BPF_MODE(in->code) == BPF_ATOMIC) {
			if (in->imm == BPF_CMPXCHG) {
				*use |= 1;
				*def = 1;
			} else if (in->imm & BPF_FETCH) {
				*def = s;
			}
		}
		break;
	case BPF_LD:
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			*def = d;
		} else {
			*use = (1u << 6) | (BPF_MODE(in->code) == BPF_IND ? s : 0);
			*def = 0x3f;
		}
		break;
	default: /* JMP, JMP32 */
		if (op == BPF_CALL) {
			uint16_t args = 0x3e;
			if (in->src_reg == 0) {
				const struct vf_helper_proto *p = vf_helper_proto((uint32_t)in->imm);
				if (p) {
					args = 0;
					for (int a = 0; a < 5; a++)
						if (p->args[a] != ARG_DONTCARE)
							args |= (uint16_t)(1u << (a + 1));
				}
			}
			*use = args;
			*def = 0x3f;
		} else if (op == BPF_EXIT) {
			*use = 1;
		} else if (op != BPF_JA) {
			*use = d | ((in->code & BPF_X) ? s : 0);
		}
	}
}

static void compute_liveness(struct vf_env *env)
{
	bool changed = true;
	for (int round = 0; changed && round < 1000; round++) {
		changed = false;
		for (uint32_t k = env->cnt; k-- > 0;) {
			const struct bpf_insn *in = &env->insns[k];
			if (k > 0 && env->insns[k - 1].code == (BPF_LD | BPF_IMM | BPF_DW))
				continue; /* second slot */
			uint16_t out = 0;
			uint8_t c = CLASS(in->code), op = OPC(in->code);
			bool jmp = (c == BPF_JMP || c == BPF_JMP32);
			uint32_t next = in->code == (BPF_LD | BPF_IMM | BPF_DW) ? k + 2 : k + 1;
			if (jmp && op == BPF_EXIT) {
				out = 0;
			} else if (jmp && op != BPF_CALL) {
				int t = jump_target(in, k);
				out = env->aux[t].live_in;
				if (op != BPF_JA && next < env->cnt)
					out |= env->aux[next].live_in;
			} else if (next < env->cnt) {
				out = env->aux[next].live_in;
			}
			uint16_t use, def;
			use_def(env, k, &use, &def);
			uint16_t live = (uint16_t)(use | (out & ~def)) | (1u << 10);
			if (live != env->aux[k].live_in) {
				env->aux[k].live_in = live;
				changed = true;
			}
		}
	}
}

/* ---- ids and references ----------------------------------------------- */

uint32_t vf_new_id(struct vf_env *env)
{
	return ++env->id_gen;
}

int vf_acquire_ref(struct vf_env *env, uint32_t insn)
{
	struct vf_state *st = env->cur;
	if (st->nr_refs >= VF_MAX_REFS)
		return vf_error(env, -EACCES, "too many references held (%u)", st->nr_refs);
	uint32_t id = vf_new_id(env);
	st->refs[st->nr_refs++] = (struct vf_ref){.id = id, .insn = insn};
	return (int)id;
}

static void for_each_reg(struct vf_state *st, void (*fn)(struct vf_reg *, void *), void *arg)
{
	for (uint32_t f = 0; f <= st->curframe; f++) {
		struct vf_frame *fr = st->frames[f];
		for (int i = 0; i < VF_MAX_REGS; i++)
			fn(&fr->regs[i], arg);
		for (uint32_t s = 0; s < fr->nslots; s++)
			if (fr->stack[s].kind[0] == STACK_SPILL || fr->stack[s].kind[7] == STACK_SPILL)
				fn(&fr->stack[s].spilled, arg);
	}
}

static void invalidate_ref(struct vf_reg *r, void *arg)
{
	if (r->ref_obj_id == *(uint32_t *)arg)
		vf_mark_not_init(r);
}

int vf_release_ref(struct vf_env *env, uint32_t ref_obj_id)
{
	struct vf_state *st = env->cur;
	for (uint32_t i = 0; i < st->nr_refs; i++) {
		if (st->refs[i].id != ref_obj_id)
			continue;
		st->refs[i] = st->refs[--st->nr_refs];
		for_each_reg(st, invalidate_ref, &ref_obj_id);
		return 0;
	}
	return vf_error(env, -EINVAL, "release of an unacquired reference (id=%u)", ref_obj_id);
}

struct null_mark {
	uint32_t id;
	bool is_null;
	struct vf_state *st;
};

static void mark_null_one(struct vf_reg *r, void *arg)
{
	struct null_mark *m = arg;
	if (!(r->flags & PTR_MAYBE_NULL) || r->id != m->id)
		return;
	if (m->is_null) {
		vf_mark_const(r, 0);
		return;
	}
	r->flags &= (uint8_t)~PTR_MAYBE_NULL;
	/* Packet-like and map-value pointers keep the id only while it links
	 * null checks; afterwards it would wrongly tie unrelated pointers. */
	if (r->type == PTR_TO_MAP_VALUE || r->type == CONST_PTR_TO_MAP || r->type == PTR_TO_MEM)
		r->id = 0;
}

void vf_mark_ptr_or_null_regs(struct vf_env *env, struct vf_state *st, uint32_t id, bool is_null)
{
	(void)env;
	struct null_mark m = {.id = id, .is_null = is_null, .st = st};
	/* A NULL from an acquiring helper holds nothing to release. */
	if (is_null) {
		uint32_t ref = 0;
		for (uint32_t f = 0; f <= st->curframe && !ref; f++)
			for (int i = 0; i < VF_MAX_REGS; i++)
				if (st->frames[f]->regs[i].id == id && st->frames[f]->regs[i].ref_obj_id)
					ref = st->frames[f]->regs[i].ref_obj_id;
		if (ref)
			for (uint32_t i = 0; i < st->nr_refs; i++)
				if (st->refs[i].id == ref) {
					st->refs[i] = st->refs[--st->nr_refs];
					break;
				}
	}
	for_each_reg(st, mark_null_one, &m);
}

struct pkt_mark {
	const struct vf_reg *dst;
	uint8_t type;
	uint32_t range;
};

static void pkt_range_one(struct vf_reg *r, void *arg)
{
	struct pkt_mark *m = arg;
	if (r->type == m->type && r->id == m->dst->id && r->range < m->range)
		r->range = m->range;
}

void vf_find_good_pkt_pointers(struct vf_state *st, const struct vf_reg *dst, uint8_t type, bool range_right_open)
{
	if (dst->off < 0 || (dst->off == 0 && range_right_open))
		return;
	if (dst->s.umax > VF_MAX_PKT_OFF || dst->s.umax + (uint64_t)dst->off > VF_MAX_PKT_OFF)
		return;
	struct pkt_mark m = {.dst = dst, .type = type, .range = (uint32_t)dst->off + (range_right_open ? 1 : 0)};
	for_each_reg(st, pkt_range_one, &m);
}

static void clear_pkt_one(struct vf_reg *r, void *arg)
{
	(void)arg;
	if (vf_reg_is_pkt(r) || r->type == PTR_TO_PACKET_END)
		vf_mark_unknown(r);
}

void vf_clear_pkt_pointers(struct vf_env *env)
{
	for_each_reg(env->cur, clear_pkt_one, NULL);
}

struct scalar_link {
	uint32_t id;
	const struct vf_reg *src;
};

static void sync_scalar_one(struct vf_reg *r, void *arg)
{
	struct scalar_link *l = arg;
	if (r->type == SCALAR_VALUE && r->id == l->id && r != l->src)
		r->s = l->src->s;
}

/* Copies of a scalar (same id) learn what a branch taught one of them. */
static void sync_linked_scalars(struct vf_state *st, const struct vf_reg *r)
{
	if (r->type != SCALAR_VALUE || !r->id)
		return;
	struct scalar_link l = {.id = r->id, .src = r};
	for_each_reg(st, sync_scalar_one, &l);
}

/* ---- register reads and writes ------------------------------------------ */

int vf_check_reg_read(struct vf_env *env, uint32_t regno)
{
	struct vf_reg *r = &vf_cur_regs(env->cur)[regno];
	if (r->type != NOT_INIT)
		return 0;
	int err = vf_error(env, -EACCES, "R%u !read_ok", regno);
	if (regno == 0)
		vf_hint(env, "r0 is read before any value was put in it; set the return value (e.g. `return 0;`) on every path");
	else if (regno <= 5)
		vf_hint(env, "R%u is read before it was set on this path; helper calls and bpf-to-bpf calls clobber R1-R5",
			regno);
	else
		vf_hint(env, "R%u is read before it was set on this path", regno);
	return err;
}

int vf_check_reg_write(struct vf_env *env, uint32_t regno)
{
	if (regno == BPF_REG_10)
		return vf_error(env, -EACCES, "frame pointer is read only");
	return 0;
}

/* ---- conditional jumps --------------------------------------------------- */

int vf_push_pending(struct vf_env *env, uint32_t insn, struct vf_state *st)
{
	if (env->nr_pending >= 8192) {
		vf_state_free(st);
		return vf_error(env, -E2BIG, "the sequence of %u jumps is too complex", env->nr_pending);
	}
	if (env->nr_pending == env->cap_pending) {
		uint32_t cap = env->cap_pending ? env->cap_pending * 2 : 64;
		struct vf_pending *n = realloc(env->stack, cap * sizeof(*n));
		if (!n) {
			vf_state_free(st);
			return -ENOMEM;
		}
		env->stack = n;
		env->cap_pending = cap;
	}
	if (st->parent)
		st->parent->branches++;
	env->stack[env->nr_pending++] = (struct vf_pending){.st = st, .insn = insn, .prev_insn = env->insn_idx};
	return 0;
}

/* Does the comparison of two packet-related pointers prove a range?
 * Applies it to `taken` (the jump's state) or `fall` (the fall-through). */
static bool try_pkt_compare(const struct bpf_insn *in, struct vf_reg *dst, struct vf_reg *src,
			    struct vf_state *taken, struct vf_state *fall)
{
	if (CLASS(in->code) == BPF_JMP32)
		return false;
	uint8_t op = OPC(in->code);
	bool fwd; /* dst is the pointer, src the end */
	if ((dst->type == PTR_TO_PACKET && src->type == PTR_TO_PACKET_END) ||
	    (dst->type == PTR_TO_PACKET_META && src->type == PTR_TO_PACKET))
		fwd = true;
	else if ((src->type == PTR_TO_PACKET && dst->type == PTR_TO_PACKET_END) ||
		 (src->type == PTR_TO_PACKET_META && dst->type == PTR_TO_PACKET))
		fwd = false;
	else
		return false;
	const struct vf_reg *p = fwd ? dst : src;
	struct vf_reg pc = *p;
	switch (op) {
	case BPF_JGT: /* p > end: fall-through has p <= end */
		if (fwd)
			vf_find_good_pkt_pointers(fall, &pc, pc.type, false);
		else /* end > p: taken has p < end */
			vf_find_good_pkt_pointers(taken, &pc, pc.type, true);
		break;
	case BPF_JLT:
		if (fwd) /* p < end: taken */
			vf_find_good_pkt_pointers(taken, &pc, pc.type, true);
		else /* end < p: fall has p <= end */
			vf_find_good_pkt_pointers(fall, &pc, pc.type, false);
		break;
	case BPF_JGE:
		if (fwd) /* p >= end: fall has p < end */
			vf_find_good_pkt_pointers(fall, &pc, pc.type, true);
		else /* end >= p: taken has p <= end */
			vf_find_good_pkt_pointers(taken, &pc, pc.type, false);
		break;
	case BPF_JLE:
		if (fwd) /* p <= end: taken */
			vf_find_good_pkt_pointers(taken, &pc, pc.type, false);
		else /* end <= p: fall has p < end */
			vf_find_good_pkt_pointers(fall, &pc, pc.type, true);
		break;
	default:
		return false;
	}
	return true;
}

static int check_cond_jmp(struct vf_env *env, const struct bpf_insn *in, uint32_t idx, uint32_t *next)
{
	struct vf_reg *regs = vf_cur_regs(env->cur);
	uint8_t op = OPC(in->code);
	bool jmp32 = CLASS(in->code) == BPF_JMP32;
	uint32_t target = (uint32_t)jump_target(in, idx);
	if (op == BPF_JCOND) /* may_goto: either way */
		op = 0;
	int err = vf_check_reg_read(env, in->dst_reg);
	if (err)
		return err;
	struct vf_reg *dst = &regs[in->dst_reg], srcv, *src = &srcv;
	if (in->code & BPF_X) {
		if ((err = vf_check_reg_read(env, in->src_reg)))
			return err;
		src = &regs[in->src_reg];
	} else {
		vf_mark_const(&srcv, jmp32 ? (uint64_t)(uint32_t)in->imm : (uint64_t)(int64_t)in->imm);
	}
	if (op == 0) { /* may_goto: explore both */
		struct vf_state *other = vf_state_copy(env->cur);
		if (!other)
			return -ENOMEM;
		if ((err = vf_push_pending(env, target, other)))
			return err;
		*next = idx + 1;
		return 0;
	}
	/* Outcome known? */
	int taken = -1;
	if (dst->type == SCALAR_VALUE && src->type == SCALAR_VALUE) {
		taken = scalar_branch_taken(&dst->s, &src->s, op, jmp32);
	} else if (vf_reg_is_pointer(dst) && !(dst->flags & PTR_MAYBE_NULL) && vf_reg_is_null_const(src) &&
		   !jmp32 && (op == BPF_JEQ || op == BPF_JNE)) {
		taken = op == BPF_JNE; /* a valid pointer is never NULL */
	}
	if (taken >= 0) {
		/* The outcome rests on these values: they must stay precise. */
		uint16_t m = 0;
		if (dst->type == SCALAR_VALUE)
			m |= (uint16_t)(1u << in->dst_reg);
		if ((in->code & BPF_X) && src->type == SCALAR_VALUE)
			m |= (uint16_t)(1u << in->src_reg);
		if (m)
			vf_mark_precise(env, m);
		*next = taken ? target : idx + 1;
		return 0;
	}
	struct vf_state *other = vf_state_copy(env->cur);
	if (!other)
		return -ENOMEM;
	struct vf_reg *oregs = vf_cur_regs(other);
	struct vf_reg *odst = &oregs[in->dst_reg];
	struct vf_reg *osrc = (in->code & BPF_X) ? &oregs[in->src_reg] : NULL;
	bool fall_ok = true, taken_ok = true;
	if (dst->type == SCALAR_VALUE && src->type == SCALAR_VALUE) {
		struct vf_reg tsrc = *src;
		struct vf_reg *ts = osrc ? osrc : &tsrc;
		taken_ok = scalar_refine(&odst->s, &ts->s, op, jmp32);
		fall_ok = scalar_refine(&dst->s, &src->s, scalar_jmp_negate(op), jmp32);
		if (taken_ok) {
			sync_linked_scalars(other, odst);
			if (osrc)
				sync_linked_scalars(other, osrc);
		}
		if (fall_ok) {
			sync_linked_scalars(env->cur, dst);
			if (in->code & BPF_X)
				sync_linked_scalars(env->cur, src);
		}
	} else if ((dst->flags & PTR_MAYBE_NULL) && vf_reg_is_null_const(src) && !jmp32 &&
		   (op == BPF_JEQ || op == BPF_JNE)) {
		uint32_t id = dst->id;
		if (in->code & BPF_X) /* the NULL it is compared with must stay 0 */
			vf_mark_precise(env, (uint16_t)(1u << in->src_reg));
		/* JEQ: the jump sees NULL, the fall-through a valid pointer. */
		vf_mark_ptr_or_null_regs(env, other, id, op == BPF_JEQ);
		vf_mark_ptr_or_null_regs(env, env->cur, id, op != BPF_JEQ);
	} else if ((src->flags & PTR_MAYBE_NULL) && vf_reg_is_null_const(dst) && !jmp32 &&
		   (op == BPF_JEQ || op == BPF_JNE)) {
		uint32_t id = src->id;
		vf_mark_precise(env, (uint16_t)(1u << in->dst_reg));
		vf_mark_ptr_or_null_regs(env, other, id, op == BPF_JEQ);
		vf_mark_ptr_or_null_regs(env, env->cur, id, op != BPF_JEQ);
	} else {
		try_pkt_compare(in, dst, src, other, env->cur);
	}
	if (!taken_ok || !fall_ok) {
		/* A direction ruled out by the ranges rests on them as much as
		 * a known outcome does. */
		uint16_t m = 0;
		if (dst->type == SCALAR_VALUE)
			m |= (uint16_t)(1u << in->dst_reg);
		if ((in->code & BPF_X) && src->type == SCALAR_VALUE)
			m |= (uint16_t)(1u << in->src_reg);
		vf_mark_precise(env, m);
	}
	if (!taken_ok) {
		vf_state_free(other);
		*next = idx + 1;
		return 0;
	}
	if (!fall_ok) {
		/* Only the jump can happen: continue with its state. */
		other->parent = env->cur->parent;
		vf_state_free(env->cur);
		env->cur = other;
		*next = target;
		return 0;
	}
	if ((err = vf_push_pending(env, target, other)))
		return err;
	*next = idx + 1;
	return 0;
}

/* ---- calls and exits ------------------------------------------------------ */

static int check_stack_depth_chain(struct vf_env *env);

int vf_enter_frame(struct vf_env *env, uint32_t callsite, uint32_t target, bool callback)
{
	struct vf_state *st = env->cur;
	if (st->curframe + 1 >= VF_MAX_FRAMES)
		return vf_error(env, -E2BIG, "the call stack of %u frames is too deep !", st->curframe + 2);
	uint32_t sp = vf_subprog_of(env, target);
	struct vf_frame *f = vf_frame_new(st->curframe + 1, callsite, sp);
	if (!f)
		return -ENOMEM;
	struct vf_frame *caller = vf_cur_frame(st);
	if (!callback)
		for (int i = 1; i <= 5; i++)
			f->regs[i] = caller->regs[i];
	vf_mark_not_init(&f->regs[0]);
	f->regs[BPF_REG_10] = (struct vf_reg){.type = PTR_TO_STACK, .frameno = (uint8_t)f->frameno};
	scalar_set_const(&f->regs[BPF_REG_10].s, 0);
	st->frames[++st->curframe] = f;
	return 0;
}

static int check_pseudo_call(struct vf_env *env, const struct bpf_insn *in, uint32_t idx, uint32_t *next)
{
	if (env->cur->lock_id)
		return vf_error(env, -EINVAL, "function calls are not allowed while holding a lock");
	uint32_t target = idx + 1 + (uint32_t)in->imm;
	int err = vf_enter_frame(env, idx, target, false);
	if (err)
		return err;
	/* The caller's r1-r5 are gone after the call (r0 is set at the exit). */
	struct vf_frame *caller = env->cur->frames[env->cur->curframe - 1];
	for (int i = 0; i <= 5; i++)
		vf_mark_not_init(&caller->regs[i]);
	if (env->log_level > 1)
		vf_log(env, "caller:\n"), vf_log_state(env, env->cur);
	*next = target;
	return 0;
}

/* r0 at the main program's exit: initialised, and in the range the
 * program type requires. */
static int check_return_code(struct vf_env *env)
{
	struct vf_reg *r0 = &vf_cur_regs(env->cur)[0];
	const struct vf_ctx_desc *d = env->ctx;
	if (!d || d->ret_min > d->ret_max)
		return 0;
	if (r0->type != SCALAR_VALUE) {
		vf_note_reg(env, 0, r0);
		return vf_error(env, -EACCES, "At program exit the register R0 is not a known value (%s)",
				vf_reg_type_name(r0));
	}
	vf_mark_precise(env, 1u);
	if (r0->s.smin < d->ret_min || r0->s.smax > d->ret_max) {
		char tmp[200];
		scalar_print(tmp, sizeof(tmp), &r0->s);
		vf_note_reg(env, 0, r0);
		int e = vf_error(env, -EACCES, "At program exit the register R0 has %s should have been in [%lld, %lld]",
				 tmp, (long long)d->ret_min, (long long)d->ret_max);
		vf_hint(env, "return one of the values this program type allows, e.g. a constant in [%lld, %lld]",
			(long long)d->ret_min, (long long)d->ret_max);
		return e;
	}
	return 0;
}

static int check_exit(struct vf_env *env, uint32_t idx, uint32_t *next, bool *path_done)
{
	struct vf_state *st = env->cur;
	struct vf_frame *f = vf_cur_frame(st);
	/* A bpf-to-bpf callee may return nothing (a void function): the
	 * caller's r0 is then unreadable, which its own reads will check. */
	bool void_ok = st->curframe > 0 && !f->in_callback;
	int err = void_ok ? 0 : vf_check_reg_read(env, 0);
	if (err)
		return err;
	struct vf_reg *r0 = &f->regs[0];
	if (st->curframe == 0) {
		if (st->lock_id) {
			vf_hint(env, "call bpf_spin_unlock() on every path before returning");
			return vf_error(env, -EINVAL, "bpf_spin_unlock is missing");
		}
		if (st->nr_refs) {
			const char *file = NULL;
			int32_t line = vf_insn_line(env, st->refs[0].insn, &file, NULL);
			err = vf_error(env, -EINVAL, "Unreleased reference id=%u alloc_insn=%u", st->refs[0].id,
				       st->refs[0].insn);
			if (line)
				vf_hint(env, "the ring buffer record reserved at %s:%d is neither submitted nor discarded on this path: call bpf_ringbuf_submit() or bpf_ringbuf_discard() before returning",
					file ? file : "?", line);
			else
				vf_hint(env, "the record reserved at insn %u is neither submitted nor discarded on this path: call bpf_ringbuf_submit() or bpf_ringbuf_discard() before returning",
					st->refs[0].insn);
			return err;
		}
		if ((err = check_return_code(env)))
			return err;
		*path_done = true;
		return 0;
	}
	/* Return from a bpf-to-bpf call or a callback. */
	if (r0->type == PTR_TO_STACK && r0->frameno == st->curframe)
		return vf_error(env, -EINVAL, "cannot return stack pointer to the caller");
	if (f->in_callback) {
		if (r0->type != SCALAR_VALUE)
			return vf_error(env, -EACCES, "At callback return the register R0 is not a known value (%s)",
					vf_reg_type_name(r0));
		vf_mark_precise(env, 1u);
		if (r0->s.smin < f->cb_ret_min || r0->s.smax > f->cb_ret_max) {
			char tmp[200];
			scalar_print(tmp, sizeof(tmp), &r0->s);
			vf_note_reg(env, 0, r0);
			int e = vf_error(env, -EACCES,
					 "At callback return the register R0 has %s should have been in [%lld, %lld]", tmp,
					 (long long)f->cb_ret_min, (long long)f->cb_ret_max);
			vf_hint(env, "a bpf_loop/for_each callback returns 0 (continue) or 1 (stop)");
			return e;
		}
		if (st->lock_id)
			return vf_error(env, -EINVAL, "bpf_spin_unlock is missing in the callback");
		return vf_callback_return(env, idx, next);
	}
	uint32_t callsite = f->callsite;
	struct vf_reg ret = *r0;
	vf_frame_free(f);
	st->frames[st->curframe--] = NULL;
	struct vf_frame *caller = vf_cur_frame(st);
	caller->regs[0] = ret;
	*next = callsite + 1;
	if (env->log_level > 1)
		vf_log(env, "returning from callee:\n"), vf_log_state(env, st);
	return 0;
}

/* ---- the main loop ---------------------------------------------------------- */

static struct vf_state *initial_state(struct vf_env *env)
{
	struct vf_state *st = vf_state_new();
	if (!st)
		return NULL;
	st->frames[0] = vf_frame_new(0, 0, 0);
	if (!st->frames[0]) {
		vf_state_free(st);
		return NULL;
	}
	struct vf_reg *regs = st->frames[0]->regs;
	regs[1] = (struct vf_reg){.type = PTR_TO_CTX};
	scalar_set_const(&regs[1].s, 0);
	regs[10] = (struct vf_reg){.type = PTR_TO_STACK};
	scalar_set_const(&regs[10].s, 0);
	(void)env;
	return st;
}

static bool pop_pending(struct vf_env *env)
{
	if (!env->nr_pending)
		return false;
	struct vf_pending p = env->stack[--env->nr_pending];
	env->cur = p.st;
	env->insn_idx = p.insn;
	env->prev_insn_idx = p.prev_insn;
	if (env->log_level > 1)
		vf_log(env, "from %u to %u: ", p.prev_insn, p.insn), vf_log_state(env, env->cur);
	return true;
}

static void log_insn(struct vf_env *env, uint32_t idx)
{
	char buf[128];
	const char *file = NULL, *text = NULL;
	int32_t line = vf_insn_line(env, idx, &file, &text);
	if (line && text && (idx == 0 || vf_insn_line(env, idx - 1, NULL, NULL) != line ||
			     env->lines[0].insn == idx))
		vf_log(env, "; %s @ %s:%d\n", text, file ? file : "", line);
	bpfrt_disasm_insn(env->insns, env->cnt, idx, BPFRT_SYNTAX_LLVM, buf, sizeof(buf));
	vf_log(env, "%u: (%02x) %s\n", idx, env->insns[idx].code, buf);
}

static int do_insn(struct vf_env *env, uint32_t idx, uint32_t *next, bool *path_done)
{
	const struct bpf_insn *in = &env->insns[idx];
	uint8_t c = CLASS(in->code), op = OPC(in->code);
	*next = idx + 1;
	switch (c) {
	case BPF_ALU:
	case BPF_ALU64:
		return vf_check_alu(env, in);
	case BPF_LDX:
	case BPF_ST:
		return vf_check_mem(env, in, idx);
	case BPF_STX:
		if (BPF_MODE(in->code) == BPF_ATOMIC)
			return vf_check_atomic(env, in, idx);
		return vf_check_mem(env, in, idx);
	case BPF_LD:
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			*next = idx + 2;
			return vf_check_ld_imm64(env, in, idx);
		}
		return vf_check_ld_abs(env, in);
	default:
		break;
	}
	/* JMP / JMP32 */
	if (op == BPF_JA) {
		*next = (uint32_t)jump_target(in, idx);
		return 0;
	}
	if (op == BPF_EXIT)
		return check_exit(env, idx, next, path_done);
	if (op == BPF_CALL) {
		if (in->src_reg == BPF_PSEUDO_CALL)
			return check_pseudo_call(env, in, idx, next);
		if (in->src_reg == BPF_PSEUDO_KFUNC_CALL)
			return vf_error(env, -EINVAL, "kernel function calls (kfunc %d) are not supported", in->imm);
		return vf_check_helper_call(env, in, idx, next);
	}
	return check_cond_jmp(env, in, idx, next);
}

static int do_check(struct vf_env *env)
{
	env->cur = initial_state(env);
	if (!env->cur)
		return -ENOMEM;
	env->insn_idx = 0;
	int err = 0;
	for (;;) {
		uint32_t idx = env->insn_idx;
		if (++env->insn_processed > VF_INSN_LIMIT) {
			err = vf_error(env, -E2BIG, "BPF program is too large. Processed %llu insn",
				       (unsigned long long)env->insn_processed);
			vf_hint(env, "a loop may not terminate, or runs too many iterations to explore (the limit is %u instructions over all paths): bound it with a constant and make the bound check visible, or use bpf_loop()",
				VF_INSN_LIMIT);
			break;
		}
		if (idx >= env->cnt) {
			err = vf_error(env, -EINVAL, "invalid insn idx %u insn_cnt %u", idx, env->cnt);
			break;
		}
		env->aux[idx].seen = true;
		bool path_done = false;
		if (env->aux[idx].prune_point) {
			int r = vf_is_state_visited(env, idx);
			if (r < 0) {
				err = r;
				break;
			}
			if (r == 1) {
				if (env->log_level > 1)
					vf_log(env, "%u: safe\n", idx);
				path_done = true;
			}
		}
		uint32_t next = idx + 1;
		uint8_t cls = env->insns[idx].code & 0x07;
		if (cls == BPF_JMP || cls == BPF_JMP32)
			env->jmps_processed++;
		if (!path_done) {
			if (env->log_level > 1)
				log_insn(env, idx);
			err = vf_hist_push(env, idx);
			env->in_insn = true;
			if (!err)
				err = do_insn(env, idx, &next, &path_done);
			env->in_insn = false;
			if (err)
				break;
			if (env->log_level > 1 && !path_done)
				vf_log_state(env, env->cur);
		}
		if (path_done) {
			vf_path_done(env, env->cur);
			vf_state_free(env->cur);
			env->cur = NULL;
			if (!pop_pending(env))
				break;
			continue;
		}
		env->prev_insn_idx = idx;
		env->insn_idx = next;
	}
	if (err && env->cur) {
		/* Log the failing path's state, as the kernel does. */
		if (env->log_level == 1) {
			log_insn(env, env->insn_idx < env->cnt ? env->insn_idx : 0);
			vf_log_state(env, env->cur);
		}
	}
	return err;
}

/* Combined stack of every call chain: at most 512 bytes, each frame
 * rounded up to 32 as the kernel counts it. */
static int chain_depth(struct vf_env *env, uint32_t sp, uint32_t depth_so_far, uint32_t frames)
{
	uint32_t d = env->subprogs[sp].stack_depth;
	d = d ? (d + 31) & ~31u : 32;
	uint32_t total = depth_so_far + d;
	if (total > VF_STACK_SIZE) {
		env->insn_idx = env->subprogs[sp].start;
		int e = vf_error(env, -EACCES, "combined stack size of %u calls is %u. Too large", frames, total);
		vf_hint(env, "the stack frames of the functions on one call chain together may use at most 512 bytes: move large buffers into a per-CPU array map");
		return e;
	}
	if (frames > VF_MAX_FRAMES)
		return vf_error(env, -E2BIG, "the call stack of %u frames is too deep", frames);
	const struct vf_subprog *s = &env->subprogs[sp];
	for (uint32_t i = s->start; i < s->end; i++) {
		const struct bpf_insn *in = &env->insns[i];
		if (!is_pseudo_call(in) || !env->aux[i].seen)
			continue;
		uint32_t callee = vf_subprog_of(env, i + 1 + (uint32_t)in->imm);
		if (callee == sp)
			continue; /* recursion is rejected by the depth limit during exploration */
		int err = chain_depth(env, callee, total, frames + 1);
		if (err)
			return err;
	}
	return 0;
}

static int check_stack_depth_chain(struct vf_env *env)
{
	return chain_depth(env, 0, 0, 1);
}

static void fill_maps(struct vf_env *env, const struct bpfrt_verifier_in *in, struct vf_map *inner)
{
	for (uint32_t i = 0; i < in->nr_maps; i++) {
		const struct bpfrt_verifier_map *m = &in->maps[i];
		struct vf_map *v = &env->maps[i];
		*v = (struct vf_map){.type = m->type, .key_size = m->key_size, .value_size = m->value_size,
				     .max_entries = m->max_entries, .flags = m->flags,
				     .spin_lock_off = m->spin_lock_off, .addr = m->addr, .name = m->name,
				     .value_data = m->value_data};
		v->rdonly_prog = (m->flags & BPF_F_RDONLY_PROG) != 0;
		v->frozen = m->frozen && v->rdonly_prog; /* the kernel's bpf_map_is_rdonly */
		v->wronly_prog = (m->flags & BPF_F_WRONLY_PROG) != 0;
		if (m->has_inner) {
			inner[i] = (struct vf_map){.type = m->inner_type, .key_size = m->inner_key_size,
						   .value_size = m->inner_value_size,
						   .max_entries = m->inner_max_entries, .flags = m->inner_flags,
						   .spin_lock_off = -1, .name = "inner"};
			v->inner = &inner[i];
		}
	}
}

static void free_env(struct vf_env *env)
{
	vf_state_free(env->cur);
	for (uint32_t i = 0; i < env->nr_pending; i++)
		vf_state_free(env->stack[i].st);
	free(env->stack);
	if (env->explored) {
		for (uint32_t i = 0; i < env->cnt; i++) {
			for (uint32_t k = 0; k < env->explored[i].n; k++)
				vf_state_free(env->explored[i].v[k]);
			free(env->explored[i].v);
		}
	}
	free(env->explored);
	for (uint32_t i = 0; i < env->nr_detached; i++)
		vf_state_free(env->detached[i]);
	free(env->detached);
	free(env->aux);
	free(env->subprogs);
	free(env->maps);
}

static void write_summary(struct vf_env *env, struct bpfrt_verifier_out *out)
{
	if (!out || !env->err)
		return;
	char where[200] = "";
	const char *file = NULL, *text = NULL;
	int32_t line = env->err_insn >= 0 ? vf_insn_line(env, (uint32_t)env->err_insn, &file, &text) : 0;
	if (line)
		snprintf(where, sizeof(where), " (%s:%d)", file ? file : "?", line);
	int n = snprintf(out->summary, sizeof(out->summary), "insn %d%s: %s", env->err_insn, where, env->err_msg);
	while (text && (*text == ' ' || *text == '\t'))
		text++;
	if (line && text && *text && n < (int)sizeof(out->summary))
		n += snprintf(out->summary + n, sizeof(out->summary) - n, "\n  source: %s", text);
	if (env->err_regs[0] && n < (int)sizeof(out->summary))
		n += snprintf(out->summary + n, sizeof(out->summary) - n, "\n  registers: %s", env->err_regs);
	if (env->err_hint[0] && n < (int)sizeof(out->summary))
		snprintf(out->summary + n, sizeof(out->summary) - n, "\n  hint: %s", env->err_hint);
}

int bpfrt_verify(const struct bpfrt_verifier_in *in, struct bpfrt_verifier_out *out)
{
	struct vf_env env = {0};
	env.insns = in->insns;
	env.cnt = in->cnt;
	env.prog_type = in->prog_type;
	env.gpl = in->gpl;
	env.ctx = vf_ctx_desc(in->prog_type);
	env.lines = in->lines;
	env.nr_lines = in->nr_lines;
	env.log_level = in->log_level & 3;
	env.log_buf = in->log_buf;
	env.log_size = in->log_buf ? in->log_size : 0;
	env.err_insn = -1;
	if (env.log_buf && env.log_size)
		env.log_buf[0] = 0;
	if (out) {
		memset(out, 0, sizeof(*out));
		out->err_insn = -1;
	}
	int err = -ENOMEM;
	struct vf_map *inner = NULL;
	env.maps = calloc(in->nr_maps + 1, sizeof(*env.maps));
	inner = calloc(in->nr_maps + 1, sizeof(*inner));
	env.aux = calloc(in->cnt, sizeof(*env.aux));
	env.explored = calloc(in->cnt, sizeof(*env.explored));
	if (!env.maps || !inner || !env.aux || !env.explored)
		goto done;
	env.nr_maps = in->nr_maps;
	fill_maps(&env, in, inner);
	if (!env.ctx) {
		err = vf_error(&env, -EINVAL, "program type %u is not supported by the verifier", in->prog_type);
		goto done;
	}
	if ((err = find_subprogs(&env)))
		goto done;
	if ((err = check_cfg(&env)))
		goto done;
	compute_liveness(&env);
	if ((err = do_check(&env)))
		goto done;
	env.insn_idx = 0;
	err = check_stack_depth_chain(&env);
done:
	if (err == -ENOMEM && !env.err)
		vf_error(&env, -ENOMEM, "out of memory");
	if (env.log_level && !err)
		vf_log(&env, "processed %llu insns (limit %u) max_states_per_insn %u total_states %u peak_states %u\n",
		       (unsigned long long)env.insn_processed, VF_INSN_LIMIT, 0, env.total_states, env.peak_states);
	if (!err && in->insn_seen)
		for (uint32_t i = 0; i < in->cnt; i++)
			in->insn_seen[i] = env.aux[i].seen;
	if (!err && in->ctx_pkt_load) {
		static const uint8_t map[] = {[CTX_PKT] = BPFRT_CTX_LOAD_DATA, [CTX_PKT_END] = BPFRT_CTX_LOAD_END,
					      [CTX_PKT_META] = BPFRT_CTX_LOAD_META};
		for (uint32_t i = 0; i < in->cnt; i++)
			in->ctx_pkt_load[i] = env.aux[i].ctx_pkt < sizeof(map) ? map[env.aux[i].ctx_pkt] : 0;
	}
	if (out) {
		out->err_insn = env.err ? env.err_insn : -1;
		out->insn_processed = env.insn_processed;
		out->total_states = env.total_states;
		out->peak_states = env.peak_states;
		out->stack_depth = env.nr_subprogs ? env.subprogs[0].stack_depth : 0;
		out->log_truncated = env.log_truncated;
		write_summary(&env, out);
	}
	free_env(&env);
	free(inner);
	return err;
}

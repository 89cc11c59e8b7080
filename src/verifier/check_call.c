/* check_call.c — helper calls against their prototypes (protos.c), the
 * callbacks of bpf_loop and bpf_for_each_map_elem, and 64-bit immediate
 * loads (constants, maps, map values, subprogram addresses).
 *
 * A helper call checks each argument against its type, the memory the
 * helper will read or write through pointer arguments, and the rules around
 * the call (program type, license, held locks, references); then clobbers
 * r1-r5 and gives r0 the prototype's return type.  A callback is explored
 * as a call from the helper's site: zero times (the path continuing after
 * the helper) and then again and again from each exit, with the caller's
 * stack data widened so that the repetitions converge.
 */
#include "verifier/state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct call_meta {
	const struct vf_map *map;
	int mem_regno;         /* the pointer a following size argument measures */
	bool mem_write;
	bool mem_or_null;
	uint32_t func_insn;    /* ARG_PTR_TO_FUNC target */
	bool has_func;
	uint64_t alloc_size;
	uint32_t release_id;
	bool lock_arg;
	const struct vf_map *lock_map;
	int32_t lock_off;
	uint32_t lock_id;
	bool key_known;        /* the map key is a constant on the stack */
	uint64_t key;
};

/* A 4-byte key on the stack whose value the verifier knows (a spilled
 * constant, or zero bytes): array lookups with it in range never fail. */
static void find_const_key(struct vf_env *env, const struct vf_reg *r, struct call_meta *meta)
{
	if (r->type != PTR_TO_STACK || !scalar_is_const(&r->s) || !meta->map || meta->map->key_size != 4)
		return;
	int64_t o = r->off + (int64_t)r->s.var_off.value;
	if (o < -VF_STACK_SIZE || o > -4)
		return;
	const struct vf_frame *f = env->cur->frames[r->frameno];
	int s = (int)((-o - 1) / 8), b = (int)(o + 8 * (s + 1));
	const struct vf_slot *sl = vf_slot_peek(f, (uint32_t)s);
	if (b + 4 > 8)
		return;
	bool zero = true, spill = b == 0;
	for (int i = b; i < b + 4; i++) {
		zero &= sl->kind[i] == STACK_ZERO;
		spill &= sl->kind[i] == STACK_SPILL;
	}
	if (zero) {
		meta->key_known = true, meta->key = 0;
	} else if (spill && sl->spilled.type == SCALAR_VALUE && scalar_is_const(&sl->spilled.s)) {
		meta->key_known = true, meta->key = (uint32_t)sl->spilled.s.var_off.value;
	}
	if (!meta->key_known)
		return;
	/* The key's value decides NULL or not: keep it precise. */
	if (r->frameno == env->cur->curframe && s < 64)
		vf_mark_precise_mask(env, 0, 1ull << s);
	else
		vf_mark_all_precise(env);
}

static const char *helper_name(const struct vf_helper_proto *p, int32_t id, char *buf, size_t len)
{
	if (p && p->name)
		snprintf(buf, len, "%s#%d", p->name, id);
	else
		snprintf(buf, len, "unknown#%d", id);
	return buf;
}

static bool is_mem_ptr(const struct vf_env *env, const struct vf_reg *r)
{
	switch (r->type) {
	case PTR_TO_CTX: /* SYSCALL programs may hand their context to helpers */
		return env->ctx && env->ctx->any_write;
	case PTR_TO_STACK:
	case PTR_TO_MAP_VALUE:
	case PTR_TO_MAP_KEY:
	case PTR_TO_PACKET:
	case PTR_TO_PACKET_META:
	case PTR_TO_MEM:
		return !(r->flags & PTR_MAYBE_NULL);
	default:
		return false;
	}
}

static int type_error(struct vf_env *env, uint32_t regno, const struct vf_reg *r, const char *expected)
{
	vf_note_reg(env, regno, r);
	int e = vf_error(env, -EACCES, "R%u type=%s expected=%s", regno, vf_reg_type_name(r), expected);
	if (r->flags & PTR_MAYBE_NULL)
		vf_hint(env, "R%u may be NULL here: check it (`if (!p) return 0;`) before passing it to the helper", regno);
	return e;
}

/* The helper touches bytes [0, size) at pointer register regno. */
static int check_fixed_mem(struct vf_env *env, uint32_t regno, uint32_t size, bool write, const char *what)
{
	if (!size)
		return 0;
	return vf_check_mem_access(env, regno, 0, size, write, -1, false, what);
}

int vf_check_helper_mem(struct vf_env *env, uint32_t regno, const struct vf_reg *size_reg, bool zero_ok,
			bool write, const char *what)
{
	const struct scalar *s = &size_reg->s;
	uint32_t sregno = regno + 1;
	if (size_reg->type != SCALAR_VALUE)
		return type_error(env, sregno, size_reg, "scalar");
	vf_mark_precise(env, (uint16_t)(1u << sregno));
	if (s->smin < 0) {
		vf_note_reg(env, sregno, size_reg);
		int e = vf_error(env, -EACCES, "R%u min value is negative, either use unsigned or 'var &= const'", sregno);
		vf_hint(env, "the size passed in R%u may be negative: make it unsigned or check it first", sregno);
		return e;
	}
	if (s->umin == 0 && !zero_ok) {
		vf_note_reg(env, sregno, size_reg);
		int e = vf_error(env, -EACCES, "R%u invalid zero-sized read: u64=[%llu,%llu]", sregno,
				 (unsigned long long)s->umin, (unsigned long long)s->umax);
		vf_hint(env, "the size may be 0 here; this helper needs at least 1 byte: check `if (len == 0) return 0;`");
		return e;
	}
	if (s->umax >= VF_MAX_VAR_OFF) {
		vf_note_reg(env, sregno, size_reg);
		int e = vf_error(env, -EACCES,
				 "R%u unbounded memory access, use 'var &= const' or 'if (var < const)'", sregno);
		vf_hint(env, "bound the size first, e.g. `if (len > sizeof(buf)) return 0;` or `len &= sizeof(buf) - 1;`");
		return e;
	}
	const struct vf_reg *p = &vf_cur_regs(env->cur)[regno];
	if (s->umax == 0 && p->type == PTR_TO_STACK) {
		/* Even an empty access must point into the frame (the kernel's rule). */
		int64_t off = p->off + (scalar_is_const(&p->s) ? (int64_t)p->s.var_off.value : p->s.smin);
		if (off < -VF_STACK_SIZE || off >= 0)
			return vf_error(env, -EACCES, "invalid %s stack R%u off=%lld size=0", write ? "write to" : "read from",
					regno, (long long)off);
	}
	if (vf_reg_is_null_const(p)) {
		if (s->umax != 0)
			return vf_error(env, -EACCES, "R%u type=scalar expected=mem with a non-zero size", regno);
		return 0;
	}
	return check_fixed_mem(env, regno, (uint32_t)s->umax, write, what);
}

static int check_func_arg(struct vf_env *env, const struct vf_helper_proto *p, uint32_t arg,
			  struct call_meta *meta)
{
	uint32_t regno = arg + 1;
	struct vf_reg *regs = vf_cur_regs(env->cur);
	struct vf_reg *r = &regs[regno];
	uint8_t t = p->args[arg];
	if (t == ARG_DONTCARE)
		return 0;
	int err = vf_check_reg_read(env, regno);
	if (err)
		return err;
	bool mem_arg = t == ARG_PTR_TO_MAP_KEY || t == ARG_PTR_TO_MAP_VALUE || t == ARG_PTR_TO_UNINIT_MAP_VALUE ||
		       t == ARG_PTR_TO_MEM || t == ARG_PTR_TO_MEM_OR_NULL || t == ARG_PTR_TO_UNINIT_MEM ||
		       t == ARG_PTR_TO_FIXED_MEM || t == ARG_PTR_TO_FIXED_UNINIT_MEM || t == ARG_PTR_TO_LONG ||
		       t == ARG_PTR_TO_INT;
	if (mem_arg && vf_reg_is_pkt(r) && !(p->flags & VF_PKT_ACCESS))
		return vf_error(env, -EACCES, "helper access to the packet is not allowed");
	switch (t) {
	case ARG_ANYTHING:
		return 0;
	case ARG_CONST_MAP_PTR:
		if (r->type != CONST_PTR_TO_MAP || (r->flags & PTR_MAYBE_NULL))
			return type_error(env, regno, r, "map_ptr");
		meta->map = r->map;
		return 0;
	case ARG_PTR_TO_MAP_KEY:
	case ARG_PTR_TO_MAP_VALUE:
	case ARG_PTR_TO_UNINIT_MAP_VALUE: {
		if (!meta->map)
			return vf_error(env, -EACCES, "invalid map_ptr to access map->%s",
					t == ARG_PTR_TO_MAP_KEY ? "key" : "value");
		if (!is_mem_ptr(env, r))
			return type_error(env, regno, r, "fp, pkt, pkt_meta, map_key, map_value, mem");
		uint32_t size = t == ARG_PTR_TO_MAP_KEY ? meta->map->key_size : meta->map->value_size;
		if (t == ARG_PTR_TO_MAP_KEY)
			find_const_key(env, r, meta);
		return check_fixed_mem(env, regno, size, t == ARG_PTR_TO_UNINIT_MAP_VALUE,
				       t == ARG_PTR_TO_MAP_KEY ? "map key" : "map value");
	}
	case ARG_PTR_TO_MEM_OR_NULL:
	case ARG_PTR_TO_MEM:
	case ARG_PTR_TO_UNINIT_MEM:
		if (t == ARG_PTR_TO_MEM_OR_NULL && vf_reg_is_null_const(r)) {
			vf_mark_precise(env, (uint16_t)(1u << regno));
			meta->mem_regno = (int)regno;
			meta->mem_or_null = true;
			return 0;
		}
		meta->mem_or_null = false;
		if (!is_mem_ptr(env, r))
			return type_error(env, regno, r, "fp, pkt, pkt_meta, map_key, map_value, mem");
		if (t != ARG_PTR_TO_MEM_OR_NULL && t != ARG_PTR_TO_MEM && r->type == PTR_TO_MAP_VALUE &&
		    r->map->rdonly_prog)
			return vf_error(env, -EACCES, "write into map forbidden (R%u points into a read-only map)", regno);
		meta->mem_regno = (int)regno;
		meta->mem_write = t == ARG_PTR_TO_UNINIT_MEM;
		return 0;
	case ARG_PTR_TO_FIXED_MEM:
	case ARG_PTR_TO_FIXED_UNINIT_MEM:
		if (!is_mem_ptr(env, r))
			return type_error(env, regno, r, "fp, pkt, pkt_meta, map_key, map_value, mem");
		return check_fixed_mem(env, regno, p->arg_size[arg], t == ARG_PTR_TO_FIXED_UNINIT_MEM, "memory");
	case ARG_PTR_TO_LONG:
	case ARG_PTR_TO_INT: {
		uint32_t size = t == ARG_PTR_TO_LONG ? 8 : 4;
		if (!is_mem_ptr(env, r))
			return type_error(env, regno, r, "fp, pkt, pkt_meta, map_key, map_value, mem");
		struct tnum a = tnum_add(r->s.var_off, tnum_const((uint64_t)(int64_t)r->off));
		if (!tnum_is_aligned(a, size))
			return vf_error(env, -EACCES, "R%u misaligned %s argument", regno, size == 8 ? "long" : "int");
		return check_fixed_mem(env, regno, size, true, "memory");
	}
	case ARG_CONST_SIZE:
	case ARG_CONST_SIZE_OR_ZERO:
		if (meta->mem_regno != (int)regno - 1)
			return vf_error(env, -EACCES, "R%u size argument without a memory argument before it", regno);
		if (meta->mem_or_null) {
			if (r->type == SCALAR_VALUE)
				vf_mark_precise(env, (uint16_t)(1u << regno));
			if (r->type != SCALAR_VALUE || !scalar_is_const(&r->s) || r->s.var_off.value)
				return vf_error(env, -EACCES, "R%u must be 0 when R%u is NULL", regno, regno - 1);
			return 0;
		}
		return vf_check_helper_mem(env, regno - 1, r, t == ARG_CONST_SIZE_OR_ZERO, meta->mem_write,
					   "memory");
	case ARG_CONST_ALLOC_SIZE_OR_ZERO:
		if (r->type == SCALAR_VALUE)
			vf_mark_precise(env, (uint16_t)(1u << regno));
		if (r->type != SCALAR_VALUE || !scalar_is_const(&r->s)) {
			vf_note_reg(env, regno, r);
			int e = vf_error(env, -EACCES, "R%u is not a known constant'", regno);
			vf_hint(env, "the size to reserve must be a compile-time constant (e.g. sizeof(struct event))");
			return e;
		}
		meta->alloc_size = r->s.var_off.value;
		return 0;
	case ARG_PTR_TO_CTX:
	case ARG_PTR_TO_CTX_OR_NULL:
		if (t == ARG_PTR_TO_CTX_OR_NULL && vf_reg_is_null_const(r)) {
			vf_mark_precise(env, (uint16_t)(1u << regno));
			return 0;
		}
		if (r->type != PTR_TO_CTX)
			return type_error(env, regno, r, "ctx");
		if (r->off || !scalar_is_const(&r->s) || r->s.var_off.value)
			return vf_error(env, -EACCES, "dereference of modified ctx ptr R%u off=%d disallowed", regno, r->off);
		return 0;
	case ARG_PTR_TO_CONST_STR: {
		if (r->type != PTR_TO_MAP_VALUE || (r->flags & PTR_MAYBE_NULL))
			return type_error(env, regno, r, "map_value");
		const struct vf_map *m = r->map;
		if (!m->frozen)
			return vf_error(env, -EACCES, "R%u does not point to a readonly map'", regno);
		if (!scalar_is_const(&r->s))
			return vf_error(env, -EACCES, "R%u is not a constant address'", regno);
		int64_t off = r->off + (int64_t)r->s.var_off.value;
		if (off < 0 || off >= m->value_size)
			return vf_error(env, -EACCES, "R%u points outside the map value", regno);
		if (m->value_data && !memchr((const char *)m->value_data + off, 0, m->value_size - (size_t)off))
			return vf_error(env, -EACCES, "string is not zero-terminated");
		return 0;
	}
	case ARG_PTR_TO_SPIN_LOCK: {
		if (r->type != PTR_TO_MAP_VALUE || (r->flags & PTR_MAYBE_NULL))
			return type_error(env, regno, r, "map_value");
		if (!scalar_is_const(&r->s))
			return vf_error(env, -EACCES,
					"R%u doesn't have constant offset. bpf_spin_lock has to be at the constant offset",
					regno);
		const struct vf_map *m = r->map;
		if (m->spin_lock_off < 0)
			return vf_error(env, -EINVAL, "map '%s' has no valid bpf_spin_lock", m->name ? m->name : "");
		int64_t off = r->off + (int64_t)r->s.var_off.value;
		if (off != m->spin_lock_off)
			return vf_error(env, -EINVAL, "off %lld doesn't point to 'struct bpf_spin_lock' that is at %d",
					(long long)off, m->spin_lock_off);
		meta->lock_arg = true;
		meta->lock_map = m;
		meta->lock_off = (int32_t)off;
		meta->lock_id = r->id;
		return 0;
	}
	case ARG_PTR_TO_FUNC:
		if (r->type != PTR_TO_FUNC)
			return type_error(env, regno, r, "func");
		meta->func_insn = r->subprog;
		meta->has_func = true;
		return 0;
	case ARG_PTR_TO_STACK_OR_NULL:
		if (vf_reg_is_null_const(r))
			vf_mark_precise(env, (uint16_t)(1u << regno));
		if (vf_reg_is_null_const(r) || r->type == PTR_TO_STACK)
			return 0;
		return type_error(env, regno, r, "fp");
	case ARG_PTR_TO_ALLOC_MEM:
		if (r->type != PTR_TO_MEM || !r->ref_obj_id || (r->flags & PTR_MAYBE_NULL)) {
			int e = type_error(env, regno, r, "ringbuf_mem");
			return e;
		}
		if (r->off || !scalar_is_const(&r->s) || r->s.var_off.value)
			return vf_error(env, -EACCES, "R%u must have zero offset when passed to release func", regno);
		meta->release_id = r->ref_obj_id;
		return 0;
	default:
		return vf_error(env, -EINVAL, "unsupported argument type %u of helper", t);
	}
}

/* bpf_probe_read*(dst, size, src) in a program that is not a tracing
 * program: src must be memory the verifier knows, size bytes of it. */
static int check_sandboxed_read(struct vf_env *env, const char *name)
{
	struct vf_reg *regs = vf_cur_regs(env->cur);
	const struct vf_reg *size = &regs[2], *src = &regs[3];
	if (size->type != SCALAR_VALUE || size->s.umax >= VF_MAX_VAR_OFF)
		return vf_error(env, -EACCES, "R2 unbounded size for %s", name);
	vf_mark_precise(env, 1u << 2);
	if (src->type == PTR_TO_CTX && scalar_is_const(&src->s) && env->ctx) {
		int64_t lo = src->off + (int64_t)src->s.var_off.value, hi = lo + (int64_t)size->s.umax;
		if (lo >= 0 && hi <= env->ctx->size)
			return 0;
	} else if (is_mem_ptr(env, src)) {
		return check_fixed_mem(env, 3, (uint32_t)size->s.umax, false, "memory");
	}
	vf_note_reg(env, 3, src);
	int e = vf_error(env, -EACCES, "program of this type cannot use helper %s on arbitrary memory (R3 type=%s)",
			 name, vf_reg_type_name(src));
	vf_hint(env, "only tracing programs (kprobe, tracepoint, perf_event, raw_tracepoint, syscall) may read arbitrary memory; other types may read their context, stack, map values and packet with it");
	return e;
}

/* The callback's frame: what it receives in r1-r5. */
static void setup_callback_args(struct vf_env *env, const struct vf_helper_proto *p, struct vf_reg *args,
				const struct call_meta *meta)
{
	struct vf_reg *regs = vf_cur_regs(env->cur);
	for (int i = 0; i < 6; i++)
		vf_mark_not_init(&args[i]);
	if (p->callback == VF_CB_LOOP) {
		vf_mark_unknown(&args[1]);
		scalar_set_urange(&args[1].s, 0, 0xffffffffull);
		args[2] = regs[3];
		return;
	}
	/* for_each_map_elem(map, cb, ctx, flags) -> cb(map, key, value, ctx) */
	args[1] = regs[1];
	args[2] = (struct vf_reg){.type = PTR_TO_MAP_KEY, .map = meta->map};
	scalar_set_const(&args[2].s, 0);
	args[3] = (struct vf_reg){.type = PTR_TO_MAP_VALUE, .map = meta->map};
	scalar_set_const(&args[3].s, 0);
	args[4] = regs[3];
}

static void set_helper_ret(struct vf_env *env, const struct vf_helper_proto *p, struct vf_reg *r0)
{
	(void)env;
	vf_mark_unknown(r0);
	if (p->ret == RET_INTEGER && p->ret_min <= p->ret_max) {
		r0->s.smin = p->ret_min;
		r0->s.smax = p->ret_max;
		scalar_sync(&r0->s);
	}
}

/* Widen what the caller frames' stacks hold as data: a callback may run
 * any number of times, and each run may change them. */
static void widen_caller_stacks(struct vf_state *st)
{
	for (uint32_t f = 0; f < st->curframe; f++) {
		struct vf_frame *fr = st->frames[f];
		for (uint32_t s = 0; s < fr->nslots; s++) {
			struct vf_slot *sl = &fr->stack[s];
			bool spill = sl->kind[0] == STACK_SPILL || sl->kind[7] == STACK_SPILL;
			bool full = sl->kind[0] == STACK_SPILL && sl->kind[7] == STACK_SPILL;
			for (int b = 0; b < 8; b++)
				if (sl->kind[b] == STACK_ZERO || (spill && !full && sl->kind[b] == STACK_SPILL))
					sl->kind[b] = STACK_MISC;
			if (full && sl->spilled.type == SCALAR_VALUE)
				vf_mark_unknown(&sl->spilled);
		}
	}
}

int vf_callback_return(struct vf_env *env, uint32_t idx, uint32_t *next)
{
	(void)idx;
	struct vf_state *st = env->cur;
	struct vf_frame *f = vf_cur_frame(st);
	if (st->nr_refs != f->cb_nr_refs)
		return vf_error(env, -EINVAL, "Unreleased reference id=%u alloc_insn=%u in callback",
				st->refs[st->nr_refs - 1].id, st->refs[st->nr_refs - 1].insn);
	const struct vf_helper_proto *p = vf_helper_proto(f->cb_helper);
	uint32_t callsite = f->callsite;
	uint32_t start = env->subprogs[f->subprog].start;
	/* Another iteration: from this exit, with widened caller data. */
	struct vf_state *again = vf_state_copy(st);
	if (!again)
		return -ENOMEM;
	struct vf_frame *af = vf_cur_frame(again);
	struct vf_frame saved = *af;
	for (int i = 0; i < VF_MAX_REGS; i++)
		vf_mark_not_init(&af->regs[i]);
	free(af->stack);
	af->stack = NULL;
	af->nslots = 0;
	af->depth = 0;
	for (int i = 1; i <= 5; i++)
		af->regs[i] = saved.cb_args[i];
	af->regs[BPF_REG_10] = saved.regs[BPF_REG_10];
	widen_caller_stacks(again);
	int err = vf_push_pending(env, start, again);
	if (err)
		return err;
	/* This iteration was the last: back to the caller. */
	vf_frame_free(f);
	st->frames[st->curframe--] = NULL;
	struct vf_reg *regs = vf_cur_regs(st);
	if (p)
		set_helper_ret(env, p, &regs[0]);
	else
		vf_mark_unknown(&regs[0]);
	*next = callsite + 1;
	return 0;
}

static int check_callback_call(struct vf_env *env, const struct vf_helper_proto *p, const struct call_meta *meta,
			       uint32_t idx, uint32_t *next)
{
	if (!meta->has_func)
		return vf_error(env, -EINVAL, "callback helper without a function argument");
	struct vf_reg args[6];
	setup_callback_args(env, p, args, meta);
	/* Zero iterations: continue after the helper right away. */
	struct vf_state *zero = vf_state_copy(env->cur);
	if (!zero)
		return -ENOMEM;
	struct vf_reg *zr = vf_cur_regs(zero);
	for (int i = 1; i <= 5; i++)
		vf_mark_not_init(&zr[i]);
	set_helper_ret(env, p, &zr[0]);
	int err = vf_push_pending(env, idx + 1, zero);
	if (err)
		return err;
	/* The first iteration. */
	struct vf_reg *regs = vf_cur_regs(env->cur);
	if ((err = vf_enter_frame(env, idx, meta->func_insn, true)))
		return err;
	for (int i = 0; i <= 5; i++)
		vf_mark_not_init(&regs[i]);
	struct vf_frame *f = vf_cur_frame(env->cur);
	for (int i = 1; i <= 5; i++)
		f->regs[i] = args[i];
	memcpy(f->cb_args, args, sizeof(args));
	f->in_callback = true;
	f->cb_ret_min = 0;
	f->cb_ret_max = 1;
	f->cb_helper = (uint32_t)env->insns[idx].imm;
	f->cb_nr_refs = env->cur->nr_refs;
	env->subprogs[f->subprog].is_callback = true;
	*next = meta->func_insn;
	return 0;
}

int vf_check_helper_call(struct vf_env *env, const struct bpf_insn *in, uint32_t idx, uint32_t *next)
{
	int32_t id = in->imm;
	const struct vf_helper_proto *p = id >= 0 ? vf_helper_proto((uint32_t)id) : NULL;
	char name[96];
	helper_name(p, id, name, sizeof(name));
	if (id == BPFRT_CORE_POISON) {
		int e = vf_error(env, -EINVAL, "invalid func unknown#%d: a CO-RE relocation that could not be resolved is reachable", id);
		vf_hint(env, "the field or type this access names does not exist in the target: guard it with `if (bpf_core_field_exists(...))` so the access is dead code where it is missing");
		return e;
	}
	if (!p || !p->name) {
		int e = vf_error(env, -EINVAL, "invalid func %s", name);
		vf_hint(env, "bpfrt has no helper %d; see docs/verifier-helpers.md for the helpers it provides", id);
		return e;
	}
	bool sandboxed_read = false;
	if (p->prog_types && (env->prog_type >= 64 || !(p->prog_types & (1ull << env->prog_type)))) {
		if (!(p->flags & VF_PRIVILEGED_READ))
			return vf_error(env, -EINVAL, "program of this type cannot use helper %s", name);
		/* bpfrt's sandbox: outside tracing programs, probe reads may only
		 * read memory the program could read anyway. */
		sandboxed_read = true;
	}
	if ((p->flags & VF_GPL_ONLY) && !env->gpl) {
		int e = vf_error(env, -EINVAL, "cannot call GPL-restricted function from non-GPL compatible program");
		vf_hint(env, "%s is GPL-only: declare `char LICENSE[] SEC(\"license\") = \"GPL\";`", p->name);
		return e;
	}
	struct vf_state *st = env->cur;
	if (st->lock_id && !(p->flags & (VF_SPIN_UNLOCK | VF_SPIN_LOCK))) {
		int e = vf_error(env, -EINVAL, "function calls are not allowed while holding a lock");
		vf_hint(env, "call bpf_spin_unlock() before calling %s", p->name);
		return e;
	}
	if ((p->flags & VF_TAIL_CALL) && st->nr_refs) {
		int e = vf_error(env, -EINVAL, "tail_call would lead to reference leak");
		vf_hint(env, "submit or discard the ring buffer record before bpf_tail_call(): a successful tail call never returns here");
		return e;
	}
	struct call_meta meta = {.mem_regno = -1};
	for (uint32_t a = 0; a < 5; a++) {
		int err = check_func_arg(env, p, a, &meta);
		if (err)
			return err;
	}
	if (sandboxed_read) {
		int err = check_sandboxed_read(env, name);
		if (err)
			return err;
	}
	if (meta.map && !vf_map_helper_ok(meta.map->type, (uint32_t)id))
		return vf_error(env, -EINVAL, "cannot pass map_type %u into func %s", meta.map->type, name);
	if (p->flags & VF_SPIN_LOCK) {
		if (st->lock_id)
			return vf_error(env, -EINVAL, "Locks are not allowed in nested bpf_spin_lock-ed regions");
		st->lock_id = meta.lock_id ? meta.lock_id : vf_new_id(env);
		st->lock_map = meta.lock_map;
		st->lock_off = meta.lock_off;
	} else if (p->flags & VF_SPIN_UNLOCK) {
		if (!st->lock_id)
			return vf_error(env, -EINVAL, "bpf_spin_unlock without taking a lock");
		if (st->lock_map != meta.lock_map || st->lock_off != meta.lock_off)
			return vf_error(env, -EINVAL, "bpf_spin_unlock of different lock");
		st->lock_id = 0;
		st->lock_map = NULL;
		st->lock_off = 0;
	}
	if ((p->flags & VF_RELEASE) && meta.release_id) {
		int err = vf_release_ref(env, meta.release_id);
		if (err)
			return err;
	}
	if (p->callback != VF_CB_NONE)
		return check_callback_call(env, p, &meta, idx, next);
	struct vf_reg *regs = vf_cur_regs(st);
	for (int i = 1; i <= 5; i++)
		vf_mark_not_init(&regs[i]);
	struct vf_reg *r0 = &regs[0];
	switch (p->ret) {
	case RET_VOID:
		vf_mark_not_init(r0);
		break;
	case RET_PTR_TO_MAP_VALUE_OR_NULL:
		if (!meta.map)
			return vf_error(env, -EINVAL, "kernel subsystem misconfigured verifier");
		vf_mark_const(r0, 0);
		if (meta.map->inner) {
			r0->type = CONST_PTR_TO_MAP;
			r0->map = meta.map->inner;
		} else {
			r0->type = PTR_TO_MAP_VALUE;
			r0->map = meta.map;
		}
		r0->flags = PTR_MAYBE_NULL;
		r0->id = vf_new_id(env);
		if ((meta.map->type == BPF_MAP_TYPE_ARRAY || meta.map->type == BPF_MAP_TYPE_PERCPU_ARRAY) &&
		    id == BPF_FUNC_map_lookup_elem && meta.key_known && meta.key < meta.map->max_entries) {
			r0->flags = 0; /* an array element that exists: never NULL (as the kernel) */
			r0->id = 0;
		}
		break;
	case RET_PTR_TO_ALLOC_MEM_OR_NULL:
	case RET_PTR_TO_MEM_OR_NULL:
		vf_mark_const(r0, 0);
		r0->type = PTR_TO_MEM;
		r0->flags = PTR_MAYBE_NULL;
		r0->range = p->ret == RET_PTR_TO_MEM_OR_NULL ? p->ret_size : (uint32_t)meta.alloc_size;
		r0->id = vf_new_id(env);
		break;
	default:
		set_helper_ret(env, p, r0);
		break;
	}
	if (p->flags & VF_ACQUIRE) {
		int ref = vf_acquire_ref(env, idx);
		if (ref < 0)
			return ref;
		r0->ref_obj_id = (uint32_t)ref;
	}
	if (p->flags & VF_PKT_CHANGED)
		vf_clear_pkt_pointers(env);
	return 0;
}

int vf_check_ld_imm64(struct vf_env *env, const struct bpf_insn *in, uint32_t idx)
{
	int err = vf_check_reg_write(env, in->dst_reg);
	if (err)
		return err;
	struct vf_reg *dst = &vf_cur_regs(env->cur)[in->dst_reg];
	uint64_t imm = (uint64_t)(uint32_t)in[0].imm | ((uint64_t)(uint32_t)in[1].imm << 32);
	switch (in->src_reg) {
	case 0:
		vf_mark_const(dst, imm);
		return 0;
	case BPF_PSEUDO_FUNC:
		vf_mark_const(dst, 0);
		dst->type = PTR_TO_FUNC;
		dst->subprog = idx + 1 + (uint32_t)in->imm;
		return 0;
	case BPF_PSEUDO_MAP_FD:
	case BPF_PSEUDO_MAP_IDX:
	case BPF_PSEUDO_MAP_VALUE:
	case BPF_PSEUDO_MAP_IDX_VALUE: {
		uint32_t mi = (uint32_t)in->imm;
		if (mi >= env->nr_maps)
			return vf_error(env, -EINVAL, "map index %u out of range", mi);
		const struct vf_map *m = &env->maps[mi];
		env->aux[idx].map = m;
		vf_mark_const(dst, 0);
		dst->map = m;
		if (in->src_reg == BPF_PSEUDO_MAP_VALUE || in->src_reg == BPF_PSEUDO_MAP_IDX_VALUE) {
			dst->type = PTR_TO_MAP_VALUE;
			dst->off = in[1].imm;
			if (m->rdonly_prog)
				dst->flags |= MEM_RDONLY;
		} else {
			dst->type = CONST_PTR_TO_MAP;
		}
		return 0;
	}
	default:
		return vf_error(env, -EINVAL, "unsupported 64-bit immediate kind (src_reg %u)", in->src_reg);
	}
}

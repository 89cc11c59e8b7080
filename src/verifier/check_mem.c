/* check_mem.c — loads, stores and atomics: which memory a pointer of each
 * type may touch, and what the stack holds afterwards.
 *
 * Every access is [reg->off + insn->off + var_off, ... + size) against the
 * region the pointer's type gives: the frame's 512 bytes of stack (naturally
 * aligned; spills keep the register's full state), the context (per field,
 * ctx_table.c), a map value (value_size), a map key, a packet up to the
 * range proven against data_end, helper memory (its size).  The rules are
 * the kernel's for a privileged loader: uninitialised stack reads give
 * unknown values, pointers may be stored anywhere a program may write.
 */
#include "verifier/state.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static struct vf_frame *stack_frame(struct vf_env *env, const struct vf_reg *r)
{
	return env->cur->frames[r->frameno];
}

static void note_depth(struct vf_env *env, struct vf_frame *f, int64_t lowest)
{
	uint32_t d = (uint32_t)((-lowest + 7) & ~7);
	if (d > f->depth)
		f->depth = d;
	struct vf_subprog *sp = &env->subprogs[f->subprog];
	if (d > sp->stack_depth)
		sp->stack_depth = d;
}

static bool slot_is_spill(const struct vf_slot *s)
{
	return s->kind[0] == STACK_SPILL || s->kind[7] == STACK_SPILL;
}

/* A write to byte o (fp-relative) of frame f, whose slots already reach it
 * (check_stack_access grows them): kills any spill covering it. */
static void stack_byte_write(struct vf_frame *f, int64_t o, uint8_t kind)
{
	int s = (int)((-o - 1) / 8);
	int b = (int)(o + 8 * (s + 1));
	struct vf_slot *sl = &f->stack[s];
	if (slot_is_spill(sl)) {
		for (int i = 0; i < 8; i++)
			if (sl->kind[i] == STACK_SPILL)
				sl->kind[i] = STACK_MISC;
		vf_mark_not_init(&sl->spilled);
	}
	sl->kind[b] = kind;
}

static int stack_bounds(struct vf_env *env, uint32_t regno, const struct vf_reg *r, int64_t lo, int64_t hi,
			bool write)
{
	if (lo < -VF_STACK_SIZE || hi > 0 || lo >= hi) {
		char tmp[200];
		vf_reg_print(tmp, sizeof(tmp), r);
		vf_note_reg(env, regno, r);
		int e = vf_error(env, -EACCES, "invalid %s stack R%u off=%lld size=%lld", write ? "write to" : "read from",
				 regno, (long long)lo, (long long)(hi - lo));
		vf_hint(env, "each function's stack is the 512 bytes below r10 (fp-512 .. fp-1); this access is outside it");
		return e;
	}
	return 0;
}

static int check_stack_access(struct vf_env *env, uint32_t regno, int32_t off, uint32_t size, bool write,
			      int value_regno, bool sign_ext)
{
	struct vf_reg *regs = vf_cur_regs(env->cur);
	struct vf_reg *r = &regs[regno];
	struct vf_frame *f = stack_frame(env, r);
	int64_t base = (int64_t)r->off + off;
	bool fixed = scalar_is_const(&r->s);
	int64_t lo = base + (fixed ? (int64_t)r->s.var_off.value : r->s.smin);
	int64_t hi = base + (fixed ? (int64_t)r->s.var_off.value : r->s.smax) + size;
	if (!fixed && (r->s.smin <= -VF_MAX_VAR_OFF || r->s.smax >= VF_MAX_VAR_OFF))
		return vf_error(env, -EACCES, "R%u unbounded stack access", regno);
	int err = stack_bounds(env, regno, r, lo, hi, write);
	if (err)
		return err;
	/* The kernel always enforces natural alignment on the stack. */
	struct tnum addr = tnum_add(r->s.var_off, tnum_const((uint64_t)base));
	if (value_regno >= 0 && !tnum_is_aligned(addr, size)) {
		vf_note_reg(env, regno, r);
		return vf_error(env, -EACCES, "misaligned stack access off %lld size %u", (long long)lo, size);
	}
	note_depth(env, f, lo);
	vf_hist_stack(env, r->frameno, fixed, lo); /* precision backtracking follows spills and fills */
	if (write) {
		if (!vf_slot_get(f, (uint32_t)((-lo - 1) / 8)))
			return -ENOMEM;
		const struct vf_reg *v = value_regno >= 0 ? &regs[value_regno] : NULL;
		if (fixed && v && vf_reg_is_pointer(v) && size != 8) { /* variable offsets: plain bytes (the kernel) */
			vf_note_reg(env, (uint32_t)value_regno, v);
			return vf_error(env, -EACCES, "invalid size of register spill");
		}
		if (fixed && v && !vf_reg_is_null_const(v)) {
			int s = (int)((-lo - 1) / 8);
			int b = (int)(lo + 8 * (s + 1));
			struct vf_slot *sl = &f->stack[s];
			if (size == 8 && b == 0) {
				sl->spilled = *v;
				memset(sl->kind, STACK_SPILL, 8);
				return 0;
			}
			if (v->type == SCALAR_VALUE && b == 0) {
				/* A narrow spill of a scalar keeps the bounds of its low bytes. */
				for (int64_t o = lo; o < hi; o++)
					stack_byte_write(f, o, STACK_MISC);
				struct vf_reg sp = *v;
				sp.id = 0;
				struct bpf_insn and = {.code = BPF_ALU64 | BPF_AND | BPF_K};
				struct scalar mask;
				scalar_set_const(&mask, (1ull << (8 * size)) - 1);
				scalar_alu(&sp.s, &mask, &and);
				sl->spilled = sp;
				for (uint32_t i = 0; i < size; i++)
					sl->kind[i] = STACK_SPILL;
				return 0;
			}
		}
		uint8_t kind = (v && vf_reg_is_null_const(v)) ? STACK_ZERO : STACK_MISC;
		if (!fixed)
			kind = STACK_MISC;
		/* Zero bytes stored from a register: a later fill reads a
		 * constant 0 that no spill carries back to the register, and
		 * pruning compares the bytes' kind, not the register, so the
		 * register's zero must stay precise (the kernel does the same). */
		if (kind == STACK_ZERO && value_regno >= 0 && BPF_CLASS(env->insns[env->insn_idx].code) == BPF_STX)
			vf_mark_precise(env, (uint16_t)(1u << value_regno));
		for (int64_t o = lo; o < hi; o++)
			stack_byte_write(f, o, kind);
		return 0;
	}
	/* Read.  A helper's read needs no more than the bounds: privileged
	 * loaders may pass uninitialised bytes and spilled pointers. */
	struct vf_reg *dst = value_regno >= 0 ? &regs[value_regno] : NULL;
	if (!dst)
		return 0;
	if (fixed) {
		int s = (int)((-lo - 1) / 8);
		int b = (int)(lo + 8 * (s + 1));
		const struct vf_slot *sl = vf_slot_peek(f, (uint32_t)s);
		if (slot_is_spill(sl) && sl->kind[b] == STACK_SPILL) {
			bool full = sl->kind[0] == STACK_SPILL && sl->kind[7] == STACK_SPILL;
			if (size == 8 && b == 0 && full) {
				if (dst)
					*dst = sl->spilled;
				return 0;
			}
			if (sl->spilled.type != SCALAR_VALUE) {
				vf_note_reg(env, regno, r);
				return vf_error(env, -EACCES, "invalid size of register fill");
			}
			int nspill = 0;
			while (nspill < 8 && sl->kind[nspill] == STACK_SPILL)
				nspill++;
			if (dst) {
				if (b == 0 && (int)size == nspill && !sign_ext) {
					*dst = sl->spilled;
					dst->id = 0;
				} else if (b == 0 && sign_ext && scalar_is_const(&sl->spilled.s)) {
					/* A constant read back sign-extended stays a constant. */
					uint64_t v = sl->spilled.s.var_off.value;
					int sh = 64 - 8 * (int)size;
					vf_mark_const(dst, (uint64_t)((int64_t)(v << sh) >> sh));
				} else if (b == 0 && full && !sign_ext) {
					*dst = sl->spilled;
					dst->id = 0;
					struct bpf_insn tr = {.code = BPF_ALU64 | BPF_AND | BPF_K};
					struct scalar mask;
					scalar_set_const(&mask, size == 8 ? ~0ull : (1ull << (8 * size)) - 1);
					scalar_alu(&dst->s, &mask, &tr);
				} else {
					vf_mark_unknown(dst);
					scalar_set_load(&dst->s, (uint8_t)size, sign_ext);
				}
			}
			return 0;
		}
		bool all_zero = true;
		for (int64_t o = lo; o < hi; o++) {
			int ss = (int)((-o - 1) / 8), bb = (int)(o + 8 * (ss + 1));
			all_zero &= vf_slot_peek(f, (uint32_t)ss)->kind[bb] == STACK_ZERO;
		}
		if (dst) {
			if (all_zero)
				vf_mark_const(dst, 0);
			else {
				vf_mark_unknown(dst);
				scalar_set_load(&dst->s, (uint8_t)size, sign_ext);
			}
		}
		return 0;
	}
	if (dst) {
		vf_mark_unknown(dst);
		scalar_set_load(&dst->s, (uint8_t)size, sign_ext);
	}
	return 0;
}

/* [off + smin, off + umax + size) inside [0, mem_size)? */
static int check_region(struct vf_env *env, uint32_t regno, const struct vf_reg *r, int64_t off, uint32_t size,
			uint32_t mem_size, const char *what)
{
	if (r->s.smin < 0 && r->s.smin + off < 0) {
		vf_note_reg(env, regno, r);
		int e = vf_error(env, -EACCES,
				 "R%u min value is negative, either use unsigned index or do a if (index >=0) check.",
				 regno);
		vf_hint(env, "make the index unsigned, or check `if (idx < 0) return 0;` before using it");
		return e;
	}
	if (r->s.umax >= VF_MAX_VAR_OFF) {
		vf_note_reg(env, regno, r);
		int e = vf_error(env, -EACCES, "R%u unbounded memory access, make sure to bounds check any such access",
				 regno);
		vf_hint(env, "bound the offset before the access, e.g. `if (idx >= N) return 0;` or `idx &= N - 1;`");
		return e;
	}
	int64_t lo = off + r->s.smin, hi = off + (int64_t)r->s.umax + size;
	if (r->s.smin >= 0)
		lo = off + (int64_t)r->s.umin;
	if (lo < 0 || hi > (int64_t)mem_size || size == 0) {
		vf_note_reg(env, regno, r);
		int e = vf_error(env, -EACCES, "invalid access to %s, %s_size=%u off=%lld size=%u", what,
				 !strcmp(what, "map value") ? "value" : "mem", mem_size,
				 (long long)(scalar_is_const(&r->s) ? off + (int64_t)r->s.var_off.value : off), size);
		if (!scalar_is_const(&r->s))
			vf_hint(env, "the offset can reach %lld..%lld but the %s has %u bytes: check the index against the size first (`if (i >= N) return 0;`)",
				(long long)lo, (long long)hi - 1, what, mem_size);
		else
			vf_hint(env, "the %s has %u bytes (0..%u); this access touches bytes %lld..%lld", what, mem_size,
				mem_size ? mem_size - 1 : 0, (long long)lo, (long long)hi - 1);
		return e;
	}
	return 0;
}

static int check_packet_access(struct vf_env *env, uint32_t regno, const struct vf_reg *r, int32_t insn_off,
			       uint32_t size, bool write)
{
	if (!env->ctx || !env->ctx->pkt_access)
		return vf_error(env, -EACCES, "cannot access packet data in this program type");
	if (write && !env->ctx->pkt_write)
		return vf_error(env, -EACCES, "cannot write into packet");
	if (r->s.smin < 0) {
		vf_note_reg(env, regno, r);
		return vf_error(env, -EACCES,
				"R%u min value is negative, either use unsigned index or do a if (index >=0) check.", regno);
	}
	int64_t off = (int64_t)r->off + insn_off;
	if (off < 0 || off + size > r->range) {
		vf_note_reg(env, regno, r);
		int e = vf_error(env, -EACCES, "invalid access to packet, off=%lld size=%u, R%u(id=%u,off=%d,r=%u)",
				 (long long)off, size, regno, r->id, r->off, r->range);
		if (off >= 0)
			vf_hint(env, "prove the packet is long enough first: `if ((void *)p + %lld > data_end) return %s;` where p is this pointer's base (data%s)",
				(long long)(off + size), env->prog_type == BPF_PROG_TYPE_XDP ? "XDP_DROP" : "0",
				scalar_is_const(&r->s) ? "" : " plus its variable offset");
		return e;
	}
	return 0;
}

static int check_ctx_access(struct vf_env *env, uint32_t regno, const struct vf_reg *r, int32_t insn_off,
			    uint32_t size, bool write, struct vf_reg *dst)
{
	if (env->ctx->any_write && scalar_is_const(&r->s)) {
		/* SYSCALL programs: the context is plain memory of the caller's. */
		int64_t off = (int64_t)r->off + insn_off + (int64_t)r->s.var_off.value;
		if (off < 0 || off + size > env->ctx->size || off % size) /* reads and writes aligned, as the kernel */
			return vf_error(env, -EACCES, "invalid bpf_context access off=%lld size=%u", (long long)off, size);
		if (dst) {
			vf_mark_unknown(dst);
			scalar_set_load(&dst->s, (uint8_t)size, false);
		}
		return 0;
	}
	if (r->off) {
		vf_note_reg(env, regno, r);
		int e = vf_error(env, -EACCES, "dereference of modified ctx ptr R%u off=%d disallowed", regno, r->off);
		vf_hint(env, "read context fields directly from the context pointer (ctx->field), without moving the pointer");
		return e;
	}
	if (!scalar_is_const(&r->s) || r->s.var_off.value) {
		vf_note_reg(env, regno, r);
		return vf_error(env, -EACCES, "variable ctx access disallowed (R%u)", regno);
	}
	uint8_t kind = CTX_SCALAR;
	const char *why = NULL;
	if (vf_ctx_access(env->ctx, insn_off, size, write, &kind, &why) < 0) {
		int e = vf_error(env, -EACCES, "invalid bpf_context access off=%d size=%u%s%s", insn_off, size,
				 why ? ": " : "", why ? why : "");
		return e;
	}
	if (!dst)
		return 0;
	static const uint8_t types[] = {[CTX_SCALAR] = SCALAR_VALUE, [CTX_PKT] = PTR_TO_PACKET,
					[CTX_PKT_END] = PTR_TO_PACKET_END, [CTX_PKT_META] = PTR_TO_PACKET_META, [CTX_ZERO] = SCALAR_VALUE};
	if (kind == CTX_PKT || kind == CTX_PKT_END || kind == CTX_PKT_META)
		env->aux[env->insn_idx].ctx_pkt = kind;
	if (kind == CTX_ZERO) {
		vf_mark_const(dst, 0);
	} else if (kind == CTX_SCALAR) {
		vf_mark_unknown(dst);
		scalar_set_load(&dst->s, (uint8_t)size, false);
	} else {
		vf_mark_const(dst, 0);
		dst->type = types[kind];
		scalar_set_const(&dst->s, 0);
	}
	return 0;
}

int vf_check_mem_access(struct vf_env *env, uint32_t regno, int32_t off, uint32_t size, bool write,
			int value_regno, bool sign_ext, const char *what)
{
	struct vf_reg *regs = vf_cur_regs(env->cur);
	struct vf_reg *r = &regs[regno];
	struct vf_reg *dst = (!write && value_regno >= 0) ? &regs[value_regno] : NULL;
	struct vf_reg result;
	vf_mark_unknown(&result);
	int err = 0;
	(void)what;
	if ((r->flags & PTR_MAYBE_NULL) && r->type != SCALAR_VALUE) {
		vf_note_reg(env, regno, r);
		err = vf_error(env, -EACCES, "R%u invalid mem access '%s'", regno, vf_reg_type_name(r));
		vf_hint(env, "the pointer may be NULL (e.g. bpf_map_lookup_elem() found nothing): check `if (!p) return 0;` before dereferencing it");
		return err;
	}
	switch (r->type) {
	case PTR_TO_STACK:
		return check_stack_access(env, regno, off, size, write, value_regno, sign_ext);
	case PTR_TO_CTX:
		if (!env->ctx)
			return vf_error(env, -EACCES, "R%u invalid mem access 'ctx'", regno);
		err = check_ctx_access(env, regno, r, off, size, write, dst ? &result : NULL);
		break;
	case PTR_TO_MAP_VALUE: {
		const struct vf_map *m = r->map;
		if (write && (m->rdonly_prog || (r->flags & MEM_RDONLY))) {
			err = vf_error(env, -EACCES, "write into map forbidden, value_size=%u off=%d size=%u", m->value_size,
				       r->off + off, size);
			vf_hint(env, "the map is read-only for programs (BPF_F_RDONLY_PROG, frozen, or .rodata/const data)");
			return err;
		}
		if (!write && m->wronly_prog)
			return vf_error(env, -EACCES, "read from map forbidden, value_size=%u off=%d size=%u",
					m->value_size, r->off + off, size);
		err = check_region(env, regno, r, (int64_t)r->off + off, size, m->value_size, "map value");
		if (!err && m->spin_lock_off >= 0) {
			int64_t lo = (int64_t)r->off + off + r->s.smin, hi = (int64_t)r->off + off + (int64_t)r->s.umax + size;
			if (lo < m->spin_lock_off + 4 && hi > m->spin_lock_off)
				err = vf_error(env, -EACCES, "bpf_spin_lock cannot be accessed directly by load/store");
		}
		if (!err && dst)
			scalar_set_load(&result.s, (uint8_t)size, sign_ext);
		break;
	}
	case PTR_TO_MAP_KEY:
		if (write)
			return vf_error(env, -EACCES, "write to change key R%u not allowed", regno);
		err = check_region(env, regno, r, (int64_t)r->off + off, size, r->map->key_size, "map key");
		if (!err && dst)
			scalar_set_load(&result.s, (uint8_t)size, sign_ext);
		break;
	case PTR_TO_MEM:
		if (write && (r->flags & MEM_RDONLY))
			return vf_error(env, -EACCES, "R%u cannot write into rdonly_mem", regno);
		err = check_region(env, regno, r, (int64_t)r->off + off, size, r->range, "memory");
		if (!err && dst)
			scalar_set_load(&result.s, (uint8_t)size, sign_ext);
		break;
	case PTR_TO_PACKET:
	case PTR_TO_PACKET_META:
		err = check_packet_access(env, regno, r, off, size, write);
		if (!err && dst)
			scalar_set_load(&result.s, (uint8_t)size, sign_ext);
		break;
	case NOT_INIT:
		return vf_check_reg_read(env, regno);
	default:
		vf_note_reg(env, regno, r);
		err = vf_error(env, -EACCES, "R%u invalid mem access '%s'", regno, vf_reg_type_name(r));
		if (r->type == SCALAR_VALUE)
			vf_hint(env, "R%u holds a number, not a pointer the program may dereference", regno);
		else if (r->type == PTR_TO_PACKET_END)
			vf_hint(env, "data_end marks the end of the packet; compare pointers with it, don't read through it");
		return err;
	}
	if (!err && dst) {
		struct vf_reg keep = result;
		*dst = keep;
	}
	return err;
}

/* One instruction, one kind of base pointer when it is the context: its
 * accesses are rewritten for the context's real layout (the kernel's
 * "same insn cannot be used with different pointers"). */
static int check_base_type(struct vf_env *env, uint32_t idx, uint32_t regno)
{
	uint8_t t = vf_cur_regs(env->cur)[regno].type;
	struct vf_insn_aux *a = &env->aux[idx];
	if (!a->ptr_type) {
		a->ptr_type = t;
		return 0;
	}
	if (a->ptr_type != t && (a->ptr_type == PTR_TO_CTX || t == PTR_TO_CTX))
		return vf_error(env, -EINVAL, "same insn cannot be used with different pointers");
	return 0;
}

int vf_check_mem(struct vf_env *env, const struct bpf_insn *in, uint32_t idx)
{
	uint32_t size = bpfrt_opcodes[bpfrt_insn_op(in)].size;
	uint8_t cls = BPF_CLASS(in->code);
	int err = check_base_type(env, idx, cls == BPF_LDX ? in->src_reg : in->dst_reg);
	if (err)
		return err;
	if (cls == BPF_LDX) {
		if ((err = vf_check_reg_read(env, in->src_reg)))
			return err;
		if ((err = vf_check_reg_write(env, in->dst_reg)))
			return err;
		bool sx = BPF_MODE(in->code) == BPF_MEMSX;
		err = vf_check_mem_access(env, in->src_reg, in->off, size, false, in->dst_reg, sx, "load");
		return err;
	}
	if ((err = vf_check_reg_read(env, in->dst_reg)))
		return err;
	if (cls == BPF_STX) {
		if ((err = vf_check_reg_read(env, in->src_reg)))
			return err;
		return vf_check_mem_access(env, in->dst_reg, in->off, size, true, in->src_reg, false, "store");
	}
	/* BPF_ST: an immediate. */
	/* Model the immediate as a register (index 11, past the real ones). */
	struct vf_reg *regs = vf_cur_regs(env->cur);
	struct vf_reg saved = regs[BPF_REG_10];
	(void)saved;
	struct vf_reg imm;
	vf_mark_const(&imm, (uint64_t)(int64_t)in->imm);
	struct vf_reg *r = &regs[in->dst_reg];
	if (r->type == PTR_TO_STACK) {
		/* Stack stores go through check_stack_access, which reads the value
		 * from a register: borrow r0's slot in a scratch copy of the frame. */
		struct vf_reg keep0 = regs[0];
		uint32_t vreg = 0;
		if (in->dst_reg == 0) {
			keep0 = regs[1];
			vreg = 1;
		}
		regs[vreg] = imm;
		err = check_stack_access(env, in->dst_reg, in->off, size, true, (int)vreg, false);
		regs[vreg] = keep0;
		return err;
	}
	return vf_check_mem_access(env, in->dst_reg, in->off, size, true, -1, false, "store");
}

int vf_check_atomic(struct vf_env *env, const struct bpf_insn *in, uint32_t idx)
{
	(void)idx;
	uint32_t size = BPF_SIZE(in->code) == BPF_DW ? 8 : 4;
	int err;
	if ((err = vf_check_reg_read(env, in->src_reg)) || (err = vf_check_reg_read(env, in->dst_reg)))
		return err;
	if (in->imm == BPF_CMPXCHG && (err = vf_check_reg_read(env, 0)))
		return err;
	struct vf_reg *regs = vf_cur_regs(env->cur);
	struct vf_reg *base = &regs[in->dst_reg];
	if (base->type == PTR_TO_CTX || vf_reg_is_pkt(base) || base->type == PTR_TO_MAP_KEY) {
		vf_note_reg(env, in->dst_reg, base);
		return vf_error(env, -EACCES, "BPF_ATOMIC stores into R%u %s is not allowed", in->dst_reg,
				vf_reg_type_name(base));
	}
	/* Atomics need natural alignment whatever the memory (the kernel's
	 * strict check): the CPU's locked instructions and the interpreter
	 * fault otherwise.  Bases (stack, map values, records) are 8-aligned. */
	struct tnum addr = tnum_add(base->s.var_off, tnum_const((uint64_t)((int64_t)base->off + in->off)));
	if (!tnum_is_aligned(addr, size)) {
		vf_note_reg(env, in->dst_reg, base);
		return vf_error(env, -EACCES, "misaligned %s access off %d+%d size %u (atomic)", vf_reg_type_name(base),
				base->off, in->off, size);
	}
	/* Read then write the location. */
	int load_reg = -1;
	if (in->imm == BPF_CMPXCHG)
		load_reg = 0;
	else if (in->imm & BPF_FETCH)
		load_reg = in->src_reg;
	struct vf_reg val = regs[in->src_reg];
	if (load_reg >= 0) {
		if (load_reg == BPF_REG_10)
			return vf_error(env, -EACCES, "frame pointer is read only");
		err = vf_check_mem_access(env, in->dst_reg, in->off, size, false, load_reg, false, "atomic");
	} else {
		struct vf_reg scratch = regs[0];
		err = vf_check_mem_access(env, in->dst_reg, in->off, size, false, 0, false, "atomic");
		regs[0] = scratch;
	}
	if (err)
		return err;
	/* Stack: what is written is unknown (an arithmetic result). */
	struct vf_reg *b = &regs[in->dst_reg];
	if (b->type == PTR_TO_STACK) {
		struct vf_reg keep = regs[0];
		uint32_t vr = in->dst_reg == 0 ? 1 : 0;
		keep = regs[vr];
		vf_mark_unknown(&regs[vr]);
		if (in->imm == BPF_XCHG || in->imm == BPF_CMPXCHG)
			regs[vr] = val;
		if (in->imm == BPF_CMPXCHG)
			vf_mark_unknown(&regs[vr]);
		err = check_stack_access(env, in->dst_reg, in->off, size, true, -1, false);
		regs[vr] = keep;
		return err;
	}
	err = vf_check_mem_access(env, in->dst_reg, in->off, size, true, -1, false, "atomic");
	if (!err && load_reg >= 0 && size == 4) {
		/* 32-bit fetches zero-extend. */
		scalar_zext32(&regs[load_reg].s);
	}
	return err;
}

int vf_check_ld_abs(struct vf_env *env, const struct bpf_insn *in)
{
	uint32_t t = env->prog_type;
	if (t != BPF_PROG_TYPE_SOCKET_FILTER && t != BPF_PROG_TYPE_SCHED_CLS && t != BPF_PROG_TYPE_SCHED_ACT)
		return vf_error(env, -EINVAL, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
	if (env->cur->nr_refs)
		return vf_error(env, -EINVAL, "BPF_LD_[ABS|IND] cannot be mixed with socket references");
	if (env->cur->lock_id)
		return vf_error(env, -EINVAL, "BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region");
	struct vf_reg *regs = vf_cur_regs(env->cur);
	int err = vf_check_reg_read(env, BPF_REG_6);
	if (err)
		return err;
	if (BPF_MODE(in->code) == BPF_IND && (err = vf_check_reg_read(env, in->src_reg)))
		return err;
	if (regs[6].type != PTR_TO_CTX || regs[6].off)
		return vf_error(env, -EINVAL, "at the time of BPF_LD_ABS|IND R6 != pointer to skb");
	for (int i = 0; i <= 5; i++)
		vf_mark_not_init(&regs[i]);
	vf_mark_unknown(&regs[0]);
	uint32_t size = bpfrt_opcodes[bpfrt_insn_op(in)].size;
	scalar_set_load(&regs[0].s, (uint8_t)size, false);
	return 0;
}

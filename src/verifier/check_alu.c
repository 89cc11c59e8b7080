/* check_alu.c — ALU and ALU64 instructions: scalar arithmetic through the
 * scalar domain, and the pointer arithmetic rules (the kernel's, for a
 * privileged loader): only 64-bit add/sub of a bounded scalar to a pointer
 * that may move (stack, map value, packet, memory, ctx by constants); ptr -
 * ptr gives a scalar; every other operation involving a pointer either
 * makes it a plain scalar (moves of parts of it) or is refused.
 */
#include "verifier/state.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define OPC(c) ((c) & 0xf0)

static const char *op_name(uint8_t op)
{
	switch (op) {
	case BPF_ADD: return "+=";
	case BPF_SUB: return "-=";
	case BPF_MUL: return "*=";
	case BPF_DIV: return "/=";
	case BPF_OR: return "|=";
	case BPF_AND: return "&=";
	case BPF_LSH: return "<<=";
	case BPF_RSH: return ">>=";
	case BPF_NEG: return "neg";
	case BPF_MOD: return "%=";
	case BPF_XOR: return "^=";
	case BPF_MOV: return "=";
	case BPF_ARSH: return "s>>=";
	case BPF_END: return "endian";
	default: return "?";
	}
}

/* May this pointer type move by arithmetic? */
static int ptr_arith_ok(struct vf_env *env, uint32_t regno, const struct vf_reg *ptr, uint8_t op)
{
	if (ptr->flags & PTR_MAYBE_NULL) {
		vf_note_reg(env, regno, ptr);
		int e = vf_error(env, -EACCES, "R%u pointer arithmetic on %s prohibited, null-check it first", regno,
				 vf_reg_type_name(ptr));
		vf_hint(env, "compare the pointer a helper returned with NULL before using it (`if (!p) return 0;`)");
		return e;
	}
	switch (ptr->type) {
	case CONST_PTR_TO_MAP:
	case PTR_TO_PACKET_END:
	case PTR_TO_FUNC:
		return vf_error(env, -EACCES, "R%u pointer arithmetic on %s prohibited", regno, vf_reg_type_name(ptr));
	default:
		break;
	}
	if (op != BPF_ADD && op != BPF_SUB)
		return vf_error(env, -EACCES, "R%u pointer arithmetic with %s operator prohibited", regno, op_name(op));
	return 0;
}

/* dst (a pointer) = ptr +/- scalar. */
static int adjust_ptr(struct vf_env *env, uint32_t dst_regno, struct vf_reg *dst, const struct vf_reg *ptr,
		      const struct vf_reg *off, uint8_t op)
{
	if (off->type != SCALAR_VALUE)
		return -EINVAL;
	const struct scalar *o = &off->s;
	struct vf_reg res = *ptr;
	if (op == BPF_SUB && ptr->type == PTR_TO_STACK) /* the kernel's rule, for JITs */
		return vf_error(env, -EACCES, "R%u subtraction from stack pointer prohibited", dst_regno);
	if (scalar_is_const(o)) {
		int64_t v = (int64_t)o->var_off.value;
		int64_t n = op == BPF_ADD ? (int64_t)ptr->off + v : (int64_t)ptr->off - v;
		if (v >= VF_MAX_VAR_OFF || v <= -VF_MAX_VAR_OFF || n >= VF_MAX_VAR_OFF || n <= -VF_MAX_VAR_OFF)
			return vf_error(env, -EACCES, "R%u pointer offset %lld is not allowed", dst_regno, (long long)n);
		res.off = (int32_t)n;
		*dst = res;
		return 0;
	}
	if (o->smin <= -VF_MAX_VAR_OFF || o->smax >= VF_MAX_VAR_OFF) {
		char tmp[200];
		scalar_print(tmp, sizeof(tmp), o);
		int e = vf_error(env, -EACCES,
				 "R%u unbounded %s of %s pointer and a register (%s) is not allowed",
				 dst_regno, op == BPF_ADD ? "addition" : "subtraction", vf_reg_type_name(ptr), tmp);
		vf_hint(env, "bound the index first, e.g. `if (idx >= N) return 0;` or `idx &= N - 1;`");
		return e;
	}
	struct bpf_insn fake = {.code = BPF_ALU64 | BPF_X | op};
	scalar_alu(&res.s, o, &fake);
	if (res.s.smin <= -VF_MAX_VAR_OFF || res.s.smax >= VF_MAX_VAR_OFF)
		return vf_error(env, -EACCES, "R%u variable offset of %s pointer is out of range", dst_regno,
				vf_reg_type_name(ptr));
	if (vf_reg_is_pkt(&res)) {
		/* A new variable part: its range must be proven again. */
		res.id = vf_new_id(env);
		res.range = 0;
	}
	*dst = res;
	return 0;
}

static int check_mov(struct vf_env *env, const struct bpf_insn *in, struct vf_reg *regs)
{
	bool alu64 = BPF_CLASS(in->code) == BPF_ALU64;
	struct vf_reg *dst = &regs[in->dst_reg];
	if (!(in->code & BPF_X)) {
		vf_mark_const(dst, alu64 ? (uint64_t)(int64_t)in->imm : (uint64_t)(uint32_t)in->imm);
		return 0;
	}
	int err = vf_check_reg_read(env, in->src_reg);
	if (err)
		return err;
	struct vf_reg *src = &regs[in->src_reg];
	if (src->type != SCALAR_VALUE) {
		if (alu64 && in->off == 0) {
			*dst = *src;
			return 0;
		}
		/* Part of a pointer: an unknown number (privileged loaders may). */
		vf_mark_unknown(dst);
		if (!alu64)
			scalar_zext32(&dst->s);
		return 0;
	}
	if (alu64 && in->off == 0) {
		/* A copy: link both so a later bounds check on one teaches the other. */
		if (!src->id && !scalar_is_const(&src->s))
			src->id = vf_new_id(env);
		*dst = *src;
		return 0;
	}
	struct vf_reg res = *src;
	res.id = 0;
	scalar_alu(&res.s, &src->s, in);
	*dst = res;
	return 0;
}

int vf_check_alu(struct vf_env *env, const struct bpf_insn *in)
{
	struct vf_reg *regs = vf_cur_regs(env->cur);
	uint8_t op = OPC(in->code);
	bool alu64 = BPF_CLASS(in->code) == BPF_ALU64;
	int err = vf_check_reg_write(env, in->dst_reg);
	if (err)
		return err;
	if (op == BPF_MOV)
		return check_mov(env, in, regs);
	if ((err = vf_check_reg_read(env, in->dst_reg)))
		return err;
	struct vf_reg *dst = &regs[in->dst_reg];
	struct vf_reg srcv, *src = &srcv;
	bool has_src = (in->code & BPF_X) && op != BPF_NEG && op != BPF_END;
	if (has_src) {
		if ((err = vf_check_reg_read(env, in->src_reg)))
			return err;
		src = &regs[in->src_reg];
	} else {
		vf_mark_const(&srcv, alu64 ? (uint64_t)(int64_t)in->imm : (uint64_t)(uint32_t)in->imm);
	}
	if (op == BPF_NEG || op == BPF_END) {
		if (dst->type != SCALAR_VALUE) /* a pointer's bits, scrambled: a number */
			vf_mark_unknown(dst);
		dst->id = 0;
		scalar_alu(&dst->s, &srcv.s, in);
		return 0;
	}
	if (!has_src && (op == BPF_DIV || op == BPF_MOD) && in->imm == 0)
		return vf_error(env, -EINVAL, "div by zero");
	if (!has_src && (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) &&
	    (uint32_t)in->imm >= (alu64 ? 64u : 32u))
		return vf_error(env, -EINVAL, "invalid shift %d", in->imm);
	bool dptr = dst->type != SCALAR_VALUE, sptr = src->type != SCALAR_VALUE;
	if (dptr && sptr) {
		if (op == BPF_SUB) { /* a distance: a number (privileged loaders may) */
			vf_mark_unknown(dst);
			if (!alu64)
				scalar_zext32(&dst->s);
			return 0;
		}
		vf_note_reg(env, in->dst_reg, dst);
		vf_note_reg(env, in->src_reg, src);
		return vf_error(env, -EACCES, "R%u pointer %s pointer prohibited", in->dst_reg, op_name(op));
	}
	if (dptr || sptr) {
		uint32_t pregno = dptr ? in->dst_reg : in->src_reg;
		const struct vf_reg *ptr = dptr ? dst : src;
		if (!alu64) {
			if (op == BPF_SUB && dptr) { /* a meaningless number (privileged loaders may) */
				vf_mark_unknown(dst);
				scalar_zext32(&dst->s);
				return 0;
			}
			vf_note_reg(env, pregno, ptr);
			return vf_error(env, -EACCES, "R%u 32-bit pointer arithmetic prohibited", in->dst_reg);
		}
		if ((err = ptr_arith_ok(env, pregno, ptr, op)))
			return err;
		struct vf_reg p = *ptr, o = dptr ? *src : *dst;
		if (!dptr && op == BPF_SUB)
			return vf_error(env, -EACCES, "R%u tried to subtract pointer from scalar", in->dst_reg);
		/* The pointer's offset now depends on the scalar's exact value. */
		if (dptr && has_src)
			vf_mark_precise(env, (uint16_t)(1u << in->src_reg));
		else if (!dptr)
			vf_mark_precise(env, (uint16_t)(1u << in->dst_reg));
		return adjust_ptr(env, in->dst_reg, dst, &p, &o, op);
	}
	dst->id = 0;
	bool divmod = op == BPF_DIV || op == BPF_MOD;
	if (divmod && !(scalar_is_const(&dst->s) && scalar_is_const(&src->s))) {
		/* As the kernel: no bounds through division (constants fold). */
		vf_mark_unknown(dst);
		if (!alu64)
			scalar_zext32(&dst->s);
		return 0;
	}
	scalar_alu(&dst->s, &src->s, in);
	return 0;
}

/* x86_emit.c — the x86-64 encoder: prefixes, REX, ModRM/SIB, immediates and
 * jumps.  Pure byte production; the eBPF meaning lives in x86_64.c.
 * Invariant: every function appends exactly one instruction (or nothing
 * once the buffer has failed).
 */
#include "jit/x86_emit.h"

#include <stdlib.h>
#include <string.h>

static bool reserve(struct x86_buf *b, size_t n)
{
	if (b->oom)
		return false;
	if (b->len + n <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n)
		cap *= 2;
	uint8_t *p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void x86_bytes(struct x86_buf *b, const void *src, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

/* The fixed sizes store in place when there is room (every emission pass
 * after the first: the buffer keeps its capacity), the rest of the time
 * through x86_bytes.  Little-endian host. */
void x86_u8(struct x86_buf *b, uint8_t v)
{
	if (b->len < b->cap && !b->oom)
		b->p[b->len++] = v;
	else
		x86_bytes(b, &v, 1);
}

void x86_u32(struct x86_buf *b, uint32_t v)
{
	if (b->len + 4 <= b->cap && !b->oom) {
		memcpy(b->p + b->len, &v, 4);
		b->len += 4;
	} else {
		x86_bytes(b, &v, 4);
	}
}

void x86_u64(struct x86_buf *b, uint64_t v) { x86_bytes(b, &v, 8); }

/* Prefixes, REX (when any bit is needed or byte registers 4-7 are named)
 * and the opcode bytes. */
static void prefix(struct x86_buf *b, unsigned flags, uint32_t opcode, int reg, int index, int base,
		   bool byte_regs)
{
	if (flags & X86_LOCK)
		x86_u8(b, 0xf0);
	if (flags & X86_OS16)
		x86_u8(b, 0x66);
	uint8_t rex = 0x40 | ((flags & X86_W) ? 8 : 0) | ((reg & 8) ? 4 : 0) | ((index & 8) ? 2 : 0) |
		      ((base & 8) ? 1 : 0);
	bool need = rex != 0x40 || (byte_regs && (flags & X86_BYTE));
	if (need)
		x86_u8(b, rex);
	if (opcode > 0xffff)
		x86_u8(b, (uint8_t)(opcode >> 16));
	if (opcode > 0xff)
		x86_u8(b, (uint8_t)(opcode >> 8));
	x86_u8(b, (uint8_t)opcode);
}

void x86_op_rr(struct x86_buf *b, unsigned flags, uint32_t opcode, int reg, int rm)
{
	bool byte_regs = (reg >= 4 && reg < 8) || (rm >= 4 && rm < 8);
	prefix(b, flags, opcode, reg, 0, rm, byte_regs);
	x86_u8(b, (uint8_t)(0xc0 | ((reg & 7) << 3) | (rm & 7)));
}

void x86_op_rm(struct x86_buf *b, unsigned flags, uint32_t opcode, int reg, int base, int32_t disp)
{
	prefix(b, flags, opcode, reg, 0, base, reg >= 4 && reg < 8);
	uint8_t mod = (disp == 0 && (base & 7) != X86_RBP) ? 0 : x86_is_imm8(disp) ? 1 : 2;
	x86_u8(b, (uint8_t)((mod << 6) | ((reg & 7) << 3) | (base & 7)));
	if ((base & 7) == X86_RSP)
		x86_u8(b, 0x24); /* SIB: no index, base = rsp/r12 */
	if (mod == 1)
		x86_u8(b, (uint8_t)disp);
	else if (mod == 2)
		x86_u32(b, (uint32_t)disp);
}

void x86_mov_rr(struct x86_buf *b, bool w, int dst, int src)
{
	x86_op_rr(b, w ? X86_W : 0, 0x89, src, dst);
}

void x86_mov_imm32(struct x86_buf *b, int dst, uint32_t v)
{
	if (dst & 8)
		x86_u8(b, 0x41);
	x86_u8(b, (uint8_t)(0xb8 + (dst & 7)));
	x86_u32(b, v);
}

void x86_mov_imm64(struct x86_buf *b, int dst, uint64_t v)
{
	if (v == 0) {
		x86_alu_rr(b, false, X86_XOR, dst, dst);
	} else if (v <= UINT32_MAX) {
		x86_mov_imm32(b, dst, (uint32_t)v);
	} else if (x86_is_imm32((int64_t)v)) {
		x86_op_rr(b, X86_W, 0xc7, 0, dst); /* sign-extended imm32 */
		x86_u32(b, (uint32_t)v);
	} else {
		x86_u8(b, (uint8_t)(0x48 | ((dst & 8) ? 1 : 0)));
		x86_u8(b, (uint8_t)(0xb8 + (dst & 7)));
		x86_u64(b, v);
	}
}

void x86_alu_rr(struct x86_buf *b, bool w, enum x86_alu op, int dst, int src)
{
	x86_op_rr(b, w ? X86_W : 0, (uint32_t)((op << 3) | 1), src, dst);
}

void x86_alu_ri(struct x86_buf *b, bool w, enum x86_alu op, int dst, int32_t imm)
{
	if (x86_is_imm8(imm)) {
		x86_op_rr(b, w ? X86_W : 0, 0x83, op, dst);
		x86_u8(b, (uint8_t)imm);
	} else {
		x86_op_rr(b, w ? X86_W : 0, 0x81, op, dst);
		x86_u32(b, (uint32_t)imm);
	}
}

void x86_alu_mi(struct x86_buf *b, bool w, enum x86_alu op, int base, int32_t disp, int32_t imm)
{
	if (x86_is_imm8(imm)) {
		x86_op_rm(b, w ? X86_W : 0, 0x83, op, base, disp);
		x86_u8(b, (uint8_t)imm);
	} else {
		x86_op_rm(b, w ? X86_W : 0, 0x81, op, base, disp);
		x86_u32(b, (uint32_t)imm);
	}
}

void x86_test_rr(struct x86_buf *b, bool w, int a, int c)
{
	x86_op_rr(b, w ? X86_W : 0, 0x85, c, a);
}

void x86_test_ri(struct x86_buf *b, bool w, int a, int32_t imm)
{
	x86_op_rr(b, w ? X86_W : 0, 0xf7, 0, a);
	x86_u32(b, (uint32_t)imm);
}

void x86_shift_ri(struct x86_buf *b, bool w, enum x86_shift op, int dst, uint8_t n)
{
	x86_op_rr(b, w ? X86_W : 0, 0xc1, op, dst);
	x86_u8(b, n);
}

void x86_shift_cl(struct x86_buf *b, bool w, enum x86_shift op, int dst)
{
	x86_op_rr(b, w ? X86_W : 0, 0xd3, op, dst);
}

void x86_shiftx(struct x86_buf *b, bool w, enum x86_shift op, int dst, int src, int cnt)
{
	/* VEX.LZ.pp.0F38.W F7 /r, vvvv = cnt; pp: 66 shlx, F3 sarx, F2 shrx. */
	uint8_t pp = op == X86_SHL ? 1 : op == X86_SAR ? 2 : 3;
	x86_u8(b, 0xc4);
	x86_u8(b, (uint8_t)(((dst & 8) ? 0 : 0x80) | 0x40 | ((src & 8) ? 0 : 0x20) | 0x02));
	x86_u8(b, (uint8_t)((w ? 0x80 : 0) | ((~cnt & 0xf) << 3) | pp));
	x86_u8(b, 0xf7);
	x86_u8(b, (uint8_t)(0xc0 | ((dst & 7) << 3) | (src & 7)));
}

void x86_load(struct x86_buf *b, bool w, int dst, int base, int32_t disp)
{
	x86_op_rm(b, w ? X86_W : 0, 0x8b, dst, base, disp);
}

void x86_store(struct x86_buf *b, bool w, int base, int32_t disp, int src)
{
	x86_op_rm(b, w ? X86_W : 0, 0x89, src, base, disp);
}

void x86_lea(struct x86_buf *b, int dst, int base, int32_t disp)
{
	x86_op_rm(b, X86_W, 0x8d, dst, base, disp);
}

void x86_push(struct x86_buf *b, int r)
{
	if (r & 8)
		x86_u8(b, 0x41);
	x86_u8(b, (uint8_t)(0x50 + (r & 7)));
}

void x86_pop(struct x86_buf *b, int r)
{
	if (r & 8)
		x86_u8(b, 0x41);
	x86_u8(b, (uint8_t)(0x58 + (r & 7)));
}

void x86_call_r(struct x86_buf *b, int r) { x86_op_rr(b, 0, 0xff, 2, r); }
void x86_jmp_r(struct x86_buf *b, int r) { x86_op_rr(b, 0, 0xff, 4, r); }
void x86_ret(struct x86_buf *b) { x86_u8(b, 0xc3); }

void x86_call_abs(struct x86_buf *b, const void *fn)
{
	x86_mov_imm64(b, X86_R11, (uint64_t)(uintptr_t)fn);
	x86_call_r(b, X86_R11);
}

void x86_jmp(struct x86_buf *b, size_t target, bool forced_long)
{
	int64_t d8 = (int64_t)target - (int64_t)(b->len + 2);
	if (!forced_long && x86_is_imm8(d8)) {
		x86_u8(b, 0xeb);
		x86_u8(b, (uint8_t)d8);
		return;
	}
	x86_u8(b, 0xe9);
	x86_u32(b, (uint32_t)(int32_t)((int64_t)target - (int64_t)(b->len + 4)));
}

void x86_jcc(struct x86_buf *b, enum x86_cc cc, size_t target, bool forced_long)
{
	int64_t d8 = (int64_t)target - (int64_t)(b->len + 2);
	if (!forced_long && x86_is_imm8(d8)) {
		x86_u8(b, (uint8_t)(0x70 | cc));
		x86_u8(b, (uint8_t)d8);
		return;
	}
	x86_u8(b, 0x0f);
	x86_u8(b, (uint8_t)(0x80 | cc));
	x86_u32(b, (uint32_t)(int32_t)((int64_t)target - (int64_t)(b->len + 4)));
}

size_t x86_jcc8_fwd(struct x86_buf *b, enum x86_cc cc)
{
	x86_u8(b, (uint8_t)(0x70 | cc));
	x86_u8(b, 0);
	return b->len - 1;
}

size_t x86_jmp8_fwd(struct x86_buf *b)
{
	x86_u8(b, 0xeb);
	x86_u8(b, 0);
	return b->len - 1;
}

void x86_bind8(struct x86_buf *b, size_t site)
{
	if (b->oom)
		return;
	int64_t d = (int64_t)b->len - (int64_t)(site + 1);
	if (!x86_is_imm8(d)) {
		b->oom = true; /* a lowering grew past a short jump: refuse the image */
		return;
	}
	b->p[site] = (uint8_t)d;
}

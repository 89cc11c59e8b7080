/* x86_emit.h — a small x86-64 instruction encoder (REX, ModRM, SIB,
 * immediates, short/near jumps) used by the JIT lowering (x86_64.c).
 *
 * It knows nothing about eBPF: callers pass x86 register numbers and get
 * bytes appended to a growable buffer.  A failed allocation sets `oom` and
 * further emits are dropped, so callers check once per pass.
 */
#ifndef BPFRT_JIT_X86_EMIT_H
#define BPFRT_JIT_X86_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum x86_reg {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

/* Condition codes (the low nibble of Jcc). */
enum x86_cc {
	X86_CC_B = 0x2, X86_CC_AE = 0x3, X86_CC_E = 0x4, X86_CC_NE = 0x5, X86_CC_BE = 0x6,
	X86_CC_A = 0x7, X86_CC_L = 0xc, X86_CC_GE = 0xd, X86_CC_LE = 0xe, X86_CC_G = 0xf,
};

/* Group-1 ALU operations: the /digit of 0x81/0x83 and (digit << 3) | 1 is
 * the reg, r/m form. */
enum x86_alu { X86_ADD = 0, X86_OR = 1, X86_AND = 4, X86_SUB = 5, X86_XOR = 6, X86_CMP = 7 };
/* Group-2 shifts: the /digit of 0xC1/0xD3. */
enum x86_shift { X86_ROR = 1, X86_SHL = 4, X86_SHR = 5, X86_SAR = 7 };

/* Operand flags for the generic forms. */
#define X86_W 0x1u     /* REX.W: 64-bit operand */
#define X86_OS16 0x2u  /* 0x66 prefix: 16-bit operand */
#define X86_BYTE 0x4u  /* 8-bit register operands: force REX for spl..dil */
#define X86_LOCK 0x8u  /* 0xF0 prefix */

struct x86_buf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

void x86_bytes(struct x86_buf *b, const void *src, size_t n);
void x86_u8(struct x86_buf *b, uint8_t v);
void x86_u32(struct x86_buf *b, uint32_t v);
void x86_u64(struct x86_buf *b, uint64_t v);
static inline bool x86_is_imm8(int64_t v) { return v >= -128 && v <= 127; }
static inline bool x86_is_imm32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

/* opcode is 1-3 bytes, most significant first (0x0FB6 = 0F B6). */
void x86_op_rr(struct x86_buf *b, unsigned flags, uint32_t opcode, int reg, int rm);
void x86_op_rm(struct x86_buf *b, unsigned flags, uint32_t opcode, int reg, int base, int32_t disp);

void x86_mov_rr(struct x86_buf *b, bool w, int dst, int src);
void x86_mov_imm64(struct x86_buf *b, int dst, uint64_t v); /* shortest form */
void x86_mov_imm32(struct x86_buf *b, int dst, uint32_t v); /* zero-extended */
void x86_alu_rr(struct x86_buf *b, bool w, enum x86_alu op, int dst, int src);
void x86_alu_ri(struct x86_buf *b, bool w, enum x86_alu op, int dst, int32_t imm);
void x86_alu_mi(struct x86_buf *b, bool w, enum x86_alu op, int base, int32_t disp, int32_t imm);
void x86_test_rr(struct x86_buf *b, bool w, int a, int c);
void x86_test_ri(struct x86_buf *b, bool w, int a, int32_t imm);
void x86_shift_ri(struct x86_buf *b, bool w, enum x86_shift op, int dst, uint8_t n);
void x86_shift_cl(struct x86_buf *b, bool w, enum x86_shift op, int dst);
/* BMI2 shlx/shrx/sarx: dst = src shifted by cnt (any registers; the count
 * masked to 5 or 6 bits like shl by cl; the 32-bit form zero-extends). */
void x86_shiftx(struct x86_buf *b, bool w, enum x86_shift op, int dst, int src, int cnt);
void x86_load(struct x86_buf *b, bool w, int dst, int base, int32_t disp);  /* mov r, [m] */
void x86_store(struct x86_buf *b, bool w, int base, int32_t disp, int src); /* mov [m], r */
void x86_lea(struct x86_buf *b, int dst, int base, int32_t disp);
void x86_push(struct x86_buf *b, int r);
void x86_pop(struct x86_buf *b, int r);
void x86_call_r(struct x86_buf *b, int r);
void x86_jmp_r(struct x86_buf *b, int r);
void x86_call_abs(struct x86_buf *b, const void *fn); /* via r11 */
void x86_ret(struct x86_buf *b);

/* Jumps to an absolute buffer offset: the short form when forced_long is
 * false and the displacement fits in 8 bits, else the near form. */
void x86_jmp(struct x86_buf *b, size_t target, bool forced_long);
void x86_jcc(struct x86_buf *b, enum x86_cc cc, size_t target, bool forced_long);

/* Forward jumps inside one lowering: emit with a placeholder rel8, then
 * bind at the label (the distance must fit in 8 bits; the lowering's
 * sequences are short and fixed). */
size_t x86_jcc8_fwd(struct x86_buf *b, enum x86_cc cc);
size_t x86_jmp8_fwd(struct x86_buf *b);
void x86_bind8(struct x86_buf *b, size_t site);

#endif

/* bpfrt/asm.h — eBPF assembly text <-> instructions, in two syntaxes.
 *
 * BPFRT_SYNTAX_LLVM is what `llvm-objdump -d` and the kernel verifier log
 * print (`r0 = *(u32 *)(r1 + 4)`, `if r1 > 5 goto +3`, `call 1`, `exit`).
 * BPFRT_SYNTAX_CONFORMANCE is the bpf_conformance suite's `-- asm` syntax
 * (`ldxw %r0, [%r1+4]`, labels, `call local f`, `lock fetch add [..], %r1`).
 * Both are driven by the opcode table (bpfrt/opcodes.def).  Round trip
 * text -> insns -> text -> insns is stable.
 */
#ifndef BPFRT_ASM_H
#define BPFRT_ASM_H

#include <stdio.h>

#include "bpfrt/isa.h"

#ifdef __cplusplus
extern "C" {
#endif

enum bpfrt_syntax {
	BPFRT_SYNTAX_AUTO = 0, /* assemble: guess per line; disassemble: LLVM */
	BPFRT_SYNTAX_LLVM,
	BPFRT_SYNTAX_CONFORMANCE,
};

/* Assemble text (NUL-terminated; '#' and ';' start comments, labels are
 * `name:` lines, jump targets are labels or +N/-N slot offsets).  On success
 * *out is a malloc'd array of *cnt slots (free() it).  On error returns
 * -EINVAL with diag->line (1-based) and diag->msg set. */
BPFRT_API int bpfrt_asm(const char *text, enum bpfrt_syntax syntax, struct bpf_insn **out,
			uint32_t *cnt, struct bpfrt_diag *diag);

/* Disassemble the instruction at insns[idx] into buf.  Returns the number of
 * slots it takes (1 or 2), or -EINVAL (buf then holds a description such as
 * "invalid opcode 0xff").  Jump targets print as +off / -off. */
BPFRT_API int bpfrt_disasm_insn(const struct bpf_insn *insns, uint32_t cnt, uint32_t idx,
				enum bpfrt_syntax syntax, char *buf, size_t len);

enum bpfrt_disasm_flags {
	BPFRT_DISASM_INDEX = 1u << 0,   /* prefix each line with "   N: " */
	BPFRT_DISASM_OPCODES = 1u << 1, /* show the raw bytes */
	BPFRT_DISASM_LABELS = 1u << 2,  /* conformance syntax: emit labels for targets */
};

/* Disassemble a whole program to f, one instruction per line.  Returns 0 or
 * a negative errno (an invalid instruction is printed as such, and -EINVAL
 * is returned after the whole listing). */
BPFRT_API int bpfrt_disasm(const struct bpf_insn *insns, uint32_t cnt, enum bpfrt_syntax syntax,
			   uint32_t flags, FILE *f);

#ifdef __cplusplus
}
#endif
#endif

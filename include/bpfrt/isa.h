/* bpfrt/isa.h — the eBPF instruction set as bpfrt describes it once.
 *
 * Every instruction bpfrt knows is one row of src/isa/opcodes.def: an id
 * (enum bpfrt_op), its opcode byte, the field that tells variants sharing
 * that byte apart (sdiv vs div: offset 1 vs 0), its operand form, ISA version,
 * conformance group and properties.  The decoder, validator, assembler,
 * disassembler, interpreter and (later) verifier and JIT all read that table.
 * Instructions are the kernel's own `struct bpf_insn` from <linux/bpf.h>.
 */
#ifndef BPFRT_ISA_H
#define BPFRT_ISA_H

#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef BPFRT_API
#define BPFRT_API __attribute__((visibility("default")))
#endif

/* ISA v4 constants that older <linux/bpf.h> lack. */
#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80
#endif
#ifndef BPF_JCOND
#define BPF_JCOND 0xe0
#endif

/* Operand forms: which fields an instruction uses.  A field an instruction
 * does not use is reserved and must be zero (RFC 9669 section 3). */
enum bpfrt_form {
	BPFRT_F_ALU_K,      /* dst op= imm */
	BPFRT_F_ALU_X,      /* dst op= src */
	BPFRT_F_NEG,        /* dst = -dst */
	BPFRT_F_END,        /* byte swap, imm = 16/32/64 */
	BPFRT_F_MOVSX,      /* dst = (sN)src, off = N */
	BPFRT_F_JA,         /* goto +off */
	BPFRT_F_JA32,       /* gotol +imm */
	BPFRT_F_JMP_K,      /* if dst op imm goto +off */
	BPFRT_F_JMP_X,      /* if dst op src goto +off */
	BPFRT_F_CALL,       /* call helper imm */
	BPFRT_F_CALL_LOCAL, /* call pc + imm + 1 (src = 1) */
	BPFRT_F_CALL_KFUNC, /* call kernel function by BTF id (src = 2) */
	BPFRT_F_CALLX,      /* call dst register */
	BPFRT_F_EXIT,
	BPFRT_F_LDDW,       /* dst = imm64 (two slots), src selects pseudo kinds */
	BPFRT_F_LDABS,      /* r0 = packet[imm] (legacy) */
	BPFRT_F_LDIND,      /* r0 = packet[src + imm] (legacy) */
	BPFRT_F_LDX,        /* dst = *(size *)(src + off) */
	BPFRT_F_ST,         /* *(size *)(dst + off) = imm */
	BPFRT_F_STX,        /* *(size *)(dst + off) = src */
	BPFRT_F_ATOMIC,     /* atomic op (imm) on *(size *)(dst + off) with src */
	BPFRT_F_COUNT
};

/* Which field tells apart instructions sharing one opcode byte. */
enum bpfrt_disc { BPFRT_D_NONE, BPFRT_D_OFF, BPFRT_D_IMM, BPFRT_D_SRC };

/* Conformance groups, as bpf_conformance and RFC 9669 section 2.4 name them. */
enum bpfrt_group {
	BPFRT_G_BASE32 = 1u << 0,
	BPFRT_G_BASE64 = 1u << 1,
	BPFRT_G_ATOMIC32 = 1u << 2,
	BPFRT_G_ATOMIC64 = 1u << 3,
	BPFRT_G_DIVMUL32 = 1u << 4,
	BPFRT_G_DIVMUL64 = 1u << 5,
	BPFRT_G_CALLX = 1u << 6,
	BPFRT_G_PACKET = 1u << 7,
};

/* Properties consulted by the verifier and the JIT. */
enum bpfrt_op_flag {
	BPFRT_OPF_READ_DST = 1u << 0,
	BPFRT_OPF_WRITE_DST = 1u << 1,
	BPFRT_OPF_READ_SRC = 1u << 2,
	BPFRT_OPF_ALU32 = 1u << 3,   /* 32-bit operation, result zero-extended */
	BPFRT_OPF_MEM = 1u << 4,     /* touches memory; may fault */
	BPFRT_OPF_SIGNED = 1u << 5,  /* signed variant (sdiv, ldsx, jsgt...) */
	BPFRT_OPF_JUMP = 1u << 6,    /* transfers control by off/imm */
	BPFRT_OPF_COND = 1u << 7,    /* conditional */
	BPFRT_OPF_FETCH = 1u << 8,   /* atomic that writes its old value back */
};

enum bpfrt_op {
#define BPFRT_OP(id, ...) BPFRT_OP_##id,
#include "bpfrt/opcodes.def"
#undef BPFRT_OP
	BPFRT_OP_COUNT,
	BPFRT_OP_INVALID = BPFRT_OP_COUNT
};

struct bpfrt_opcode_info {
	const char *id;       /* "ADD64_K" — stable name of the row */
	uint8_t code;         /* opcode byte */
	uint8_t disc;         /* enum bpfrt_disc */
	int32_t disc_value;   /* value of the discriminating field */
	const char *mnemonic; /* conformance-suite assembler mnemonic ("add32", "ldxw") */
	const char *op;       /* kernel/LLVM syntax operator ("+=", "<<=", "==", "s>") or NULL */
	uint8_t form;         /* enum bpfrt_form */
	uint8_t version;      /* ISA (cpu) version that introduced it: 1..4 */
	uint8_t size;         /* memory access size in bytes (1,2,4,8) or 0 */
	uint16_t group;       /* enum bpfrt_group */
	uint16_t flags;       /* enum bpfrt_op_flag */
};

/* The table itself, indexed by enum bpfrt_op. */
BPFRT_API extern const struct bpfrt_opcode_info bpfrt_opcodes[BPFRT_OP_COUNT];

/* Decode: which row does this instruction belong to?  Returns
 * BPFRT_OP_INVALID for an unknown opcode or an unknown variant. */
BPFRT_API enum bpfrt_op bpfrt_insn_op(const struct bpf_insn *insn);

/* Number of 8-byte slots the instruction at insn takes (2 for lddw). */
BPFRT_API int bpfrt_insn_slots(const struct bpf_insn *insn);

/* Why a program was rejected, and where. */
struct bpfrt_diag {
	int32_t insn; /* instruction (slot) index, or -1 when not tied to one */
	int32_t line; /* source line (assembly text, later BTF line info), 0 if unknown */
	char msg[256];
};

/* Static well-formedness check of a program, RFC 9669: known opcodes,
 * reserved fields zero, registers in range, complete lddw pairs, jump and
 * call targets inside the program and never into the second slot of an
 * lddw.  Returns 0, or -EINVAL with diag (may be NULL) filled in. */
BPFRT_API int bpfrt_insns_check(const struct bpf_insn *insns, uint32_t cnt,
				 struct bpfrt_diag *diag);

#ifdef __cplusplus
}
#endif
#endif

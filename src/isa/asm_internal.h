/* asm_internal.h — what the assembler, the disassembler and the two syntax
 * files share: one instruction in parsed form, a bounded text cursor (lines
 * are never NUL-terminated: every scan stops at cur.end), number parsing with
 * range checks, and the parse/print entry points of each syntax.  Each syntax
 * file holds both directions of its syntax, driven by bpfrt/opcodes.def. */
#ifndef BPFRT_ISA_ASM_INTERNAL_H
#define BPFRT_ISA_ASM_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/asm.h"

/* One instruction between text and encoding.  A jump or call target is
 * either a number already in off/imm or a label that asm.c resolves. */
struct asm_insn {
	enum bpfrt_op op;
	uint8_t dst, src;
	int16_t off;
	int32_t imm, imm_hi; /* imm_hi: the second slot of lddw */
	const char *label;   /* target label in the source text, or NULL */
	size_t label_len;
	char label_field;    /* 'o': the label goes to off, 'i': to imm */
	int32_t print_target; /* disassembly: slot to print as label "L<n>", or -1 */
};

struct asm_cur {
	const char *p, *end;
};

/* The furthest point a parse reached and why it stopped there.  A semantic
 * error (bad register, number out of range) outranks "expected ..." at the
 * same position, so trying several rows reports the most useful reason. */
enum { ASM_ERR_SYNTAX = 1, ASM_ERR_SEMANTIC = 2 };
struct asm_err {
	const char *at;
	int severity;
	char msg[160];
};

/* Output buffer that never overflows: text past len is dropped, but pos keeps
 * counting so callers could tell it was truncated. */
struct asm_out {
	char *buf;
	size_t len, pos;
};

/* Number kinds and their ranges.  An unsigned hex literal may use the full
 * field width (0xffffffff is imm -1); decimal and explicitly signed numbers
 * must fit the signed range, so 2147483648 is not a valid imm32. */
enum asm_num_kind { ASM_NUM_IMM32, ASM_NUM_OFF16, ASM_NUM_IMM64, ASM_NUM_REGNUM };

/* text.c helpers */
void asm_err_set(struct asm_err *e, const char *at, int severity, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void asm_out_printf(struct asm_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void asm_skip_ws(struct asm_cur *c);
bool asm_at_end(struct asm_cur *c); /* after skipping whitespace */
bool asm_is_ident_start(char ch);
bool asm_is_ident_char(char ch);
size_t asm_ident_len(const struct asm_cur *c);
bool asm_eat(struct asm_cur *c, const char *lit); /* skips whitespace first */
bool asm_eat_word(struct asm_cur *c, const char *word); /* ... and needs a word boundary */
bool asm_parse_num(struct asm_cur *c, enum asm_num_kind kind, int64_t *out, struct asm_err *e);
/* A displacement "+ 4", "-0x8": an explicit sign, so always a signed range. */
bool asm_parse_disp(struct asm_cur *c, enum asm_num_kind kind, int64_t *out, struct asm_err *e);
bool asm_parse_target(struct asm_cur *c, struct asm_insn *ai, char field, struct asm_err *e);
void asm_print_hex(struct asm_out *o, int64_t v); /* llvm style: 0x5, -0x5 */
void asm_print_target(struct asm_out *o, const struct asm_insn *ai, int32_t rel, bool sign);

/* Fields an instruction form carries (bit 0 dst, 1 src, 2 off, 3 imm),
 * derived from the conformance operand table; any other field is reserved. */
enum { ASM_FIELD_DST = 1, ASM_FIELD_SRC = 2, ASM_FIELD_OFF = 4, ASM_FIELD_IMM = 8 };
uint8_t asm_form_fields(uint8_t form);

/* The two syntaxes.  parse: the text of one instruction (no label, no
 * comment) into *ai; returns false with e set.  print: *ai into o. */
bool asm_conf_parse(struct asm_cur line, struct asm_insn *ai, struct asm_err *e);
void asm_conf_print(const struct asm_insn *ai, struct asm_out *o);
bool asm_conf_is_mnemonic_word(const char *p, size_t n);
bool asm_llvm_parse(struct asm_cur line, struct asm_insn *ai, struct asm_err *e);
void asm_llvm_print(const struct asm_insn *ai, struct asm_out *o);

/* The target slot of a jump or local call at idx, or -1 when it has none. */
int64_t asm_insn_target(const struct asm_insn *ai, uint32_t idx);

#endif

/* syntax_conformance.c — the bpf_conformance `-- asm` syntax, both ways:
 * `mnemonic op, op, ...` where the mnemonic is the table row's and each
 * operand form (bpfrt_form) has a fixed operand list below.  Rows sharing a
 * mnemonic (add: ADD64_K and ADD64_X) are told apart by the operand kinds:
 * `%rN` is a register, `[...]` memory, anything else a number or label. */
#include "isa/asm_internal.h"

#include <string.h>

enum operand {
	OPND_NONE,
	OPND_DST,     /* %rN -> dst */
	OPND_SRC,     /* %rN -> src */
	OPND_IMM,     /* 32-bit number -> imm */
	OPND_IMM64,   /* 64-bit number -> imm, imm_hi (lddw) */
	OPND_TGT_OFF, /* label or +N -> off */
	OPND_TGT_IMM, /* label or +N -> imm */
	OPND_MEM_DST, /* [%rN+off] -> dst, off */
	OPND_MEM_SRC, /* [%rN+off] -> src, off */
	OPND_OPT_SRC, /* optional number -> src (lddw pseudo kind) */
	OPND_OPT_OFF, /* optional number -> off (kfunc module) */
};

enum operand_class { CLS_OTHER, CLS_REG, CLS_MEM };

static const struct {
	uint8_t cls, fields;
	bool optional;
	const char *what;
} operand_info[] = {
	[OPND_DST] = {CLS_REG, ASM_FIELD_DST, false, "a register"},
	[OPND_SRC] = {CLS_REG, ASM_FIELD_SRC, false, "a register"},
	[OPND_IMM] = {CLS_OTHER, ASM_FIELD_IMM, false, "a number"},
	[OPND_IMM64] = {CLS_OTHER, ASM_FIELD_IMM, false, "a number"},
	[OPND_TGT_OFF] = {CLS_OTHER, ASM_FIELD_OFF, false, "a label or +N"},
	[OPND_TGT_IMM] = {CLS_OTHER, ASM_FIELD_IMM, false, "a label or +N"},
	[OPND_MEM_DST] = {CLS_MEM, ASM_FIELD_DST | ASM_FIELD_OFF, false, "a memory operand [%rN+off]"},
	[OPND_MEM_SRC] = {CLS_MEM, ASM_FIELD_SRC | ASM_FIELD_OFF, false, "a memory operand [%rN+off]"},
	[OPND_OPT_SRC] = {CLS_OTHER, ASM_FIELD_SRC, true, "a number"},
	[OPND_OPT_OFF] = {CLS_OTHER, ASM_FIELD_OFF, true, "a number"},
};

#define MAX_OPERANDS 3

static const uint8_t form_operands[BPFRT_F_COUNT][MAX_OPERANDS] = {
	[BPFRT_F_ALU_K] = {OPND_DST, OPND_IMM},
	[BPFRT_F_ALU_X] = {OPND_DST, OPND_SRC},
	[BPFRT_F_NEG] = {OPND_DST},
	[BPFRT_F_END] = {OPND_DST},
	[BPFRT_F_MOVSX] = {OPND_DST, OPND_SRC},
	[BPFRT_F_JA] = {OPND_TGT_OFF},
	[BPFRT_F_JA32] = {OPND_TGT_IMM},
	[BPFRT_F_JMP_K] = {OPND_DST, OPND_IMM, OPND_TGT_OFF},
	[BPFRT_F_JMP_X] = {OPND_DST, OPND_SRC, OPND_TGT_OFF},
	[BPFRT_F_CALL] = {OPND_IMM},
	[BPFRT_F_CALL_LOCAL] = {OPND_TGT_IMM},
	[BPFRT_F_CALL_KFUNC] = {OPND_IMM, OPND_OPT_OFF},
	[BPFRT_F_CALLX] = {OPND_DST},
	[BPFRT_F_EXIT] = {0},
	[BPFRT_F_LDDW] = {OPND_DST, OPND_IMM64, OPND_OPT_SRC},
	[BPFRT_F_LDABS] = {OPND_IMM},
	[BPFRT_F_LDIND] = {OPND_SRC, OPND_IMM},
	[BPFRT_F_LDX] = {OPND_DST, OPND_MEM_SRC},
	[BPFRT_F_ST] = {OPND_MEM_DST, OPND_IMM},
	[BPFRT_F_STX] = {OPND_MEM_DST, OPND_SRC},
	[BPFRT_F_ATOMIC] = {OPND_MEM_DST, OPND_SRC},
};

/* Other spellings.  `print` marks the one the disassembler writes: the
 * suite writes callx as `call %r2`. */
static const struct {
	const char *text, *mnemonic;
	bool print;
} aliases[] = {
	{"swap16", "bswap16", false},      {"swap32", "bswap32", false},
	{"swap64", "bswap64", false},      {"call", "callx", true},
	{"call helper", "call", false},    {"call runtime", "call kfunc", false},
};

#define N_ALIASES (sizeof(aliases) / sizeof(aliases[0]))

uint8_t asm_form_fields(uint8_t form)
{
	uint8_t f = 0;
	for (int i = 0; i < MAX_OPERANDS && form < BPFRT_F_COUNT; i++)
		f |= operand_info[form_operands[form][i]].fields;
	return f;
}

static bool text_is(const char *s, const char *p, size_t n)
{
	return strlen(s) == n && !memcmp(s, p, n);
}

/* Does key (a mnemonic or alias, words joined by single spaces) name rows? */
static bool mnemonic_known(const char *key, size_t n)
{
	for (int i = 0; i < BPFRT_OP_COUNT; i++)
		if (text_is(bpfrt_opcodes[i].mnemonic, key, n))
			return true;
	for (size_t a = 0; a < N_ALIASES; a++)
		if (text_is(aliases[a].text, key, n))
			return true;
	return false;
}

static bool row_named(const struct bpfrt_opcode_info *row, const char *key, size_t n)
{
	if (text_is(row->mnemonic, key, n))
		return true;
	for (size_t a = 0; a < N_ALIASES; a++)
		if (text_is(aliases[a].text, key, n) && !strcmp(aliases[a].mnemonic, row->mnemonic))
			return true;
	return false;
}

bool asm_conf_is_mnemonic_word(const char *p, size_t n)
{
	for (int i = 0; i < BPFRT_OP_COUNT; i++) {
		const char *m = bpfrt_opcodes[i].mnemonic;
		if (!strncmp(m, p, n) && (m[n] == 0 || m[n] == ' '))
			return true;
	}
	for (size_t a = 0; a < N_ALIASES; a++)
		if (!strncmp(aliases[a].text, p, n) && (aliases[a].text[n] == 0 || aliases[a].text[n] == ' '))
			return true;
	return false;
}

/* The mnemonic: the longest run of up to three leading words that names
 * something ("lock fetch add", "call local", "ja").  key gets it with single
 * spaces; the cursor is left after it. */
static size_t read_mnemonic(struct asm_cur *c, char *key, size_t cap)
{
	struct asm_cur t = *c, best_end = *c;
	size_t n = 0, best = 0;
	for (int w = 0; w < 3; w++) {
		asm_skip_ws(&t);
		size_t len = asm_ident_len(&t);
		if (!len || n + len + 1 >= cap)
			break;
		if (n)
			key[n++] = ' ';
		memcpy(key + n, t.p, len);
		n += len;
		t.p += len;
		if (t.p < t.end && *t.p != ' ' && *t.p != '\t')
			w = 3; /* "add32%r1" or "lock add[": no further words */
		if (mnemonic_known(key, n))
			best = n, best_end = t;
	}
	*c = best_end;
	return best;
}

struct operands {
	struct asm_cur op[MAX_OPERANDS + 1];
	int n;
};

static bool split_operands(struct asm_cur c, struct operands *ops, struct asm_err *e)
{
	ops->n = 0;
	if (asm_at_end(&c))
		return true;
	for (;;) {
		const char *comma = memchr(c.p, ',', (size_t)(c.end - c.p));
		struct asm_cur o = {c.p, comma ? comma : c.end};
		if (asm_at_end(&o)) {
			asm_err_set(e, o.p, ASM_ERR_SYNTAX, "missing operand");
			return false;
		}
		if (ops->n > MAX_OPERANDS) {
			asm_err_set(e, o.p, ASM_ERR_SEMANTIC, "too many operands");
			return false;
		}
		ops->op[ops->n++] = o;
		if (!comma)
			return true;
		c.p = comma + 1;
	}
}

static uint8_t operand_class(struct asm_cur o)
{
	asm_skip_ws(&o);
	if (o.p < o.end && *o.p == '%')
		return CLS_REG;
	if (o.p < o.end && *o.p == '[')
		return CLS_MEM;
	return CLS_OTHER;
}

/* How well do the operands fit row?  -1: count is wrong; otherwise the
 * index of the first operand of the wrong kind, or n if all fit. */
static int operands_fit(const struct bpfrt_opcode_info *row, const struct operands *ops)
{
	const uint8_t *spec = form_operands[row->form];
	int min = 0, max = 0;
	for (int i = 0; i < MAX_OPERANDS && spec[i]; i++) {
		max++;
		min += !operand_info[spec[i]].optional;
	}
	if (ops->n < min || ops->n > max)
		return -1;
	for (int i = 0; i < ops->n; i++)
		if (operand_class(ops->op[i]) != operand_info[spec[i]].cls)
			return i;
	return ops->n;
}

static bool parse_reg(struct asm_cur *c, uint8_t *reg, struct asm_err *e)
{
	asm_skip_ws(c);
	const char *start = c->p;
	const char *p = c->p;
	unsigned v = 0, digits = 0;
	if (c->end - p >= 2 && p[0] == '%' && p[1] == 'r')
		for (p += 2; p < c->end && *p >= '0' && *p <= '9' && digits < 3; p++, digits++)
			v = v * 10 + (unsigned)(*p - '0');
	if (!digits || v > 10 || (p < c->end && asm_is_ident_char(*p))) {
		const char *q = start + 1;
		while (q < c->end && asm_is_ident_char(*q))
			q++;
		asm_err_set(e, start, ASM_ERR_SEMANTIC, "invalid register '%.*s'",
			    (int)(q - start > 16 ? 16 : q - start), start);
		return false;
	}
	c->p = p;
	*reg = (uint8_t)v;
	return true;
}

static bool parse_mem(struct asm_cur *c, uint8_t *reg, int16_t *off, struct asm_err *e)
{
	int64_t v = 0;
	if (!asm_eat(c, "[") || !parse_reg(c, reg, e))
		return false;
	asm_skip_ws(c);
	if (c->p < c->end && *c->p != ']' && !asm_parse_disp(c, ASM_NUM_OFF16, &v, e))
		return false;
	if (!asm_eat(c, "]")) {
		asm_err_set(e, c->p, ASM_ERR_SYNTAX, "expected ']'");
		return false;
	}
	*off = (int16_t)v;
	return true;
}

static bool parse_operand(uint8_t kind, struct asm_cur *c, struct asm_insn *ai, struct asm_err *e)
{
	int64_t v;
	switch (kind) {
	case OPND_DST:
		return parse_reg(c, &ai->dst, e);
	case OPND_SRC:
		return parse_reg(c, &ai->src, e);
	case OPND_IMM:
	case OPND_IMM64:
		if (!asm_parse_num(c, kind == OPND_IMM ? ASM_NUM_IMM32 : ASM_NUM_IMM64, &v, e))
			return false;
		ai->imm = (int32_t)(uint32_t)v;
		ai->imm_hi = (int32_t)(uint32_t)((uint64_t)v >> 32);
		return true;
	case OPND_TGT_OFF:
	case OPND_TGT_IMM:
		return asm_parse_target(c, ai, kind == OPND_TGT_OFF ? 'o' : 'i', e);
	case OPND_MEM_DST:
		return parse_mem(c, &ai->dst, &ai->off, e);
	case OPND_MEM_SRC:
		return parse_mem(c, &ai->src, &ai->off, e);
	case OPND_OPT_SRC:
		if (!asm_parse_num(c, ASM_NUM_REGNUM, &v, e))
			return false;
		ai->src = (uint8_t)v;
		return true;
	case OPND_OPT_OFF:
		if (!asm_parse_num(c, ASM_NUM_OFF16, &v, e))
			return false;
		ai->off = (int16_t)v;
		return true;
	}
	return false;
}

/* Pick the row named key whose operand kinds match, or explain why none does. */
static int select_row(const char *key, size_t n, const struct operands *ops, const char *at,
		      struct asm_err *e)
{
	int count_ok = -1;
	for (int i = 0; i < BPFRT_OP_COUNT; i++) {
		if (!row_named(&bpfrt_opcodes[i], key, n))
			continue;
		int fit = operands_fit(&bpfrt_opcodes[i], ops);
		if (fit == ops->n)
			return i;
		if (fit >= 0 && count_ok < 0)
			count_ok = i;
	}
	if (count_ok < 0) {
		asm_err_set(e, at, ASM_ERR_SEMANTIC, "invalid number of operands for %.*s", (int)n, key);
		return -1;
	}
	int bad = operands_fit(&bpfrt_opcodes[count_ok], ops);
	uint8_t kind = form_operands[bpfrt_opcodes[count_ok].form][bad];
	asm_err_set(e, ops->op[bad].p, ASM_ERR_SEMANTIC, "operand %d of %.*s must be %s", bad + 1,
		    (int)n, key, operand_info[kind].what);
	return -1;
}

bool asm_conf_parse(struct asm_cur line, struct asm_insn *ai, struct asm_err *e)
{
	char key[40];
	asm_skip_ws(&line);
	const char *start = line.p;
	size_t n = read_mnemonic(&line, key, sizeof(key));
	if (!n) {
		size_t w = asm_ident_len(&line);
		if (w && asm_conf_is_mnemonic_word(line.p, w))
			asm_err_set(e, start, ASM_ERR_SEMANTIC, "invalid number of operands for %.*s",
				    (int)w, start);
		else
			asm_err_set(e, start, ASM_ERR_SEMANTIC, "unknown mnemonic '%.*s'",
				    (int)(w ? (w > 24 ? 24 : w) : 1), start);
		return false;
	}
	struct operands ops;
	if (!split_operands(line, &ops, e))
		return false;
	int row = select_row(key, n, &ops, start, e);
	if (row < 0)
		return false;
	ai->op = (enum bpfrt_op)row;
	const uint8_t *spec = form_operands[bpfrt_opcodes[row].form];
	for (int i = 0; i < ops.n; i++) {
		struct asm_cur o = ops.op[i];
		if (!parse_operand(spec[i], &o, ai, e))
			return false;
		if (!asm_at_end(&o)) {
			asm_err_set(e, o.p, ASM_ERR_SYNTAX, "unexpected '%.*s' after operand %d",
				    (int)(o.end - o.p > 16 ? 16 : o.end - o.p), o.p, i + 1);
			return false;
		}
	}
	return true;
}

static const char *print_name(const struct bpfrt_opcode_info *row)
{
	for (size_t a = 0; a < N_ALIASES; a++)
		if (aliases[a].print && !strcmp(aliases[a].mnemonic, row->mnemonic))
			return aliases[a].text;
	return row->mnemonic;
}

static bool print_operand(uint8_t kind, const struct asm_insn *ai, struct asm_out *o, const char *sep)
{
	uint64_t imm64 = (uint64_t)(uint32_t)ai->imm | (uint64_t)(uint32_t)ai->imm_hi << 32;
	switch (kind) {
	case OPND_DST:
	case OPND_SRC:
		asm_out_printf(o, "%s%%r%d", sep, kind == OPND_DST ? ai->dst : ai->src);
		return true;
	case OPND_IMM:
		asm_out_printf(o, "%s%d", sep, ai->imm);
		return true;
	case OPND_IMM64:
		asm_out_printf(o, "%s0x%llx", sep, (unsigned long long)imm64);
		return true;
	case OPND_TGT_OFF:
	case OPND_TGT_IMM:
		asm_out_printf(o, "%s", sep);
		asm_print_target(o, ai, kind == OPND_TGT_OFF ? ai->off : ai->imm, false);
		return true;
	case OPND_MEM_DST:
	case OPND_MEM_SRC:
		asm_out_printf(o, "%s[%%r%d%+d]", sep, kind == OPND_MEM_DST ? ai->dst : ai->src, ai->off);
		return true;
	case OPND_OPT_SRC:
	case OPND_OPT_OFF:
		if (kind == OPND_OPT_SRC ? !ai->src : !ai->off)
			return false;
		asm_out_printf(o, "%s%d", sep, kind == OPND_OPT_SRC ? ai->src : ai->off);
		return true;
	}
	return false;
}

void asm_conf_print(const struct asm_insn *ai, struct asm_out *o)
{
	const struct bpfrt_opcode_info *row = &bpfrt_opcodes[ai->op];
	const uint8_t *spec = form_operands[row->form];
	asm_out_printf(o, "%s", print_name(row));
	for (int i = 0, printed = 0; i < MAX_OPERANDS && spec[i]; i++)
		printed += print_operand(spec[i], ai, o, printed ? ", " : " ");
}

/* asm_text.c — the lexical layer both syntaxes share: whitespace, words,
 * numbers with their range rules, jump targets, and bounded output.
 * Every scan is limited by asm_cur.end, so malformed or unterminated text can
 * never be read past; nothing here allocates. */
#include "isa/asm_internal.h"

#include <stdio.h>
#include <string.h>

void asm_err_set(struct asm_err *e, const char *at, int severity, const char *fmt, ...)
{
	if (!e || (e->at && (at < e->at || (at == e->at && severity <= e->severity))))
		return;
	va_list ap;
	e->at = at;
	e->severity = severity;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void asm_out_printf(struct asm_out *o, const char *fmt, ...)
{
	char *dst = o->pos < o->len ? o->buf + o->pos : NULL;
	size_t room = o->pos < o->len ? o->len - o->pos : 0;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(dst, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
}

void asm_skip_ws(struct asm_cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r'))
		c->p++;
}

bool asm_at_end(struct asm_cur *c)
{
	asm_skip_ws(c);
	return c->p >= c->end;
}

bool asm_is_ident_start(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '.' ||
	       ch == '$';
}

bool asm_is_ident_char(char ch)
{
	return asm_is_ident_start(ch) || (ch >= '0' && ch <= '9');
}

size_t asm_ident_len(const struct asm_cur *c)
{
	const char *p = c->p;
	if (p >= c->end || !asm_is_ident_start(*p))
		return 0;
	while (p < c->end && asm_is_ident_char(*p))
		p++;
	return (size_t)(p - c->p);
}

bool asm_eat(struct asm_cur *c, const char *lit)
{
	asm_skip_ws(c);
	size_t n = strlen(lit);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n))
		return false;
	c->p += n;
	return true;
}

bool asm_eat_word(struct asm_cur *c, const char *word)
{
	struct asm_cur t = *c;
	if (!asm_eat(&t, word) || (t.p < t.end && asm_is_ident_char(*t.p)))
		return false;
	*c = t;
	return true;
}

static int digit_value(char ch, bool hex)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (hex && ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (hex && ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Digits of an unsigned magnitude, decimal or 0x hex, with overflow check. */
static bool parse_magnitude(struct asm_cur *c, uint64_t *mag, bool *hex, struct asm_err *e)
{
	const char *start = c->p;
	*hex = c->end - c->p >= 2 && c->p[0] == '0' && (c->p[1] == 'x' || c->p[1] == 'X');
	if (*hex)
		c->p += 2;
	uint64_t base = *hex ? 16 : 10, v = 0;
	const char *digits = c->p;
	int d;
	for (; c->p < c->end && (d = digit_value(*c->p, *hex)) >= 0; c->p++) {
		if (v > (UINT64_MAX - (uint64_t)d) / base) {
			asm_err_set(e, start, ASM_ERR_SEMANTIC, "number '%.*s' is too large",
				    (int)(c->end - start > 24 ? 24 : c->end - start), start);
			return false;
		}
		v = v * base + (uint64_t)d;
	}
	if (c->p == digits || (c->p < c->end && asm_is_ident_char(*c->p))) {
		asm_err_set(e, start, ASM_ERR_SYNTAX, "expected a number");
		return false;
	}
	*mag = v;
	return true;
}

struct num_range {
	unsigned bits;
	const char *what;
};

static const struct num_range num_ranges[] = {
	[ASM_NUM_IMM32] = {32, "32-bit immediate"},
	[ASM_NUM_OFF16] = {16, "16-bit offset"},
	[ASM_NUM_IMM64] = {64, "64-bit immediate"},
	[ASM_NUM_REGNUM] = {4, "4-bit field"},
};

/* Apply the range rules of the header to sign + magnitude. */
static bool fits(enum asm_num_kind kind, bool neg, bool signed_form, uint64_t mag, int64_t *out)
{
	unsigned bits = num_ranges[kind].bits;
	uint64_t smax = bits == 64 ? (uint64_t)INT64_MAX : (1ull << (bits - 1)) - 1;
	uint64_t umax = bits == 64 ? UINT64_MAX : (1ull << bits) - 1;
	if (kind == ASM_NUM_REGNUM) {
		*out = (int64_t)mag;
		return !neg && mag <= umax;
	}
	if (neg) {
		if (mag > smax + 1)
			return false;
		*out = (int64_t)(0 - mag);
		return true;
	}
	if (mag > (signed_form && bits < 64 ? smax : umax))
		return false;
	/* Reinterpret an unsigned spelling in the field's width. */
	if (bits == 16)
		*out = (int16_t)(uint16_t)mag;
	else if (bits == 32)
		*out = (int32_t)(uint32_t)mag;
	else
		*out = (int64_t)mag;
	return true;
}

bool asm_parse_num(struct asm_cur *c, enum asm_num_kind kind, int64_t *out, struct asm_err *e)
{
	asm_skip_ws(c);
	const char *start = c->p;
	bool neg = false, plus = false, hex;
	if (c->p < c->end && (*c->p == '-' || *c->p == '+')) {
		neg = *c->p == '-';
		plus = !neg;
		c->p++;
	}
	uint64_t mag;
	if (!parse_magnitude(c, &mag, &hex, e))
		return false;
	if (!fits(kind, neg, plus || !hex, mag, out)) {
		asm_err_set(e, start, ASM_ERR_SEMANTIC, "'%.*s' is out of range for a %s",
			    (int)(c->p - start > 24 ? 24 : c->p - start), start, num_ranges[kind].what);
		return false;
	}
	return true;
}

bool asm_parse_disp(struct asm_cur *c, enum asm_num_kind kind, int64_t *out, struct asm_err *e)
{
	asm_skip_ws(c);
	const char *start = c->p;
	if (c->p >= c->end || (*c->p != '+' && *c->p != '-')) {
		asm_err_set(e, c->p, ASM_ERR_SYNTAX, "expected '+' or '-' and an offset");
		return false;
	}
	bool neg = *c->p++ == '-', hex;
	asm_skip_ws(c);
	uint64_t mag;
	if (!parse_magnitude(c, &mag, &hex, e))
		return false;
	if (!fits(kind, neg, true, mag, out)) {
		asm_err_set(e, start, ASM_ERR_SEMANTIC, "offset '%.*s' is out of range for a %s",
			    (int)(c->p - start > 24 ? 24 : c->p - start), start, num_ranges[kind].what);
		return false;
	}
	return true;
}

/* llvm-objdump appends the symbolic target, "goto +0x3 <prog+0x28>". */
static void skip_symbolic_suffix(struct asm_cur *c)
{
	struct asm_cur t = *c;
	asm_skip_ws(&t);
	if (t.p >= t.end || *t.p != '<')
		return;
	const char *close = memchr(t.p, '>', (size_t)(t.end - t.p));
	if (close)
		c->p = close + 1;
}

bool asm_parse_target(struct asm_cur *c, struct asm_insn *ai, char field, struct asm_err *e)
{
	asm_skip_ws(c);
	if (c->end - c->p > 2 && c->p[0] == 'p' && c->p[1] == 'c' && (c->p[2] == '+' || c->p[2] == '-'))
		c->p += 2; /* the kernel log's "pc+3" */
	char ch = c->p < c->end ? *c->p : 0;
	if (ch == '+' || ch == '-' || (ch >= '0' && ch <= '9')) {
		int64_t v;
		if (!asm_parse_num(c, field == 'o' ? ASM_NUM_OFF16 : ASM_NUM_IMM32, &v, e))
			return false;
		if (field == 'o')
			ai->off = (int16_t)v;
		else
			ai->imm = (int32_t)v;
	} else if (asm_ident_len(c)) {
		ai->label = c->p;
		ai->label_len = asm_ident_len(c);
		ai->label_field = field;
		c->p += ai->label_len;
	} else {
		asm_err_set(e, c->p, ASM_ERR_SYNTAX, "expected a jump target (a label or +N)");
		return false;
	}
	skip_symbolic_suffix(c);
	return true;
}

void asm_print_hex(struct asm_out *o, int64_t v)
{
	if (v < 0)
		asm_out_printf(o, "-0x%llx", (unsigned long long)(0 - (uint64_t)v));
	else
		asm_out_printf(o, "0x%llx", (unsigned long long)v);
}

void asm_print_target(struct asm_out *o, const struct asm_insn *ai, int32_t rel, bool hex)
{
	if (ai->print_target >= 0)
		asm_out_printf(o, "L%d", ai->print_target);
	else if (hex)
		asm_out_printf(o, "%c0x%llx", rel < 0 ? '-' : '+',
			       (unsigned long long)(rel < 0 ? 0 - (int64_t)rel : rel));
	else
		asm_out_printf(o, "%+d", rel);
}

int64_t asm_insn_target(const struct asm_insn *ai, uint32_t idx)
{
	switch (bpfrt_opcodes[ai->op].form) {
	case BPFRT_F_JA:
	case BPFRT_F_JMP_K:
	case BPFRT_F_JMP_X:
		return (int64_t)idx + ai->off + 1;
	case BPFRT_F_JA32:
	case BPFRT_F_CALL_LOCAL:
		return (int64_t)idx + ai->imm + 1;
	default:
		return -1;
	}
}

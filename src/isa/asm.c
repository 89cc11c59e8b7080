/* asm.c — the assembler driver: splits text into lines, strips comments,
 * labels and listing prefixes (llvm-objdump's "  0:\tb7 00 .. 00\t", the
 * kernel log's "0: (b7) "), hands each instruction to its syntax
 * (syntax_conformance.c, syntax_llvm.c), encodes it from the opcode table and
 * resolves label references once every label is known.  Every failure names
 * its 1-based source line. */
#include "isa/asm_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASM_MAX_SLOTS (1u << 24)

struct label {
	const char *name;
	size_t len;
	uint32_t slot;
	int line;
};

struct fixup {
	const char *name;
	size_t len;
	uint32_t slot;
	char field;
	int line;
};

struct asm_state {
	struct bpf_insn *insns;
	size_t n, cap;
	struct label *labels;
	size_t nlabels, cap_labels;
	struct fixup *fixups;
	size_t nfixups, cap_fixups;
	int64_t first_exit;
	int line;
	struct bpfrt_diag *diag;
};

/* What a listing line carried besides its instruction text. */
struct prefix {
	uint8_t bytes[16];
	int nbytes;
	const char *label; /* llvm-objdump's "0000000000000000 <prog>:" */
	size_t label_len;
};

enum { LINE_INSN, LINE_SKIP, LINE_ELIDED };

static int fail(struct asm_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct asm_state *st, const char *fmt, ...)
{
	if (st->diag) {
		va_list ap;
		st->diag->line = st->line;
		st->diag->insn = (int32_t)st->n;
		va_start(ap, fmt);
		vsnprintf(st->diag->msg, sizeof(st->diag->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	void *p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static void trim(struct asm_cur *c)
{
	asm_skip_ws(c);
	while (c->end > c->p && (c->end[-1] == ' ' || c->end[-1] == '\t' || c->end[-1] == '\r'))
		c->end--;
}

/* ';' starts a comment anywhere; '#' only at the start or after a blank,
 * since the kernel log writes helpers as "call bpf_map_lookup_elem#1". */
static void strip_comment(struct asm_cur *c)
{
	for (const char *p = c->p; p < c->end; p++) {
		if (*p == ';' || (*p == '#' && (p == c->p || p[-1] == ' ' || p[-1] == '\t'))) {
			c->end = p;
			break;
		}
	}
	trim(c);
}

static bool is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static int hex_value(char ch)
{
	return ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10;
}

static bool starts_with(const struct asm_cur *c, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(c->end - c->p) >= n && !memcmp(c->p, s, n);
}

static bool contains(const struct asm_cur *c, const char *s)
{
	size_t n = strlen(s);
	for (const char *p = c->p; (size_t)(c->end - p) >= n; p++)
		if (!memcmp(p, s, n))
			return true;
	return false;
}

/* Raw bytes after an index: 8 or 16 pairs of hex digits, else none. */
static void read_bytes(struct asm_cur *c, struct prefix *pre)
{
	struct asm_cur t = *c;
	int n = 0;
	asm_skip_ws(&t);
	while (n < 16 && t.end - t.p >= 2 && is_hex(t.p[0]) && is_hex(t.p[1]) &&
	       (t.end - t.p == 2 || t.p[2] == ' ' || t.p[2] == '\t')) {
		pre->bytes[n++] = (uint8_t)(hex_value(t.p[0]) << 4 | hex_value(t.p[1]));
		t.p += 2;
		asm_skip_ws(&t);
	}
	if (n == 8 || n == 16) {
		pre->nbytes = n;
		*c = t;
	}
}

/* "0000000000000050 <f>:" starts a function in llvm-objdump output. */
static bool read_symbol_header(struct asm_cur t, struct prefix *pre)
{
	asm_skip_ws(&t);
	if (t.p >= t.end || *t.p != '<' || t.end - t.p < 4 || t.end[-1] != ':' || t.end[-2] != '>')
		return false;
	struct asm_cur name = {t.p + 1, t.end - 2};
	size_t n = asm_ident_len(&name);
	if (!n || name.p + n != name.end)
		return false;
	pre->label = name.p;
	pre->label_len = n;
	return true;
}

/* Strip what listings put before the instruction text. */
static int strip_prefix(struct asm_cur *c, struct prefix *pre)
{
	if (starts_with(c, "Disassembly of section") || contains(c, "file format "))
		return LINE_SKIP;
	if (c->end - c->p == 3 && starts_with(c, "..."))
		return LINE_ELIDED;
	const char *p = c->p;
	bool decimal = true;
	while (p < c->end && is_hex(*p))
		decimal &= *p >= '0' && *p <= '9', p++;
	size_t digits = (size_t)(p - c->p);
	if (digits == 16 && read_symbol_header((struct asm_cur){p, c->end}, pre))
		return LINE_SKIP;
	if (!digits || p >= c->end || *p != ':' || (!decimal && digits != 16))
		return LINE_INSN;
	struct asm_cur t = {p + 1, c->end};
	asm_skip_ws(&t);
	if (starts_with(&t, "R_"))
		return LINE_SKIP; /* a relocation printed by llvm-objdump -r */
	if (t.end - t.p >= 4 && t.p[0] == '(' && is_hex(t.p[1]) && is_hex(t.p[2]) && t.p[3] == ')')
		t.p += 4; /* the kernel log's "(b7)" */
	else
		read_bytes(&t, pre);
	*c = t;
	trim(c);
	return LINE_INSN;
}

static int add_label(struct asm_state *st, const char *name, size_t len)
{
	if (grow((void **)&st->labels, &st->cap_labels, st->nlabels + 1, sizeof(*st->labels)))
		return -ENOMEM;
	st->labels[st->nlabels++] = (struct label){name, len, (uint32_t)st->n, st->line};
	return 0;
}

/* "name:" at the start of a line defines a label; an instruction may follow. */
static int read_labels(struct asm_state *st, struct asm_cur *c)
{
	for (;;) {
		size_t n = asm_ident_len(c);
		if (!n || c->p + n >= c->end || c->p[n] != ':')
			return 0;
		int err = add_label(st, c->p, n);
		if (err)
			return err;
		c->p += n + 1;
		asm_skip_ws(c);
	}
}

static int emit(struct asm_state *st, const struct bpf_insn *insns, int slots)
{
	if (st->n + (size_t)slots > ASM_MAX_SLOTS)
		return fail(st, "program too large (more than %u slots)", ASM_MAX_SLOTS);
	if (grow((void **)&st->insns, &st->cap, st->n + (size_t)slots, sizeof(*st->insns)))
		return -ENOMEM;
	memcpy(&st->insns[st->n], insns, (size_t)slots * sizeof(*insns));
	st->n += (size_t)slots;
	return 0;
}

/* Build the slots of ai from its table row: the discriminating field is
 * the row's, never the text's. */
static int encode(const struct asm_insn *ai, struct bpf_insn out[2])
{
	const struct bpfrt_opcode_info *row = &bpfrt_opcodes[ai->op];
	memset(out, 0, 2 * sizeof(*out));
	out[0].code = row->code;
	out[0].dst_reg = ai->dst;
	out[0].src_reg = ai->src;
	out[0].off = ai->off;
	out[0].imm = ai->imm;
	if (row->disc == BPFRT_D_OFF)
		out[0].off = (int16_t)row->disc_value;
	else if (row->disc == BPFRT_D_IMM)
		out[0].imm = row->disc_value;
	else if (row->disc == BPFRT_D_SRC)
		out[0].src_reg = (uint8_t)row->disc_value;
	if (row->form != BPFRT_F_LDDW)
		return 1;
	out[1].imm = ai->imm_hi;
	return 2;
}

static bool looks_conformance(struct asm_cur line)
{
	size_t w = asm_ident_len(&line);
	return contains(&line, "%r") ||
	       (w && asm_conf_is_mnemonic_word(line.p, w) && !contains(&line, "="));
}

/* Turn a failed LLVM-syntax match into one message. */
static void llvm_message(struct asm_cur line, struct asm_err *e, char *msg, size_t len)
{
	int n = (int)(line.end - line.p > 40 ? 40 : line.end - line.p);
	if (e->severity == ASM_ERR_SEMANTIC)
		snprintf(msg, len, "%s", e->msg);
	else if (!e->at || e->at == line.p)
		snprintf(msg, len, "unknown instruction '%.*s'", n, line.p);
	else if (e->at >= line.end)
		snprintf(msg, len, "incomplete instruction '%.*s' (missing operand?)", n, line.p);
	else
		snprintf(msg, len, "syntax error at '%.*s': %s",
			 (int)(line.end - e->at > 16 ? 16 : line.end - e->at), e->at, e->msg);
}

static bool parse_insn(struct asm_cur line, enum bpfrt_syntax syntax, struct asm_insn *ai,
		       char *msg, size_t len)
{
	struct asm_err ce = {0}, le = {0};
	if (syntax != BPFRT_SYNTAX_LLVM) {
		if (asm_conf_parse(line, ai, &ce))
			return true;
		if (syntax == BPFRT_SYNTAX_CONFORMANCE || looks_conformance(line)) {
			snprintf(msg, len, "%s", ce.msg);
			if (syntax == BPFRT_SYNTAX_CONFORMANCE)
				return false;
		}
	}
	*ai = (struct asm_insn){.print_target = -1};
	if (asm_llvm_parse(line, ai, &le))
		return true;
	if (syntax != BPFRT_SYNTAX_AUTO || !looks_conformance(line))
		llvm_message(line, &le, msg, len);
	return false;
}

static int add_fixup(struct asm_state *st, const struct asm_insn *ai)
{
	if (grow((void **)&st->fixups, &st->cap_fixups, st->nfixups + 1, sizeof(*st->fixups)))
		return -ENOMEM;
	st->fixups[st->nfixups++] =
		(struct fixup){ai->label, ai->label_len, (uint32_t)st->n, ai->label_field, st->line};
	return 0;
}

static int assemble_insn(struct asm_state *st, struct asm_cur line, enum bpfrt_syntax syntax,
			 const struct prefix *pre)
{
	struct bpf_insn slots[2];
	if (pre->nbytes == 8 && line.end - line.p == 9 && starts_with(&line, "<unknown>")) {
		memcpy(slots, pre->bytes, 8); /* llvm-objdump could not print it */
		return emit(st, slots, 1);
	}
	struct asm_insn ai = {.print_target = -1};
	char msg[200];
	if (!parse_insn(line, syntax, &ai, msg, sizeof(msg)))
		return fail(st, "%s", msg);
	int n = encode(&ai, slots);
	/* llvm-objdump's text loses facts its bytes keep (a local call prints as
	 * "call 0x6", ld_pseudo drops the second imm): the bytes win. */
	if (pre->nbytes == n * 8)
		memcpy(slots, pre->bytes, (size_t)pre->nbytes);
	else if (ai.label && add_fixup(st, &ai))
		return -ENOMEM;
	if (ai.op == BPFRT_OP_EXIT && st->first_exit < 0)
		st->first_exit = (int64_t)st->n;
	return emit(st, slots, n);
}

static int assemble_line(struct asm_state *st, struct asm_cur line, enum bpfrt_syntax syntax)
{
	struct prefix pre = {0};
	strip_comment(&line);
	if (line.p >= line.end)
		return 0;
	int kind = strip_prefix(&line, &pre);
	if (kind == LINE_ELIDED)
		return fail(st, "llvm-objdump left out zero bytes here ('...'); disassemble with -z");
	if (pre.label && add_label(st, pre.label, pre.label_len))
		return -ENOMEM;
	if (kind == LINE_SKIP)
		return 0;
	int err = read_labels(st, &line);
	if (err || line.p >= line.end)
		return err;
	return assemble_insn(st, line, syntax, &pre);
}

static int label_cmp_name(const void *a, const void *b)
{
	const struct label *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, n);
	if (c || x->len == y->len)
		return c;
	return x->len < y->len ? -1 : 1;
}

/* By name, then by line, so a duplicate's first definition comes first. */
static int label_cmp(const void *a, const void *b)
{
	int c = label_cmp_name(a, b);
	return c ? c : ((const struct label *)a)->line - ((const struct label *)b)->line;
}

static int check_duplicate_labels(struct asm_state *st)
{
	if (st->nlabels)
		qsort(st->labels, st->nlabels, sizeof(*st->labels), label_cmp);
	for (size_t i = 1; i < st->nlabels; i++) {
		const struct label *a = &st->labels[i - 1], *b = &st->labels[i];
		if (a->len == b->len && !memcmp(a->name, b->name, a->len)) {
			st->line = b->line;
			return fail(st, "label '%.*s' is defined twice (first on line %d)",
				    (int)(a->len > 40 ? 40 : a->len), a->name, a->line);
		}
	}
	return 0;
}

/* The suite's assembler lets `exit` name the first exit instruction when no
 * label has that name ("jne %r1, 0, exit"). */
static int64_t find_label(struct asm_state *st, const struct fixup *f)
{
	struct label key = {f->name, f->len, 0, -1};
	const struct label *l = st->nlabels ? bsearch(&key, st->labels, st->nlabels,
						      sizeof(*st->labels), label_cmp_name)
					    : NULL;
	if (l)
		return l->slot;
	if (f->len == 4 && !memcmp(f->name, "exit", 4))
		return st->first_exit;
	return -1;
}

static int resolve_fixups(struct asm_state *st)
{
	for (size_t i = 0; i < st->nfixups; i++) {
		const struct fixup *f = &st->fixups[i];
		int64_t target = find_label(st, f);
		int64_t rel = target - (int64_t)f->slot - 1;
		st->line = f->line;
		st->n = f->slot;
		if (target < 0)
			return fail(st, "undefined label '%.*s'", (int)(f->len > 40 ? 40 : f->len), f->name);
		if (f->field == 'o' && (rel < INT16_MIN || rel > INT16_MAX))
			return fail(st, "label '%.*s' is too far for a 16-bit jump offset (%lld slots)",
				    (int)(f->len > 40 ? 40 : f->len), f->name, (long long)rel);
		if (f->field == 'o')
			st->insns[f->slot].off = (int16_t)rel;
		else
			st->insns[f->slot].imm = (int32_t)rel;
	}
	return 0;
}

static int assemble_text(struct asm_state *st, const char *text, enum bpfrt_syntax syntax)
{
	const char *p = text, *end = text + strlen(text);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct asm_cur line = {p, nl ? nl : end};
		st->line++;
		int err = assemble_line(st, line, syntax);
		if (err)
			return err;
		p = nl ? nl + 1 : end;
	}
	if (!st->n) {
		st->line = 0;
		return fail(st, "no instructions");
	}
	size_t n = st->n;
	int err = check_duplicate_labels(st);
	if (!err)
		err = resolve_fixups(st);
	st->n = n;
	return err;
}

int bpfrt_asm(const char *text, enum bpfrt_syntax syntax, struct bpf_insn **out, uint32_t *cnt,
	      struct bpfrt_diag *diag)
{
	struct asm_state st = {.first_exit = -1, .diag = diag};
	if (diag)
		*diag = (struct bpfrt_diag){.insn = -1};
	if (!text || !out || !cnt || syntax > BPFRT_SYNTAX_CONFORMANCE)
		return fail(&st, "invalid arguments");
	int err = assemble_text(&st, text, syntax);
	if (err == -ENOMEM)
		fail(&st, "out of memory");
	free(st.labels);
	free(st.fixups);
	if (err) {
		free(st.insns);
		return err;
	}
	*out = st.insns;
	*cnt = (uint32_t)st.n;
	return 0;
}

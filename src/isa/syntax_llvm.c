/* syntax_llvm.c — the syntax llvm-objdump (LLVM 19) and the kernel verifier
 * log print, both ways, from one template per operand form.  A template is
 * literal text plus one-letter placeholders (below); printing fills them from
 * an instruction, parsing matches them against a line, trying every table row
 * in turn.  Parse-only templates accept the kernel log's spellings. */
#include "isa/asm_internal.h"

#include <stdio.h>
#include <string.h>

/* Which instructions of a form a template is for (checked on the row). */
enum variant { V_ANY, V_LDDW_PLAIN, V_LDDW_PSEUDO, V_ATOMIC_OP, V_ATOMIC_FETCH, V_XCHG, V_CMPXCHG };

struct tpl {
	uint8_t form, variant;
	bool print; /* the disassembler's spelling (else parse only) */
	const char *text;
};

/* Placeholders:
 *  D S  dst / src register, r or w as the row's width
 *  P Q  dst / src register used as a pointer (always rN)
 *  Z    r0 / w0 (cmpxchg's implicit operand)
 *  O    the row's operator ("+=", "s>")      X  the row's mnemonic ("be16")
 *  A    atomic operation name ("add")        W  access type ("u32", "s8")
 *  N    the row's discriminator (movsx bits) I  imm              H helper id
 *  K    lddw's 64-bit immediate              L  " ll" (optional when parsing)
 *  G    src as a number (lddw pseudo kind)   V  ", imm_hi" if nonzero
 *  E    ", off" if nonzero (kfunc)           M Y  off / imm as "+ 0x4"
 *  T J  jump target in off / imm ("+0x3")    C  call target in imm ("pc+0x3")
 *  B    "_64" / "32_32" by size              R  optional "64" (kernel log)
 */
static const struct tpl templates[] = {
	{BPFRT_F_ALU_K, V_ANY, true, "D O I"},
	{BPFRT_F_ALU_X, V_ANY, true, "D O S"},
	{BPFRT_F_NEG, V_ANY, true, "D = -D"},
	{BPFRT_F_END, V_ANY, true, "D = X D"},
	{BPFRT_F_MOVSX, V_ANY, true, "D = (sN)S"},
	{BPFRT_F_JA, V_ANY, true, "goto T"},
	{BPFRT_F_JA32, V_ANY, true, "gotol J"},
	{BPFRT_F_JMP_K, V_ANY, true, "if D O I goto T"},
	{BPFRT_F_JMP_X, V_ANY, true, "if D O S goto T"},
	{BPFRT_F_CALL, V_ANY, true, "call H"},
	{BPFRT_F_CALL_LOCAL, V_ANY, true, "call C"},
	{BPFRT_F_CALL_KFUNC, V_ANY, true, "call kfunc IE"},
	{BPFRT_F_CALLX, V_ANY, true, "callx D"},
	{BPFRT_F_EXIT, V_ANY, true, "exit"},
	{BPFRT_F_LDDW, V_LDDW_PLAIN, true, "D = KL"},
	{BPFRT_F_LDDW, V_LDDW_PSEUDO, true, "ld_pseudo D, G, IV"},
	{BPFRT_F_LDABS, V_ANY, true, "r0 = *(W *)skb[I]"},
	{BPFRT_F_LDIND, V_ANY, true, "r0 = *(W *)skb[Q Y]"},
	{BPFRT_F_LDX, V_ANY, true, "D = *(W *)(Q M)"},
	{BPFRT_F_ST, V_ANY, true, "*(W *)(P M) = I"},
	{BPFRT_F_STX, V_ANY, true, "*(W *)(P M) = S"},
	{BPFRT_F_ATOMIC, V_ATOMIC_OP, true, "lock *(W *)(P M) O S"},
	{BPFRT_F_ATOMIC, V_ATOMIC_FETCH, true, "S = atomicR_fetch_A((W *)(P M), S)"},
	{BPFRT_F_ATOMIC, V_XCHG, true, "S = xchgB(P M, S)"},
	{BPFRT_F_ATOMIC, V_XCHG, false, "S = atomicR_xchg((W *)(P M), S)"},
	{BPFRT_F_ATOMIC, V_CMPXCHG, true, "Z = cmpxchgB(P M, Z, S)"},
	{BPFRT_F_ATOMIC, V_CMPXCHG, false, "Z = atomicR_cmpxchg((W *)(P M), Z, S)"},
};

#define N_TEMPLATES (sizeof(templates) / sizeof(templates[0]))

struct ctx {
	const struct bpfrt_opcode_info *row;
	struct asm_insn *ai;
	struct asm_err *e;
	bool seen_dst, seen_src;
};

static bool variant_fits(uint8_t variant, const struct bpfrt_opcode_info *row)
{
	int32_t v = row->disc_value;
	switch (variant) {
	case V_ATOMIC_OP:
		return !(row->flags & BPFRT_OPF_FETCH);
	case V_ATOMIC_FETCH:
		return (row->flags & BPFRT_OPF_FETCH) && v != BPF_XCHG && v != BPF_CMPXCHG;
	case V_XCHG:
		return v == BPF_XCHG;
	case V_CMPXCHG:
		return v == BPF_CMPXCHG;
	default:
		return true;
	}
}

/* Register spelling: w for 32-bit ALU, JMP32 and 32-bit atomics.  LLVM with
 * alu32 also writes w for 32-bit and narrower loads and stores, which the
 * kernel writes with r: both are accepted there. */
static char reg_letter(const struct bpfrt_opcode_info *row)
{
	bool w = (row->flags & BPFRT_OPF_ALU32) || (row->form == BPFRT_F_ATOMIC && row->size == 4);
	return w ? 'w' : 'r';
}

static bool reg_either(const struct bpfrt_opcode_info *row)
{
	return (row->form == BPFRT_F_LDX || row->form == BPFRT_F_STX || row->form == BPFRT_F_ATOMIC) &&
	       row->size < 8;
}

/* ---- parsing placeholders ---- */

static bool parse_reg_as(struct ctx *x, struct asm_cur *c, uint8_t *reg, bool pointer)
{
	asm_skip_ws(c);
	const char *start = c->p, *p = c->p;
	char want = pointer ? 'r' : reg_letter(x->row);
	bool either = !pointer && reg_either(x->row);
	if (p >= c->end || (*p != want && !(either && (*p == 'r' || *p == 'w')))) {
		asm_err_set(x->e, start, ASM_ERR_SYNTAX, "expected register %c<n>", want);
		return false;
	}
	unsigned v = 0, digits = 0;
	for (p++; p < c->end && *p >= '0' && *p <= '9' && digits < 3; p++, digits++)
		v = v * 10 + (unsigned)(*p - '0');
	if (!digits || (p < c->end && asm_is_ident_char(*p))) {
		asm_err_set(x->e, start, ASM_ERR_SYNTAX, "expected register %c<n>", want);
		return false;
	}
	if (v > 10) {
		asm_err_set(x->e, start, ASM_ERR_SEMANTIC, "invalid register '%.*s'", (int)(p - start),
			    start);
		return false;
	}
	c->p = p;
	*reg = (uint8_t)v;
	return true;
}

/* A register named twice in a template ("r0 = -r0") must be the same. */
static bool parse_reg_once(struct ctx *x, struct asm_cur *c, uint8_t *field, bool *seen, bool ptr)
{
	const char *at = c->p;
	uint8_t r;
	if (!parse_reg_as(x, c, &r, ptr))
		return false;
	if (*seen && r != *field) {
		asm_err_set(x->e, at, ASM_ERR_SEMANTIC, "both registers must be the same here");
		return false;
	}
	*seen = true;
	*field = r;
	return true;
}

static bool p_dst(struct ctx *x, struct asm_cur *c)
{
	return parse_reg_once(x, c, &x->ai->dst, &x->seen_dst, false);
}
static bool p_src(struct ctx *x, struct asm_cur *c)
{
	return parse_reg_once(x, c, &x->ai->src, &x->seen_src, false);
}
static bool p_ptr_dst(struct ctx *x, struct asm_cur *c)
{
	return parse_reg_once(x, c, &x->ai->dst, &x->seen_dst, true);
}
static bool p_ptr_src(struct ctx *x, struct asm_cur *c)
{
	return parse_reg_once(x, c, &x->ai->src, &x->seen_src, true);
}

static bool p_zero(struct ctx *x, struct asm_cur *c)
{
	const char *at = c->p;
	uint8_t r;
	if (!parse_reg_as(x, c, &r, false))
		return false;
	if (r != 0)
		asm_err_set(x->e, at, ASM_ERR_SEMANTIC, "cmpxchg compares with r0");
	return r == 0;
}

static bool p_literal_word(struct ctx *x, struct asm_cur *c, const char *word)
{
	if (asm_eat_word(c, word))
		return true;
	asm_err_set(x->e, c->p, ASM_ERR_SYNTAX, "expected '%s'", word);
	return false;
}

static bool p_op(struct ctx *x, struct asm_cur *c)
{
	struct asm_cur t = *c;
	if (!x->row->op || !asm_eat(&t, x->row->op) ||
	    (t.p < t.end && strchr("=<>&|^%/", *t.p) && *t.p)) {
		asm_err_set(x->e, c->p, ASM_ERR_SYNTAX, "expected '%s'", x->row->op ? x->row->op : "");
		return false;
	}
	*c = t;
	return true;
}

static bool p_mnemonic(struct ctx *x, struct asm_cur *c)
{
	return p_literal_word(x, c, x->row->mnemonic);
}

/* "lock fetch add32" -> "add" */
static size_t atomic_name(const struct bpfrt_opcode_info *row, const char **name)
{
	const char *m = strrchr(row->mnemonic, ' ');
	*name = m ? m + 1 : row->mnemonic;
	size_t n = strlen(*name);
	return n > 2 && !strcmp(*name + n - 2, "32") ? n - 2 : n;
}

static bool p_atomic_name(struct ctx *x, struct asm_cur *c)
{
	const char *name;
	size_t n = atomic_name(x->row, &name);
	if ((size_t)(c->end - c->p) >= n && !memcmp(c->p, name, n) &&
	    !(c->p + n < c->end && asm_is_ident_char(c->p[n]))) {
		c->p += n;
		return true;
	}
	asm_err_set(x->e, c->p, ASM_ERR_SYNTAX, "expected '%.*s'", (int)n, name);
	return false;
}

static void access_type(const struct bpfrt_opcode_info *row, char buf[8])
{
	snprintf(buf, 8, "%c%u", (row->flags & BPFRT_OPF_SIGNED) ? 's' : 'u', (row->size * 8u) & 127);
}

static bool p_type(struct ctx *x, struct asm_cur *c)
{
	char t[8];
	access_type(x->row, t);
	return p_literal_word(x, c, t);
}

static bool p_disc(struct ctx *x, struct asm_cur *c)
{
	char t[16];
	snprintf(t, sizeof(t), "%d", (int)x->row->disc_value);
	return p_literal_word(x, c, t);
}

static bool p_imm(struct ctx *x, struct asm_cur *c)
{
	int64_t v;
	if (!asm_parse_num(c, ASM_NUM_IMM32, &v, x->e))
		return false;
	x->ai->imm = (int32_t)v;
	return true;
}

/* The kernel log names helpers: "call bpf_map_lookup_elem#1". */
static bool p_helper(struct ctx *x, struct asm_cur *c)
{
	asm_skip_ws(c);
	size_t n = asm_ident_len(c);
	if (n && c->p + n < c->end && c->p[n] == '#')
		c->p += n + 1;
	return p_imm(x, c);
}

static bool p_imm64(struct ctx *x, struct asm_cur *c)
{
	int64_t v;
	if (!asm_parse_num(c, ASM_NUM_IMM64, &v, x->e))
		return false;
	x->ai->imm = (int32_t)(uint32_t)(uint64_t)v;
	x->ai->imm_hi = (int32_t)(uint32_t)((uint64_t)v >> 32);
	return true;
}

static bool p_ll(struct ctx *x, struct asm_cur *c)
{
	(void)x;
	asm_eat_word(c, "ll");
	return true;
}

static bool p_regnum(struct ctx *x, struct asm_cur *c)
{
	int64_t v;
	if (!asm_parse_num(c, ASM_NUM_REGNUM, &v, x->e))
		return false;
	x->ai->src = (uint8_t)v;
	return true;
}

static bool p_opt_hi(struct ctx *x, struct asm_cur *c)
{
	int64_t v;
	if (!asm_eat(c, ","))
		return true;
	if (!asm_parse_num(c, ASM_NUM_IMM32, &v, x->e))
		return false;
	x->ai->imm_hi = (int32_t)v;
	return true;
}

static bool p_opt_off(struct ctx *x, struct asm_cur *c)
{
	int64_t v;
	if (!asm_eat(c, ","))
		return true;
	if (!asm_parse_num(c, ASM_NUM_OFF16, &v, x->e))
		return false;
	x->ai->off = (int16_t)v;
	return true;
}

static bool p_mem_off(struct ctx *x, struct asm_cur *c)
{
	int64_t v;
	if (!asm_parse_disp(c, ASM_NUM_OFF16, &v, x->e))
		return false;
	x->ai->off = (int16_t)v;
	return true;
}

/* llvm-objdump prints LD_IND as "skb[r2]", leaving its imm out. */
static bool p_mem_imm(struct ctx *x, struct asm_cur *c)
{
	int64_t v;
	if (c->p < c->end && *c->p == ']')
		return true;
	if (!asm_parse_disp(c, ASM_NUM_IMM32, &v, x->e))
		return false;
	x->ai->imm = (int32_t)v;
	return true;
}

static bool p_target_off(struct ctx *x, struct asm_cur *c)
{
	return asm_parse_target(c, x->ai, 'o', x->e);
}

static bool p_target_imm(struct ctx *x, struct asm_cur *c)
{
	return asm_parse_target(c, x->ai, 'i', x->e);
}

static bool p_size_suffix(struct ctx *x, struct asm_cur *c)
{
	const char *s = x->row->size == 8 ? "_64" : "32_32";
	if (asm_eat(c, s))
		return true;
	asm_err_set(x->e, c->p, ASM_ERR_SYNTAX, "expected '%s'", s);
	return false;
}

static bool p_opt_64(struct ctx *x, struct asm_cur *c)
{
	if (x->row->size == 8 && c->end - c->p >= 2 && c->p[0] == '6' && c->p[1] == '4')
		c->p += 2;
	return true;
}

/* ---- printing placeholders ---- */

static char width_of(const struct ctx *x, bool pointer)
{
	return pointer ? 'r' : reg_letter(x->row);
}

static void o_dst(struct ctx *x, struct asm_out *o)
{
	asm_out_printf(o, "%c%d", width_of(x, false), x->ai->dst);
}
static void o_src(struct ctx *x, struct asm_out *o)
{
	asm_out_printf(o, "%c%d", width_of(x, false), x->ai->src);
}
static void o_ptr_dst(struct ctx *x, struct asm_out *o)
{
	asm_out_printf(o, "r%d", x->ai->dst);
}
static void o_ptr_src(struct ctx *x, struct asm_out *o)
{
	asm_out_printf(o, "r%d", x->ai->src);
}
static void o_zero(struct ctx *x, struct asm_out *o)
{
	asm_out_printf(o, "%c0", width_of(x, false));
}
static void o_op(struct ctx *x, struct asm_out *o)
{
	asm_out_printf(o, "%s", x->row->op ? x->row->op : "?");
}
static void o_mnemonic(struct ctx *x, struct asm_out *o)
{
	asm_out_printf(o, "%s", x->row->mnemonic);
}
static void o_atomic_name(struct ctx *x, struct asm_out *o)
{
	const char *name;
	size_t n = atomic_name(x->row, &name);
	asm_out_printf(o, "%.*s", (int)n, name);
}
static void o_type(struct ctx *x, struct asm_out *o)
{
	char t[8];
	access_type(x->row, t);
	asm_out_printf(o, "%s", t);
}
static void o_disc(struct ctx *x, struct asm_out *o)
{
	asm_out_printf(o, "%d", (int)x->row->disc_value);
}
static void o_imm(struct ctx *x, struct asm_out *o)
{
	asm_print_hex(o, x->ai->imm);
}
static void o_imm64(struct ctx *x, struct asm_out *o)
{
	uint64_t v = (uint64_t)(uint32_t)x->ai->imm | (uint64_t)(uint32_t)x->ai->imm_hi << 32;
	asm_print_hex(o, (int64_t)v);
}
static void o_ll(struct ctx *x, struct asm_out *o)
{
	(void)x;
	asm_out_printf(o, " ll");
}
static void o_regnum(struct ctx *x, struct asm_out *o)
{
	asm_out_printf(o, "0x%x", x->ai->src);
}
static void o_opt_hi(struct ctx *x, struct asm_out *o)
{
	if (x->ai->imm_hi) {
		asm_out_printf(o, ", ");
		asm_print_hex(o, x->ai->imm_hi);
	}
}
static void o_opt_off(struct ctx *x, struct asm_out *o)
{
	if (x->ai->off) {
		asm_out_printf(o, ", ");
		asm_print_hex(o, x->ai->off);
	}
}
static void print_disp(struct asm_out *o, int64_t v)
{
	asm_out_printf(o, "%c 0x%llx", v < 0 ? '-' : '+', (unsigned long long)(v < 0 ? -v : v));
}
static void o_mem_off(struct ctx *x, struct asm_out *o)
{
	print_disp(o, x->ai->off);
}
static void o_mem_imm(struct ctx *x, struct asm_out *o)
{
	print_disp(o, x->ai->imm);
}
static void o_target_off(struct ctx *x, struct asm_out *o)
{
	asm_print_target(o, x->ai, x->ai->off, true);
}
static void o_target_imm(struct ctx *x, struct asm_out *o)
{
	asm_print_target(o, x->ai, x->ai->imm, true);
}
static void o_call_target(struct ctx *x, struct asm_out *o)
{
	if (x->ai->print_target < 0)
		asm_out_printf(o, "pc");
	asm_print_target(o, x->ai, x->ai->imm, true);
}
static void o_size_suffix(struct ctx *x, struct asm_out *o)
{
	asm_out_printf(o, "%s", x->row->size == 8 ? "_64" : "32_32");
}
static void o_nothing(struct ctx *x, struct asm_out *o)
{
	(void)x, (void)o;
}

static const struct {
	bool (*parse)(struct ctx *, struct asm_cur *);
	void (*print)(struct ctx *, struct asm_out *);
} placeholders[26] = {
	['A' - 'A'] = {p_atomic_name, o_atomic_name}, ['B' - 'A'] = {p_size_suffix, o_size_suffix},
	['C' - 'A'] = {p_target_imm, o_call_target},  ['D' - 'A'] = {p_dst, o_dst},
	['E' - 'A'] = {p_opt_off, o_opt_off},         ['G' - 'A'] = {p_regnum, o_regnum},
	['H' - 'A'] = {p_helper, o_imm},              ['I' - 'A'] = {p_imm, o_imm},
	['J' - 'A'] = {p_target_imm, o_target_imm},   ['K' - 'A'] = {p_imm64, o_imm64},
	['L' - 'A'] = {p_ll, o_ll},                   ['M' - 'A'] = {p_mem_off, o_mem_off},
	['N' - 'A'] = {p_disc, o_disc},               ['O' - 'A'] = {p_op, o_op},
	['P' - 'A'] = {p_ptr_dst, o_ptr_dst},         ['Q' - 'A'] = {p_ptr_src, o_ptr_src},
	['R' - 'A'] = {p_opt_64, o_nothing},          ['S' - 'A'] = {p_src, o_src},
	['T' - 'A'] = {p_target_off, o_target_off},   ['V' - 'A'] = {p_opt_hi, o_opt_hi},
	['W' - 'A'] = {p_type, o_type},               ['X' - 'A'] = {p_mnemonic, o_mnemonic},
	['Y' - 'A'] = {p_mem_imm, o_mem_imm},         ['Z' - 'A'] = {p_zero, o_zero},
};

static bool is_placeholder(char ch)
{
	return ch >= 'A' && ch <= 'Z' && placeholders[ch - 'A'].parse;
}

/* Literal text up to the next space or placeholder must match; a literal
 * ending a word ("goto", "call") must end the input word too. */
static bool match_literal(struct ctx *x, struct asm_cur *c, const char **tp)
{
	const char *t = *tp, *start = t;
	while (*t && *t != ' ' && !is_placeholder(*t))
		t++;
	size_t n = (size_t)(t - start);
	asm_skip_ws(c);
	bool word_end = asm_is_ident_char(t[-1]) && (*t == ' ' || !*t);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, start, n) ||
	    (word_end && c->p + n < c->end && asm_is_ident_char(c->p[n]))) {
		asm_err_set(x->e, c->p, ASM_ERR_SYNTAX, "expected '%.*s'", (int)n, start);
		return false;
	}
	c->p += n;
	*tp = t;
	return true;
}

static bool match(struct ctx *x, const char *t, struct asm_cur c)
{
	while (*t) {
		if (*t == ' ') {
			t++;
		} else if (is_placeholder(*t)) {
			asm_skip_ws(&c);
			if (!placeholders[*t++ - 'A'].parse(x, &c))
				return false;
		} else if (!match_literal(x, &c, &t)) {
			return false;
		}
	}
	if (!asm_at_end(&c)) {
		asm_err_set(x->e, c.p, ASM_ERR_SYNTAX, "unexpected '%.*s'",
			    (int)(c.end - c.p > 16 ? 16 : c.end - c.p), c.p);
		return false;
	}
	return true;
}

bool asm_llvm_parse(struct asm_cur line, struct asm_insn *ai, struct asm_err *e)
{
	for (int op = 0; op < BPFRT_OP_COUNT; op++) {
		const struct bpfrt_opcode_info *row = &bpfrt_opcodes[op];
		for (size_t t = 0; t < N_TEMPLATES; t++) {
			if (templates[t].form != row->form || !variant_fits(templates[t].variant, row))
				continue;
			struct asm_insn try = *ai;
			struct ctx x = {.row = row, .ai = &try, .e = e};
			try.op = (enum bpfrt_op)op;
			if (match(&x, templates[t].text, line)) {
				*ai = try;
				return true;
			}
		}
	}
	return false;
}

static const struct tpl *print_template(const struct asm_insn *ai)
{
	const struct bpfrt_opcode_info *row = &bpfrt_opcodes[ai->op];
	uint8_t want = row->form == BPFRT_F_LDDW ? (ai->src ? V_LDDW_PSEUDO : V_LDDW_PLAIN) : V_ANY;
	for (size_t t = 0; t < N_TEMPLATES; t++)
		if (templates[t].form == row->form && templates[t].print &&
		    variant_fits(templates[t].variant, row) &&
		    (want == V_ANY || templates[t].variant == want))
			return &templates[t];
	return NULL;
}

void asm_llvm_print(const struct asm_insn *ai, struct asm_out *o)
{
	const struct tpl *tp = print_template(ai);
	struct asm_insn copy = *ai;
	struct ctx x = {.row = &bpfrt_opcodes[ai->op], .ai = &copy};
	for (const char *t = tp ? tp->text : "<no template>"; *t; t++) {
		if (is_placeholder(*t))
			placeholders[*t - 'A'].print(&x, o);
		else
			asm_out_printf(o, "%c", *t);
	}
}

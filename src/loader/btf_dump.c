/* btf_dump.c — BTF printed three ways: bpftool's `btf dump format raw`
 * listing, a compilable C header (bpftool's `format c`), and data (map keys
 * and values) as bpftool's `map dump` shows them, plain or JSON.
 *
 * The input is a validated struct bpfrt_btf, so ids are in range and type
 * chains acyclic and shallow; walkers still carry a depth and stop at
 * DUMP_MAX_DEPTH, because chains through named structs and pointers are not
 * bounded by validation (struct a { b_t *p; } typedef struct b b_t; ...).
 */
#include "loader/btf_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define DUMP_MAX_DEPTH 256

static const char *name_or_anon(const struct bpfrt_btf *btf, uint32_t off)
{
	const char *s = bpfrt_btf_str(btf, off);
	return s && *s ? s : "(anon)";
}

/* ---- format raw -------------------------------------------------------- */

static const char *int_encoding(uint32_t enc)
{
	switch (enc) {
	case 0:
		return "(none)";
	case BTF_INT_SIGNED:
		return "SIGNED";
	case BTF_INT_CHAR:
		return "CHAR";
	case BTF_INT_BOOL:
		return "BOOL";
	default:
		return "UNKN";
	}
}

static const char *linkage_name(uint32_t l)
{
	return l == 0 ? "static" : l == 1 ? "global" : l == 2 ? "extern" : "(unknown)";
}

static void dump_raw_type(const struct bpfrt_btf *btf, uint32_t id, FILE *f)
{
	const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
	uint32_t kind = btf_kind(t), vlen = btf_vlen(t);

	fprintf(f, "[%u] %s '%s'", id, btf_kind_name(kind), name_or_anon(btf, t->name_off));
	switch (kind) {
	case BTF_KIND_INT: {
		uint32_t v = *(const uint32_t *)btf_extra(t);
		fprintf(f, " size=%u bits_offset=%u nr_bits=%u encoding=%s", t->size,
			BTF_INT_OFFSET(v), BTF_INT_BITS(v), int_encoding(BTF_INT_ENCODING(v)));
		break;
	}
	case BTF_KIND_PTR:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_TYPE_TAG:
		fprintf(f, " type_id=%u", t->type);
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_extra(t);
		fprintf(f, " type_id=%u index_type_id=%u nr_elems=%u", a->type, a->index_type,
			a->nelems);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_extra(t);
		fprintf(f, " size=%u vlen=%u", t->size, vlen);
		for (uint32_t i = 0; i < vlen; i++) {
			uint32_t off = btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(m[i].offset) : m[i].offset;
			uint32_t bsz = btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(m[i].offset) : 0;
			fprintf(f, "\n\t'%s' type_id=%u bits_offset=%u", name_or_anon(btf, m[i].name_off),
				m[i].type, off);
			if (bsz)
				fprintf(f, " bitfield_size=%u", bsz);
		}
		break;
	}
	case BTF_KIND_ENUM: {
		const struct btf_enum *e = btf_extra(t);
		fprintf(f, " encoding=%s size=%u vlen=%u", btf_kflag(t) ? "SIGNED" : "UNSIGNED",
			t->size, vlen);
		for (uint32_t i = 0; i < vlen; i++) {
			if (btf_kflag(t))
				fprintf(f, "\n\t'%s' val=%d", name_or_anon(btf, e[i].name_off), e[i].val);
			else
				fprintf(f, "\n\t'%s' val=%u", name_or_anon(btf, e[i].name_off),
					(uint32_t)e[i].val);
		}
		break;
	}
	case BTF_KIND_ENUM64: {
		const struct btf_enum64 *e = btf_extra(t);
		fprintf(f, " encoding=%s size=%u vlen=%u", btf_kflag(t) ? "SIGNED" : "UNSIGNED",
			t->size, vlen);
		for (uint32_t i = 0; i < vlen; i++) {
			uint64_t v = (uint64_t)e[i].val_hi32 << 32 | e[i].val_lo32;
			if (btf_kflag(t))
				fprintf(f, "\n\t'%s' val=%" PRId64 "LL", name_or_anon(btf, e[i].name_off),
					(int64_t)v);
			else
				fprintf(f, "\n\t'%s' val=%" PRIu64 "ULL", name_or_anon(btf, e[i].name_off),
					v);
		}
		break;
	}
	case BTF_KIND_FWD:
		fprintf(f, " fwd_kind=%s", btf_kflag(t) ? "union" : "struct");
		break;
	case BTF_KIND_FUNC:
		fprintf(f, " type_id=%u linkage=%s", t->type, linkage_name(vlen));
		break;
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = btf_extra(t);
		fprintf(f, " ret_type_id=%u vlen=%u", t->type, vlen);
		for (uint32_t i = 0; i < vlen; i++)
			fprintf(f, "\n\t'%s' type_id=%u", name_or_anon(btf, p[i].name_off), p[i].type);
		break;
	}
	case BTF_KIND_VAR: {
		const struct btf_var *v = btf_extra(t);
		fprintf(f, " type_id=%u, linkage=%s", t->type, linkage_name(v->linkage));
		break;
	}
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *s = btf_extra(t);
		fprintf(f, " size=%u vlen=%u", t->size, vlen);
		for (uint32_t i = 0; i < vlen; i++) {
			const struct btf_type *v = bpfrt_btf_type_by_id(btf, s[i].type);
			fprintf(f, "\n\ttype_id=%u offset=%u size=%u (%s '%s')", s[i].type, s[i].offset,
				s[i].size, btf_kind_name(btf_kind(v)), name_or_anon(btf, v->name_off));
		}
		break;
	}
	case BTF_KIND_FLOAT:
		fprintf(f, " size=%u", t->size);
		break;
	case BTF_KIND_DECL_TAG: {
		const struct btf_decl_tag *d = btf_extra(t);
		fprintf(f, " type_id=%u component_idx=%d", t->type, d->component_idx);
		break;
	}
	default:
		break;
	}
	fputc('\n', f);
}

int bpfrt_btf_dump_raw(const struct bpfrt_btf *btf, FILE *f)
{
	for (uint32_t id = 1; id < btf->type_cnt; id++)
		dump_raw_type(btf, id, f);
	return ferror(f) ? -EIO : 0;
}

/* ---- format c ------------------------------------------------------------ */

/* Per-type state of the C dumper. */
enum {
	C_VISITING = 1, /* on the ordering stack */
	C_ORDERED = 2,	/* in the output order */
	C_SEEN_PTR = 4, /* walked (transparent types) reached through a pointer */
	C_SEEN_VAL = 8, /* walked reached by value */
	C_DECLARED = 16, /* "struct x;" or its definition printed */
	C_INLINE = 32	 /* anonymous body being printed (a cycle if met again) */
};

/* Anonymous bodies printed inline, all told: sharing can make the C text
 * exponential in the BTF, so there is a ceiling (-E2BIG). */
#define DUMP_MAX_INLINE (1u << 20)

struct cdump {
	const struct bpfrt_btf *btf;
	FILE *f;
	uint8_t *state;
	uint32_t *order;
	uint32_t norder;
	uint8_t *align; /* memo: natural alignment, 0 = not computed */
	uint8_t *packed; /* memo: 0 not computed, 1 no, 2 yes */
	uint32_t *stamp; /* declare_refs: visited in walk number gen */
	uint32_t gen;
	uint32_t inline_left;
	int err;
};

/* A type printed as a definition of its own at file scope. */
static bool is_toplevel(const struct bpfrt_btf *btf, uint32_t id)
{
	const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
	if (!t)
		return false;
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return t->name_off && *btf_name(btf, t);
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_FWD:
		return true;
	default:
		return false;
	}
}

static void order_type(struct cdump *d, uint32_t id, bool through_ptr, int depth);

static void order_children(struct cdump *d, const struct btf_type *t, bool through_ptr, int depth)
{
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_extra(t);
		for (uint32_t i = 0; i < btf_vlen(t); i++)
			order_type(d, m[i].type, false, depth + 1);
		break;
	}
	case BTF_KIND_PTR:
		order_type(d, t->type, true, depth + 1);
		break;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		order_type(d, t->type, through_ptr, depth + 1);
		break;
	case BTF_KIND_ARRAY:
		order_type(d, ((const struct btf_array *)btf_extra(t))->type, through_ptr, depth + 1);
		break;
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = btf_extra(t);
		order_type(d, t->type, through_ptr, depth + 1);
		for (uint32_t i = 0; i < btf_vlen(t); i++)
			order_type(d, p[i].type, through_ptr, depth + 1);
		break;
	}
	default:
		break;
	}
}

/* Depth-first: a type comes after what it needs complete.  Named structs
 * and unions behind a pointer need only a declaration, so they are not
 * ordered from there; a loop (possible only through a typedef of a struct)
 * is cut, the declaration printed before the use makes it compile. */
static void order_type(struct cdump *d, uint32_t id, bool through_ptr, int depth)
{
	const struct btf_type *t = bpfrt_btf_type_by_id(d->btf, id);
	if (!t || depth > DUMP_MAX_DEPTH)
		return;
	uint32_t k = btf_kind(t);
	if (is_toplevel(d->btf, id)) {
		if ((k == BTF_KIND_STRUCT || k == BTF_KIND_UNION) && through_ptr)
			return;
		if (d->state[id] & (C_VISITING | C_ORDERED))
			return;
		d->state[id] |= C_VISITING;
		order_children(d, t, false, depth);
		d->state[id] &= ~C_VISITING;
		d->state[id] |= C_ORDERED;
		d->order[d->norder++] = id;
		return;
	}
	uint8_t seen = through_ptr ? C_SEEN_PTR : C_SEEN_VAL;
	if (d->state[id] & seen)
		return;
	d->state[id] |= seen;
	/* Anonymous structs/unions are printed inline: their members are needed
	 * complete even behind a pointer. */
	order_children(d, t, k == BTF_KIND_STRUCT || k == BTF_KIND_UNION ? false : through_ptr,
		       depth);
}

/* Forward-declare every named struct/union t refers to through a pointer
 * and that is not yet printed, so prototypes never declare it locally. */
static void declare_refs(struct cdump *d, uint32_t id, uint32_t self, bool top, int depth)
{
	const struct btf_type *t = bpfrt_btf_type_by_id(d->btf, id);
	if (!t || depth > DUMP_MAX_DEPTH || d->stamp[id] == d->gen)
		return;
	d->stamp[id] = d->gen;
	uint32_t k = btf_kind(t);
	if (!top && is_toplevel(d->btf, id)) {
		if ((k == BTF_KIND_STRUCT || k == BTF_KIND_UNION) && id != self &&
		    !(d->state[id] & C_DECLARED)) {
			fprintf(d->f, "%s %s;\n\n", k == BTF_KIND_UNION ? "union" : "struct",
				btf_name(d->btf, t));
			d->state[id] |= C_DECLARED;
		}
		return;
	}
	switch (k) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_extra(t);
		for (uint32_t i = 0; i < btf_vlen(t); i++)
			declare_refs(d, m[i].type, self, false, depth + 1);
		break;
	}
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		declare_refs(d, t->type, self, false, depth + 1);
		break;
	case BTF_KIND_ARRAY:
		declare_refs(d, ((const struct btf_array *)btf_extra(t))->type, self, false, depth + 1);
		break;
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = btf_extra(t);
		declare_refs(d, t->type, self, false, depth + 1);
		for (uint32_t i = 0; i < btf_vlen(t); i++)
			declare_refs(d, p[i].type, self, false, depth + 1);
		break;
	}
	default:
		break;
	}
}

static void indent(FILE *f, int n)
{
	while (n-- > 0)
		fputc('\t', f);
}

/* Natural alignment in bytes of a type as it will be printed (the way
 * libbpf's dumper estimates it: scalars capped at 8). */
static uint32_t c_align(struct cdump *d, uint32_t id, int depth);
static bool c_packed(struct cdump *d, uint32_t id, int depth);

static uint32_t c_align_of(struct cdump *d, uint32_t id, const struct btf_type *t, int depth);

/* Memoized: structs share members, so plain recursion is exponential. */
static uint32_t c_align(struct cdump *d, uint32_t id, int depth)
{
	const struct btf_type *t = bpfrt_btf_type_by_id(d->btf, id);
	if (!t || depth > BTF_MAX_DEPTH + 2)
		return 1;
	if (!d->align[id])
		d->align[id] = (uint8_t)c_align_of(d, id, t, depth);
	return d->align[id];
}

static uint32_t c_align_of(struct cdump *d, uint32_t id, const struct btf_type *t, int depth)
{
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FLOAT:
		return t->size < 8 ? t->size : 8;
	case BTF_KIND_PTR:
		return 8;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return c_align(d, t->type, depth + 1);
	case BTF_KIND_ARRAY:
		return c_align(d, ((const struct btf_array *)btf_extra(t))->type, depth + 1);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		if (c_packed(d, id, depth))
			return 1;
		uint32_t a = 1;
		const struct btf_member *m = btf_extra(t);
		for (uint32_t i = 0; i < btf_vlen(t); i++) {
			uint32_t ma = c_align(d, m[i].type, depth + 1);
			if (ma > a)
				a = ma;
		}
		return a;
	}
	default:
		return 1;
	}
}

/* Does the layout in BTF need __attribute__((packed)) to come out of a C
 * compiler?  Yes when a member sits off its natural alignment, or the size
 * is no multiple of the alignment. */
static bool c_packed_of(struct cdump *d, const struct btf_type *t, int depth);

static bool c_packed(struct cdump *d, uint32_t id, int depth)
{
	if (!d->packed[id])
		d->packed[id] = c_packed_of(d, bpfrt_btf_type_by_id(d->btf, id), depth) ? 2 : 1;
	return d->packed[id] == 2;
}

static bool c_packed_of(struct cdump *d, const struct btf_type *t, int depth)
{
	const struct btf_member *m = btf_extra(t);
	uint32_t a = 1;
	for (uint32_t i = 0; i < btf_vlen(t); i++) {
		uint32_t off = btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(m[i].offset) : m[i].offset;
		uint32_t bsz = btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(m[i].offset) : 0;
		uint32_t ma = c_align(d, m[i].type, depth + 1);
		if (ma > a)
			a = ma;
		if (bsz) {
			int64_t s = bpfrt_btf_resolve_size(d->btf, m[i].type);
			uint64_t unit = s > 0 ? (uint64_t)s * 8 : 8;
			if (off / unit != (off + bsz - 1) / unit)
				return true; /* straddles its storage unit */
		} else if (off % (ma * 8)) {
			return true;
		}
	}
	return t->size % a != 0;
}

/* Anonymous bit-fields from bit cur to bit target: each full-width one
 * lands on the next boundary of its width, so pick the widest that ends by
 * target; odd bits go in a narrower `char: n`. */
static void emit_padding(FILE *f, uint64_t cur, uint64_t target, int ind)
{
	static const struct {
		const char *type;
		uint32_t bits;
	} units[] = {{"long", 64}, {"int", 32}, {"short", 16}, {"char", 8}};
	/* A wide gap (only in odd BTF) as one array, not millions of lines. */
	if (target - cur > 8 * 64) {
		if (cur % 8) {
			indent(f, ind);
			fprintf(f, "char: %u;\n", (unsigned)(8 - cur % 8));
			cur += 8 - cur % 8;
		}
		indent(f, ind);
		fprintf(f, "char __pad_at_%" PRIu64 "[%" PRIu64 "];\n", cur / 8, (target - cur) / 8);
		cur += (target - cur) / 8 * 8;
	}
	while (cur < target) {
		bool done = false;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && !done; i++) {
			uint64_t u = units[i].bits, start = (cur + u - 1) / u * u;
			if (start + u <= target) {
				indent(f, ind);
				fprintf(f, "%s: %u;\n", units[i].type, units[i].bits);
				cur = start + u;
				done = true;
			}
		}
		if (!done) {
			uint64_t n = target - cur, room = 8 - cur % 8;
			if (n > room)
				n = room;
			indent(f, ind);
			fprintf(f, "char: %u;\n", (unsigned)n);
			cur += n;
		}
	}
}

static void emit_decl(struct cdump *d, uint32_t id, const char *inner, int ind, int depth);

static void emit_enum_body(struct cdump *d, const struct btf_type *t, int ind)
{
	const char *nm = btf_name(d->btf, t);
	fprintf(d->f, "enum %s%s{", nm, *nm ? " " : "");
	for (uint32_t i = 0; i < btf_vlen(t); i++) {
		fputc('\n', d->f);
		indent(d->f, ind + 1);
		if (btf_kind(t) == BTF_KIND_ENUM) {
			const struct btf_enum *e = (const struct btf_enum *)btf_extra(t) + i;
			if (btf_kflag(t))
				fprintf(d->f, "%s = %d,", bpfrt_btf_str(d->btf, e->name_off), e->val);
			else
				fprintf(d->f, "%s = %u,", bpfrt_btf_str(d->btf, e->name_off),
					(uint32_t)e->val);
		} else {
			const struct btf_enum64 *e = (const struct btf_enum64 *)btf_extra(t) + i;
			uint64_t v = (uint64_t)e->val_hi32 << 32 | e->val_lo32;
			if (btf_kflag(t))
				fprintf(d->f, "%s = %" PRId64 "LL,", bpfrt_btf_str(d->btf, e->name_off),
					(int64_t)v);
			else
				fprintf(d->f, "%s = %" PRIu64 "ULL,", bpfrt_btf_str(d->btf, e->name_off),
					v);
		}
	}
	fputc('\n', d->f);
	indent(d->f, ind);
	fputc('}', d->f);
	if (t->size == 1)
		fputs(" __attribute__((packed))", d->f);
}

static void emit_struct_body(struct cdump *d, uint32_t id, int ind, int depth)
{
	const struct btf_type *t = bpfrt_btf_type_by_id(d->btf, id);
	bool is_union = btf_kind(t) == BTF_KIND_UNION;
	bool packed = c_packed(d, id, 0);
	const struct btf_member *m = btf_extra(t);
	const char *nm = btf_name(d->btf, t);
	uint64_t cur = 0;
	uint32_t align = 1;

	fprintf(d->f, "%s %s%s{", is_union ? "union" : "struct", nm, *nm ? " " : "");
	if (btf_vlen(t) == 0) {
		fputc('}', d->f);
		return;
	}
	fputc('\n', d->f);
	for (uint32_t i = 0; i < btf_vlen(t); i++) {
		uint32_t off = btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(m[i].offset) : m[i].offset;
		uint32_t bsz = btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(m[i].offset) : 0;
		int64_t size = bpfrt_btf_resolve_size(d->btf, m[i].type);
		uint32_t ma = packed ? 1 : c_align(d, m[i].type, 0);
		if (ma > align)
			align = ma;
		if (!is_union) {
			/* Where a compiler would put this member after cur. */
			uint64_t natural;
			if (bsz) {
				uint64_t unit = size > 0 ? (uint64_t)size * 8 : 8;
				natural = cur;
				if (!packed && natural / unit != (natural + bsz - 1) / unit)
					natural = (natural + unit - 1) / unit * unit;
			} else {
				natural = (cur + ma * 8 - 1) / (ma * 8) * (ma * 8);
			}
			if (off > natural)
				emit_padding(d->f, cur, off, ind + 1);
		}
		indent(d->f, ind + 1);
		emit_decl(d, m[i].type, bpfrt_btf_str(d->btf, m[i].name_off), ind + 1, depth + 1);
		if (bsz)
			fprintf(d->f, ": %u", bsz);
		fputs(";\n", d->f);
		uint64_t end = (uint64_t)off + (bsz ? bsz : (size > 0 ? (uint64_t)size * 8 : 0));
		if (!is_union)
			cur = end;
	}
	if (!is_union) {
		uint64_t rounded = (cur + align * 8 - 1) / (align * 8) * (align * 8);
		if (rounded < (uint64_t)t->size * 8)
			emit_padding(d->f, cur, (uint64_t)t->size * 8, ind + 1);
	}
	indent(d->f, ind);
	fputc('}', d->f);
	if (packed)
		fputs(" __attribute__((packed))", d->f);
}

/* Print a declaration of inner with type id: C's inside-out declarators.
 * inner grows outward ("p" -> "*p" -> "(*p)[4]") until the base type. */
static void emit_decl(struct cdump *d, uint32_t id, const char *inner, int ind, int depth)
{
	const struct btf_type *t = bpfrt_btf_type_by_id(d->btf, id);
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	const char *sep = *inner ? " " : "";

	if (depth > DUMP_MAX_DEPTH) {
		d->err = -ELOOP;
		fprintf(d->f, "void %s", inner);
		return;
	}
	if (!t) {
		fprintf(d->f, "void%s%s", sep, inner);
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_PTR: {
		const struct btf_type *to = bpfrt_btf_type_by_id(d->btf, t->type);
		/* skip qualifiers to see whether parentheses are needed */
		for (int n = 0; to && n < BTF_MAX_DEPTH &&
				(btf_kind(to) == BTF_KIND_CONST || btf_kind(to) == BTF_KIND_VOLATILE ||
				 btf_kind(to) == BTF_KIND_RESTRICT || btf_kind(to) == BTF_KIND_TYPE_TAG);
		     n++)
			to = bpfrt_btf_type_by_id(d->btf, to->type);
		bool paren = to && (btf_kind(to) == BTF_KIND_ARRAY ||
				    btf_kind(to) == BTF_KIND_FUNC_PROTO);
		bool qual = !strncmp(inner, "const", 5) || !strncmp(inner, "volatile", 8) ||
			    !strncmp(inner, "restrict", 8);
		m = open_memstream(&buf, &len);
		if (!m) {
			d->err = -ENOMEM;
			return;
		}
		fprintf(m, "%s*%s%s%s", paren ? "(" : "", qual ? " " : "", inner, paren ? ")" : "");
		fclose(m);
		emit_decl(d, t->type, buf, ind, depth + 1);
		break;
	}
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT: {
		const char *q = btf_kind(t) == BTF_KIND_CONST	   ? "const"
				: btf_kind(t) == BTF_KIND_VOLATILE ? "volatile"
								   : "restrict";
		const struct btf_type *to = bpfrt_btf_type_by_id(d->btf, t->type);
		for (int n = 0; to && n < BTF_MAX_DEPTH &&
				(btf_kind(to) == BTF_KIND_CONST || btf_kind(to) == BTF_KIND_VOLATILE ||
				 btf_kind(to) == BTF_KIND_RESTRICT || btf_kind(to) == BTF_KIND_TYPE_TAG);
		     n++)
			to = bpfrt_btf_type_by_id(d->btf, to->type);
		if (to && btf_kind(to) == BTF_KIND_PTR) {
			/* qualifies the pointer: goes right of its '*' */
			m = open_memstream(&buf, &len);
			if (!m) {
				d->err = -ENOMEM;
				return;
			}
			fprintf(m, "%s%s%s", q, sep, inner);
			fclose(m);
			emit_decl(d, t->type, buf, ind, depth + 1);
		} else {
			fprintf(d->f, "%s ", q);
			emit_decl(d, t->type, inner, ind, depth + 1);
		}
		break;
	}
	case BTF_KIND_TYPE_TAG:
		emit_decl(d, t->type, inner, ind, depth + 1);
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_extra(t);
		m = open_memstream(&buf, &len);
		if (!m) {
			d->err = -ENOMEM;
			return;
		}
		fprintf(m, "%s[%u]", inner, a->nelems);
		fclose(m);
		emit_decl(d, a->type, buf, ind, depth + 1);
		break;
	}
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = btf_extra(t);
		uint32_t n = btf_vlen(t);
		struct cdump sub = *d;
		m = open_memstream(&buf, &len);
		if (!m) {
			d->err = -ENOMEM;
			return;
		}
		sub.f = m;
		fprintf(m, "%s(", inner);
		if (n == 0)
			fputs("void", m);
		for (uint32_t i = 0; i < n; i++) {
			if (i)
				fputs(", ", m);
			if (i == n - 1 && p[i].type == 0 && p[i].name_off == 0)
				fputs("...", m);
			else
				emit_decl(&sub, p[i].type, bpfrt_btf_str(d->btf, p[i].name_off), ind,
					  depth + 1);
		}
		fputc(')', m);
		fclose(m);
		if (sub.err)
			d->err = sub.err;
		emit_decl(d, t->type, buf, ind, depth + 1);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (t->name_off && *btf_name(d->btf, t)) {
			fprintf(d->f, "%s %s", btf_kind(t) == BTF_KIND_UNION ? "union" : "struct",
				btf_name(d->btf, t));
		} else if ((d->state[id] & C_INLINE) || !d->inline_left) {
			/* an anonymous struct inside itself: C has no way to say it */
			d->err = d->inline_left ? -ELOOP : -E2BIG;
			fputs("void", d->f);
		} else {
			d->inline_left--;
			d->state[id] |= C_INLINE;
			emit_struct_body(d, id, ind, depth);
			d->state[id] &= ~C_INLINE;
		}
		fprintf(d->f, "%s%s", sep, inner);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (t->name_off && *btf_name(d->btf, t))
			fprintf(d->f, "enum %s", btf_name(d->btf, t));
		else
			emit_enum_body(d, t, ind);
		fprintf(d->f, "%s%s", sep, inner);
		break;
	case BTF_KIND_FWD:
		fprintf(d->f, "%s %s%s%s", btf_kflag(t) ? "union" : "struct", btf_name(d->btf, t), sep,
			inner);
		break;
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPEDEF:
		fprintf(d->f, "%s%s%s", btf_name(d->btf, t), sep, inner);
		break;
	default: /* FUNC, VAR, DATASEC, DECL_TAG: not types of a declarator */
		fprintf(d->f, "void%s%s", sep, inner);
		break;
	}
	free(buf);
}

static void emit_toplevel(struct cdump *d, uint32_t id)
{
	const struct btf_type *t = bpfrt_btf_type_by_id(d->btf, id);
	uint32_t k = btf_kind(t);

	switch (k) {
	case BTF_KIND_FWD:
		if (!(d->state[id] & C_DECLARED))
			fprintf(d->f, "%s %s;\n\n", btf_kflag(t) ? "union" : "struct",
				btf_name(d->btf, t));
		d->state[id] |= C_DECLARED;
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		d->gen++;
		declare_refs(d, id, id, true, 0);
		emit_struct_body(d, id, 0, 0);
		fputs(";\n\n", d->f);
		d->state[id] |= C_DECLARED;
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		emit_enum_body(d, t, 0);
		fputs(";\n\n", d->f);
		break;
	case BTF_KIND_TYPEDEF:
		d->gen++;
		declare_refs(d, id, id, true, 0);
		fputs("typedef ", d->f);
		emit_decl(d, t->type, btf_name(d->btf, t), 0, 0);
		fputs(";\n\n", d->f);
		break;
	default:
		break;
	}
}

int bpfrt_btf_dump_c(const struct bpfrt_btf *btf, FILE *f)
{
	struct cdump d = {.btf = btf, .f = f, .inline_left = DUMP_MAX_INLINE};
	d.state = calloc(btf->type_cnt, 1);
	d.order = malloc(btf->type_cnt * sizeof(*d.order));
	d.align = calloc(btf->type_cnt, 1);
	d.packed = calloc(btf->type_cnt, 1);
	d.stamp = calloc(btf->type_cnt, sizeof(*d.stamp));
	if (!d.state || !d.order || !d.align || !d.packed || !d.stamp) {
		d.err = -ENOMEM;
		goto out;
	}
	for (uint32_t id = 1; id < btf->type_cnt; id++) {
		uint32_t k = btf_kind(btf->types[id]);
		/* Variables, functions and sections are not part of the header. */
		if (k == BTF_KIND_VAR || k == BTF_KIND_FUNC || k == BTF_KIND_DATASEC ||
		    k == BTF_KIND_DECL_TAG)
			continue;
		order_type(&d, id, false, 0);
	}
	fputs("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n"
	      "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
	      "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = "
	      "record)\n#endif\n\n",
	      f);
	for (uint32_t i = 0; i < d.norder; i++)
		emit_toplevel(&d, d.order[i]);
	fputs("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n"
	      "#endif /* __VMLINUX_H__ */\n",
	      f);
out:
	free(d.state);
	free(d.order);
	free(d.align);
	free(d.packed);
	free(d.stamp);
	if (d.err)
		return d.err;
	return ferror(f) ? -EIO : 0;
}

/* ---- data (map keys and values) ------------------------------------------ */

/* A JSON writer with bpftool's layout: pretty mode puts each object member
 * on its own line indented 4 spaces per level and closes arrays on a line
 * of their own ("[1,2\n    ]"); compact mode has no spaces at all. */
struct jw {
	FILE *f;
	bool pretty;
	int depth;
	char sep;
};

static void jw_eol(struct jw *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs("    ", w->f);
}

static void jw_eor(struct jw *w)
{
	if (w->sep)
		fputc(w->sep, w->f);
	w->sep = ',';
}

static void jw_begin(struct jw *w, char c)
{
	jw_eor(w);
	fputc(c, w->f);
	w->depth++;
	w->sep = 0;
}

static void jw_end(struct jw *w, char c)
{
	w->depth--;
	if (w->sep)
		jw_eol(w);
	fputc(c, w->f);
	w->sep = ',';
}

static void jw_string_raw(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void jw_name(struct jw *w, const char *name)
{
	jw_eor(w);
	jw_eol(w);
	w->sep = 0;
	jw_string_raw(w->f, name);
	fputs(w->pretty ? ": " : ":", w->f);
}

static void jw_value(struct jw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void jw_value(struct jw *w, const char *fmt, ...)
{
	va_list ap;
	jw_eor(w);
	va_start(ap, fmt);
	vfprintf(w->f, fmt, ap);
	va_end(ap);
}

struct ddump {
	const struct bpfrt_btf *btf;
	struct jw w;
	bool plain;
	const uint8_t *end; /* one past the data: nothing is read beyond */
	uint32_t values_left; /* ceiling on values printed (unions, empty structs) */
};

#define DUMP_MAX_VALUES (1u << 22)

/* Bits [bit_off, bit_off + nbits) of data (little-endian), nbits <= 128,
 * printed in hex as bpftool prints bitfields and 128-bit integers. */
static void print_bits(struct ddump *d, const uint8_t *data, uint32_t bit_off, uint32_t nbits)
{
	uint64_t lo = 0, hi = 0;
	for (uint32_t i = 0; i < nbits; i++) {
		uint32_t b = bit_off + i;
		if ((data[b / 8] >> (b % 8)) & 1) {
			if (i < 64)
				lo |= 1ull << i;
			else
				hi |= 1ull << (i - 64);
		}
	}
	const char *q = d->plain ? "" : "\"";
	if (hi)
		jw_value(&d->w, "%s0x%" PRIx64 "%016" PRIx64 "%s", q, hi, lo, q);
	else
		jw_value(&d->w, "%s0x%" PRIx64 "%s", q, lo, q);
}

static int dump_value(struct ddump *d, uint32_t id, uint32_t bit_off, const uint8_t *data,
		      int depth);

static bool fits(const struct ddump *d, const uint8_t *data, uint64_t bytes)
{
	return data <= d->end && bytes <= (uint64_t)(d->end - data);
}

static int dump_int(struct ddump *d, const struct btf_type *t, uint32_t bit_off,
		    const uint8_t *data)
{
	uint32_t v = *(const uint32_t *)btf_extra(t);
	uint32_t bits = BTF_INT_BITS(v), off = bit_off + BTF_INT_OFFSET(v);
	if (!fits(d, data, ((uint64_t)off + bits + 7) / 8))
		return -EINVAL;
	if (off || bits % 8 || bits == 128) {
		print_bits(d, data + off / 8, off % 8, bits);
		return 0;
	}
	int64_t s = 0;
	uint64_t u = 0;
	switch (bits) {
	case 8: {
		int8_t x;
		memcpy(&x, data, 1);
		s = x, u = (uint8_t)x;
		break;
	}
	case 16: {
		int16_t x;
		memcpy(&x, data, 2);
		s = x, u = (uint16_t)x;
		break;
	}
	case 32: {
		int32_t x;
		memcpy(&x, data, 4);
		s = x, u = (uint32_t)x;
		break;
	}
	case 64:
		memcpy(&u, data, 8);
		s = (int64_t)u;
		break;
	default:
		print_bits(d, data, 0, bits);
		return 0;
	}
	switch (BTF_INT_ENCODING(v)) {
	case BTF_INT_SIGNED:
		jw_value(&d->w, "%" PRId64, s);
		break;
	case BTF_INT_CHAR: {
		char c = (char)data[0];
		if (isprint((unsigned char)c)) {
			jw_eor(&d->w);
			char str[2] = {c, 0};
			jw_string_raw(d->w.f, str);
		} else if (d->plain) {
			jw_value(&d->w, "0x%x", (unsigned char)c);
		} else {
			jw_value(&d->w, "\"\\u00%02x\"", (unsigned char)c);
		}
		break;
	}
	case BTF_INT_BOOL:
		jw_value(&d->w, "%s", u ? "true" : "false");
		break;
	default:
		jw_value(&d->w, "%" PRIu64, u);
		break;
	}
	return 0;
}

/* A char array holding a NUL-terminated printable string prints as one. */
static bool is_string(const struct ddump *d, const struct btf_array *a, const uint8_t *data)
{
	const struct btf_type *e = bpfrt_btf_type_by_id(d->btf, a->type);
	while (e && (btf_kind(e) == BTF_KIND_CONST || btf_kind(e) == BTF_KIND_VOLATILE ||
		     btf_kind(e) == BTF_KIND_RESTRICT))
		e = bpfrt_btf_type_by_id(d->btf, e->type);
	if (!a->nelems || !e || btf_kind(e) != BTF_KIND_INT || e->size != 1)
		return false;
	if (BTF_INT_ENCODING(*(const uint32_t *)btf_extra(e)) != BTF_INT_CHAR &&
	    strcmp(btf_name(d->btf, e), "char"))
		return false;
	for (uint32_t i = 0; i < a->nelems; i++) {
		if (!data[i])
			return true;
		if (data[i] <= 0x1f || data[i] >= 0x7f)
			return false;
	}
	return false;
}

static int dump_value(struct ddump *d, uint32_t id, uint32_t bit_off, const uint8_t *data,
		      int depth)
{
	const struct btf_type *t = bpfrt_btf_type_by_id(d->btf, id);
	int err = 0;

	if (!t || depth > DUMP_MAX_DEPTH)
		return -EINVAL;
	if (!d->values_left--)
		return -E2BIG;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return dump_int(d, t, bit_off, data);
	case BTF_KIND_PTR: {
		uint64_t p;
		if (!fits(d, data, 8))
			return -EINVAL;
		memcpy(&p, data, 8);
		if (d->plain && !p)
			jw_value(&d->w, "(nil)");
		else if (d->plain)
			jw_value(&d->w, "0x%" PRIx64, p);
		else
			jw_value(&d->w, "%" PRIu64, p);
		return 0;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: {
		int64_t v = 0;
		if (!fits(d, data, t->size))
			return -EINVAL;
		if (t->size == 1)
			v = (int8_t)data[0];
		else if (t->size == 2) {
			int16_t x;
			memcpy(&x, data, 2);
			v = x;
		} else if (t->size == 4) {
			int32_t x;
			memcpy(&x, data, 4);
			v = x;
		} else {
			memcpy(&v, data, 8);
		}
		for (uint32_t i = 0; i < btf_vlen(t); i++) {
			int64_t ev;
			uint32_t name;
			if (btf_kind(t) == BTF_KIND_ENUM) {
				const struct btf_enum *e = (const struct btf_enum *)btf_extra(t) + i;
				ev = e->val, name = e->name_off;
			} else {
				const struct btf_enum64 *e = (const struct btf_enum64 *)btf_extra(t) + i;
				ev = (int64_t)((uint64_t)e->val_hi32 << 32 | e->val_lo32);
				name = e->name_off;
				if (t->size < 8) /* compare in the enum's width */
					ev = t->size == 4 ? (int32_t)ev : t->size == 2 ? (int16_t)ev : (int8_t)ev;
			}
			if (ev == v) {
				jw_eor(&d->w);
				jw_string_raw(d->w.f, bpfrt_btf_str(d->btf, name));
				return 0;
			}
		}
		jw_value(&d->w, "%" PRId64, v);
		return 0;
	}
	case BTF_KIND_FLOAT: {
		/* bpftool cannot print floats; bpfrt prints the number */
		if (!fits(d, data, t->size))
			return -EINVAL;
		if (t->size == 4) {
			float x;
			memcpy(&x, data, 4);
			jw_value(&d->w, "%.9g", x);
		} else if (t->size == 8) {
			double x;
			memcpy(&x, data, 8);
			jw_value(&d->w, "%.17g", x);
		} else {
			print_bits(d, data, 0, t->size * 8 > 128 ? 128 : t->size * 8);
		}
		return 0;
	}
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return dump_value(d, t->type, bit_off, data, depth + 1);
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_extra(t);
		int64_t es = bpfrt_btf_resolve_size(d->btf, a->type);
		if (es < 0 || !fits(d, data, (uint64_t)es * a->nelems))
			return -EINVAL;
		if (is_string(d, a, data)) {
			jw_eor(&d->w);
			jw_string_raw(d->w.f, (const char *)data);
			return 0;
		}
		jw_begin(&d->w, '[');
		for (uint32_t i = 0; i < a->nelems && !err; i++)
			err = dump_value(d, a->type, 0, data + (uint64_t)i * es, depth + 1);
		jw_end(&d->w, ']');
		return err;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_extra(t);
		if (!fits(d, data, t->size))
			return -EINVAL;
		jw_begin(&d->w, '{');
		for (uint32_t i = 0; i < btf_vlen(t) && !err; i++) {
			uint32_t off = btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(m[i].offset) : m[i].offset;
			uint32_t bsz = btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(m[i].offset) : 0;
			jw_name(&d->w, bpfrt_btf_str(d->btf, m[i].name_off));
			if (bsz)
				print_bits(d, data + off / 8, off % 8, bsz);
			else
				err = dump_value(d, m[i].type, off % 8, data + off / 8, depth + 1);
		}
		jw_end(&d->w, '}');
		return err;
	}
	case BTF_KIND_VAR:
		jw_begin(&d->w, '{');
		jw_name(&d->w, btf_name(d->btf, t));
		err = dump_value(d, t->type, bit_off, data, depth + 1);
		jw_end(&d->w, '}');
		return err;
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *s = btf_extra(t);
		jw_begin(&d->w, '{');
		jw_name(&d->w, btf_name(d->btf, t));
		jw_begin(&d->w, '[');
		for (uint32_t i = 0; i < btf_vlen(t) && !err; i++) {
			if (!fits(d, data, (uint64_t)s[i].offset + s[i].size))
				err = -EINVAL;
			else
				err = dump_value(d, s[i].type, 0, data + s[i].offset, depth + 1);
		}
		jw_end(&d->w, ']');
		jw_end(&d->w, '}');
		return err;
	}
	default:
		return -EINVAL;
	}
}

int bpfrt_btf_dump_data_depth(const struct bpfrt_btf *btf, uint32_t id, const void *data,
			      size_t size, bool json, int depth, FILE *f)
{
	const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
	if (!t || !data)
		return -EINVAL;
	int64_t need = bpfrt_btf_resolve_size(btf, id);
	/* DATASEC sizes are 0 in object files: then the data decides. */
	if (btf_kind(t) != BTF_KIND_DATASEC && (need < 0 || (uint64_t)need != size))
		return need < 0 ? (int)need : -EINVAL;
	struct ddump d = {
		.btf = btf,
		.w = {.f = f, .pretty = !json, .depth = depth < 0 ? 0 : depth},
		.plain = !json,
		.end = (const uint8_t *)data + size,
		.values_left = DUMP_MAX_VALUES,
	};
	int err = dump_value(&d, id, 0, data, 0);
	if (err)
		return err;
	return ferror(f) ? -EIO : 0;
}

int bpfrt_btf_dump_data(const struct bpfrt_btf *btf, uint32_t id, const void *data, size_t size,
			bool json, FILE *f)
{
	return bpfrt_btf_dump_data_depth(btf, id, data, size, json, 0, f);
}

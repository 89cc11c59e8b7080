/* core_relo.c — BPF CO-RE relocations (enum bpf_core_relo_kind, struct
 * bpf_core_relo in <linux/bpf.h>), applied to each function as it is copied
 * into a program (relocate.c calls loader_core_relocate).
 *
 * A record names an instruction, a type of the object's BTF (the local
 * type) and an access string ("0:1:2": an index on the root as an array,
 * then member / array indexes).  The target is where the program's memory
 * really comes from: bpfrt's builtin BTF (btf_builtin.c) when it has a type
 * of the local type's name, "___flavor" suffixes ignored — the contexts
 * bpfrt provides, laid out as bpfrt lays them out; otherwise the type
 * describes user-space memory the program is handed as is, and the local
 * type is its own target.  Fields are matched by name, through anonymous
 * members, with compatible kinds; the instruction's immediate, offset (and
 * for a load/store of a field whose size differs, its size) or 64-bit
 * immediate is rewritten.  An unresolvable relocation poisons its
 * instruction as libbpf does (a call to helper BPFRT_CORE_POISON): the
 * verifier rejects it if reachable and dead-code elimination drops it when
 * a guard makes it unreachable; the *_EXISTS and TYPE_MATCHES kinds answer
 * 0 instead.  Bitfield shifts assume a
 * little-endian host, as bpfrt's JIT and interpreter do.
 */
#include "loader/btf_internal.h"
#include "loader/loader.h"
#include "verifier/verifier.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CORE_MAX_ACCESS 64 /* longest access string accepted (libbpf's limit too) */
#define CORE_MAX_CANDS 16

static const char *const kind_names[] = {
	[BPF_CORE_FIELD_BYTE_OFFSET] = "FIELD_BYTE_OFFSET", [BPF_CORE_FIELD_BYTE_SIZE] = "FIELD_BYTE_SIZE",
	[BPF_CORE_FIELD_EXISTS] = "FIELD_EXISTS",	    [BPF_CORE_FIELD_SIGNED] = "FIELD_SIGNED",
	[BPF_CORE_FIELD_LSHIFT_U64] = "FIELD_LSHIFT_U64",   [BPF_CORE_FIELD_RSHIFT_U64] = "FIELD_RSHIFT_U64",
	[BPF_CORE_TYPE_ID_LOCAL] = "TYPE_ID_LOCAL",	    [BPF_CORE_TYPE_ID_TARGET] = "TYPE_ID_TARGET",
	[BPF_CORE_TYPE_EXISTS] = "TYPE_EXISTS",		    [BPF_CORE_TYPE_SIZE] = "TYPE_SIZE",
	[BPF_CORE_ENUMVAL_EXISTS] = "ENUMVAL_EXISTS",	    [BPF_CORE_ENUMVAL_VALUE] = "ENUMVAL_VALUE",
	[BPF_CORE_TYPE_MATCHES] = "TYPE_MATCHES",
};

static bool is_field_kind(uint32_t k)
{
	return k <= BPF_CORE_FIELD_RSHIFT_U64;
}

static bool is_enumval_kind(uint32_t k)
{
	return k == BPF_CORE_ENUMVAL_EXISTS || k == BPF_CORE_ENUMVAL_VALUE;
}

/* Kinds whose answer is 0, not an error, when the target lacks the thing. */
static bool is_query_kind(uint32_t k)
{
	return k == BPF_CORE_FIELD_EXISTS || k == BPF_CORE_TYPE_EXISTS || k == BPF_CORE_ENUMVAL_EXISTS ||
	       k == BPF_CORE_TYPE_MATCHES;
}

static bool is_composite(const struct btf_type *t)
{
	return t && (btf_kind(t) == BTF_KIND_STRUCT || btf_kind(t) == BTF_KIND_UNION);
}

static bool is_enum_kind(uint32_t k)
{
	return k == BTF_KIND_ENUM || k == BTF_KIND_ENUM64;
}

/* Length of name without its flavor: "task_struct___v2" -> 11.  A flavor
 * is "___" followed by anything, after a name character that is not '_'. */
static size_t essential_len(const char *name)
{
	size_t n = strlen(name);
	for (size_t i = n; i-- > 1;)
		if (i + 3 < n && !strncmp(name + i, "___", 3) && name[i - 1] != '_' && name[i + 3] != '_')
			return i;
	return n;
}

static bool same_essential(const char *a, const char *b)
{
	size_t la = essential_len(a), lb = essential_len(b);
	return la == lb && !strncmp(a, b, la);
}

/* ---- the relocation being applied (for messages) ----------------------- */

struct core_ctx {
	struct bpfrt_object *obj;
	const struct bpfrt_program *prog;
	const struct loader_func *func;
	uint32_t insn;       /* index in the program */
	uint32_t kind;
	const char *access;
	char what[192];      /* "struct foo.bar[2]", "enum e::X", "struct foo" */
	bool builtin_target; /* the target is bpfrt's builtin BTF */
};

static int core_err(const struct core_ctx *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int core_err(const struct core_ctx *c, int err, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	char in_func[160] = "";
	if (c->func->prog != c->prog)
		snprintf(in_func, sizeof(in_func), " (in function '%s')", c->func->name);
	return loader_err(c->obj, err, "prog '%s' insn %u%s: CO-RE %s (%s, access \"%s\")", c->prog->name,
			  c->insn, in_func, why, kind_names[c->kind], c->access);
}

static void what_add(struct core_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void what_add(struct core_ctx *c, const char *fmt, ...)
{
	size_t len = strlen(c->what);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->what + len, sizeof(c->what) - len, fmt, ap);
	va_end(ap);
}

static const char *kind_word(const struct btf_type *t)
{
	switch (t ? btf_kind(t) : BTF_KIND_UNKN) {
	case BTF_KIND_STRUCT:
		return "struct ";
	case BTF_KIND_UNION:
		return "union ";
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return "enum ";
	default:
		return "";
	}
}

/* c->what = "struct foo", "enum bar", "int", "<anonymous struct 7>" */
static void what_root(struct core_ctx *c, const struct bpfrt_btf *btf, uint32_t id)
{
	const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
	const char *name = t ? btf_name(btf, t) : "void";
	if (*name)
		snprintf(c->what, sizeof(c->what), "%s%s", kind_word(t), name);
	else
		snprintf(c->what, sizeof(c->what), "<anonymous %s%u>", kind_word(t), id);
}

static const char *member_name(const struct bpfrt_btf *btf, const struct btf_member *m)
{
	const char *s = bpfrt_btf_str(btf, m->name_off);
	return s ? s : "";
}

/* ---- access strings and fields ------------------------------------------ */

struct core_access {
	uint32_t raw[CORE_MAX_ACCESS];
	uint32_t n;
};

static bool parse_access(const char *s, struct core_access *a)
{
	a->n = 0;
	while (*s) {
		if (a->n == CORE_MAX_ACCESS || *s < '0' || *s > '9')
			return false;
		uint64_t v = 0;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (uint64_t)(*s++ - '0');
			if (v > UINT32_MAX)
				return false;
		}
		a->raw[a->n++] = (uint32_t)v;
		if (*s == ':' && s[1])
			s++;
		else if (*s)
			return false;
	}
	return a->n > 0;
}

/* A field resolved in one BTF: its type, bit offset from the start of the
 * root object (array index included) and bitfield size (0: not one). */
struct core_field {
	uint32_t type_id;
	uint64_t bit_off;
	uint32_t bit_size;
};

static void member_bits(const struct btf_type *t, const struct btf_member *m, uint64_t *off, uint32_t *size)
{
	if (btf_kflag(t)) {
		*off = BTF_MEMBER_BIT_OFFSET(m->offset);
		*size = BTF_MEMBER_BITFIELD_SIZE(m->offset);
	} else {
		*off = m->offset;
		*size = 0;
	}
}

/* Old-style bitfields (no kflag) keep their width in the INT type. */
static void finish_field(const struct bpfrt_btf *btf, struct core_field *f)
{
	const struct btf_type *t = bpfrt_btf_skip_mods(btf, f->type_id, NULL);
	if (f->bit_size || !t || btf_kind(t) != BTF_KIND_INT)
		return;
	uint32_t enc;
	memcpy(&enc, btf_extra(t), sizeof(enc));
	if (BTF_INT_OFFSET(enc) || BTF_INT_BITS(enc) != t->size * 8) {
		f->bit_off += BTF_INT_OFFSET(enc);
		f->bit_size = BTF_INT_BITS(enc);
	}
}

/* Walk the access on the local type; fills f and c->what.  NULL, or why
 * the record does not fit its own type (a malformed object). */
static const char *walk_local(struct core_ctx *c, const struct bpfrt_btf *btf, uint32_t root,
			      const struct core_access *a, struct core_field *f)
{
	uint32_t id;
	const struct btf_type *t = bpfrt_btf_skip_mods(btf, root, &id);
	int64_t sz = bpfrt_btf_resolve_size(btf, root);
	if (!t || sz < 0)
		return "the root type has no size";
	what_root(c, btf, root);
	if (a->raw[0])
		what_add(c, "[%u]", a->raw[0]);
	f->bit_off = (uint64_t)a->raw[0] * (uint64_t)sz * 8;
	f->bit_size = 0;
	for (uint32_t k = 1; k < a->n; k++) {
		t = bpfrt_btf_skip_mods(btf, id, &id);
		if (is_composite(t)) {
			if (a->raw[k] >= btf_vlen(t))
				return "member index beyond the members of the type";
			const struct btf_member *m = (const struct btf_member *)btf_extra(t) + a->raw[k];
			uint64_t off;
			member_bits(t, m, &off, &f->bit_size);
			f->bit_off += off;
			id = m->type;
			const char *name = member_name(btf, m);
			if (*name)
				what_add(c, ".%s", name);
			else if (k + 1 == a->n)
				return "the access ends on an anonymous member";
		} else if (t && btf_kind(t) == BTF_KIND_ARRAY) {
			const struct btf_array *arr = btf_extra(t);
			int64_t esz = bpfrt_btf_resolve_size(btf, arr->type);
			if (esz < 0 || (a->raw[k] >= arr->nelems && arr->nelems))
				return "array index beyond the array";
			f->bit_off += (uint64_t)a->raw[k] * (uint64_t)esz * 8;
			f->bit_size = 0;
			id = arr->type;
			what_add(c, "[%u]", a->raw[k]);
		} else {
			return "an index on a type that is neither a struct, a union nor an array";
		}
	}
	f->type_id = id;
	finish_field(btf, f);
	return NULL;
}

/* Member called name of composite t, looking inside anonymous members. */
static bool find_member(const struct bpfrt_btf *btf, const struct btf_type *t, const char *name, uint64_t base,
			struct core_field *out, int depth)
{
	const struct btf_member *m = btf_extra(t);
	for (uint32_t i = 0; i < btf_vlen(t); i++) {
		uint64_t off;
		uint32_t bits;
		member_bits(t, &m[i], &off, &bits);
		const char *mname = member_name(btf, &m[i]);
		if (!strcmp(mname, name)) {
			*out = (struct core_field){m[i].type, base + off, bits};
			return true;
		}
		const struct btf_type *mt = bpfrt_btf_skip_mods(btf, m[i].type, NULL);
		if (!*mname && is_composite(mt) && depth < BTF_MAX_DEPTH &&
		    find_member(btf, mt, name, base + off, out, depth + 1))
			return true;
	}
	return false;
}

/* Can a field of local type lid be read as a field of target type tid? */
static bool fields_compat(const struct bpfrt_btf *lb, uint32_t lid, const struct bpfrt_btf *tb, uint32_t tid,
			  int depth)
{
	const struct btf_type *lt = bpfrt_btf_skip_mods(lb, lid, NULL);
	const struct btf_type *tt = bpfrt_btf_skip_mods(tb, tid, NULL);
	if (!lt || !tt)
		return !lt && !tt;
	uint32_t lk = btf_kind(lt), tk = btf_kind(tt);
	if (is_composite(lt) && is_composite(tt))
		return true;
	if ((lk == BTF_KIND_INT || is_enum_kind(lk)) && (tk == BTF_KIND_INT || is_enum_kind(tk)))
		return true;
	if (lk != tk)
		return false;
	switch (lk) {
	case BTF_KIND_PTR:
	case BTF_KIND_FLOAT:
	case BTF_KIND_FWD:
		return true;
	case BTF_KIND_ARRAY:
		return depth < BTF_MAX_DEPTH &&
		       fields_compat(lb, ((const struct btf_array *)btf_extra(lt))->type, tb,
				     ((const struct btf_array *)btf_extra(tt))->type, depth + 1);
	default:
		return false;
	}
}

/* The local access replayed on target root troot: 1 and *tf, or 0 when
 * the target has no such field. */
static int match_field(const struct bpfrt_btf *lb, uint32_t lroot, const struct core_access *a,
		       const struct bpfrt_btf *tb, uint32_t troot, struct core_field *tf)
{
	int64_t sz = bpfrt_btf_resolve_size(tb, troot);
	if (sz < 0)
		return 0;
	uint32_t lid = lroot, tid = troot;
	tf->bit_off = (uint64_t)a->raw[0] * (uint64_t)sz * 8;
	tf->bit_size = 0;
	for (uint32_t k = 1; k < a->n; k++) {
		const struct btf_type *lt = bpfrt_btf_skip_mods(lb, lid, &lid);
		const struct btf_type *tt = bpfrt_btf_skip_mods(tb, tid, &tid);
		if (is_composite(lt)) {
			const struct btf_member *lm = (const struct btf_member *)btf_extra(lt) + a->raw[k];
			const char *name = member_name(lb, lm);
			lid = lm->type;
			if (!*name)
				continue; /* anonymous: find_member below looks through them */
			struct core_field m;
			if (!is_composite(tt) || !find_member(tb, tt, name, 0, &m, 0) ||
			    !fields_compat(lb, lid, tb, m.type_id, 0))
				return 0;
			tf->bit_off += m.bit_off;
			tf->bit_size = m.bit_size;
			tid = m.type_id;
		} else {
			if (!tt || btf_kind(tt) != BTF_KIND_ARRAY)
				return 0;
			const struct btf_array *ta = btf_extra(tt);
			int64_t esz = bpfrt_btf_resolve_size(tb, ta->type);
			if (esz < 0 || (a->raw[k] >= ta->nelems && ta->nelems))
				return 0;
			tf->bit_off += (uint64_t)a->raw[k] * (uint64_t)esz * 8;
			tf->bit_size = 0;
			tid = ta->type;
			lid = ((const struct btf_array *)btf_extra(lt))->type;
		}
	}
	tf->type_id = tid;
	finish_field(tb, tf);
	return 1;
}

/* The answer of a field relocation about field f.  *mem_size: the bytes a
 * load of it reads; *int_like: a scalar whose load size may be adjusted. */
static const char *field_value(const struct bpfrt_btf *btf, const struct core_field *f, uint32_t kind,
			       uint64_t *val, uint32_t *mem_size, bool *int_like)
{
	const struct btf_type *t = bpfrt_btf_skip_mods(btf, f->type_id, NULL);
	int64_t sz = bpfrt_btf_resolve_size(btf, f->type_id);
	uint32_t k = t ? btf_kind(t) : BTF_KIND_UNKN;
	*int_like = k == BTF_KIND_INT || is_enum_kind(k) || k == BTF_KIND_PTR;
	*mem_size = 0;
	if (kind == BPF_CORE_FIELD_EXISTS) {
		*val = 1;
		return NULL;
	}
	if (sz < 0)
		return "the field has no size";
	uint64_t byte_off, bit_in = 0;
	if (f->bit_size) {
		/* The smallest naturally aligned load, at least the field's own
		 * type's size, that holds every bit of the bitfield. */
		uint64_t chunk = (uint64_t)sz;
		if (chunk != 1 && chunk != 2 && chunk != 4 && chunk != 8)
			return "a bitfield of a type that is not 1, 2, 4 or 8 bytes";
		byte_off = f->bit_off / 8 / chunk * chunk;
		while (f->bit_off + f->bit_size - byte_off * 8 > chunk * 8) {
			if (chunk == 8)
				return "a bitfield that no 8-byte load holds";
			chunk *= 2;
			byte_off = f->bit_off / 8 / chunk * chunk;
		}
		bit_in = f->bit_off - byte_off * 8;
		sz = (int64_t)chunk;
	} else {
		if (f->bit_off % 8)
			return "a field that is not byte-aligned";
		byte_off = f->bit_off / 8;
	}
	*mem_size = sz > UINT32_MAX ? UINT32_MAX : (uint32_t)sz;
	switch (kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
		*val = byte_off;
		return NULL;
	case BPF_CORE_FIELD_BYTE_SIZE:
		*val = (uint64_t)sz;
		return NULL;
	case BPF_CORE_FIELD_SIGNED: {
		uint32_t enc = 0;
		if (k == BTF_KIND_INT)
			memcpy(&enc, btf_extra(t), sizeof(enc));
		*val = (k == BTF_KIND_INT && (BTF_INT_ENCODING(enc) & BTF_INT_SIGNED)) ||
		       (is_enum_kind(k) && btf_kflag(t));
		return NULL;
	}
	case BPF_CORE_FIELD_LSHIFT_U64:
	case BPF_CORE_FIELD_RSHIFT_U64:
		if (sz > 8)
			return "bit shifts of a field larger than 8 bytes";
		if (kind == BPF_CORE_FIELD_LSHIFT_U64)
			*val = f->bit_size ? 64 - (bit_in + f->bit_size) : 64 - (uint64_t)sz * 8;
		else
			*val = f->bit_size ? 64 - f->bit_size : 64 - (uint64_t)sz * 8;
		return NULL;
	}
	return "an unknown field relocation";
}

/* ---- types and enum values --------------------------------------------- */

static bool types_match(const struct bpfrt_btf *lb, uint32_t lid, const struct bpfrt_btf *tb, uint32_t tid,
			bool behind_ptr, int depth);

/* Every member of local composite lt has a matching one in tt. */
static bool members_match(const struct bpfrt_btf *lb, const struct btf_type *lt, const struct bpfrt_btf *tb,
			  const struct btf_type *tt, int depth)
{
	const struct btf_member *m = btf_extra(lt);
	for (uint32_t i = 0; i < btf_vlen(lt); i++) {
		const char *name = member_name(lb, &m[i]);
		const struct btf_type *mt = bpfrt_btf_skip_mods(lb, m[i].type, NULL);
		if (!*name) {
			if (is_composite(mt) && !members_match(lb, mt, tb, tt, depth + 1))
				return false;
			continue; /* unnamed padding bitfields need no counterpart */
		}
		struct core_field f;
		if (!find_member(tb, tt, name, 0, &f, 0) || !types_match(lb, m[i].type, tb, f.type_id, false, depth + 1))
			return false;
	}
	return true;
}

/* TYPE_MATCHES: kinds (enum/enum64 alike) and names (flavors aside) agree;
 * ints and floats have the same size (and ints the same signedness);
 * arrays the same length and matching elements; pointers matching targets
 * (composites behind a pointer by name only, which also ends recursion on
 * self-referencing types); structs/unions: every local member has a
 * same-named target member of a matching type; enums: every local
 * enumerator name exists in the target; prototypes: same arity, matching
 * return and parameter types.  Modifiers are ignored. */
static bool types_match(const struct bpfrt_btf *lb, uint32_t lid, const struct bpfrt_btf *tb, uint32_t tid,
			bool behind_ptr, int depth)
{
	if (depth > BTF_MAX_DEPTH)
		return false;
	if (lb == tb && lid == tid)
		return true; /* a type is its own target: no walk (exponential on nested copies) */
	const struct btf_type *lt = bpfrt_btf_skip_mods(lb, lid, NULL);
	const struct btf_type *tt = bpfrt_btf_skip_mods(tb, tid, NULL);
	if (!lt || !tt)
		return !lt && !tt;
	uint32_t lk = btf_kind(lt), tk = btf_kind(tt);
	if (!(lk == tk || (is_enum_kind(lk) && is_enum_kind(tk))))
		return false;
	const char *ln = btf_name(lb, lt), *tn = btf_name(tb, tt);
	if ((is_composite(lt) || is_enum_kind(lk) || lk == BTF_KIND_FWD) && *ln && !same_essential(ln, tn))
		return false;
	switch (lk) {
	case BTF_KIND_INT: {
		uint32_t le, te;
		memcpy(&le, btf_extra(lt), sizeof(le));
		memcpy(&te, btf_extra(tt), sizeof(te));
		return lt->size == tt->size &&
		       (BTF_INT_ENCODING(le) & BTF_INT_SIGNED) == (BTF_INT_ENCODING(te) & BTF_INT_SIGNED);
	}
	case BTF_KIND_FLOAT:
		return lt->size == tt->size;
	case BTF_KIND_PTR:
		return types_match(lb, lt->type, tb, tt->type, true, depth + 1);
	case BTF_KIND_ARRAY: {
		const struct btf_array *la = btf_extra(lt), *ta = btf_extra(tt);
		return la->nelems == ta->nelems && types_match(lb, la->type, tb, ta->type, behind_ptr, depth + 1);
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return behind_ptr || members_match(lb, lt, tb, tt, depth);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: {
		for (uint32_t i = 0; i < btf_vlen(lt); i++) {
			const uint32_t *le = (const uint32_t *)btf_extra(lt) + i * (lk == BTF_KIND_ENUM ? 2 : 3);
			const char *name = bpfrt_btf_str(lb, le[0]);
			bool found = false;
			for (uint32_t j = 0; j < btf_vlen(tt) && !found; j++) {
				const uint32_t *te = (const uint32_t *)btf_extra(tt) + j * (tk == BTF_KIND_ENUM ? 2 : 3);
				found = same_essential(name, bpfrt_btf_str(tb, te[0]));
			}
			if (!found)
				return false;
		}
		return true;
	}
	case BTF_KIND_FUNC_PROTO: {
		if (btf_vlen(lt) != btf_vlen(tt) || !types_match(lb, lt->type, tb, tt->type, behind_ptr, depth + 1))
			return false;
		const struct btf_param *lp = btf_extra(lt), *tp = btf_extra(tt);
		for (uint32_t i = 0; i < btf_vlen(lt); i++)
			if (!types_match(lb, lp[i].type, tb, tp[i].type, behind_ptr, depth + 1))
				return false;
		return true;
	}
	default:
		return true; /* FWD: the names agreed */
	}
}

/* Enumerator i of enum t: name and value (sign-extended when signed). */
static const char *enumerator(const struct bpfrt_btf *btf, const struct btf_type *t, uint32_t i, uint64_t *val)
{
	if (btf_kind(t) == BTF_KIND_ENUM) {
		const struct btf_enum *e = (const struct btf_enum *)btf_extra(t) + i;
		*val = btf_kflag(t) ? (uint64_t)(int64_t)e->val : (uint64_t)(uint32_t)e->val;
		return bpfrt_btf_str(btf, e->name_off);
	}
	const struct btf_enum64 *e = (const struct btf_enum64 *)btf_extra(t) + i;
	*val = (uint64_t)e->val_hi32 << 32 | e->val_lo32;
	return bpfrt_btf_str(btf, e->name_off);
}

/* ---- candidates --------------------------------------------------------- */

/* The target BTF of local type lid and the candidate ids in it. */
static const struct bpfrt_btf *find_candidates(struct core_ctx *c, uint32_t lid, uint32_t *ids, uint32_t *n)
{
	const struct bpfrt_btf *lb = c->obj->btf;
	const struct btf_type *lt = bpfrt_btf_type_by_id(lb, lid);
	const char *name = lt ? btf_name(lb, lt) : "";
	size_t ess = essential_len(name);
	const struct bpfrt_btf *bb = bpfrt_btf_builtin();
	bool in_builtin = false;
	for (uint32_t id = 1; ess && bb && id < bpfrt_btf_type_cnt(bb) && !in_builtin; id++) {
		const char *tn = btf_name(bb, bpfrt_btf_type_by_id(bb, id));
		in_builtin = strlen(tn) == ess && !strncmp(tn, name, ess);
	}
	if (!in_builtin) {
		ids[0] = lid;
		*n = 1;
		return lb;
	}
	c->builtin_target = true;
	uint32_t lk = btf_kind(lt);
	*n = 0;
	for (uint32_t id = 1; id < bpfrt_btf_type_cnt(bb) && *n < CORE_MAX_CANDS; id++) {
		const struct btf_type *t = bpfrt_btf_type_by_id(bb, id);
		uint32_t tk = btf_kind(t);
		const char *tn = btf_name(bb, t);
		if ((tk == lk || (is_enum_kind(tk) && is_enum_kind(lk))) && strlen(tn) == ess && !strncmp(tn, name, ess))
			ids[(*n)++] = id;
	}
	return bb;
}

/* The answer of relocation kind on candidate tid of target tb: 1 with
 * *val (and for fields *sz, *int_like), 0 when it doesn't have it, or -1
 * with *why when the target has it in a form that can't be expressed. */
struct core_result {
	uint64_t val;
	uint32_t mem_size;
	bool int_like;
	bool bitfield; /* clang picks its own load unit for bitfields, so the
			* instruction may hold another (equally valid) local answer */
};

static int resolve_on(struct core_ctx *c, uint32_t lid, const struct core_access *a, const struct core_field *lf,
		      const struct bpfrt_btf *tb, uint32_t tid, struct core_result *r, const char **why)
{
	const struct bpfrt_btf *lb = c->obj->btf;
	*why = NULL;
	if (is_field_kind(c->kind)) {
		/* A type that is its own target needs no search (which, on an
		 * untrusted object's deep anonymous nesting, could be costly). */
		struct core_field tf = *lf;
		if (!(tb == lb && tid == lid) && !match_field(lb, lid, a, tb, tid, &tf))
			return 0;
		*why = field_value(tb, &tf, c->kind, &r->val, &r->mem_size, &r->int_like);
		return *why ? -1 : 1;
	}
	if (is_enumval_kind(c->kind)) {
		uint64_t v;
		const char *name = enumerator(lb, bpfrt_btf_skip_mods(lb, lid, NULL), a->raw[0], &v);
		const struct btf_type *tt = bpfrt_btf_skip_mods(tb, tid, NULL);
		if (!tt || !is_enum_kind(btf_kind(tt)))
			return 0;
		/* enumerators, like types, may carry a flavor (XDP_PASS___v2) */
		for (uint32_t i = 0; i < btf_vlen(tt); i++)
			if (same_essential(enumerator(tb, tt, i, &v), name)) {
				r->val = c->kind == BPF_CORE_ENUMVAL_EXISTS ? 1 : v;
				return 1;
			}
		return 0;
	}
	switch (c->kind) {
	case BPF_CORE_TYPE_ID_LOCAL:
		r->val = lid;
		return 1;
	case BPF_CORE_TYPE_ID_TARGET:
		r->val = tid;
		return 1;
	case BPF_CORE_TYPE_EXISTS:
		r->val = 1;
		return 1;
	case BPF_CORE_TYPE_MATCHES:
		r->val = 1;
		return types_match(lb, lid, tb, tid, false, 0);
	case BPF_CORE_TYPE_SIZE: {
		int64_t sz = bpfrt_btf_resolve_size(tb, tid);
		if (sz < 0) {
			*why = "a type without a size";
			return -1;
		}
		r->val = (uint64_t)sz;
		return 1;
	}
	}
	*why = "an unknown relocation kind";
	return -1;
}

/* ---- patching ------------------------------------------------------------ */

/* BPF_B/H/W/DW for an access of n bytes, or -1. */
static int size_code(uint32_t n)
{
	switch (n) {
	case 1:
		return BPF_B;
	case 2:
		return BPF_H;
	case 4:
		return BPF_W;
	case 8:
		return BPF_DW;
	default:
		return -1;
	}
}

static uint32_t access_bytes(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B:
		return 1;
	case BPF_H:
		return 2;
	case BPF_W:
		return 4;
	default:
		return 8;
	}
}

/* Rewrite the instruction at in (avail slots left in its function) from
 * the local answer orig to val. */
static int patch(const struct core_ctx *c, struct bpf_insn *in, uint32_t avail, uint64_t orig,
		 const struct core_result *local, const struct core_result *r)
{
	uint8_t cls = BPF_CLASS(in->code);
	uint64_t val = r->val;
	if (cls == BPF_ALU || cls == BPF_ALU64) {
		if (BPF_SRC(in->code) != BPF_K)
			return core_err(c, -EINVAL, "relocation of %s is on an ALU instruction without an immediate",
					c->what);
		if (!local->bitfield && in->imm != (int32_t)orig)
			return core_err(c, -EINVAL, "relocation of %s: the instruction holds %d, the object's BTF says %" PRId64,
					c->what, in->imm, (int64_t)orig);
		bool fits = cls == BPF_ALU ? val <= UINT32_MAX || (int64_t)val >= INT32_MIN
					   : (int64_t)val >= INT32_MIN && (int64_t)val <= INT32_MAX;
		if (!fits)
			return core_err(c, -ERANGE, "value %" PRIu64 " of %s does not fit the instruction's 32-bit immediate",
					val, c->what);
		in->imm = (int32_t)val;
		return 0;
	}
	if (cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX) {
		uint8_t mode = BPF_MODE(in->code);
		if (mode != BPF_MEM && mode != 0x80 /* BPF_MEMSX */ && !(cls == BPF_STX && mode == BPF_ATOMIC))
			return core_err(c, -EINVAL, "relocation of %s is on a memory instruction of mode 0x%02x", c->what,
					mode);
		if (!local->bitfield && in->off != (int16_t)orig)
			return core_err(c, -EINVAL, "relocation of %s: the instruction's offset is %d, the object's BTF says %" PRIu64,
					c->what, in->off, orig);
		if (val > INT16_MAX)
			return core_err(c, -ERANGE, "offset %" PRIu64 " of %s is too large for a memory instruction",
					val, c->what);
		in->off = (int16_t)val;
		if (c->kind == BPF_CORE_FIELD_BYTE_OFFSET && r->mem_size != local->mem_size) {
			uint32_t n = access_bytes(in->code);
			if (n != local->mem_size)
				return core_err(c, -EINVAL, "the instruction accesses %u bytes of %s, a %u-byte field", n,
						c->what, local->mem_size);
			int code = size_code(r->mem_size);
			if (!r->int_like || mode == BPF_ATOMIC || code < 0)
				return core_err(c, -EINVAL, "%s is %u bytes in the target but %u in the object; the access can't be resized",
						c->what, r->mem_size, local->mem_size);
			in->code = (uint8_t)((in->code & ~0x18) | code);
		}
		return 0;
	}
	if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
		if (avail < 2 || in->src_reg)
			return core_err(c, -EINVAL, "relocation of %s is on an ld_imm64 that is not a plain constant", c->what);
		uint64_t have = (uint64_t)(uint32_t)in[1].imm << 32 | (uint32_t)in[0].imm;
		if (!local->bitfield && have != orig)
			return core_err(c, -EINVAL, "relocation of %s: the instruction holds %" PRIu64 ", the object's BTF says %" PRIu64,
					c->what, have, orig);
		in[0].imm = (int32_t)(uint32_t)val;
		in[1].imm = (int32_t)(uint32_t)(val >> 32);
		return 0;
	}
	return core_err(c, -EINVAL, "relocation of %s is on instruction 0x%02x, which carries no constant to patch",
			c->what, in->code);
}

/* ---- one record ------------------------------------------------------------ */

static int apply_one(struct core_ctx *c, const struct bpf_core_relo *rec, struct bpf_insn *in, uint32_t avail)
{
	const struct bpfrt_btf *lb = c->obj->btf;
	struct core_access a;
	if (!parse_access(c->access, &a))
		return core_err(c, -EINVAL, "relocation with a malformed access string");
	uint32_t lid = rec->type_id;
	what_root(c, lb, lid);

	/* The local answer: what the instruction holds now. */
	struct core_result local = {0};
	struct core_field lf = {0};
	const char *noun;
	if (is_field_kind(c->kind)) {
		noun = "field";
		const char *why = walk_local(c, lb, lid, &a, &lf);
		if (!why)
			why = field_value(lb, &lf, c->kind, &local.val, &local.mem_size, &local.int_like);
		local.bitfield = lf.bit_size != 0;
		if (why)
			return core_err(c, -EINVAL, "relocation of %s: %s", c->what, why);
	} else if (is_enumval_kind(c->kind)) {
		noun = "enum value";
		const struct btf_type *et = bpfrt_btf_skip_mods(lb, lid, NULL);
		if (!et || !is_enum_kind(btf_kind(et)) || a.n != 1 || a.raw[0] >= btf_vlen(et))
			return core_err(c, -EINVAL, "relocation on %s: access is not an enumerator of an enum", c->what);
		uint64_t v;
		const char *en = enumerator(lb, et, a.raw[0], &v);
		local.val = c->kind == BPF_CORE_ENUMVAL_EXISTS ? 1 : v;
		what_add(c, "::%s", en ? en : "?");
	} else {
		noun = "type";
		if (a.n != 1 || a.raw[0] != 0)
			return core_err(c, -EINVAL, "relocation on %s: a type relocation's access must be \"0\"", c->what);
		local.val = c->kind == BPF_CORE_TYPE_SIZE ? (uint64_t)bpfrt_btf_resolve_size(lb, lid)
			  : c->kind <= BPF_CORE_TYPE_ID_TARGET ? lid
								 : 1;
		if (c->kind == BPF_CORE_TYPE_SIZE && bpfrt_btf_resolve_size(lb, lid) < 0)
			return core_err(c, -EINVAL, "size of %s, which has none", c->what);
	}
	if (c->kind == BPF_CORE_TYPE_ID_LOCAL)
		return patch(c, in, avail, local.val, &local, &local);

	uint32_t ids[CORE_MAX_CANDS], n = 0;
	const struct bpfrt_btf *tb = find_candidates(c, lid, ids, &n);
	const char *where = c->builtin_target ? "bpfrt's kernel BTF" : "the object's BTF";
	struct core_result best = {0};
	bool found = false;
	for (uint32_t i = 0; i < n; i++) {
		struct core_result r = {0};
		const char *why;
		int got = resolve_on(c, lid, &a, &lf, tb, ids[i], &r, &why);
		if (got < 0)
			return core_err(c, -EINVAL, "%s '%s' in %s is %s", noun, c->what, where, why);
		if (!got)
			continue;
		if (found && (r.val != best.val || r.mem_size != best.mem_size))
			return core_err(c, -EINVAL, "%s '%s' is ambiguous: candidates in %s disagree (%" PRIu64 " vs %" PRIu64 ")",
					noun, c->what, where, best.val, r.val);
		best = r;
		found = true;
	}
	if (!found) {
		if (!is_query_kind(c->kind)) {
			/* As libbpf: poison the instruction.  The verifier rejects it
			 * if reachable (naming the relocation), and dead-code
			 * elimination removes it when a bpf_core_field_exists()
			 * guard makes it unreachable. */
			struct bpfrt_program *prog = (struct bpfrt_program *)c->prog;
			if (!prog->poison_note[0]) {
				core_err(c, -ENOENT, "%s '%s' not found in %s", noun, c->what, where);
				memcpy(prog->poison_note, c->obj->err, sizeof(prog->poison_note));
				prog->poison_note[sizeof(prog->poison_note) - 1] = 0;
				c->obj->err[0] = 0;
			}
			bool two = in->code == (BPF_LD | BPF_IMM | BPF_DW) && avail > 1;
			for (int k = 0; k < (two ? 2 : 1); k++)
				in[k] = (struct bpf_insn){.code = BPF_JMP | BPF_CALL, .imm = BPFRT_CORE_POISON};
			return 0;
		}
		best = (struct core_result){0};
		best.mem_size = local.mem_size;
	}
	return patch(c, in, avail, local.val, &local, &best);
}

int loader_core_relocate(struct bpfrt_object *obj, const struct bpfrt_program *p, const struct loader_func *f,
			 struct bpf_insn *insns, uint32_t out)
{
	if (!obj->btf_ext || !obj->btf)
		return 0;
	const char *sec = obj->elf.secs[f->sec_idx].name;
	uint32_t cnt = 0, rs = 0;
	const uint8_t *rec = bpfrt_btf_ext_core_relo(obj->btf_ext, sec, &cnt, &rs);
	for (uint32_t i = 0; rec && i < cnt; i++) {
		struct bpf_core_relo r;
		memcpy(&r, rec + (size_t)i * rs, sizeof(r));
		uint32_t idx = r.insn_off / 8;
		if (idx < f->off || idx >= f->off + f->cnt)
			continue;
		struct core_ctx c = {.obj = obj, .prog = p, .func = f, .insn = out + (idx - f->off), .kind = r.kind,
				     .access = bpfrt_btf_str(obj->btf, r.access_str_off)};
		if (r.insn_off % 8)
			return loader_err(obj, -EINVAL, "section '%s': CO-RE relocation at offset %u is not on an instruction boundary",
					  sec, r.insn_off);
		if (r.kind >= sizeof(kind_names) / sizeof(kind_names[0]) || !c.access)
			return loader_err(obj, -EINVAL, "section '%s': CO-RE relocation at offset %u is malformed", sec,
					  r.insn_off);
		int err = apply_one(&c, &r, insns + c.insn, f->off + f->cnt - idx);
		if (err)
			return err;
	}
	return 0;
}

/* btf.c — parsing and validating .BTF, and the type queries the loader,
 * verifier and dumpers use (by id, by name, modifiers skipped, sizes).
 *
 * Validation runs in passes over a private copy: header and sections, then
 * record extents (ids assigned), then each record alone (kinds, flags,
 * names, referenced ids), then the reference graphs (no loops, bounded
 * depth; done with explicit stacks, never recursion), then struct member
 * extents.  After that the invariants of btf_internal.h hold and nothing
 * else here re-checks them.  Input is untrusted (fuzzed): every read is
 * bounds-checked before it happens.
 */
#include "loader/btf_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[NR_BTF_KINDS] = {
	[BTF_KIND_UNKN] = "UNKNOWN",	 [BTF_KIND_INT] = "INT",
	[BTF_KIND_PTR] = "PTR",		 [BTF_KIND_ARRAY] = "ARRAY",
	[BTF_KIND_STRUCT] = "STRUCT",	 [BTF_KIND_UNION] = "UNION",
	[BTF_KIND_ENUM] = "ENUM",	 [BTF_KIND_FWD] = "FWD",
	[BTF_KIND_TYPEDEF] = "TYPEDEF",	 [BTF_KIND_VOLATILE] = "VOLATILE",
	[BTF_KIND_CONST] = "CONST",	 [BTF_KIND_RESTRICT] = "RESTRICT",
	[BTF_KIND_FUNC] = "FUNC",	 [BTF_KIND_FUNC_PROTO] = "FUNC_PROTO",
	[BTF_KIND_VAR] = "VAR",		 [BTF_KIND_DATASEC] = "DATASEC",
	[BTF_KIND_FLOAT] = "FLOAT",	 [BTF_KIND_DECL_TAG] = "DECL_TAG",
	[BTF_KIND_TYPE_TAG] = "TYPE_TAG", [BTF_KIND_ENUM64] = "ENUM64",
};

const char *btf_kind_name(uint32_t kind)
{
	return kind < NR_BTF_KINDS ? kind_names[kind] : "UNKNOWN";
}

const char *btf_name(const struct bpfrt_btf *btf, const struct btf_type *t)
{
	const char *s = bpfrt_btf_str(btf, t->name_off);
	return s ? s : "";
}

/* ---- errors ---------------------------------------------------------- */

static void *fail(struct bpfrt_diag *diag, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void *fail(struct bpfrt_diag *diag, const char *fmt, ...)
{
	if (diag) {
		va_list ap;
		diag->insn = -1;
		diag->line = 0;
		va_start(ap, fmt);
		vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
		va_end(ap);
	}
	errno = EINVAL;
	return NULL;
}

/* A name for messages, safe even when name_off itself is the problem. */
static const char *safe_name(const struct bpfrt_btf *btf, const struct btf_type *t)
{
	if (t->name_off >= btf->str_len)
		return "<bad name>";
	return btf->strs + t->name_off;
}

/* "BTF type [12] (STRUCT 'foo'): <what>"; returns -EINVAL. */
static int type_fail(struct bpfrt_diag *diag, const struct bpfrt_btf *btf, uint32_t id,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int type_fail(struct bpfrt_diag *diag, const struct bpfrt_btf *btf, uint32_t id,
		     const char *fmt, ...)
{
	if (diag) {
		const struct btf_type *t = btf->types[id];
		char what[192];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
		diag->insn = -1;
		diag->line = 0;
		snprintf(diag->msg, sizeof(diag->msg), "BTF type [%u] (%s '%s'): %s", id,
			 btf_kind_name(btf_kind(t)), safe_name(btf, t), what);
	}
	return -EINVAL;
}

/* ---- header and record extents --------------------------------------- */

/* Bytes of the record after struct btf_type, or -1 for an unknown kind. */
static int64_t extra_size(const struct btf_type *t)
{
	uint64_t vlen = btf_vlen(t);
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return sizeof(uint32_t);
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR:
		return sizeof(struct btf_var);
	case BTF_KIND_DATASEC:
		return vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG:
		return sizeof(struct btf_decl_tag);
	case BTF_KIND_ENUM64:
		return vlen * sizeof(struct btf_enum64);
	default:
		return -1;
	}
}

static int check_header(struct bpfrt_btf *btf, struct bpfrt_diag *diag, const uint8_t **types,
			uint32_t *types_len)
{
	const uint8_t *p = btf->raw;
	size_t size = btf->raw_size;
	struct btf_header h;

	if (size < offsetof(struct btf_header, type_off))
		return fail(diag, "BTF: %zu bytes, too short for a header", size), -EINVAL;
	memcpy(&h, p, offsetof(struct btf_header, type_off));
	if (h.magic == 0x9feb)
		return fail(diag, "BTF: byte-swapped (other-endian) BTF is not supported"), -EINVAL;
	if (h.magic != BTF_MAGIC)
		return fail(diag, "BTF: bad magic 0x%04x (expected 0x%04x)", h.magic, BTF_MAGIC),
		       -EINVAL;
	if (h.version != BTF_VERSION)
		return fail(diag, "BTF: unsupported version %u", h.version), -EINVAL;
	if (h.flags != 0)
		return fail(diag, "BTF: unsupported flags 0x%x", h.flags), -EINVAL;
	if (h.hdr_len < sizeof(h))
		return fail(diag, "BTF: header length %u < %zu", h.hdr_len, sizeof(h)), -EINVAL;
	if (h.hdr_len > size)
		return fail(diag, "BTF: header length %u beyond the %zu bytes of data", h.hdr_len,
			    size),
		       -EINVAL;
	memcpy(&h, p, sizeof(h));
	/* A longer header than we know is fine only if the unknown part is zero. */
	for (size_t i = sizeof(h); i < h.hdr_len; i++)
		if (p[i])
			return fail(diag, "BTF: unknown non-zero header byte at offset %zu", i),
			       -EINVAL;

	uint64_t avail = size - h.hdr_len;
	if ((uint64_t)h.type_off + h.type_len > avail)
		return fail(diag, "BTF: type section [%u, +%u) beyond the %llu bytes after the header",
			    h.type_off, h.type_len, (unsigned long long)avail),
		       -EINVAL;
	if ((uint64_t)h.str_off + h.str_len > avail)
		return fail(diag,
			    "BTF: string section [%u, +%u) beyond the %llu bytes after the header",
			    h.str_off, h.str_len, (unsigned long long)avail),
		       -EINVAL;
	if (((uint64_t)h.hdr_len + h.type_off) % 4 || h.type_len % 4)
		return fail(diag, "BTF: type section at %u (+%u) is not 4-byte aligned", h.type_off,
			    h.type_len),
		       -EINVAL;
	if (h.type_len && h.str_len &&
	    (uint64_t)h.type_off < (uint64_t)h.str_off + h.str_len &&
	    (uint64_t)h.str_off < (uint64_t)h.type_off + h.type_len)
		return fail(diag, "BTF: type and string sections overlap"), -EINVAL;
	if (h.str_len == 0)
		return fail(diag, "BTF: empty string section"), -EINVAL;
	if (h.str_len > BTF_MAX_NAME_OFFSET + 1u)
		return fail(diag, "BTF: string section of %u bytes is too large", h.str_len),
		       -EINVAL;
	btf->strs = (const char *)p + h.hdr_len + h.str_off;
	btf->str_len = h.str_len;
	if (btf->strs[0] != 0)
		return fail(diag, "BTF: string section does not start with an empty string"),
		       -EINVAL;
	if (btf->strs[h.str_len - 1] != 0)
		return fail(diag, "BTF: string section is not NUL-terminated"), -EINVAL;
	*types = p + h.hdr_len + h.type_off;
	*types_len = h.type_len;
	return 0;
}

/* Assign ids: one walk to count, one to fill types[]. */
static int index_types(struct bpfrt_btf *btf, const uint8_t *sec, uint32_t len,
		       struct bpfrt_diag *diag)
{
	uint32_t cnt = 1;
	for (int fill = 0; fill < 2; fill++) {
		uint32_t off = 0, id = 1;
		while (off < len) {
			const struct btf_type *t = (const struct btf_type *)(sec + off);
			if (len - off < sizeof(*t))
				return fail(diag,
					    "BTF type [%u]: header at type section offset %u truncated "
					    "(%u bytes left)",
					    id, off, len - off),
				       -EINVAL;
			int64_t extra = extra_size(t);
			if (extra < 0)
				return fail(diag, "BTF type [%u]: unknown kind %u", id, btf_kind(t)),
				       -EINVAL;
			if ((uint64_t)len - off - sizeof(*t) < (uint64_t)extra)
				return fail(diag,
					    "BTF type [%u] (%s): record of %llu bytes at offset %u runs "
					    "past the type section (%u bytes)",
					    id, btf_kind_name(btf_kind(t)),
					    (unsigned long long)(sizeof(*t) + extra), off, len),
				       -EINVAL;
			if (id >= BTF_MAX_TYPES)
				return fail(diag, "BTF: more than %u types", BTF_MAX_TYPES - 1),
				       -E2BIG;
			if (fill)
				btf->types[id] = t;
			off += sizeof(*t) + (uint32_t)extra;
			id++;
		}
		if (!fill) {
			cnt = id;
			btf->types = calloc(cnt, sizeof(*btf->types));
			if (!btf->types)
				return -ENOMEM;
		}
	}
	btf->type_cnt = cnt;
	return 0;
}

/* ---- each record alone ------------------------------------------------ */

static bool valid_ident(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

/* Variables and functions may carry clang's "func.static_var" names. */
static bool valid_dotted_ident(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '.'))
			return false;
	return true;
}

/* Section names (".data", ".rodata.str1.1", "license"): printable, no space. */
static bool valid_section_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isgraph((unsigned char)*s))
			return false;
	return true;
}

enum name_rule { NAME_NONE, NAME_OPT_IDENT, NAME_IDENT, NAME_DOTTED, NAME_ANY, NAME_SECTION };

static int check_name(const struct bpfrt_btf *btf, uint32_t id, uint32_t off, enum name_rule rule,
		      const char *what, struct bpfrt_diag *diag)
{
	if (off >= btf->str_len)
		return type_fail(diag, btf, id, "%s name offset %u beyond the %u-byte string section",
				 what, off, btf->str_len);
	const char *s = btf->strs + off;
	switch (rule) {
	case NAME_NONE:
		if (off)
			return type_fail(diag, btf, id, "%s must not have a name", what);
		break;
	case NAME_OPT_IDENT:
		if (*s && !valid_ident(s))
			return type_fail(diag, btf, id, "%s name '%.64s' is not an identifier", what, s);
		break;
	case NAME_IDENT:
		if (!valid_ident(s))
			return type_fail(diag, btf, id, "%s name '%.64s' is not an identifier", what, s);
		break;
	case NAME_DOTTED:
		if (!valid_dotted_ident(s))
			return type_fail(diag, btf, id, "%s name '%.64s' is not an identifier", what, s);
		break;
	case NAME_ANY:
		if (!*s)
			return type_fail(diag, btf, id, "%s needs a name", what);
		break;
	case NAME_SECTION:
		if (!valid_section_name(s))
			return type_fail(diag, btf, id, "%s name '%.64s' is not a section name", what, s);
		break;
	}
	return 0;
}

static int check_ref(const struct bpfrt_btf *btf, uint32_t id, uint32_t ref, bool void_ok,
		     const char *what, struct bpfrt_diag *diag)
{
	if (ref >= btf->type_cnt)
		return type_fail(diag, btf, id, "%s refers to type %u, beyond %u types", what, ref,
				 btf->type_cnt);
	if (ref == 0 && !void_ok)
		return type_fail(diag, btf, id, "%s refers to void", what);
	return 0;
}

static int check_int(const struct bpfrt_btf *btf, uint32_t id, const struct btf_type *t,
		     struct bpfrt_diag *diag)
{
	uint32_t v = *(const uint32_t *)btf_extra(t);
	uint32_t enc = BTF_INT_ENCODING(v), bits = BTF_INT_BITS(v), off = BTF_INT_OFFSET(v);
	if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8 && t->size != 16)
		return type_fail(diag, btf, id, "size %u is not 1, 2, 4, 8 or 16", t->size);
	if (v & 0xf000ff00u)
		return type_fail(diag, btf, id, "reserved bits set in 0x%08x", v);
	if (bits == 0 || bits > 128 || off + bits > t->size * 8)
		return type_fail(diag, btf, id, "bits_offset %u + nr_bits %u do not fit %u bytes", off,
				 bits, t->size);
	if (enc != 0 && enc != BTF_INT_SIGNED && enc != BTF_INT_CHAR && enc != BTF_INT_BOOL)
		return type_fail(diag, btf, id, "unknown encoding 0x%x", enc);
	return 0;
}

static int check_type(const struct bpfrt_btf *btf, uint32_t id, struct bpfrt_diag *diag)
{
	const struct btf_type *t = btf->types[id];
	uint32_t kind = btf_kind(t), vlen = btf_vlen(t);
	bool kflag_ok = false, has_vlen = false;
	int err = 0;

	if (t->info & 0x60ff0000u)
		return type_fail(diag, btf, id, "reserved bits set in info 0x%08x", t->info);

	switch (kind) {
	case BTF_KIND_INT:
		err = check_name(btf, id, t->name_off, NAME_ANY, "int", diag);
		if (!err)
			err = check_int(btf, id, t, diag);
		break;
	case BTF_KIND_FLOAT:
		err = check_name(btf, id, t->name_off, NAME_ANY, "float", diag);
		if (!err && t->size != 2 && t->size != 4 && t->size != 8 && t->size != 12 &&
		    t->size != 16)
			err = type_fail(diag, btf, id, "size %u is not 2, 4, 8, 12 or 16", t->size);
		break;
	case BTF_KIND_PTR:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
		err = check_name(btf, id, t->name_off, NAME_NONE, "type", diag);
		if (!err)
			err = check_ref(btf, id, t->type, true, "type", diag);
		break;
	case BTF_KIND_TYPEDEF:
		err = check_name(btf, id, t->name_off, NAME_IDENT, "typedef", diag);
		if (!err)
			err = check_ref(btf, id, t->type, true, "typedef", diag);
		break;
	case BTF_KIND_TYPE_TAG:
		kflag_ok = true;
		err = check_name(btf, id, t->name_off, NAME_ANY, "type tag", diag);
		if (!err)
			err = check_ref(btf, id, t->type, true, "type tag", diag);
		break;
	case BTF_KIND_FWD:
		kflag_ok = true;
		err = check_name(btf, id, t->name_off, NAME_IDENT, "forward declaration", diag);
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_extra(t);
		err = check_name(btf, id, t->name_off, NAME_NONE, "array", diag);
		if (!err && t->size)
			err = type_fail(diag, btf, id, "size field %u is not 0", t->size);
		if (!err)
			err = check_ref(btf, id, a->type, false, "element", diag);
		if (!err)
			err = check_ref(btf, id, a->index_type, false, "index type", diag);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_extra(t);
		kflag_ok = has_vlen = true;
		err = check_name(btf, id, t->name_off, NAME_OPT_IDENT, "struct", diag);
		for (uint32_t i = 0; !err && i < vlen; i++) {
			char what[32];
			snprintf(what, sizeof(what), "member %u", i);
			err = check_name(btf, id, m[i].name_off, NAME_OPT_IDENT, what, diag);
			if (!err)
				err = check_ref(btf, id, m[i].type, false, what, diag);
		}
		break;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: {
		kflag_ok = has_vlen = true;
		err = check_name(btf, id, t->name_off, NAME_OPT_IDENT, "enum", diag);
		if (!err && t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8)
			err = type_fail(diag, btf, id, "size %u is not 1, 2, 4 or 8", t->size);
		for (uint32_t i = 0; !err && i < vlen; i++) {
			uint32_t off = kind == BTF_KIND_ENUM
					       ? ((const struct btf_enum *)btf_extra(t))[i].name_off
					       : ((const struct btf_enum64 *)btf_extra(t))[i].name_off;
			char what[32];
			snprintf(what, sizeof(what), "enumerator %u", i);
			err = check_name(btf, id, off, NAME_IDENT, what, diag);
		}
		break;
	}
	case BTF_KIND_FUNC:
		has_vlen = true; /* vlen is the linkage */
		err = check_name(btf, id, t->name_off, NAME_DOTTED, "function", diag);
		if (!err && vlen > BTF_FUNC_EXTERN)
			err = type_fail(diag, btf, id, "unknown linkage %u", vlen);
		if (!err)
			err = check_ref(btf, id, t->type, false, "function", diag);
		if (!err && btf_kind(btf->types[t->type]) != BTF_KIND_FUNC_PROTO)
			err = type_fail(diag, btf, id, "type %u is %s, not FUNC_PROTO", t->type,
					btf_kind_name(btf_kind(btf->types[t->type])));
		break;
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = btf_extra(t);
		has_vlen = true;
		err = check_name(btf, id, t->name_off, NAME_NONE, "prototype", diag);
		if (!err)
			err = check_ref(btf, id, t->type, true, "return type", diag);
		for (uint32_t i = 0; !err && i < vlen; i++) {
			char what[32];
			snprintf(what, sizeof(what), "parameter %u", i);
			/* The last parameter may be void without a name: "...". */
			bool varargs = i == vlen - 1 && p[i].type == 0 && p[i].name_off == 0;
			err = check_name(btf, id, p[i].name_off, NAME_OPT_IDENT, what, diag);
			if (!err)
				err = check_ref(btf, id, p[i].type, varargs, what, diag);
		}
		break;
	}
	case BTF_KIND_VAR: {
		const struct btf_var *v = btf_extra(t);
		err = check_name(btf, id, t->name_off, NAME_DOTTED, "variable", diag);
		if (!err)
			err = check_ref(btf, id, t->type, false, "variable", diag);
		if (!err && v->linkage > BTF_VAR_GLOBAL_EXTERN)
			err = type_fail(diag, btf, id, "unknown linkage %u", v->linkage);
		break;
	}
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *s = btf_extra(t);
		has_vlen = true;
		err = check_name(btf, id, t->name_off, NAME_SECTION, "section", diag);
		for (uint32_t i = 0; !err && i < vlen; i++) {
			char what[32];
			snprintf(what, sizeof(what), "variable %u", i);
			err = check_ref(btf, id, s[i].type, false, what, diag);
			if (err)
				break;
			uint32_t k = btf_kind(btf->types[s[i].type]);
			if (k != BTF_KIND_VAR && k != BTF_KIND_FUNC)
				err = type_fail(diag, btf, id, "%s is type %u of kind %s, not VAR", what,
						s[i].type, btf_kind_name(k));
			else if ((uint64_t)s[i].offset + s[i].size > UINT32_MAX ||
				 (t->size && s[i].offset + s[i].size > t->size))
				err = type_fail(diag, btf, id,
						"%s at offset %u size %u exceeds the section size %u",
						what, s[i].offset, s[i].size, t->size);
		}
		break;
	}
	case BTF_KIND_DECL_TAG: {
		const struct btf_decl_tag *d = btf_extra(t);
		kflag_ok = true;
		err = check_name(btf, id, t->name_off, NAME_ANY, "declaration tag", diag);
		if (!err)
			err = check_ref(btf, id, t->type, false, "declaration tag", diag);
		if (err || d->component_idx == -1)
			break;
		const struct btf_type *target = btf->types[t->type];
		uint32_t tk = btf_kind(target), n = 0;
		if (tk == BTF_KIND_STRUCT || tk == BTF_KIND_UNION)
			n = btf_vlen(target);
		else if (tk == BTF_KIND_FUNC && target->type < btf->type_cnt &&
			 btf->types[target->type] &&
			 btf_kind(btf->types[target->type]) == BTF_KIND_FUNC_PROTO)
			n = btf_vlen(btf->types[target->type]);
		if (d->component_idx < 0 || (uint32_t)d->component_idx >= n)
			err = type_fail(diag, btf, id, "component_idx %d out of range for type %u",
					d->component_idx, t->type);
		break;
	}
	default:
		err = type_fail(diag, btf, id, "unknown kind %u", kind);
	}
	if (err)
		return err;
	if (btf_kflag(t) && !kflag_ok)
		return type_fail(diag, btf, id, "kind_flag set");
	if (vlen && !has_vlen)
		return type_fail(diag, btf, id, "vlen %u on a kind without members", vlen);
	return 0;
}

/* ---- reference graphs ------------------------------------------------- */

/* Two graphs must be acyclic and shallow.  VALUE: "contains by value"
 * (modifiers, arrays, variables, struct/union members) — a cycle is a type
 * of infinite size.  DECL: "is written in terms of" as a C declarator
 * (modifiers, pointers, arrays, prototypes, functions, variables; structs,
 * unions and enums end it by name) — a cycle cannot be written in C and
 * would send any printer around forever. */
enum graph { G_VALUE, G_DECL };

/* The i-th edge out of id in graph g, or -1 when there are no more. */
static int64_t edge(const struct bpfrt_btf *btf, uint32_t id, uint32_t i, enum graph g)
{
	const struct btf_type *t = btf->types[id];
	if (!t)
		return -1;
	switch (btf_kind(t)) {
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_VAR:
		return i == 0 ? (int64_t)t->type : -1;
	case BTF_KIND_PTR:
	case BTF_KIND_FUNC:
		return g == G_DECL && i == 0 ? (int64_t)t->type : -1;
	case BTF_KIND_ARRAY:
		return i == 0 ? (int64_t)((const struct btf_array *)btf_extra(t))->type : -1;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (g != G_VALUE || i >= btf_vlen(t))
			return -1;
		return ((const struct btf_member *)btf_extra(t))[i].type;
	case BTF_KIND_FUNC_PROTO:
		if (g != G_DECL)
			return -1;
		if (i == 0)
			return (int64_t)t->type;
		if (i > btf_vlen(t))
			return -1;
		return ((const struct btf_param *)btf_extra(t))[i - 1].type;
	default:
		return -1;
	}
}

/* Depth-first search with an explicit stack; depth[] holds the longest
 * path below each finished node, state 1 marks nodes on the stack. */
static int check_graph(const struct bpfrt_btf *btf, enum graph g, struct bpfrt_diag *diag)
{
	uint32_t n = btf->type_cnt;
	uint8_t *state = calloc(n, 1);
	uint16_t *depth = calloc(n, sizeof(*depth));
	uint32_t *stack_id = malloc(n * sizeof(*stack_id));
	uint32_t *stack_edge = malloc(n * sizeof(*stack_edge));
	int err = 0;

	if (!state || !depth || !stack_id || !stack_edge) {
		err = -ENOMEM;
		goto out;
	}
	for (uint32_t root = 1; root < n && !err; root++) {
		if (state[root])
			continue;
		uint32_t sp = 0;
		stack_id[sp] = root;
		stack_edge[sp++] = 0;
		state[root] = 1;
		while (sp && !err) {
			uint32_t id = stack_id[sp - 1];
			int64_t next = edge(btf, id, stack_edge[sp - 1]++, g);
			if (next < 0) {
				state[id] = 2;
				sp--;
				if (sp) {
					uint32_t parent = stack_id[sp - 1];
					if (depth[id] + 1 > depth[parent])
						depth[parent] = depth[id] + 1;
					if (depth[parent] > BTF_MAX_DEPTH)
						err = type_fail(diag, btf, parent,
								"references nest deeper than %d",
								BTF_MAX_DEPTH);
				}
				continue;
			}
			uint32_t to = (uint32_t)next;
			if (to == 0)
				continue;
			if (state[to] == 1) {
				err = type_fail(diag, btf, to,
						g == G_VALUE ? "contains itself (through type %u)"
							     : "loop of references (through type %u)",
						id);
			} else if (state[to] == 2) {
				if (depth[to] + 1 > depth[id])
					depth[id] = depth[to] + 1;
			} else {
				state[to] = 1;
				stack_id[sp] = to;
				stack_edge[sp++] = 0;
			}
			if (!err && depth[id] > BTF_MAX_DEPTH)
				err = type_fail(diag, btf, id, "references nest deeper than %d",
						BTF_MAX_DEPTH);
		}
	}
out:
	free(state);
	free(depth);
	free(stack_id);
	free(stack_edge);
	return err;
}

/* Struct/union members must lie inside the struct, and bitfields fit. */
static int check_members(const struct bpfrt_btf *btf, uint32_t id, struct bpfrt_diag *diag)
{
	const struct btf_type *t = btf->types[id];
	const struct btf_member *m = btf_extra(t);
	uint64_t bits = (uint64_t)t->size * 8;

	for (uint32_t i = 0; i < btf_vlen(t); i++) {
		uint32_t off = btf_kflag(t) ? BTF_MEMBER_BIT_OFFSET(m[i].offset) : m[i].offset;
		uint32_t bsz = btf_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(m[i].offset) : 0;
		int64_t msize = bpfrt_btf_resolve_size(btf, m[i].type);
		if (msize < 0)
			return type_fail(diag, btf, id, "member %u ('%s') has type %u of no size", i,
					 btf->strs + m[i].name_off, m[i].type);
		if (bsz) {
			if (bsz > 128 || bsz > (uint64_t)msize * 8)
				return type_fail(diag, btf, id,
						 "member %u ('%s'): bitfield of %u bits in a %lld-byte type",
						 i, btf->strs + m[i].name_off, bsz, (long long)msize);
			if ((uint64_t)off + bsz > bits)
				return type_fail(diag, btf, id,
						 "member %u ('%s') at bit %u (+%u bits) exceeds %u bytes", i,
						 btf->strs + m[i].name_off, off, bsz, t->size);
		} else {
			if (off % 8)
				return type_fail(diag, btf, id,
						 "member %u ('%s') at bit %u is not byte aligned", i,
						 btf->strs + m[i].name_off, off);
			if ((uint64_t)off / 8 + (uint64_t)msize > t->size)
				return type_fail(diag, btf, id,
						 "member %u ('%s') at byte %u (+%lld) exceeds %u bytes", i,
						 btf->strs + m[i].name_off, off / 8, (long long)msize,
						 t->size);
		}
	}
	return 0;
}

/* ---- public ------------------------------------------------------------ */

struct bpfrt_btf *bpfrt_btf_new(const void *data, size_t size, struct bpfrt_diag *diag)
{
	struct bpfrt_btf *btf;
	const uint8_t *types;
	uint32_t types_len;
	int err;

	if (!data && size)
		return fail(diag, "BTF: no data");
	btf = calloc(1, sizeof(*btf));
	if (!btf)
		return errno = ENOMEM, NULL;
	btf->raw = malloc(size ? size : 1);
	if (!btf->raw) {
		free(btf);
		return errno = ENOMEM, NULL;
	}
	if (size)
		memcpy(btf->raw, data, size);
	btf->raw_size = size;

	err = check_header(btf, diag, &types, &types_len);
	if (!err)
		err = index_types(btf, types, types_len, diag);
	for (uint32_t id = 1; !err && id < btf->type_cnt; id++)
		err = check_type(btf, id, diag);
	if (!err)
		err = check_graph(btf, G_VALUE, diag);
	if (!err)
		err = check_graph(btf, G_DECL, diag);
	for (uint32_t id = 1; !err && id < btf->type_cnt; id++) {
		uint32_t k = btf_kind(btf->types[id]);
		if (k == BTF_KIND_STRUCT || k == BTF_KIND_UNION)
			err = check_members(btf, id, diag);
	}
	if (err) {
		if (err == -ENOMEM && diag)
			fail(diag, "BTF: out of memory");
		bpfrt_btf_free(btf);
		errno = -err;
		return NULL;
	}
	return btf;
}

void bpfrt_btf_free(struct bpfrt_btf *btf)
{
	if (!btf)
		return;
	free(btf->types);
	free(btf->raw);
	free(btf);
}

const void *bpfrt_btf_raw(const struct bpfrt_btf *btf, size_t *size)
{
	if (size)
		*size = btf->raw_size;
	return btf->raw;
}

uint32_t bpfrt_btf_type_cnt(const struct bpfrt_btf *btf)
{
	return btf->type_cnt;
}

const struct btf_type *bpfrt_btf_type_by_id(const struct bpfrt_btf *btf, uint32_t id)
{
	return id && id < btf->type_cnt ? btf->types[id] : NULL;
}

const char *bpfrt_btf_str(const struct bpfrt_btf *btf, uint32_t offset)
{
	return offset < btf->str_len ? btf->strs + offset : NULL;
}

int32_t bpfrt_btf_find_by_name_kind(const struct bpfrt_btf *btf, const char *name, uint32_t kind)
{
	if (!name)
		return -EINVAL;
	for (uint32_t id = 1; id < btf->type_cnt; id++) {
		const struct btf_type *t = btf->types[id];
		if (btf_kind(t) == kind && strcmp(btf->strs + t->name_off, name) == 0)
			return (int32_t)id;
	}
	return -ENOENT;
}

const struct btf_type *bpfrt_btf_skip_mods(const struct bpfrt_btf *btf, uint32_t id,
					   uint32_t *out_id)
{
	const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
	/* Bounded even though validation rules out loops. */
	for (int n = 0; t && btf_is_mod(btf_kind(t)) && n <= BTF_MAX_DEPTH; n++) {
		id = t->type;
		t = bpfrt_btf_type_by_id(btf, id);
	}
	if (t && btf_is_mod(btf_kind(t)))
		t = NULL, id = 0;
	if (out_id)
		*out_id = t ? id : 0;
	return t;
}

int64_t bpfrt_btf_resolve_size(const struct bpfrt_btf *btf, uint32_t id)
{
	uint64_t mult = 1;
	for (int n = 0; n <= BTF_MAX_DEPTH; n++) {
		const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
		if (!t)
			return -EINVAL;
		switch (btf_kind(t)) {
		case BTF_KIND_INT:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FLOAT:
		case BTF_KIND_DATASEC:
			if (t->size && mult > (uint64_t)INT64_MAX / t->size)
				return -E2BIG;
			return (int64_t)(mult * t->size);
		case BTF_KIND_PTR:
			if (mult > (uint64_t)INT64_MAX / sizeof(uint64_t))
				return -E2BIG;
			return (int64_t)(mult * sizeof(uint64_t));
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
		case BTF_KIND_VAR:
			id = t->type;
			break;
		case BTF_KIND_ARRAY: {
			const struct btf_array *a = btf_extra(t);
			if (a->nelems && mult > (uint64_t)INT64_MAX / a->nelems)
				return -E2BIG;
			mult *= a->nelems;
			id = a->type;
			break;
		}
		default: /* void, FWD, FUNC, FUNC_PROTO, DECL_TAG */
			return -EINVAL;
		}
	}
	return -ELOOP;
}

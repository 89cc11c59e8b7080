/* btf_internal.h — what btf.c, btf_ext.c and btf_dump.c share: the parsed
 * BTF object and small accessors over the kernel's <linux/btf.h> records.
 *
 * Invariant of every struct bpfrt_btf handed out by bpfrt_btf_new: every
 * record lies inside the type section, every name offset is a string of
 * the string section, every referenced id is < type_cnt, no type contains
 * itself by value, chains of pointers/modifiers/arrays/prototypes have no
 * loop and nest at most BTF_MAX_DEPTH deep — so walkers may recurse that far.
 */
#ifndef BPFRT_LOADER_BTF_INTERNAL_H
#define BPFRT_LOADER_BTF_INTERNAL_H

#include "bpfrt/btf.h"

#include <stdint.h>

/* Longest chain of type references (modifiers, pointers, arrays, members
 * by value, prototype parameters) a valid BTF may have. */
#define BTF_MAX_DEPTH 64
/* At most this many types (the kernel's BTF_MAX_TYPE). */
#define BTF_MAX_TYPES 0x000fffffu

struct bpfrt_btf {
	uint8_t *raw; /* the copied .BTF bytes */
	size_t raw_size;
	const char *strs; /* string section; strs[0] == 0, strs[str_len-1] == 0 */
	uint32_t str_len;
	uint32_t type_cnt; /* void included */
	const struct btf_type **types; /* by id; types[0] is NULL */
};

static inline uint32_t btf_kind(const struct btf_type *t)
{
	return BTF_INFO_KIND(t->info);
}

static inline uint32_t btf_vlen(const struct btf_type *t)
{
	return BTF_INFO_VLEN(t->info);
}

static inline bool btf_kflag(const struct btf_type *t)
{
	return BTF_INFO_KFLAG(t->info);
}

/* The record that follows struct btf_type (members, params, enums, ...). */
static inline const void *btf_extra(const struct btf_type *t)
{
	return t + 1;
}

static inline bool btf_is_mod(uint32_t kind)
{
	return kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_VOLATILE || kind == BTF_KIND_CONST ||
	       kind == BTF_KIND_RESTRICT || kind == BTF_KIND_TYPE_TAG;
}

/* "STRUCT", "INT", ... ; "UNKNOWN" out of range. */
const char *btf_kind_name(uint32_t kind);

/* The name of a type ("" when anonymous); never NULL for a valid btf. */
const char *btf_name(const struct bpfrt_btf *btf, const struct btf_type *t);

#endif

/* btf_build.h — a tiny builder of raw BTF for tests: append INT, STRUCT,
 * ARRAY, TYPEDEF... records and names, then take the bytes (header, types,
 * strings) as BPF_BTF_LOAD wants them.  Header-only, no error handling
 * beyond fixed capacities (tests build small BTF). */
#ifndef BPFRT_TESTS_BTF_BUILD_H
#define BPFRT_TESTS_BTF_BUILD_H

#include <linux/btf.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct btf_build {
	uint32_t types[4096];
	uint32_t ntypes_words;
	char strs[4096];
	uint32_t str_len;
	uint32_t next_id;
	uint8_t raw[sizeof(struct btf_header) + 4096 * 4 + 4096];
};

static inline void bb_init(struct btf_build *b)
{
	memset(b, 0, sizeof(*b));
	b->str_len = 1; /* strs[0] = "" */
	b->next_id = 1;
}

static inline uint32_t bb_str(struct btf_build *b, const char *s)
{
	if (!s || !*s)
		return 0;
	uint32_t off = b->str_len;
	size_t n = strlen(s) + 1;
	memcpy(b->strs + off, s, n);
	b->str_len += (uint32_t)n;
	return off;
}

/* <linux/btf.h> describes the encodings but has no macros to build them. */
#define BB_INFO(kind, vlen) (((uint32_t)(kind) << 24) | ((vlen) & 0xffff))
#define BB_INT(enc, bits) (((uint32_t)(enc) << 24) | (bits))

static inline void bb_word(struct btf_build *b, uint32_t w)
{
	b->types[b->ntypes_words++] = w;
}

/* A type header; returns the new id. */
static inline uint32_t bb_type(struct btf_build *b, const char *name, uint32_t kind, uint32_t vlen,
			       uint32_t size_or_type)
{
	bb_word(b, bb_str(b, name));
	bb_word(b, BB_INFO(kind, vlen));
	bb_word(b, size_or_type);
	return b->next_id++;
}

static inline uint32_t bb_int(struct btf_build *b, const char *name, uint32_t bytes, bool is_signed)
{
	uint32_t id = bb_type(b, name, BTF_KIND_INT, 0, bytes);
	bb_word(b, BB_INT(is_signed ? BTF_INT_SIGNED : 0, bytes * 8));
	return id;
}

/* A struct of vlen members; follow with vlen bb_member() calls. */
static inline uint32_t bb_struct(struct btf_build *b, const char *name, uint32_t vlen, uint32_t size)
{
	return bb_type(b, name, BTF_KIND_STRUCT, vlen, size);
}

static inline void bb_member(struct btf_build *b, const char *name, uint32_t type, uint32_t bit_off)
{
	bb_word(b, bb_str(b, name));
	bb_word(b, type);
	bb_word(b, bit_off);
}

static inline uint32_t bb_array(struct btf_build *b, uint32_t elem, uint32_t index, uint32_t n)
{
	uint32_t id = bb_type(b, NULL, BTF_KIND_ARRAY, 0, 0);
	bb_word(b, elem);
	bb_word(b, index);
	bb_word(b, n);
	return id;
}

static inline uint32_t bb_typedef(struct btf_build *b, const char *name, uint32_t type)
{
	return bb_type(b, name, BTF_KIND_TYPEDEF, 0, type);
}

static inline uint32_t bb_ptr(struct btf_build *b, uint32_t type)
{
	return bb_type(b, NULL, BTF_KIND_PTR, 0, type);
}

/* The raw bytes (valid until the next call); *size gets their length. */
static inline const void *bb_raw(struct btf_build *b, uint32_t *size)
{
	struct btf_header h;
	memset(&h, 0, sizeof(h));
	h.magic = BTF_MAGIC;
	h.version = BTF_VERSION;
	h.hdr_len = sizeof(h);
	h.type_off = 0;
	h.type_len = b->ntypes_words * 4;
	h.str_off = h.type_len;
	h.str_len = b->str_len;
	memcpy(b->raw, &h, sizeof(h));
	memcpy(b->raw + sizeof(h), b->types, h.type_len);
	memcpy(b->raw + sizeof(h) + h.type_len, b->strs, b->str_len);
	*size = (uint32_t)(sizeof(h) + h.type_len + h.str_len);
	return b->raw;
}

#endif

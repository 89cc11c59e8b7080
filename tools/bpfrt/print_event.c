/* print_event.c — records printed with BTF (print_event.h explains which
 * type a record gets).  One walker renders every kind for both styles:
 * text (`a=1 s="x" st={b=2} arr=[1,2]`, char arrays as strings up to their
 * NUL, enums by name, pointers in hex) and JSON (the same shapes as JSON
 * values).  Everything read from the record is bounded by the type's size,
 * which the caller matched to the record's size.
 */
#include "tools/bpfrt/print_event.h"

#include "bpfrt/btf.h"
#include "tools/bpfrt/cli.h"

#include <inttypes.h>
#include <linux/btf.h>
#include <string.h>

/* ---- choosing the type -------------------------------------------- */

static bool struct_of_size(const struct bpfrt_btf *btf, uint32_t id, size_t size)
{
	const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
	return t && BTF_INFO_KIND(t->info) == BTF_KIND_STRUCT && t->size == size;
}

/* The rules for one exact size. */
static uint32_t type_of_size(const struct bpfrt_btf *btf, size_t size)
{
	uint32_t n = bpfrt_btf_type_cnt(btf);
	/* 1. the target of a global pointer variable */
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
		if (BTF_INFO_KIND(t->info) != BTF_KIND_VAR)
			continue;
		uint32_t pid;
		const struct btf_type *p = bpfrt_btf_skip_mods(btf, t->type, &pid);
		if (!p || BTF_INFO_KIND(p->info) != BTF_KIND_PTR)
			continue;
		uint32_t sid;
		if (bpfrt_btf_skip_mods(btf, p->type, &sid) && struct_of_size(btf, sid, size))
			return sid;
	}
	/* 2. struct event */
	int32_t ev = bpfrt_btf_find_by_name_kind(btf, "event", BTF_KIND_STRUCT);
	if (ev > 0 && struct_of_size(btf, (uint32_t)ev, size))
		return (uint32_t)ev;
	/* 3. the first struct of that size */
	for (uint32_t id = 1; id < n; id++)
		if (struct_of_size(btf, id, size))
			return id;
	return 0;
}

uint32_t print_event_type(const struct bpfrt_btf *btf, size_t size)
{
	if (!btf)
		return 0;
	/* Perf event records are padded so that size + 4 is a multiple of
	 * 8 (the kernel's raw sample): the type may be up to 7 bytes
	 * shorter. */
	for (size_t pad = 0; pad < 8 && pad < size; pad++) {
		uint32_t id = type_of_size(btf, size - pad);
		if (id)
			return id;
	}
	return 0;
}

/* ---- values -------------------------------------------------------- */

static uint64_t load_uint(const uint8_t *p, uint32_t bytes)
{
	uint64_t v = 0;
	memcpy(&v, p, bytes > 8 ? 8 : bytes); /* little-endian host (x86-64) */
	return v;
}

static void print_string(FILE *f, const char *s, size_t max, bool json)
{
	char buf[4096];
	size_t n = strnlen(s, max < sizeof(buf) - 1 ? max : sizeof(buf) - 1);
	memcpy(buf, s, n);
	buf[n] = 0;
	if (json) {
		cli_json_string_to(f, buf);
		return;
	}
	/* Plain: bare when it is one printable word, else quoted. */
	bool bare = n > 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] <= ' ' || buf[i] == '"' || buf[i] == '\\' || (unsigned char)buf[i] >= 0x7f)
			bare = false;
	if (bare)
		fputs(buf, f);
	else
		cli_json_string_to(f, buf);
}

static bool is_char(const struct bpfrt_btf *btf, uint32_t id)
{
	const struct btf_type *t = bpfrt_btf_skip_mods(btf, id, NULL);
	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_INT || t->size != 1)
		return false;
	uint32_t enc = *(const uint32_t *)(t + 1);
	return (BTF_INT_ENCODING(enc) & BTF_INT_CHAR) || !strcmp(bpfrt_btf_str(btf, t->name_off), "char");
}

static void print_int(FILE *f, const struct btf_type *t, const uint8_t *p, uint32_t bit_off, uint32_t bits)
{
	uint32_t enc = *(const uint32_t *)(t + 1);
	uint32_t nbits = bits ? bits : BTF_INT_BITS(enc);
	bit_off += BTF_INT_OFFSET(enc);
	if (nbits > 64) {
		/* __int128: print the low and high halves in hex */
		fprintf(f, "0x%016" PRIx64 "%016" PRIx64, load_uint(p + 8, 8), load_uint(p, 8));
		return;
	}
	uint64_t v = load_uint(p + bit_off / 8, (bit_off % 8 + nbits + 7) / 8);
	v >>= bit_off % 8;
	if (nbits < 64)
		v &= (1ull << nbits) - 1;
	if (BTF_INT_ENCODING(enc) & BTF_INT_BOOL) {
		fputs(v ? "true" : "false", f);
	} else if (BTF_INT_ENCODING(enc) & BTF_INT_SIGNED) {
		if (nbits < 64 && (v >> (nbits - 1)) & 1)
			v |= ~0ull << nbits;
		fprintf(f, "%" PRId64, (int64_t)v);
	} else {
		fprintf(f, "%" PRIu64, v);
	}
}

static void print_enum(FILE *f, const struct bpfrt_btf *btf, const struct btf_type *t, const uint8_t *p, bool json)
{
	uint32_t vlen = BTF_INFO_VLEN(t->info);
	int64_t v = (int64_t)load_uint(p, t->size);
	if (t->size < 8 && BTF_INFO_KFLAG(t->info) && (v >> (t->size * 8 - 1)) & 1)
		v |= (int64_t)(~0ull << (t->size * 8));
	if (BTF_INFO_KIND(t->info) == BTF_KIND_ENUM) {
		const struct btf_enum *e = (const struct btf_enum *)(t + 1);
		for (uint32_t i = 0; i < vlen; i++)
			if ((uint32_t)e[i].val == (uint32_t)v) {
				print_string(f, bpfrt_btf_str(btf, e[i].name_off), 256, json);
				return;
			}
	} else {
		const struct btf_enum64 *e = (const struct btf_enum64 *)(t + 1);
		for (uint32_t i = 0; i < vlen; i++)
			if (((uint64_t)e[i].val_hi32 << 32 | e[i].val_lo32) == (uint64_t)v) {
				print_string(f, bpfrt_btf_str(btf, e[i].name_off), 256, json);
				return;
			}
	}
	fprintf(f, "%" PRId64, v);
}

static void value(FILE *f, const struct bpfrt_btf *btf, uint32_t id, const uint8_t *p, uint32_t bit_off,
		  uint32_t bits, bool json, int depth);

static void print_composite(FILE *f, const struct bpfrt_btf *btf, const struct btf_type *t, const uint8_t *p,
			    bool json, int depth)
{
	const struct btf_member *m = (const struct btf_member *)(t + 1);
	uint32_t vlen = BTF_INFO_VLEN(t->info);
	bool kflag = BTF_INFO_KFLAG(t->info);
	bool braces = json || depth, first = true;
	if (braces)
		fputc('{', f);
	for (uint32_t i = 0; i < vlen; i++) {
		uint32_t off = kflag ? BTF_MEMBER_BIT_OFFSET(m[i].offset) : m[i].offset;
		uint32_t bits = kflag ? BTF_MEMBER_BITFIELD_SIZE(m[i].offset) : 0;
		const char *name = bpfrt_btf_str(btf, m[i].name_off);
		/* Flexible array members (size 0) have no bytes to show. */
		int64_t sz = bpfrt_btf_resolve_size(btf, m[i].type);
		if (sz == 0)
			continue;
		if (!first)
			fputc(json ? ',' : ' ', f);
		first = false;
		if (json)
			cli_json_string_to(f, name && *name ? name : "");
		else
			fputs(name && *name ? name : "_", f);
		fputc(json ? ':' : '=', f);
		value(f, btf, m[i].type, p + off / 8, off % 8, bits, json, depth + 1);
	}
	if (braces)
		fputc('}', f);
}

static void value(FILE *f, const struct bpfrt_btf *btf, uint32_t id, const uint8_t *p, uint32_t bit_off,
		  uint32_t bits, bool json, int depth)
{
	uint32_t rid;
	const struct btf_type *t = bpfrt_btf_skip_mods(btf, id, &rid);
	if (!t || depth > 16) {
		fputs(json ? "null" : "?", f);
		return;
	}
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
		print_int(f, t, p, bit_off, bits);
		return;
	case BTF_KIND_PTR:
		fprintf(f, json ? "\"0x%" PRIx64 "\"" : "0x%" PRIx64, load_uint(p, 8));
		return;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		print_enum(f, btf, t, p, json);
		return;
	case BTF_KIND_FLOAT:
		if (t->size == 4) {
			float v;
			memcpy(&v, p, 4);
			fprintf(f, "%g", (double)v);
		} else if (t->size == 8) {
			double v;
			memcpy(&v, p, 8);
			fprintf(f, "%g", v);
		} else {
			fputs(json ? "null" : "?", f);
		}
		return;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = (const struct btf_array *)(t + 1);
		if (is_char(btf, a->type)) {
			print_string(f, (const char *)p, a->nelems, json);
			return;
		}
		int64_t esz = bpfrt_btf_resolve_size(btf, a->type);
		uint32_t cnt = a->nelems;
		/* An array of strings (argv-like) ends at its last non-empty one. */
		const struct btf_type *et = bpfrt_btf_skip_mods(btf, a->type, NULL);
		if (et && BTF_INFO_KIND(et->info) == BTF_KIND_ARRAY &&
		    is_char(btf, ((const struct btf_array *)(et + 1))->type))
			while (cnt > 0 && !p[(size_t)esz * (cnt - 1)])
				cnt--;
		fputc('[', f);
		for (uint32_t i = 0; esz > 0 && i < cnt; i++) {
			if (i)
				fputc(',', f);
			value(f, btf, a->type, p + (size_t)esz * i, 0, 0, json, depth + 1);
		}
		fputc(']', f);
		return;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		print_composite(f, btf, t, p, json, depth);
		return;
	default:
		fputs(json ? "null" : "?", f);
		return;
	}
}

void print_value(FILE *f, const struct bpfrt_btf *btf, uint32_t id, const void *data, bool json)
{
	value(f, btf, id, data, 0, 0, json, 1);
}

void print_event(FILE *f, const struct bpfrt_btf *btf, uint32_t id, const char *source, const void *data,
		 size_t size, bool json)
{
	const uint8_t *p = data;
	const struct btf_type *t = id ? bpfrt_btf_type_by_id(btf, id) : NULL;
	if (json) {
		fputs("{\"source\":", f);
		cli_json_string_to(f, source);
		if (t && t->size <= size) {
			fputs(",\"type\":", f);
			cli_json_string_to(f, bpfrt_btf_str(btf, t->name_off));
			fputs(",\"data\":", f);
			value(f, btf, id, p, 0, 0, true, 0);
		} else {
			fputs(",\"bytes\":\"", f);
			for (size_t i = 0; i < size; i++)
				fprintf(f, "%02x", p[i]);
			fputc('"', f);
		}
		fputs("}\n", f);
	} else {
		fprintf(f, "%s: ", source);
		if (t && t->size <= size) {
			print_composite(f, btf, t, p, false, 0);
		} else {
			for (size_t i = 0; i < size; i++)
				fprintf(f, "%s%02x", i ? " " : "", p[i]);
		}
		fputc('\n', f);
	}
	fflush(f);
}

/* ---- log2 histograms ------------------------------------------------ */

void print_log2_hist(FILE *f, const uint64_t *counts, size_t n, const char *unit, bool json)
{
	size_t last = 0;
	uint64_t max = 0;
	for (size_t i = 0; i < n; i++) {
		if (counts[i])
			last = i + 1;
		if (counts[i] > max)
			max = counts[i];
	}
	if (json) {
		fputs("{\"unit\":", f);
		cli_json_string_to(f, unit);
		fputs(",\"buckets\":[", f);
		for (size_t i = 0; i < last; i++) {
			uint64_t low = i ? (uint64_t)1 << i : 0, high = i < 63 ? ((uint64_t)1 << (i + 1)) - 1 : UINT64_MAX;
			fprintf(f, "%s{\"low\":%" PRIu64 ",\"high\":%" PRIu64 ",\"count\":%" PRIu64 "}", i ? "," : "",
				low, high, counts[i]);
		}
		fputs("]}\n", f);
		return;
	}
	const int width = 40;
	fprintf(f, "%*s%-*s : count    distribution\n", 10, "", 14, unit);
	for (size_t i = 0; i < last; i++) {
		uint64_t low = i ? (uint64_t)1 << i : 0, high = i < 63 ? ((uint64_t)1 << (i + 1)) - 1 : UINT64_MAX;
		int stars = max ? (int)((counts[i] * width + max - 1) / max) : 0;
		fprintf(f, "%20" PRIu64 " -> %-20" PRIu64 " : %-8" PRIu64 " |%.*s%*s|\n", low, high, counts[i], stars,
			"****************************************", width - stars, "");
	}
	fflush(f);
}

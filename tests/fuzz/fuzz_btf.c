/* fuzz_btf.c — libFuzzer target for BTF parsing and printing.  The input is
 * a 4-byte little-endian length n, then n bytes of .BTF, then the rest as
 * .BTF.ext (n is taken modulo what is there, so every input splits).  A
 * .BTF that validates is also queried, printed in both dump formats, and
 * used to print data of its first types; .BTF.ext is parsed against it.
 *
 * Seeds: tests/fuzz/corpus/btf (sections of the objects in corpus/loader,
 * made by tests/fuzz/make_seeds.sh).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/btf.h"

/* Types whose data is printed per input, and their largest size. */
#define FUZZ_DATA_TYPES 64
#define FUZZ_DATA_MAX 4096
/* Largest struct for which the C dump is printed (see query()). */
#define FUZZ_DUMP_C_MAX (64 * 1024)

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	return 0;
}

/* How many nodes the dumps walk from a type, saturating at COST_MAX.
 * btf_dump.c walks type graphs without memoizing shared subgraphs, so a
 * few hundred bytes of BTF can make it run for hours (reported, see
 * corpus/btf/slow-*); until it is bounded there, the harness skips inputs
 * whose walk is too long.  C mode follows declare_refs() (anonymous
 * aggregates, pointers, modifiers, arrays, prototypes; stops at named
 * types), data mode follows dump_value() (modifiers, array elements times
 * nelems, members; stops at scalars and pointers).  A cycle counts as
 * COST_MAX. */
#define COST_MAX 100000u
enum { COST_C, COST_DATA };

struct cost {
	const struct bpfrt_btf *btf;
	int mode;
	uint32_t *memo; /* 0: not yet, UINT32_MAX: on the stack, else cost */
};

static uint32_t sat_add(uint64_t a, uint64_t b)
{
	return a + b > COST_MAX ? COST_MAX : (uint32_t)(a + b);
}

static bool is_toplevel(const struct bpfrt_btf *btf, const struct btf_type *t)
{
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: {
		const char *n = bpfrt_btf_str(btf, t->name_off);
		return n && *n;
	}
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_FWD:
		return true;
	default:
		return false;
	}
}

static uint32_t walk_cost(struct cost *c, uint32_t id, bool root, int depth)
{
	const struct btf_type *t = bpfrt_btf_type_by_id(c->btf, id);
	if (!t)
		return 1;
	if (depth > 512)
		return COST_MAX;
	uint32_t kind = BTF_INFO_KIND(t->info), vlen = BTF_INFO_VLEN(t->info);
	if (c->mode == COST_C && !root && is_toplevel(c->btf, t))
		return 1;
	if (c->memo[id] == UINT32_MAX)
		return COST_MAX;
	if (c->memo[id] && !root)
		return c->memo[id];
	c->memo[id] = UINT32_MAX;
	uint64_t sum = 1;
	switch (kind) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = (const struct btf_member *)(t + 1);
		for (uint32_t i = 0; i < vlen; i++)
			sum = sat_add(sum, walk_cost(c, m[i].type, false, depth + 1));
		break;
	}
	case BTF_KIND_PTR:
		if (c->mode == COST_DATA)
			break;
		/* fall through */
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		sum = sat_add(sum, walk_cost(c, t->type, false, depth + 1));
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = (const struct btf_array *)(t + 1);
		uint64_t n = c->mode == COST_DATA ? a->nelems : 1;
		sum = sat_add(sum, n * walk_cost(c, a->type, false, depth + 1));
		break;
	}
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = (const struct btf_param *)(t + 1);
		if (c->mode == COST_DATA)
			break;
		sum = sat_add(sum, walk_cost(c, t->type, false, depth + 1));
		for (uint32_t i = 0; i < vlen; i++)
			sum = sat_add(sum, walk_cost(c, p[i].type, false, depth + 1));
		break;
	}
	default:
		break;
	}
	c->memo[id] = (uint32_t)sum;
	return (uint32_t)sum;
}

/* The longest walk of mode from any type (COST_MAX if too long). */
static uint32_t max_cost(const struct bpfrt_btf *btf, int mode)
{
	uint32_t cnt = bpfrt_btf_type_cnt(btf), max = 0;
	struct cost c = {btf, mode, calloc(cnt, sizeof(uint32_t))};
	if (!c.memo)
		abort();
	for (uint32_t id = 1; id < cnt && max < COST_MAX; id++) {
		uint32_t v = walk_cost(&c, id, true, 0);
		if (v > max)
			max = v;
	}
	free(c.memo);
	return max;
}

/* Largest size of a struct or union in btf. */
static uint64_t largest_struct(const struct bpfrt_btf *btf)
{
	uint64_t max = 0;
	for (uint32_t id = 1; id < bpfrt_btf_type_cnt(btf); id++) {
		const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
		uint32_t kind = BTF_INFO_KIND(t->info);
		if ((kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION) && t->size > max)
			max = t->size;
	}
	return max;
}

static void query(const struct bpfrt_btf *btf, const uint8_t *bytes, size_t nbytes)
{
	static uint8_t buf[FUZZ_DATA_MAX];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = nbytes ? bytes[i % nbytes] : (uint8_t)i;
	uint32_t cnt = bpfrt_btf_type_cnt(btf);
	bool data_ok = max_cost(btf, COST_DATA) < COST_MAX;
	for (uint32_t id = 0; id < cnt; id++) {
		const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
		uint32_t under;
		(void)bpfrt_btf_skip_mods(btf, id, &under);
		int64_t sz = bpfrt_btf_resolve_size(btf, id);
		if (t) {
			const char *name = bpfrt_btf_str(btf, t->name_off);
			if (name && *name)
				(void)bpfrt_btf_find_by_name_kind(btf, name, BTF_INFO_KIND(t->info));
		}
		if (data_ok && id < FUZZ_DATA_TYPES && sz >= 0 && sz <= FUZZ_DATA_MAX) {
			bpfrt_btf_dump_data(btf, id, buf, (size_t)sz, false, devnull);
			bpfrt_btf_dump_data(btf, id, buf, (size_t)sz, true, devnull);
		}
	}
	bpfrt_btf_dump_raw(btf, devnull);
	/* The C dump spells padding as `long: 64;` lines, as bpftool does, so
	 * its output grows with struct sizes (a 4 GB struct is 512M lines):
	 * not a hang, but not what a fuzzer should spend its time on. */
	if (largest_struct(btf) <= FUZZ_DUMP_C_MAX && max_cost(btf, COST_C) < COST_MAX)
		bpfrt_btf_dump_c(btf, devnull);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	uint32_t n = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
		     (uint32_t)data[3] << 24;
	data += 4;
	size -= 4;
	n = (uint32_t)(n % (size + 1));
	struct bpfrt_diag diag;
	struct bpfrt_btf *btf = bpfrt_btf_new(data, n, &diag);
	if (!btf)
		return 0;
	struct bpfrt_btf_ext *ext = bpfrt_btf_ext_new(data + n, size - n, btf, &diag);
	if (ext) {
		uint32_t cnt, rec;
		(void)bpfrt_btf_ext_func_info(ext, "xdp", &cnt, &rec);
		(void)bpfrt_btf_ext_line_info(ext, ".text", &cnt, &rec);
		(void)bpfrt_btf_ext_core_relo(ext, "xdp", &cnt, &rec);
		bpfrt_btf_ext_free(ext);
	}
	query(btf, data + n, size - n);
	bpfrt_btf_free(btf);
	return 0;
}

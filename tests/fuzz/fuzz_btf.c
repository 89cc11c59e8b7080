/* fuzz_btf.c — libFuzzer target for BTF parsing and printing.  The input is
 * a 4-byte little-endian length n, then n bytes of .BTF, then the rest as
 * .BTF.ext (n is taken modulo what is there, so every input splits).  A
 * .BTF that validates is also queried, printed in both dump formats, and
 * used to print data of its first types; .BTF.ext is parsed against it.
 *
 * Seeds: tests/fuzz/corpus/btf (sections of the objects in corpus/loader,
 * made by tests/fuzz/make_seeds.sh).
 */
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
		if (id < FUZZ_DATA_TYPES && sz >= 0 && sz <= FUZZ_DATA_MAX) {
			bpfrt_btf_dump_data(btf, id, buf, (size_t)sz, false, devnull);
			bpfrt_btf_dump_data(btf, id, buf, (size_t)sz, true, devnull);
		}
	}
	bpfrt_btf_dump_raw(btf, devnull);
	/* The C dump spells padding as `long: 64;` lines, as bpftool does, so
	 * its output grows with struct sizes (a 4 GB struct is 512M lines):
	 * not a hang, but not what a fuzzer should spend its time on. */
	if (largest_struct(btf) <= FUZZ_DUMP_C_MAX)
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

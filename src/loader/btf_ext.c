/* btf_ext.c — parsing and validating .BTF.ext: func_info, line_info and
 * CO-RE relocation records, grouped per ELF section name.
 *
 * Layout (LLVM's): a header (magic, version, flags, hdr_len, then offset
 * and length of each info area, relative to the header's end); each area
 * is a u32 record size followed by blocks {u32 sec_name_off, u32 num_info,
 * records}.  Validation checks every area, block and record against the
 * bytes present and against the BTF (names are strings of .BTF, type ids
 * exist and have the right kind).  Records are served in place from a
 * private, 4-byte aligned copy.
 */
#include "loader/btf_internal.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The .BTF.ext header as LLVM writes it (not in the UAPI headers). */
struct ext_header {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t func_info_off, func_info_len;
	uint32_t line_info_off, line_info_len;
	/* present when hdr_len >= 32 */
	uint32_t core_relo_off, core_relo_len;
};
#define EXT_HDR_MIN offsetof(struct ext_header, core_relo_off)

enum info_kind { INFO_FUNC, INFO_LINE, INFO_CORE, INFO_KINDS };

static const char *const info_name[INFO_KINDS] = {"func_info", "line_info", "core_relo"};
static const uint32_t info_min_size[INFO_KINDS] = {
	sizeof(struct bpf_func_info), sizeof(struct bpf_line_info), sizeof(struct bpf_core_relo)};

struct ext_block {
	const char *sec;
	const uint8_t *recs;
	uint32_t cnt;
};

struct ext_area {
	uint32_t rec_size;
	uint32_t nblocks;
	struct ext_block *blocks;
};

struct bpfrt_btf_ext {
	uint8_t *raw;
	size_t raw_size;
	struct ext_area area[INFO_KINDS];
};

static int ext_fail(struct bpfrt_diag *diag, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int ext_fail(struct bpfrt_diag *diag, const char *fmt, ...)
{
	if (diag) {
		va_list ap;
		diag->insn = -1;
		diag->line = 0;
		va_start(ap, fmt);
		vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* One record, checked against the BTF.  prev_off: the previous record's
 * insn_off in this block (UINT32_MAX for the first). */
static int check_record(enum info_kind k, const uint8_t *r, const char *sec, uint32_t idx,
			uint32_t prev_off, const struct bpfrt_btf *btf, struct bpfrt_diag *diag)
{
	uint32_t insn_off = rd32(r);
	const char *what = info_name[k];

	if (insn_off % sizeof(struct bpf_insn))
		return ext_fail(diag, "BTF.ext %s of section '%s', record %u: insn_off %u is not a "
				      "multiple of 8",
				what, sec, idx, insn_off);
	switch (k) {
	case INFO_FUNC: {
		uint32_t type_id = rd32(r + 4);
		const struct btf_type *t = bpfrt_btf_type_by_id(btf, type_id);
		if (prev_off != UINT32_MAX && insn_off <= prev_off)
			return ext_fail(diag, "BTF.ext func_info of section '%s', record %u: insn_off %u "
					      "not after the previous %u",
					sec, idx, insn_off, prev_off);
		if (!t || btf_kind(t) != BTF_KIND_FUNC)
			return ext_fail(diag, "BTF.ext func_info of section '%s', record %u: type %u is "
					      "not a FUNC (%u types)",
					sec, idx, type_id, bpfrt_btf_type_cnt(btf));
		break;
	}
	case INFO_LINE: {
		uint32_t file = rd32(r + 4), line = rd32(r + 8);
		if (prev_off != UINT32_MAX && insn_off < prev_off)
			return ext_fail(diag, "BTF.ext line_info of section '%s', record %u: insn_off %u "
					      "before the previous %u",
					sec, idx, insn_off, prev_off);
		if (!bpfrt_btf_str(btf, file) || !bpfrt_btf_str(btf, line))
			return ext_fail(diag, "BTF.ext line_info of section '%s', record %u: file name "
					      "offset %u or line offset %u beyond the string section",
					sec, idx, file, line);
		break;
	}
	case INFO_CORE: {
		uint32_t type_id = rd32(r + 4), access = rd32(r + 8), kind = rd32(r + 12);
		const char *spec = bpfrt_btf_str(btf, access);
		if (type_id >= bpfrt_btf_type_cnt(btf))
			return ext_fail(diag, "BTF.ext core_relo of section '%s', record %u: type %u "
					      "beyond %u types",
					sec, idx, type_id, bpfrt_btf_type_cnt(btf));
		if (!spec || !*spec)
			return ext_fail(diag, "BTF.ext core_relo of section '%s', record %u: access "
					      "string offset %u is not a string",
					sec, idx, access);
		if (kind > BPF_CORE_TYPE_MATCHES)
			return ext_fail(diag, "BTF.ext core_relo of section '%s', record %u: unknown "
					      "relocation kind %u",
					sec, idx, kind);
		break;
	}
	default:
		break;
	}
	return 0;
}

static int block_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ext_block *)a)->sec, ((const struct ext_block *)b)->sec);
}

static int parse_area(struct bpfrt_btf_ext *ext, enum info_kind k, const uint8_t *p, uint32_t len,
		      const struct bpfrt_btf *btf, struct bpfrt_diag *diag)
{
	struct ext_area *a = &ext->area[k];
	const char *what = info_name[k];
	uint32_t off, cap = 0;

	if (len == 0)
		return 0;
	if (len < 4)
		return ext_fail(diag, "BTF.ext %s: %u bytes, too short for the record size", what, len);
	a->rec_size = rd32(p);
	if (a->rec_size < info_min_size[k] || a->rec_size % 4 || a->rec_size > 1024)
		return ext_fail(diag, "BTF.ext %s: bad record size %u (at least %u, a multiple of 4)",
				what, a->rec_size, info_min_size[k]);
	for (off = 4; off < len;) {
		if (len - off < 8)
			return ext_fail(diag, "BTF.ext %s: section header at offset %u truncated", what,
					off);
		uint32_t name_off = rd32(p + off), cnt = rd32(p + off + 4);
		const char *sec = bpfrt_btf_str(btf, name_off);
		if (!sec || !*sec)
			return ext_fail(diag, "BTF.ext %s: section name offset %u is not a string of "
					      ".BTF",
					what, name_off);
		if (cnt == 0)
			return ext_fail(diag, "BTF.ext %s of section '%s': no records", what, sec);
		off += 8;
		if ((uint64_t)cnt * a->rec_size > len - off)
			return ext_fail(diag, "BTF.ext %s of section '%s': %u records of %u bytes run "
					      "past the %u-byte area",
					what, sec, cnt, a->rec_size, len);
		uint32_t prev = UINT32_MAX;
		for (uint32_t i = 0; i < cnt; i++) {
			const uint8_t *r = p + off + (size_t)i * a->rec_size;
			int err = check_record(k, r, sec, i, prev, btf, diag);
			if (err)
				return err;
			prev = rd32(r);
		}
		if (a->nblocks == cap) {
			cap = cap ? cap * 2 : 4;
			struct ext_block *nb = realloc(a->blocks, cap * sizeof(*nb));
			if (!nb)
				return -ENOMEM;
			a->blocks = nb;
		}
		a->blocks[a->nblocks++] = (struct ext_block){sec, p + off, cnt};
		off += cnt * a->rec_size;
	}
	/* One block per section: sort a copy by name and compare neighbours. */
	if (a->nblocks < 2)
		return 0;
	struct ext_block *sorted = malloc(a->nblocks * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, a->blocks, a->nblocks * sizeof(*sorted));
	qsort(sorted, a->nblocks, sizeof(*sorted), block_cmp);
	for (uint32_t i = 1; i < a->nblocks; i++) {
		if (strcmp(sorted[i - 1].sec, sorted[i].sec) == 0) {
			int err = ext_fail(diag, "BTF.ext %s: section '%s' appears twice", what,
					   sorted[i].sec);
			free(sorted);
			return err;
		}
	}
	free(sorted);
	return 0;
}

struct bpfrt_btf_ext *bpfrt_btf_ext_new(const void *data, size_t size, const struct bpfrt_btf *btf,
					struct bpfrt_diag *diag)
{
	struct bpfrt_btf_ext *ext;
	struct ext_header h = {0};
	int err = 0;

	if (!btf || (!data && size)) {
		ext_fail(diag, "BTF.ext: no data or no BTF");
		errno = EINVAL;
		return NULL;
	}
	ext = calloc(1, sizeof(*ext));
	if (!ext || !(ext->raw = malloc(size ? size : 1))) {
		free(ext);
		errno = ENOMEM;
		return NULL;
	}
	if (size)
		memcpy(ext->raw, data, size);
	ext->raw_size = size;

	if (size < 8) {
		err = ext_fail(diag, "BTF.ext: %zu bytes, too short for a header", size);
		goto out;
	}
	memcpy(&h, ext->raw, 8);
	if (h.magic != BTF_MAGIC) {
		err = ext_fail(diag, "BTF.ext: bad magic 0x%04x (expected 0x%04x)", h.magic,
			       BTF_MAGIC);
		goto out;
	}
	if (h.version != BTF_VERSION || h.flags) {
		err = ext_fail(diag, "BTF.ext: unsupported version %u / flags 0x%x", h.version,
			       h.flags);
		goto out;
	}
	if (h.hdr_len < EXT_HDR_MIN || h.hdr_len > size || h.hdr_len % 4) {
		err = ext_fail(diag, "BTF.ext: header length %u invalid for %zu bytes", h.hdr_len,
			       size);
		goto out;
	}
	memcpy(&h, ext->raw, h.hdr_len < sizeof(h) ? h.hdr_len : sizeof(h));

	uint32_t offs[INFO_KINDS] = {h.func_info_off, h.line_info_off, h.core_relo_off};
	uint32_t lens[INFO_KINDS] = {h.func_info_len, h.line_info_len, h.core_relo_len};
	uint64_t avail = size - h.hdr_len;
	for (int k = 0; k < INFO_KINDS && !err; k++) {
		if (!lens[k])
			continue;
		if ((uint64_t)offs[k] + lens[k] > avail || offs[k] % 4) {
			err = ext_fail(diag, "BTF.ext %s [%u, +%u) beyond the %llu bytes after the "
					     "header or misaligned",
				       info_name[k], offs[k], lens[k], (unsigned long long)avail);
			break;
		}
		err = parse_area(ext, k, ext->raw + h.hdr_len + offs[k], lens[k], btf, diag);
	}
out:
	if (err) {
		if (err == -ENOMEM)
			ext_fail(diag, "BTF.ext: out of memory");
		bpfrt_btf_ext_free(ext);
		errno = -err;
		return NULL;
	}
	return ext;
}

void bpfrt_btf_ext_free(struct bpfrt_btf_ext *ext)
{
	if (!ext)
		return;
	for (int k = 0; k < INFO_KINDS; k++)
		free(ext->area[k].blocks);
	free(ext->raw);
	free(ext);
}

static const void *lookup(const struct bpfrt_btf_ext *ext, enum info_kind k, const char *sec,
			  uint32_t *cnt, uint32_t *rec_size)
{
	if (rec_size)
		*rec_size = ext && ext->area[k].rec_size ? ext->area[k].rec_size : info_min_size[k];
	if (cnt)
		*cnt = 0;
	if (!ext || !sec)
		return NULL;
	const struct ext_area *a = &ext->area[k];
	for (uint32_t i = 0; i < a->nblocks; i++) {
		if (strcmp(a->blocks[i].sec, sec) == 0) {
			if (cnt)
				*cnt = a->blocks[i].cnt;
			return a->blocks[i].recs;
		}
	}
	return NULL;
}

const void *bpfrt_btf_ext_func_info(const struct bpfrt_btf_ext *ext, const char *sec,
				    uint32_t *cnt, uint32_t *rec_size)
{
	return lookup(ext, INFO_FUNC, sec, cnt, rec_size);
}

const void *bpfrt_btf_ext_line_info(const struct bpfrt_btf_ext *ext, const char *sec,
				    uint32_t *cnt, uint32_t *rec_size)
{
	return lookup(ext, INFO_LINE, sec, cnt, rec_size);
}

const void *bpfrt_btf_ext_core_relo(const struct bpfrt_btf_ext *ext, const char *sec,
				    uint32_t *cnt, uint32_t *rec_size)
{
	return lookup(ext, INFO_CORE, sec, cnt, rec_size);
}

/* test_btf.c — BTF and BTF.ext parsing on hand-built blobs: a valid set of
 * every common kind (lookups, sizes, modifiers), then malformed inputs that
 * must be refused with a message naming the place (header, sections,
 * strings, ids, loops, depth), and the dumpers on a small known BTF.
 */
#include "bpfrt/btf.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ---- a tiny BTF builder ---------------------------------------------- */

struct blob {
	uint32_t types[1024];
	uint32_t ntypes; /* words */
	char strs[4096];
	uint32_t nstrs;
	uint8_t out[8192];
	size_t size;
};

static void blob_init(struct blob *b)
{
	memset(b, 0, sizeof(*b));
	b->nstrs = 1; /* "" at 0 */
}

static uint32_t str(struct blob *b, const char *s)
{
	uint32_t off = b->nstrs;
	size_t n = strlen(s) + 1;
	memcpy(b->strs + off, s, n);
	b->nstrs += (uint32_t)n;
	return off;
}

static void w(struct blob *b, uint32_t v)
{
	b->types[b->ntypes++] = v;
}

static void type(struct blob *b, uint32_t name, uint32_t kind, uint32_t kflag, uint32_t vlen,
		 uint32_t size_or_type)
{
	w(b, name);
	w(b, kflag << 31 | kind << 24 | vlen);
	w(b, size_or_type);
}

static const void *blob_finish(struct blob *b)
{
	struct btf_header h = {
		.magic = BTF_MAGIC,
		.version = BTF_VERSION,
		.hdr_len = sizeof(h),
		.type_off = 0,
		.type_len = b->ntypes * 4,
		.str_off = b->ntypes * 4,
		.str_len = b->nstrs,
	};
	memcpy(b->out, &h, sizeof(h));
	memcpy(b->out + sizeof(h), b->types, h.type_len);
	memcpy(b->out + sizeof(h) + h.type_len, b->strs, h.str_len);
	b->size = sizeof(h) + h.type_len + h.str_len;
	return b->out;
}

/* The reference BTF used by several tests:
 * [1] INT int; [2] PTR -> 3; [3] STRUCT foo {int a; struct foo *next; int bf:3 };
 * [4] TYPEDEF foo_t -> 3; [5] CONST -> 4; [6] ARRAY int[10];
 * [7] FUNC_PROTO int (struct foo *ctx); [8] FUNC prog; [9] ENUM e {A = 1, B = -2};
 * [10] VAR v -> 6; [11] DATASEC .data {v}; [12] UNION u {int x; char c;}
 * [13] INT char; [14] FWD struct bar; [15] FLOAT float */
static void build_ref(struct blob *b)
{
	blob_init(b);
	uint32_t s_int = str(b, "int");
	type(b, s_int, BTF_KIND_INT, 0, 0, 4);
	w(b, BTF_INT_SIGNED << 24 | 32);
	type(b, 0, BTF_KIND_PTR, 0, 0, 3);
	type(b, str(b, "foo"), BTF_KIND_STRUCT, 1, 3, 16);
	w(b, str(b, "a")), w(b, 1), w(b, 0);
	w(b, str(b, "next")), w(b, 2), w(b, 64);
	w(b, str(b, "bf")), w(b, 1), w(b, 3u << 24 | 32);
	type(b, str(b, "foo_t"), BTF_KIND_TYPEDEF, 0, 0, 3);
	type(b, 0, BTF_KIND_CONST, 0, 0, 4);
	type(b, 0, BTF_KIND_ARRAY, 0, 0, 0);
	w(b, 1), w(b, 1), w(b, 10);
	type(b, 0, BTF_KIND_FUNC_PROTO, 0, 1, 1);
	w(b, str(b, "ctx")), w(b, 2);
	type(b, str(b, "prog"), BTF_KIND_FUNC, 0, BTF_FUNC_GLOBAL, 7);
	type(b, str(b, "e"), BTF_KIND_ENUM, 1, 2, 4);
	w(b, str(b, "A")), w(b, 1);
	w(b, str(b, "B")), w(b, (uint32_t)-2);
	type(b, str(b, "v"), BTF_KIND_VAR, 0, 0, 6);
	w(b, BTF_VAR_GLOBAL_ALLOCATED);
	type(b, str(b, ".data"), BTF_KIND_DATASEC, 0, 1, 40);
	w(b, 10), w(b, 0), w(b, 40);
	type(b, str(b, "u"), BTF_KIND_UNION, 0, 2, 4);
	w(b, str(b, "x")), w(b, 1), w(b, 0);
	w(b, str(b, "c")), w(b, 13), w(b, 0);
	type(b, str(b, "char"), BTF_KIND_INT, 0, 0, 1);
	w(b, BTF_INT_SIGNED << 24 | 8);
	type(b, str(b, "bar"), BTF_KIND_FWD, 0, 0, 0);
	type(b, str(b, "float"), BTF_KIND_FLOAT, 0, 0, 4);
	/* file name and source line strings for BTF.ext tests */
	str(b, "prog.c");
	str(b, "return 0;");
}

static void test_valid(void)
{
	struct blob b;
	struct bpfrt_diag d = {0};
	build_ref(&b);
	blob_finish(&b);
	struct bpfrt_btf *btf = bpfrt_btf_new(b.out, b.size, &d);
	CHECK(btf, "reference BTF refused: %s", d.msg);
	if (!btf)
		return;
	CHECK(bpfrt_btf_type_cnt(btf) == 16, "cnt %u", bpfrt_btf_type_cnt(btf));
	CHECK(bpfrt_btf_type_by_id(btf, 0) == NULL, "void");
	CHECK(bpfrt_btf_type_by_id(btf, 16) == NULL, "beyond");
	CHECK(bpfrt_btf_find_by_name_kind(btf, "foo", BTF_KIND_STRUCT) == 3, "foo");
	CHECK(bpfrt_btf_find_by_name_kind(btf, "foo", BTF_KIND_UNION) == -ENOENT, "foo union");
	CHECK(bpfrt_btf_find_by_name_kind(btf, "prog", BTF_KIND_FUNC) == 8, "prog");
	CHECK(bpfrt_btf_find_by_name_kind(btf, ".data", BTF_KIND_DATASEC) == 11, ".data");
	CHECK(strcmp(bpfrt_btf_str(btf, 0), "") == 0, "str 0");
	CHECK(bpfrt_btf_str(btf, 100000) == NULL, "str out of range");
	const struct btf_type *t = bpfrt_btf_type_by_id(btf, 3);
	CHECK(t && strcmp(bpfrt_btf_str(btf, t->name_off), "foo") == 0, "name");
	uint32_t id = 99;
	const struct btf_type *u = bpfrt_btf_skip_mods(btf, 5, &id);
	CHECK(u == t && id == 3, "skip_mods const->typedef->struct: id %u", id);
	CHECK(bpfrt_btf_skip_mods(btf, 0, &id) == NULL && id == 0, "skip_mods void");
	CHECK(bpfrt_btf_resolve_size(btf, 1) == 4, "int");
	CHECK(bpfrt_btf_resolve_size(btf, 2) == 8, "ptr");
	CHECK(bpfrt_btf_resolve_size(btf, 5) == 16, "const typedef struct");
	CHECK(bpfrt_btf_resolve_size(btf, 6) == 40, "array");
	CHECK(bpfrt_btf_resolve_size(btf, 10) == 40, "var");
	CHECK(bpfrt_btf_resolve_size(btf, 0) == -EINVAL, "void");
	CHECK(bpfrt_btf_resolve_size(btf, 8) == -EINVAL, "func");
	CHECK(bpfrt_btf_resolve_size(btf, 14) == -EINVAL, "fwd");
	CHECK(bpfrt_btf_resolve_size(btf, 999) == -EINVAL, "out of range");
	size_t rs;
	CHECK(bpfrt_btf_raw(btf, &rs) && rs == b.size, "raw");
	bpfrt_btf_free(btf);
}

/* Expect refusal with a message containing want. */
static void expect_bad(const void *data, size_t size, const char *want, int line)
{
	struct bpfrt_diag d = {0};
	errno = 0;
	struct bpfrt_btf *btf = bpfrt_btf_new(data, size, &d);
	CHECK(!btf, "line %d: accepted, expected '%s'", line, want);
	CHECK(errno != 0, "line %d: errno not set", line);
	CHECK(strstr(d.msg, want), "line %d: message '%s' lacks '%s'", line, d.msg, want);
	bpfrt_btf_free(btf);
}
#define EXPECT_BAD(data, size, want) expect_bad(data, size, want, __LINE__)

static void test_header(void)
{
	struct blob b;
	build_ref(&b);
	blob_finish(&b);
	struct btf_header *h = (struct btf_header *)b.out;

	EXPECT_BAD(b.out, 10, "header length 24 beyond the 10 bytes");
	EXPECT_BAD(b.out, 0, "too short");
	EXPECT_BAD(NULL, 0, "too short");
	h->magic = 0x1234;
	EXPECT_BAD(b.out, b.size, "bad magic");
	h->magic = 0x9feb;
	EXPECT_BAD(b.out, b.size, "byte-swapped");
	h->magic = BTF_MAGIC;
	h->version = 2;
	EXPECT_BAD(b.out, b.size, "version");
	h->version = 1;
	h->hdr_len = 8;
	EXPECT_BAD(b.out, b.size, "header length");
	h->hdr_len = 100000;
	EXPECT_BAD(b.out, b.size, "header length");
	h->hdr_len = sizeof(*h);
	EXPECT_BAD(b.out, b.size - 1, "string section");
	uint32_t tl = h->type_len;
	h->type_len = 0xfffffff0u;
	EXPECT_BAD(b.out, b.size, "type section");
	h->type_len = tl - 4; /* cuts the last record */
	EXPECT_BAD(b.out, b.size, "BTF type [15]: header at type section offset 288 truncated");
	h->type_len = tl - 12 - 2; /* misaligned */
	EXPECT_BAD(b.out, b.size, "aligned");
	h->type_len = tl;
	h->str_off = 0; /* overlaps types */
	EXPECT_BAD(b.out, b.size, "overlap");
	h->str_off = tl;
	b.out[b.size - 1] = 'x';
	EXPECT_BAD(b.out, b.size, "NUL-terminated");
	b.out[b.size - 1] = 0;
	h->str_len = 0;
	EXPECT_BAD(b.out, b.size, "empty string section");
}

static void test_records(void)
{
	struct blob b;

	/* name offset out of the string section */
	blob_init(&b);
	type(&b, 9999, BTF_KIND_INT, 0, 0, 4);
	w(&b, 32);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size, "BTF type [1] (INT '<bad name>'): int name offset 9999 beyond");

	/* member type id out of range: the example of the brief */
	blob_init(&b);
	type(&b, str(&b, "int"), BTF_KIND_INT, 0, 0, 4);
	w(&b, 32);
	type(&b, str(&b, "foo"), BTF_KIND_STRUCT, 0, 2, 8);
	w(&b, str(&b, "a")), w(&b, 1), w(&b, 0);
	w(&b, str(&b, "b")), w(&b, 999), w(&b, 32);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size,
		   "BTF type [2] (STRUCT 'foo'): member 1 refers to type 999, beyond 3 types");

	/* member beyond the struct's size */
	blob_init(&b);
	type(&b, str(&b, "int"), BTF_KIND_INT, 0, 0, 4);
	w(&b, 32);
	type(&b, str(&b, "foo"), BTF_KIND_STRUCT, 0, 1, 4);
	w(&b, str(&b, "a")), w(&b, 1), w(&b, 32);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size, "exceeds 4 bytes");

	/* unknown kind */
	blob_init(&b);
	type(&b, 0, 25, 0, 0, 0);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size, "unknown kind 25");

	/* kind 0 (UNKN) is no type either */
	blob_init(&b);
	type(&b, 0, 0, 0, 0, 0);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size, "unknown kind 0");

	/* bad int: 33 bits in 4 bytes */
	blob_init(&b);
	type(&b, str(&b, "int"), BTF_KIND_INT, 0, 0, 4);
	w(&b, 33);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size, "nr_bits 33");

	/* huge vlen: record runs past the section */
	blob_init(&b);
	type(&b, str(&b, "foo"), BTF_KIND_STRUCT, 0, 0xffff, 8);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size, "past the type section");

	/* FUNC pointing to a non-prototype */
	blob_init(&b);
	type(&b, str(&b, "int"), BTF_KIND_INT, 0, 0, 4);
	w(&b, 32);
	type(&b, str(&b, "f"), BTF_KIND_FUNC, 0, 0, 1);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size, "not FUNC_PROTO");

	/* pointer with a name, typedef with a non-identifier */
	blob_init(&b);
	type(&b, str(&b, "p"), BTF_KIND_PTR, 0, 0, 0);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size, "must not have a name");
	blob_init(&b);
	type(&b, str(&b, "a b"), BTF_KIND_TYPEDEF, 0, 0, 0);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size, "not an identifier");

	/* kind_flag on a pointer, vlen on a typedef */
	blob_init(&b);
	type(&b, 0, BTF_KIND_PTR, 1, 0, 0);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size, "kind_flag");
	blob_init(&b);
	type(&b, str(&b, "t"), BTF_KIND_TYPEDEF, 0, 3, 0);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size, "vlen 3");

	/* DATASEC entry that is not a VAR */
	blob_init(&b);
	type(&b, str(&b, "int"), BTF_KIND_INT, 0, 0, 4);
	w(&b, 32);
	type(&b, str(&b, ".data"), BTF_KIND_DATASEC, 0, 1, 4);
	w(&b, 1), w(&b, 0), w(&b, 4);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size, "not VAR");
}

static void test_loops(void)
{
	struct blob b;

	/* typedef a -> typedef b -> typedef a */
	blob_init(&b);
	type(&b, str(&b, "a"), BTF_KIND_TYPEDEF, 0, 0, 2);
	type(&b, str(&b, "b"), BTF_KIND_TYPEDEF, 0, 0, 1);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size, "contains itself");

	/* pointer -> const -> pointer: no size problem, but no C either */
	blob_init(&b);
	type(&b, 0, BTF_KIND_PTR, 0, 0, 2);
	type(&b, 0, BTF_KIND_CONST, 0, 0, 1);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size, "loop of references");

	/* pointer to itself */
	blob_init(&b);
	type(&b, 0, BTF_KIND_PTR, 0, 0, 1);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size, "loop of references");

	/* struct containing itself by value through an array */
	blob_init(&b);
	type(&b, str(&b, "s"), BTF_KIND_STRUCT, 0, 1, 8);
	w(&b, str(&b, "x")), w(&b, 2), w(&b, 0);
	type(&b, 0, BTF_KIND_ARRAY, 0, 0, 0);
	w(&b, 1), w(&b, 1), w(&b, 1);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size, "contains itself");

	/* a struct pointing to itself is fine (a list) */
	blob_init(&b);
	type(&b, str(&b, "node"), BTF_KIND_STRUCT, 0, 1, 8);
	w(&b, str(&b, "next")), w(&b, 2), w(&b, 0);
	type(&b, 0, BTF_KIND_PTR, 0, 0, 1);
	blob_finish(&b);
	struct bpfrt_diag d = {0};
	struct bpfrt_btf *btf = bpfrt_btf_new(b.out, b.size, &d);
	CHECK(btf, "list refused: %s", d.msg);
	bpfrt_btf_free(btf);

	/* 200 nested consts: too deep */
	blob_init(&b);
	type(&b, str(&b, "int"), BTF_KIND_INT, 0, 0, 4);
	w(&b, 32);
	for (uint32_t i = 0; i < 200; i++)
		type(&b, 0, BTF_KIND_CONST, 0, 0, i + 1);
	blob_finish(&b);
	EXPECT_BAD(b.out, b.size, "deeper than");

	/* 40 nested consts: fine, resolve_size follows them */
	blob_init(&b);
	type(&b, str(&b, "int"), BTF_KIND_INT, 0, 0, 4);
	w(&b, 32);
	for (uint32_t i = 0; i < 40; i++)
		type(&b, 0, BTF_KIND_CONST, 0, 0, i + 1);
	blob_finish(&b);
	btf = bpfrt_btf_new(b.out, b.size, &d);
	CHECK(btf, "40 consts refused: %s", d.msg);
	if (btf)
		CHECK(bpfrt_btf_resolve_size(btf, 41) == 4, "size through 40 consts");
	bpfrt_btf_free(btf);

	/* arrays whose size overflows int64 */
	blob_init(&b);
	type(&b, str(&b, "int"), BTF_KIND_INT, 0, 0, 4);
	w(&b, 32);
	type(&b, 0, BTF_KIND_ARRAY, 0, 0, 0);
	w(&b, 1), w(&b, 1), w(&b, 0xffffffffu);
	type(&b, 0, BTF_KIND_ARRAY, 0, 0, 0);
	w(&b, 2), w(&b, 1), w(&b, 0xffffffffu);
	blob_finish(&b);
	btf = bpfrt_btf_new(b.out, b.size, &d);
	CHECK(btf, "big arrays refused: %s", d.msg);
	if (btf)
		CHECK(bpfrt_btf_resolve_size(btf, 3) == -E2BIG, "E2BIG: %lld",
		      (long long)bpfrt_btf_resolve_size(btf, 3));
	bpfrt_btf_free(btf);
}

/* ---- BTF.ext ---------------------------------------------------------- */

struct ext_hdr {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len;
	uint32_t func_off, func_len, line_off, line_len, core_off, core_len;
};

static void test_ext(void)
{
	struct blob b;
	struct bpfrt_diag d = {0};
	build_ref(&b);
	blob_finish(&b);
	struct bpfrt_btf *btf = bpfrt_btf_new(b.out, b.size, &d);
	CHECK(btf, "ref: %s", d.msg);
	if (!btf)
		return;
	/* strings of build_ref, found by search */
	uint32_t s_sec = 0, s_file = 0, s_line = 0, s_access = 0;
	for (uint32_t o = 1; o < b.nstrs; o += (uint32_t)strlen(b.strs + o) + 1) {
		if (!strcmp(b.strs + o, ".data"))
			s_sec = o;
		if (!strcmp(b.strs + o, "prog.c"))
			s_file = o;
		if (!strcmp(b.strs + o, "return 0;"))
			s_line = o;
		if (!strcmp(b.strs + o, "foo"))
			s_access = o;
	}
	(void)s_access;
	uint32_t words[64], n = 0;
	struct ext_hdr h = {BTF_MAGIC, 1, 0, sizeof(h), 0, 0, 0, 0, 0, 0};
	/* func_info: rec 8, section "prog" (we use ".data" string), 1 record */
	uint32_t func_start = n;
	words[n++] = 8;
	words[n++] = s_sec, words[n++] = 1;
	words[n++] = 0, words[n++] = 8;
	h.func_off = 0, h.func_len = (n - func_start) * 4;
	uint32_t line_start = n;
	words[n++] = 16;
	words[n++] = s_sec, words[n++] = 2;
	words[n++] = 0, words[n++] = s_file, words[n++] = s_line, words[n++] = 7 << 10 | 5;
	words[n++] = 16, words[n++] = s_file, words[n++] = s_line, words[n++] = 9 << 10 | 2;
	h.line_off = line_start * 4, h.line_len = (n - line_start) * 4;
	uint32_t core_start = n;
	words[n++] = 16;
	words[n++] = s_sec, words[n++] = 1;
	words[n++] = 8, words[n++] = 3, words[n++] = s_line;
	words[n++] = BPF_CORE_FIELD_BYTE_OFFSET;
	h.core_off = core_start * 4, h.core_len = (n - core_start) * 4;
	uint8_t buf[512];
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), words, n * 4);
	size_t size = sizeof(h) + n * 4;

	struct bpfrt_btf_ext *ext = bpfrt_btf_ext_new(buf, size, btf, &d);
	CHECK(ext, "ext refused: %s", d.msg);
	if (ext) {
		uint32_t cnt = 99, rs = 0;
		const struct bpf_func_info *fi = bpfrt_btf_ext_func_info(ext, ".data", &cnt, &rs);
		CHECK(fi && cnt == 1 && rs == 8 && fi[0].type_id == 8, "func_info");
		const struct bpf_line_info *li = bpfrt_btf_ext_line_info(ext, ".data", &cnt, &rs);
		CHECK(li && cnt == 2 && rs == 16, "line_info");
		if (li)
			CHECK(BPF_LINE_INFO_LINE_NUM(li[1].line_col) == 9 && li[1].insn_off == 16,
			      "line 9");
		const struct bpf_core_relo *cr = bpfrt_btf_ext_core_relo(ext, ".data", &cnt, &rs);
		CHECK(cr && cnt == 1 && cr[0].type_id == 3, "core_relo");
		CHECK(!bpfrt_btf_ext_line_info(ext, "nope", &cnt, &rs) && cnt == 0, "missing");
		bpfrt_btf_ext_free(ext);
	}

	/* malformed .BTF.ext */
	uint8_t bad[512];
#define EXT_BAD(mutate, want)                                                             \
	do {                                                                              \
		memcpy(bad, buf, size);                                                   \
		mutate;                                                                   \
		struct bpfrt_btf_ext *e = bpfrt_btf_ext_new(bad, size, btf, &d);          \
		CHECK(!e && strstr(d.msg, want), "ext: '%s' lacks '%s'", d.msg, want);   \
		bpfrt_btf_ext_free(e);                                                    \
	} while (0)
	uint32_t *hw = (uint32_t *)(void *)bad;
	uint32_t *rw = (uint32_t *)(void *)(bad + sizeof(h));
	EXT_BAD(bad[0] = 0, "bad magic");
	EXT_BAD(hw[1] = 1000, "header length");
	EXT_BAD(hw[3] = 0xfffff, "beyond");
	EXT_BAD(rw[0] = 4, "bad record size");
	EXT_BAD(rw[2] = 100, "run past");
	EXT_BAD(rw[1] = 99999, "section name offset");
	EXT_BAD(rw[4] = 1, "not a FUNC");
	EXT_BAD(rw[3] = 4, "multiple of 8");
	EXT_BAD(rw[line_start + 5] = 99999, "beyond the string section");
	EXT_BAD(rw[line_start + 3] = 32, "before the previous");
	EXT_BAD(rw[core_start + 4] = 999, "beyond 16 types");
	EXT_BAD(rw[core_start + 6] = 99, "unknown relocation kind");
	struct bpfrt_btf_ext *e = bpfrt_btf_ext_new(buf, 5, btf, &d);
	CHECK(!e && strstr(d.msg, "too short"), "short ext: %s", d.msg);
	bpfrt_btf_free(btf);
}

/* Run a dumper into a memory buffer; the caller frees. */
static char *capture(int (*fn)(const struct bpfrt_btf *, FILE *), const struct bpfrt_btf *btf)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err = fn(btf, f);
	fclose(f);
	CHECK(err == 0, "dump: %d", err);
	return buf;
}

static char *capture_data(const struct bpfrt_btf *btf, uint32_t id, const void *data, size_t size,
			  bool json, int *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	*err = bpfrt_btf_dump_data(btf, id, data, size, json, f);
	fclose(f);
	return buf;
}

static void test_dumps(void)
{
	struct blob b;
	struct bpfrt_diag d = {0};
	build_ref(&b);
	blob_finish(&b);
	struct bpfrt_btf *btf = bpfrt_btf_new(b.out, b.size, &d);
	CHECK(btf, "ref: %s", d.msg);
	if (!btf)
		return;
	char *raw = capture(bpfrt_btf_dump_raw, btf);
	CHECK(strstr(raw, "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
			  "[2] PTR '(anon)' type_id=3\n"
			  "[3] STRUCT 'foo' size=16 vlen=3\n"
			  "\t'a' type_id=1 bits_offset=0\n"
			  "\t'next' type_id=2 bits_offset=64\n"
			  "\t'bf' type_id=1 bits_offset=32 bitfield_size=3\n"),
	      "raw:\n%s", raw);
	CHECK(strstr(raw, "[9] ENUM 'e' encoding=SIGNED size=4 vlen=2\n\t'A' val=1\n\t'B' val=-2\n"),
	      "raw enum");
	CHECK(strstr(raw, "[10] VAR 'v' type_id=6, linkage=global\n"), "raw var");
	CHECK(strstr(raw, "[11] DATASEC '.data' size=40 vlen=1\n\ttype_id=10 offset=0 size=40 "
			  "(VAR 'v')\n"),
	      "raw datasec");
	CHECK(strstr(raw, "[14] FWD 'bar' fwd_kind=struct\n[15] FLOAT 'float' size=4\n"), "raw fwd");
	free(raw);

	char *c = capture(bpfrt_btf_dump_c, btf);
	CHECK(strstr(c, "struct foo {\n\tint a;\n\tint bf: 3;\n\tstruct foo *next;\n};") ||
		      strstr(c, "struct foo {\n\tint a;\n"),
	      "c struct:\n%s", c);
	CHECK(strstr(c, "typedef struct foo foo_t;\n"), "c typedef:\n%s", c);
	CHECK(strstr(c, "enum e {\n\tA = 1,\n\tB = -2,\n};\n"), "c enum:\n%s", c);
	CHECK(strstr(c, "union u {\n\tint x;\n\tchar c;\n};\n"), "c union:\n%s", c);
	CHECK(strstr(c, "struct bar;\n"), "c fwd:\n%s", c);
	free(c);

	/* data: struct foo {a = -3, next = 0, bf = 5} */
	uint8_t foo[16] = {0};
	int32_t a = -3;
	memcpy(foo, &a, 4);
	foo[4] = 5;
	int err;
	char *s = capture_data(btf, 3, foo, sizeof(foo), true, &err);
	CHECK(err == 0 && !strcmp(s, "{\"a\":-3,\"next\":0,\"bf\":\"0x5\"}"), "json foo: %d %s", err, s);
	free(s);
	s = capture_data(btf, 5, foo, sizeof(foo), false, &err);
	CHECK(err == 0 && !strcmp(s, "{\n    \"a\": -3,\n    \"next\": (nil),\n    \"bf\": 0x5\n}"),
	      "plain foo: %d %s", err, s);
	free(s);
	s = capture_data(btf, 3, foo, 15, true, &err);
	CHECK(err == -EINVAL, "size mismatch: %d", err);
	free(s);
	int32_t arr[10] = {1, 2, 3};
	s = capture_data(btf, 6, arr, sizeof(arr), false, &err);
	CHECK(err == 0 && !strcmp(s, "[1,2,3,0,0,0,0,0,0,0\n]"), "plain array: %s", s);
	free(s);
	int32_t ev = -2;
	s = capture_data(btf, 9, &ev, 4, true, &err);
	CHECK(err == 0 && !strcmp(s, "\"B\""), "enum: %s", s);
	free(s);
	ev = 7;
	s = capture_data(btf, 9, &ev, 4, true, &err);
	CHECK(err == 0 && !strcmp(s, "7"), "enum number: %s", s);
	free(s);
	s = capture_data(btf, 11, arr, sizeof(arr), true, &err);
	CHECK(err == 0 && !strcmp(s, "{\".data\":[{\"v\":[1,2,3,0,0,0,0,0,0,0]}]}"), "datasec: %s", s);
	free(s);
	char ch = 'x';
	s = capture_data(btf, 13, &ch, 1, true, &err);
	CHECK(err == 0 && !strcmp(s, "120"), "char as signed int: %s", s);
	free(s);
	bpfrt_btf_free(btf);
}

/* Shapes C cannot say, that the C dumper must survive: an anonymous
 * struct holding a pointer to itself, a struct with a 4 GB hole. */
static void test_dump_c_odd(void)
{
	struct blob b;
	struct bpfrt_diag d = {0};
	blob_init(&b);
	type(&b, 0, BTF_KIND_STRUCT, 0, 2, 16); /* [1] struct { [1] *a; [1] *b; } */
	w(&b, str(&b, "a")), w(&b, 2), w(&b, 0);
	w(&b, str(&b, "b")), w(&b, 2), w(&b, 64);
	type(&b, 0, BTF_KIND_PTR, 0, 0, 1);	   /* [2] */
	type(&b, str(&b, "holder"), BTF_KIND_STRUCT, 0, 1, 0xfffffff0u); /* [3] */
	w(&b, str(&b, "x")), w(&b, 1), w(&b, 0);
	type(&b, str(&b, "t"), BTF_KIND_TYPEDEF, 0, 0, 1); /* [4] */
	blob_finish(&b);
	struct bpfrt_btf *btf = bpfrt_btf_new(b.out, b.size, &d);
	CHECK(btf, "odd BTF refused: %s", d.msg);
	if (!btf)
		return;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err = bpfrt_btf_dump_c(btf, f);
	fclose(f);
	CHECK(err == -ELOOP, "self-containing anonymous struct: %d", err);
	CHECK(len < 100000 && strstr(buf, "char __pad_at_16[4294967264];"), "hole as one array:\n%s",
	      buf);
	free(buf);
	bpfrt_btf_free(btf);
}

int main(void)
{
	test_valid();
	test_header();
	test_records();
	test_loops();
	test_ext();
	test_dumps();
	test_dump_c_odd();
	return CHECK_DONE();
}

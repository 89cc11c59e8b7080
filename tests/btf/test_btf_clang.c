/* test_btf_clang.c — BTF as clang really writes it: compile sample.bpf.c
 * with clang-19 -target bpf, extract .BTF/.BTF.ext with llvm-objcopy, and
 * check the parser (types by name, sizes, modifiers), the raw and C dumps
 * against bpftool (when installed), that the C dump compiles with the same
 * sizes and offsets, that line_info points at the right source lines, and
 * the data dump of a map value.
 *
 * usage: test_btf_clang CLANG OBJCOPY BPFTOOL SOURCE WORKDIR
 * (a tool path that is empty or *-NOTFOUND is missing; exit 77 = skipped)
 */
#include "bpfrt/btf.h"

#include <errno.h>
#include <stdarg.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"

static bool have(const char *tool)
{
	size_t n = strlen(tool);
	return n && !(n >= 8 && !strcmp(tool + n - 8, "NOTFOUND"));
}

static char *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf)
		buf[n] = 0;
	if (size)
		*size = (size_t)n;
	return buf;
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
	return rc;
}

/* Line n (1-based) of text, copied into out. */
static bool source_line(const char *text, uint32_t n, char *out, size_t out_size)
{
	for (uint32_t i = 1; i < n && text; i++) {
		text = strchr(text, '\n');
		if (text)
			text++;
	}
	if (!text)
		return false;
	size_t len = strcspn(text, "\n");
	if (len >= out_size)
		len = out_size - 1;
	memcpy(out, text, len);
	out[len] = 0;
	return true;
}

static uint32_t marker_line(const char *text, const char *marker)
{
	const char *p = strstr(text, marker);
	uint32_t line = 1;
	for (const char *q = text; p && q < p; q++)
		line += *q == '\n';
	return p ? line : 0;
}

static void check_types(const struct bpfrt_btf *btf)
{
	int32_t sv = bpfrt_btf_find_by_name_kind(btf, "sample_value", BTF_KIND_STRUCT);
	CHECK(sv > 0, "struct sample_value");
	CHECK(bpfrt_btf_resolve_size(btf, (uint32_t)sv) == 80, "sizeof sample_value");
	int32_t csv = bpfrt_btf_find_by_name_kind(btf, "csv_t", BTF_KIND_TYPEDEF);
	uint32_t under = 0;
	CHECK(csv > 0 && bpfrt_btf_skip_mods(btf, (uint32_t)csv, &under) &&
		      under == (uint32_t)sv,
	      "csv_t -> const -> sample_value_t -> struct sample_value (%u)", under);
	CHECK(bpfrt_btf_resolve_size(btf, (uint32_t)csv) == 80, "sizeof csv_t");
	int32_t pk = bpfrt_btf_find_by_name_kind(btf, "packed", BTF_KIND_STRUCT);
	CHECK(pk > 0 && bpfrt_btf_resolve_size(btf, (uint32_t)pk) == 9, "packed is 9 bytes");
	int32_t fl = bpfrt_btf_find_by_name_kind(btf, "flags", BTF_KIND_STRUCT);
	CHECK(fl > 0 && bpfrt_btf_resolve_size(btf, (uint32_t)fl) == 4, "flags is 4 bytes");
	CHECK(bpfrt_btf_find_by_name_kind(btf, "color", BTF_KIND_ENUM) > 0, "enum color");
	CHECK(bpfrt_btf_find_by_name_kind(btf, "sample_prog", BTF_KIND_FUNC) > 0, "FUNC");
	CHECK(bpfrt_btf_find_by_name_kind(btf, "touch", BTF_KIND_FUNC) > 0, "FUNC touch");
	CHECK(bpfrt_btf_find_by_name_kind(btf, ".bss", BTF_KIND_DATASEC) > 0, ".bss");
	CHECK(bpfrt_btf_find_by_name_kind(btf, "values", BTF_KIND_VAR) > 0, "VAR values");
}

static void check_lines(const struct bpfrt_btf *btf, const struct bpfrt_btf_ext *ext,
			const char *src)
{
	uint32_t cnt = 0, rs = 0;
	const uint8_t *recs = bpfrt_btf_ext_line_info(ext, "xdp", &cnt, &rs);
	CHECK(recs && cnt >= 3 && rs >= sizeof(struct bpf_line_info), "xdp line_info: %u", cnt);
	bool seen_count = false, seen_counter = false;
	for (uint32_t i = 0; recs && i < cnt; i++) {
		struct bpf_line_info li;
		memcpy(&li, recs + (size_t)i * rs, sizeof(li));
		uint32_t line = BPF_LINE_INFO_LINE_NUM(li.line_col);
		const char *text = bpfrt_btf_str(btf, li.line_off);
		const char *file = bpfrt_btf_str(btf, li.file_name_off);
		char actual[512];
		CHECK(text && file && strstr(file, "sample.bpf.c"), "record %u file %s", i,
		      file ? file : "?");
		CHECK(source_line(src, line, actual, sizeof(actual)) && text &&
			      !strcmp(actual, text),
		      "record %u: line %u is '%s' in the source, '%s' in BTF", i, line, actual,
		      text ? text : "?");
		if (line == marker_line(src, "LINE:count"))
			seen_count = true;
		if (line == marker_line(src, "LINE:counter"))
			seen_counter = true;
	}
	CHECK(seen_count && seen_counter, "line_info covers the marked lines");
	const struct bpf_func_info *fi = bpfrt_btf_ext_func_info(ext, "xdp", &cnt, &rs);
	CHECK(fi && cnt == 1 && fi[0].insn_off == 0, "xdp func_info");
	if (fi) {
		const struct btf_type *t = bpfrt_btf_type_by_id(btf, fi[0].type_id);
		CHECK(t && !strcmp(bpfrt_btf_str(btf, t->name_off), "sample_prog"), "func name");
	}
	fi = bpfrt_btf_ext_func_info(ext, ".text", &cnt, &rs);
	CHECK(fi && cnt == 1, ".text func_info (touch)");
}

static void check_data(const struct bpfrt_btf *btf)
{
	int32_t sv = bpfrt_btf_find_by_name_kind(btf, "sample_value", BTF_KIND_STRUCT);
	if (sv <= 0)
		return;
	uint8_t v[80] = {0};
	int32_t count = 42, color = 5;
	uint32_t flags = 3u | 0x7fu << 3 | 1u << 10;
	memcpy(v, &count, 4);
	memcpy(v + 4, "hello", 6);
	memcpy(v + 16, &flags, 4);
	memcpy(v + 20, &color, 4);
	v[41] = 1;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err = bpfrt_btf_dump_data(btf, (uint32_t)sv, v, sizeof(v), true, f);
	fclose(f);
	CHECK(err == 0, "dump_data: %d", err);
	CHECK(buf && strstr(buf, "{\"count\":42,\"name\":\"hello\",\"f\":{\"lo\":\"0x3\",\"mid\":"
				 "\"0x7f\",\"hi\":\"0x1\"},\"color\":\"GREEN\",\"\":{\"raw\":0,\"\":"
				 "{\"a\":0,\"b\":0}},\"pk\":{\"c\":0,\"v\":0},\"on\":true,\"big\":"
				 "\"0x0\",\"cb\":0,\"next\":0}"),
	      "json value: %s", buf ? buf : "");
	free(buf);
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: %s CLANG OBJCOPY BPFTOOL SOURCE WORKDIR\n", argv[0]);
		return 2;
	}
	const char *clang = argv[1], *objcopy = argv[2], *bpftool = argv[3], *source = argv[4],
		   *work = argv[5];
	if (!have(clang) || !have(objcopy)) {
		printf("SKIP: clang-19 or llvm-objcopy-19 not found (apt install clang-19 llvm-19)\n");
		return 77;
	}
	mkdir(work, 0755);
	if (run("'%s' -g -O2 -target bpf -c '%s' -o '%s/sample.o'", clang, source, work) ||
	    run("'%s' --dump-section .BTF='%s/sample.btf' --dump-section .BTF.ext='%s/sample.btfext' "
		"'%s/sample.o'",
		objcopy, work, work, work)) {
		CHECK(0, "compiling or extracting failed");
		return CHECK_DONE();
	}
	char path[1024];
	size_t btf_size = 0, ext_size = 0;
	snprintf(path, sizeof(path), "%s/sample.btf", work);
	char *btf_data = slurp(path, &btf_size);
	snprintf(path, sizeof(path), "%s/sample.btfext", work);
	char *ext_data = slurp(path, &ext_size);
	char *src = slurp(source, NULL);
	CHECK(btf_data && ext_data && src, "reading the sections");
	if (!btf_data || !ext_data || !src)
		return CHECK_DONE();

	struct bpfrt_diag diag = {0};
	struct bpfrt_btf *btf = bpfrt_btf_new(btf_data, btf_size, &diag);
	CHECK(btf, "clang's BTF refused: %s", diag.msg);
	if (!btf)
		return CHECK_DONE();
	struct bpfrt_btf_ext *ext = bpfrt_btf_ext_new(ext_data, ext_size, btf, &diag);
	CHECK(ext, "clang's BTF.ext refused: %s", diag.msg);

	check_types(btf);
	if (ext)
		check_lines(btf, ext, src);
	check_data(btf);

	/* raw and C dumps, to files */
	snprintf(path, sizeof(path), "%s/bpfrt_raw.txt", work);
	FILE *f = fopen(path, "w");
	CHECK(f && bpfrt_btf_dump_raw(btf, f) == 0, "raw dump");
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/vmlinux.h", work);
	f = fopen(path, "w");
	CHECK(f && bpfrt_btf_dump_c(btf, f) == 0, "C dump");
	if (f)
		fclose(f);

	/* the C dump compiles, with the layout of the original */
	snprintf(path, sizeof(path), "%s/use_dump.c", work);
	f = fopen(path, "w");
	if (f) {
		fputs("#include \"vmlinux.h\"\n"
		      "#define OFF(t, m) __builtin_offsetof(t, m)\n"
		      "_Static_assert(sizeof(struct sample_value) == 80, \"size\");\n"
		      "_Static_assert(OFF(struct sample_value, f) == 16, \"f\");\n"
		      "_Static_assert(OFF(struct sample_value, pk) == 32, \"pk\");\n"
		      "_Static_assert(OFF(struct sample_value, on) == 41, \"on\");\n"
		      "_Static_assert(OFF(struct sample_value, big) == 48, \"big\");\n"
		      "_Static_assert(OFF(struct sample_value, next) == 72, \"next\");\n"
		      "_Static_assert(sizeof(struct packed) == 9, \"packed\");\n"
		      "_Static_assert(sizeof(struct flags) == 4, \"flags\");\n"
		      "_Static_assert(sizeof(csv_t) == 80, \"csv_t\");\n"
		      "int use(struct sample_value *v) { return v->f.mid + v->b + GREEN; }\n",
		      f);
		fclose(f);
	}
	CHECK(run("'%s' -target bpf -Wall -Werror -c '%s/use_dump.c' -o '%s/use_dump.o'", clang,
		  work, work) == 0,
	      "the C dump does not compile (see %s/vmlinux.h)", work);

	if (have(bpftool)) {
		CHECK(run("'%s' btf dump file '%s/sample.o' format raw > '%s/bpftool_raw.txt' && "
			  "diff -u '%s/bpftool_raw.txt' '%s/bpfrt_raw.txt'",
			  bpftool, work, work, work, work) == 0,
		      "raw dump differs from bpftool's");
		CHECK(run("'%s' btf dump file '%s/sample.o' format c > '%s/bpftool.h' && "
			  "diff -u '%s/bpftool.h' '%s/vmlinux.h'",
			  bpftool, work, work, work, work) == 0,
		      "C dump differs from bpftool's");
	} else {
		printf("note: bpftool not installed; dumps not compared with it\n");
	}

	bpfrt_btf_ext_free(ext);
	bpfrt_btf_free(btf);
	free(btf_data);
	free(ext_data);
	free(src);
	return CHECK_DONE();
}

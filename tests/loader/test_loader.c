/* test_loader.c — the object loader end to end: objects compiled by clang at
 * build time (tests/loader/progs, with and without -g) are opened, loaded
 * and run with BPF_PROG_TEST_RUN; then malformed variants of one of them
 * check that every error names its place.
 *
 * Usage: test_loader OBJDIR, where OBJDIR holds NAME.o (-g) and
 * NAME.nog.o (no -g).  Exits 77 (skip) when OBJDIR is empty (no clang).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpfrt/object.h"
#include "loader/loader.h"
#include "../unit/check.h"

static const char *objdir;
static struct bpfrt *rt;
static char pin_root[256];

static void obj_path(char *buf, size_t len, const char *name, bool g)
{
	snprintf(buf, len, "%s/%s%s.o", objdir, name, g ? "" : ".nog");
}

static struct bpfrt_object *open_obj(const char *name, bool g, struct bpfrt_diag *diag)
{
	char path[512];
	obj_path(path, sizeof(path), name, g);
	struct bpfrt_object_open_opts o = {.sz = sizeof(o), .pin_root_path = pin_root};
	return bpfrt_object_open_file(rt, path, &o, diag);
}

static int test_run(int fd, void *data, uint32_t len, uint32_t *retval)
{
	union bpf_attr a;
	uint8_t out[256];
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	if (data) {
		a.test.repeat = 1;
		a.test.data_in = (uintptr_t)data;
		a.test.data_size_in = len;
		a.test.data_out = (uintptr_t)out;
		a.test.data_size_out = sizeof(out);
	}
	int err = bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a));
	*retval = a.test.retval;
	return err;
}

static int lookup(int fd, const void *key, void *value)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uintptr_t)key;
	a.value = (uintptr_t)value;
	return bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a));
}

/* Ethernet + IPv4 header with protocol proto. */
static void make_packet(uint8_t *p, size_t len, uint8_t proto)
{
	memset(p, 0, len);
	p[12] = 0x08;
	p[13] = 0x00;
	p[14] = 0x45;
	p[14 + 9] = proto;
}

static void test_sec_names(void)
{
	static const struct {
		const char *sec;
		uint32_t type, attach;
		bool attachable;
	} cases[] = {
		{"xdp", BPF_PROG_TYPE_XDP, BPF_XDP, true},
		{"xdp.frags", BPF_PROG_TYPE_XDP, BPF_XDP, true},
		{"socket", BPF_PROG_TYPE_SOCKET_FILTER, 0, true},
		{"tc", BPF_PROG_TYPE_SCHED_CLS, 0, true},
		{"classifier", BPF_PROG_TYPE_SCHED_CLS, 0, true},
		{"tracepoint/syscalls/sys_enter_openat", BPF_PROG_TYPE_TRACEPOINT, 0, true},
		{"tp/sched/sched_switch", BPF_PROG_TYPE_TRACEPOINT, 0, false},
		{"raw_tp/sys_enter", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, false},
		{"kprobe/do_sys_open", BPF_PROG_TYPE_KPROBE, 0, false},
		{"uprobe//bin/sh:main", BPF_PROG_TYPE_KPROBE, 0, true},
		{"uretprobe.s/libc.so.6:malloc", BPF_PROG_TYPE_KPROBE, 0, true},
		{"syscall", BPF_PROG_TYPE_SYSCALL, 0, true},
		{"perf_event", BPF_PROG_TYPE_PERF_EVENT, 0, false},
		{"fentry/tcp_v4_connect", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, false},
		{"fexit/do_exit", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, false},
		{"lsm/file_open", BPF_PROG_TYPE_LSM, BPF_LSM_MAC, false},
		{"iter/task", BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, false},
		{"struct_ops/foo", BPF_PROG_TYPE_STRUCT_OPS, 0, false},
		{"cgroup_skb/ingress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, false},
		{"sk_msg", BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT, false},
		{"sk_skb/stream_parser", BPF_PROG_TYPE_SK_SKB, BPF_SK_SKB_STREAM_PARSER, false},
		{"flow_dissector", BPF_PROG_TYPE_FLOW_DISSECTOR, BPF_FLOW_DISSECTOR, false},
		{"cgroup/connect4", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct loader_sec_def d;
		bool found = loader_sec_def_find(cases[i].sec, &d);
		CHECK(found, "SEC(\"%s\") not recognized", cases[i].sec);
		if (!found)
			continue;
		CHECK(d.prog_type == cases[i].type && d.attach_type == cases[i].attach,
		      "SEC(\"%s\"): type %u attach %u", cases[i].sec, d.prog_type, d.attach_type);
		CHECK((d.note == NULL) == cases[i].attachable, "SEC(\"%s\"): note %s", cases[i].sec,
		      d.note ? d.note : "(none)");
	}
	struct loader_sec_def d;
	CHECK(!loader_sec_def_find("xdpfoo", &d), "xdpfoo matched");
	CHECK(!loader_sec_def_find("socket/x", &d), "socket/x matched (socket is exact)");
	CHECK(loader_sec_def_find("fentry/x", &d) && d.note && strstr(d.note, "trampolines"),
	      "fentry note: %s", d.note ? d.note : "(none)");
}

/* Open xdp_parse.o, optionally set .rodata's drop_proto, load, run. */
static void run_xdp_parse(uint32_t drop_proto, uint32_t expect)
{
	struct bpfrt_diag diag;
	struct bpfrt_object *obj = open_obj("xdp_parse", true, &diag);
	CHECK(obj, "open xdp_parse.o: %s", diag.msg);
	if (!obj)
		return;
	CHECK(!strcmp(bpfrt_object_name(obj), "xdp_parse"), "object name %s", bpfrt_object_name(obj));
	struct bpfrt_object_map *ro = bpfrt_object_find_map_by_name(obj, "xdp_pars.rodata");
	CHECK(ro, "no map xdp_pars.rodata");
	CHECK(bpfrt_object_find_map_by_name(obj, ".rodata") == ro, ".rodata by section name");
	CHECK(bpfrt_object_find_map_by_name(obj, "xdp_pars.bss"), "no xdp_pars.bss");
	CHECK(bpfrt_object_find_map_by_name(obj, "xdp_pars.data"), "no xdp_pars.data");
	CHECK(bpfrt_object_find_map_by_name(obj, ".data.stats"), "no .data.stats (custom: no prefix)");
	struct bpfrt_object_map *pc = bpfrt_object_find_map_by_name(obj, "proto_count");
	CHECK(pc && bpfrt_object_map_type(pc) == BPF_MAP_TYPE_HASH && bpfrt_object_map_key_size(pc) == 4 &&
		      bpfrt_object_map_value_size(pc) == 8 && bpfrt_object_map_max_entries(pc) == 64 &&
		      bpfrt_object_map_btf_key_type_id(pc) != 0,
	      "proto_count definition");
	if (ro && drop_proto) {
		size_t sz = 0;
		uint32_t *cfg = bpfrt_object_map_initial_value(ro, &sz);
		CHECK(cfg && sz == 8 && cfg[0] == 0 && cfg[1] == 4, ".rodata initial value");
		uint32_t nv[2] = {drop_proto, 4};
		CHECK(!bpfrt_object_map_set_initial_value(ro, nv, sizeof(nv)), "set .rodata");
	}
	struct bpfrt_program *xp = bpfrt_object_find_program_by_name(obj, "xdp_parse");
	struct bpfrt_program *sp = bpfrt_object_find_program_by_name(obj, "sys_sum");
	CHECK(xp && sp, "programs xdp_parse and sys_sum");
	CHECK(bpfrt_object_next_program(obj, NULL) == xp && bpfrt_object_next_program(obj, xp) == sp &&
		      !bpfrt_object_next_program(obj, sp),
	      "program order (section order)");
	CHECK(!bpfrt_object_find_program_by_name(obj, "proto_of"), "subprogram listed as a program");
	CHECK(xp && bpfrt_program_type(xp) == BPF_PROG_TYPE_XDP &&
		      bpfrt_program_expected_attach_type(xp) == BPF_XDP && !bpfrt_program_attach_note(xp),
	      "xdp_parse type");
	int err = bpfrt_object_load(obj);
	CHECK(!err, "load xdp_parse.o: %s", bpfrt_object_error(obj));
	if (err) {
		bpfrt_object_close(obj);
		return;
	}
	CHECK(bpfrt_object_map_set_initial_value(ro, "12345678", 8) == -EBUSY, "set after load");
	uint8_t pkt[64];
	make_packet(pkt, sizeof(pkt), 17);
	uint32_t ret = 99;
	CHECK(!test_run(bpfrt_program_fd(xp), pkt, sizeof(pkt), &ret), "run xdp_parse");
	CHECK(ret == expect, "xdp_parse with drop_proto %u: %u, expected %u", drop_proto, ret, expect);
	CHECK(!test_run(bpfrt_program_fd(xp), pkt, sizeof(pkt), &ret), "run xdp_parse again");
	uint32_t key = 17, zero = 0;
	uint64_t count = 0, bss = 0, stats = 0;
	CHECK(!lookup(bpfrt_object_map_fd(pc), &key, &count) && count == 2, "proto_count[17] = %llu",
	      (unsigned long long)count);
	CHECK(!lookup(bpfrt_object_map_fd(bpfrt_object_find_map_by_name(obj, ".bss")), &zero, &bss) &&
		      bss == 2,
	      ".bss packets = %llu", (unsigned long long)bss);
	CHECK(!lookup(bpfrt_object_map_fd(bpfrt_object_find_map_by_name(obj, ".data.stats")), &zero, &stats) &&
		      stats == 2 * sizeof(pkt),
	      ".data.stats seen_bytes = %llu", (unsigned long long)stats);
	/* .rodata is frozen: user space can't write it any more. */
	union bpf_attr a;
	uint32_t nv[2] = {1, 1};
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)bpfrt_object_map_fd(ro);
	a.key = (uintptr_t)&zero;
	a.value = (uintptr_t)nv;
	CHECK(bpfrt_bpf(rt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a)) == -EPERM, ".rodata not frozen");
	/* sys_sum: bias (7, .data) + 0+1+2+3 via bpf_loop, through a global subprogram. */
	CHECK(!test_run(bpfrt_program_fd(sp), NULL, 0, &ret) && ret == 13, "sys_sum = %u", ret);
	uint32_t cnt = 0, n_li = 0;
	const struct bpf_insn *in = bpfrt_program_insns(sp, &cnt);
	bool pseudo_func = false, pseudo_call = false;
	for (uint32_t i = 0; in && i < cnt; i++) {
		pseudo_func |= in[i].code == (BPF_LD | BPF_IMM | BPF_DW) && in[i].src_reg == BPF_PSEUDO_FUNC;
		pseudo_call |= in[i].code == (BPF_JMP | BPF_CALL) && in[i].src_reg == BPF_PSEUDO_CALL;
	}
	CHECK(pseudo_func && pseudo_call, "sys_sum relocated: func %d call %d", pseudo_func, pseudo_call);
	CHECK(bpfrt_program_line_info(xp, &n_li) && n_li > 0, "line info of xdp_parse");
	bpfrt_object_close(obj);
}

static void test_no_btf(void)
{
	struct bpfrt_diag diag;
	struct bpfrt_object *obj = open_obj("xdp_parse", false, &diag);
	CHECK(!obj && strstr(diag.msg, ".maps") && strstr(diag.msg, "-g"),
	      "BTF maps without BTF: %s", diag.msg);
	bpfrt_object_close(obj);
	/* Legacy maps and global data need no BTF. */
	obj = open_obj("legacy_maps", false, &diag);
	CHECK(obj, "open legacy_maps.nog.o: %s", diag.msg);
	if (!obj)
		return;
	struct bpfrt_object_map *m = bpfrt_object_find_map_by_name(obj, "calls");
	CHECK(m && bpfrt_object_map_type(m) == BPF_MAP_TYPE_ARRAY && bpfrt_object_map_value_size(m) == 8 &&
		      bpfrt_object_map_max_entries(m) == 2,
	      "legacy map definition");
	CHECK(!bpfrt_object_btf(obj), "BTF without -g?");
	int err = bpfrt_object_load(obj);
	CHECK(!err, "load legacy_maps.nog.o: %s", bpfrt_object_error(obj));
	struct bpfrt_program *p = bpfrt_object_find_program_by_name(obj, "count_calls");
	uint32_t r1 = 0, r2 = 0;
	if (!err && p) {
		CHECK(!test_run(bpfrt_program_fd(p), NULL, 0, &r1) && !test_run(bpfrt_program_fd(p), NULL, 0, &r2),
		      "run count_calls");
		CHECK(r1 == 1 && r2 == 2, "count_calls: %u %u", r1, r2);
	}
	bpfrt_object_close(obj);
}

static void test_maps_in_maps(void)
{
	struct bpfrt_diag diag;
	struct bpfrt_object *obj = open_obj("maps_in_maps", true, &diag);
	CHECK(obj, "open maps_in_maps.o: %s", diag.msg);
	if (!obj)
		return;
	int err = bpfrt_object_load(obj);
	CHECK(!err, "load maps_in_maps.o: %s", bpfrt_object_error(obj));
	if (err) {
		bpfrt_object_close(obj);
		return;
	}
	uint32_t ret = 0, zero = 0, va = 0, vb = 0;
	struct bpfrt_program *fill = bpfrt_object_find_program_by_name(obj, "fill_inner");
	CHECK(!test_run(bpfrt_program_fd(fill), NULL, 0, &ret) && ret == 2, "fill_inner = %u (slots set)", ret);
	CHECK(!lookup(bpfrt_object_map_fd(bpfrt_object_find_map_by_name(obj, "inner_a")), &zero, &va) && va == 11,
	      "inner_a = %u", va);
	CHECK(!lookup(bpfrt_object_map_fd(bpfrt_object_find_map_by_name(obj, "inner_b")), &zero, &vb) && vb == 22,
	      "inner_b = %u", vb);
	uint8_t pkt[64];
	make_packet(pkt, sizeof(pkt), 6);
	struct bpfrt_program *caller = bpfrt_object_find_program_by_name(obj, "tail_caller");
	CHECK(!test_run(bpfrt_program_fd(caller), pkt, sizeof(pkt), &ret) && ret == XDP_TX,
	      "tail_caller = %u (tail call through the initial prog array slot)", ret);
	bpfrt_object_close(obj);
}

static int run_once(const char *name, const char *prog, uint32_t *ret, char *err, size_t errlen)
{
	struct bpfrt_diag diag;
	struct bpfrt_object *obj = open_obj(name, true, &diag);
	if (!obj) {
		snprintf(err, errlen, "%s", diag.msg);
		return -1;
	}
	int e = bpfrt_object_load(obj);
	if (e)
		snprintf(err, errlen, "%s", bpfrt_object_error(obj));
	else
		e = test_run(bpfrt_program_fd(bpfrt_object_find_program_by_name(obj, prog)), NULL, 0, ret);
	bpfrt_object_close(obj);
	return e;
}

static void test_pinning(void)
{
	char err[512] = "", path[512];
	uint32_t r1 = 0, r2 = 0;
	CHECK(!run_once("pinned", "bump", &r1, err, sizeof(err)) && r1 == 1, "first load: %u %s", r1, err);
	snprintf(path, sizeof(path), "%s/shared_counter", pin_root);
	struct stat st;
	CHECK(!stat(path, &st), "not pinned at %s", path);
	CHECK(!run_once("pinned", "bump", &r2, err, sizeof(err)) && r2 == 2, "second load reuses: %u %s", r2, err);
	CHECK(run_once("pinned_other", "bump2", &r2, err, sizeof(err)) == -EINVAL && strstr(err, "shared_counter") &&
		      strstr(err, "doesn't match"),
	      "incompatible pinned map: %s", err);
	unlink(path);
}

/* ---- malformed objects ------------------------------------------------ */

static uint8_t *image;
static size_t image_len;

static Elf64_Shdr *shdr(uint8_t *img, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Shdr *sh = (Elf64_Shdr *)(img + eh->e_shoff);
	const char *strs = (const char *)img + sh[eh->e_shstrndx].sh_offset;
	for (int i = 0; i < eh->e_shnum; i++)
		if (!strcmp(strs + sh[i].sh_name, name))
			return &sh[i];
	return NULL;
}

/* Open a mutated copy; the open must fail with a message containing all
 * of want1 and want2. */
static void expect_open_error(const char *what, uint8_t *img, size_t len, const char *want1,
			      const char *want2)
{
	struct bpfrt_diag diag;
	struct bpfrt_object *obj = bpfrt_object_open_mem(rt, img, len, NULL, &diag);
	CHECK(!obj, "%s: opened", what);
	CHECK(strstr(diag.msg, want1) && (!want2 || strstr(diag.msg, want2)), "%s: message '%s' lacks '%s'/'%s'",
	      what, diag.msg, want1, want2 ? want2 : "");
	bpfrt_object_close(obj);
}

static void test_malformed(void)
{
	char path[512];
	obj_path(path, sizeof(path), "xdp_parse", true);
	FILE *f = fopen(path, "rb");
	CHECK(f, "read %s", path);
	if (!f)
		return;
	image = malloc(1 << 20);
	image_len = fread(image, 1, 1 << 20, f);
	fclose(f);
	uint8_t *m = malloc(image_len);

	/* The image itself opens. */
	struct bpfrt_diag diag;
	struct bpfrt_object *ok = bpfrt_object_open_mem(rt, image, image_len, NULL, &diag);
	CHECK(ok, "pristine image: %s", diag.msg);
	bpfrt_object_close(ok);

	expect_open_error("truncated header", image, 40, "not an ELF file", NULL);
	expect_open_error("truncated file", image, image_len / 2, "section header table", "outside the file");

	memcpy(m, image, image_len);
	shdr(m, "xdp")->sh_offset = image_len + 100;
	expect_open_error("bad section offset", m, image_len, "section 4", "outside the file");

	memcpy(m, image, image_len);
	shdr(m, "xdp")->sh_size -= 4;
	expect_open_error("program size not a multiple of 8", m, image_len, "section 'xdp'",
			  "is not a multiple of 8");

	/* Relocations of xdp: [0] packets at 0x10, ... */
	memcpy(m, image, image_len);
	Elf64_Shdr *rs = shdr(m, ".relxdp");
	Elf64_Rel *rel = (Elf64_Rel *)(m + rs->sh_offset);
	rel[0].r_info = ELF64_R_INFO(9999, ELF64_R_TYPE(rel[0].r_info));
	expect_open_error("relocation to a bad symbol", m, image_len, "section 'xdp': relocation at offset 16",
			  "symbol index 9999");

	memcpy(m, image, image_len);
	rs = shdr(m, ".relxdp");
	rel = (Elf64_Rel *)(m + rs->sh_offset);
	rel[0].r_offset = 0; /* r2 = *(u32 *)(r1 + 4) */
	expect_open_error("relocation not on an ld_imm64", m, image_len, "section 'xdp': relocation at offset 0",
			  "not an ld_imm64 or a call");

	memcpy(m, image, image_len);
	rs = shdr(m, ".relxdp");
	rel = (Elf64_Rel *)(m + rs->sh_offset);
	rel[0].r_offset = 20;
	expect_open_error("relocation inside an instruction", m, image_len, "section 'xdp': relocation at offset 20",
			  "not on an instruction boundary");

	memcpy(m, image, image_len);
	rs = shdr(m, ".relxdp");
	rel = (Elf64_Rel *)(m + rs->sh_offset);
	rel[0].r_offset = shdr(m, "xdp")->sh_size + 8;
	expect_open_error("relocation past the section", m, image_len, "section 'xdp'", "outside the section");

	memcpy(m, image, image_len);
	shdr(m, ".symtab")->sh_size -= 3;
	expect_open_error("symbol table size", m, image_len, "'.symtab'", "not a whole number of symbols");

	/* Found by tests/fuzz (corpus/loader/regress-*): code at an offset
	 * not aligned for struct bpf_insn was read in place. */
	memcpy(m, image, image_len);
	shdr(m, "xdp")->sh_offset += 1;
	expect_open_error("misaligned code", m, image_len, "section 4", "not 4-byte aligned");

	/* ... a .bss of 4 GB (its size is not in the file) was allocated at
	 * open: the array map's value limit applies there. */
	memcpy(m, image, image_len);
	shdr(m, ".bss")->sh_size = 0xf0000000;
	expect_open_error("huge .bss", m, image_len, "section '.bss'", "too large for a map value");

	/* ... and an object without any function sorted a NULL array: with no
	 * section executable, it opens with no programs. */
	memcpy(m, image, image_len);
	shdr(m, "xdp")->sh_flags &= ~(uint64_t)SHF_EXECINSTR;
	if (shdr(m, ".text"))
		shdr(m, ".text")->sh_flags &= ~(uint64_t)SHF_EXECINSTR;
	struct bpfrt_object *nof = bpfrt_object_open_mem(rt, m, image_len, NULL, &diag);
	CHECK(!nof || !bpfrt_object_next_program(nof, NULL), "no code: has a program");
	bpfrt_object_close(nof);

	free(m);
	free(image);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJDIR\n", argv[0]);
		return 2;
	}
	objdir = argv[1];
	char probe[512];
	obj_path(probe, sizeof(probe), "xdp_parse", true);
	if (access(probe, R_OK)) {
		printf("SKIP: %s missing (clang-19 not found at configure time?)\n", probe);
		return 77;
	}
	snprintf(pin_root, sizeof(pin_root), "/tmp/bpfrt-test-loader-XXXXXX");
	if (!mkdtemp(pin_root)) {
		perror("mkdtemp");
		return 1;
	}
	struct bpfrt_opts o = {.sz = sizeof(o), .pin_root = pin_root};
	rt = bpfrt_new(&o);
	if (!rt) {
		perror("bpfrt_new");
		return 1;
	}
	test_sec_names();
	run_xdp_parse(0, XDP_PASS);
	run_xdp_parse(17, XDP_DROP);
	test_no_btf();
	test_maps_in_maps();
	test_pinning();
	test_malformed();
	bpfrt_free(rt);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pin_root);
	if (system(cmd)) {
	}
	return CHECK_DONE();
}

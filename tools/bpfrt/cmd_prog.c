/* cmd_prog.c — `bpfrt prog ...`: programs (show, pin, run; load, loadall
 * and dump of ELF objects are in cmd_prog_obj.c).
 *
 * PROG := id ID | pinned FILE | name NAME (objects under the pin root, see
 * cli_objects.c) | file FILE (assembly text or raw instructions, loaded on
 * the fly).  `prog run` on a `file` runs it directly (r1 = data, r2 = its
 * length); on a loaded program it is BPF_PROG_TEST_RUN.  Either runs on the
 * runtime's engine (--engine, `engine E`; the JIT by default).
 * Output: bpftool's "Return value: N, duration (average): Nns" or, under
 * -j, {"retval":N,"duration":N}.
 */
#define _GNU_SOURCE
#include "tools/bpfrt/cli.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfrt/object.h"

struct run_args {
	const char *file; /* PROG is `file FILE`; otherwise argv[0..1] name it */
	const char *prog; /* `file OBJ prog NAME`: the program of an ELF object */
	int opts_at;      /* where the options after PROG start */
	const char *data_in, *data_out, *ctx_in, *ctx_out;
	uint64_t repeat;
	int repeat_given;
	int engine; /* `engine E` or `checked`: enum bpfrt_engine, 0 if not given */
};

/* PROG's shape only: `file FILE`, or a reference cli_objs_parse() takes. */
static int parse_prog(const struct cli *cli, int *i, int argc, char **argv, const char **file)
{
	if (*i >= argc)
		return cli_error(cli, "expected PROG (id ID | pinned FILE | name NAME | file FILE)");
	const char *kw = argv[*i];
	if (strcmp(kw, "file") && strcmp(kw, "id") && strcmp(kw, "pinned") && strcmp(kw, "name"))
		return cli_error(cli, "expected 'id', 'name', 'pinned' or 'file', got: '%s'?", kw);
	if (*i + 1 >= argc)
		return cli_error(cli, "'%s' needs an argument", kw);
	*file = !strcmp(kw, "file") ? argv[*i + 1] : NULL;
	*i += 2;
	return 0;
}

static int parse_run_args(const struct cli *cli, int argc, char **argv, struct run_args *a)
{
	int i = 0, err = parse_prog(cli, &i, argc, argv, &a->file);
	if (err)
		return err;
	a->opts_at = i;
	a->repeat = 1;
	for (; i < argc; i++) {
		const char *kw = argv[i];
		const char **slot = !strcmp(kw, "data_in")    ? &a->data_in
				    : !strcmp(kw, "data_out") ? &a->data_out
				    : !strcmp(kw, "ctx_in")   ? &a->ctx_in
				    : !strcmp(kw, "ctx_out")  ? &a->ctx_out
							      : NULL;
		if (slot) {
			if (++i >= argc)
				return cli_error(cli, "'%s' needs a FILE argument", kw);
			*slot = argv[i];
		} else if (!strcmp(kw, "repeat")) {
			a->repeat_given = 1;
			if (++i >= argc || cli_parse_u64(argv[i], &a->repeat) || a->repeat == 0 ||
			    a->repeat > UINT32_MAX)
				return cli_error(cli, "'repeat' needs a positive number, got '%s'",
						 i < argc ? argv[i] : "");
		} else if (!strcmp(kw, "prog") && a->file && i == a->opts_at) {
			if (++i >= argc)
				return cli_error(cli, "'prog' needs a NAME argument");
			a->prog = argv[i];
		} else if (!strcmp(kw, "checked")) {
			a->engine = BPFRT_ENGINE_CHECKED;
		} else if (!strcmp(kw, "engine")) {
			if (++i >= argc || bpfrt_engine_parse(argv[i]) < 0)
				return cli_error(cli, "'engine' needs 'jit', 'interp' or 'checked', got '%s'",
						 i < argc ? argv[i] : "");
			a->engine = bpfrt_engine_parse(argv[i]);
		} else {
			return cli_error(cli, "unknown keyword '%s' (expected data_in, data_out, ctx_in, ctx_out, repeat, engine, checked)", kw);
		}
	}
	return 0;
}

static int read_opt(const struct cli *cli, const char *path, uint8_t **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	if (!path)
		return 0;
	int err = cli_read_file(path, buf, len);
	if (err)
		return cli_error(cli, "can't read '%s': %s", path, strerror(-err));
	return 0;
}

static int write_opt(const struct cli *cli, const char *path, const uint8_t *buf, size_t len)
{
	if (!path)
		return 0;
	FILE *f = strcmp(path, "-") ? fopen(path, "wb") : stdout;
	if (!f || fwrite(buf, 1, len, f) != len)
		return cli_error(cli, "can't write '%s': %s", path, strerror(errno));
	if (f != stdout)
		fclose(f);
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One loaded program named by id/pinned/name at argv[*i]. */
static int open_prog(struct cli_objs *t, int *i, int argc, char **argv, int *fd,
		     struct cli_obj **obj)
{
	struct cli_obj **v;
	size_t n;
	int err = cli_objs_parse(t, CLI_PROG, i, argc, argv, false, &v, &n);
	if (err)
		return err;
	*obj = v[0];
	free(v);
	*fd = cli_obj_fd(t, *obj);
	if (*fd < 0)
		return cli_error(t->cli, "can't open the program: %s", cli_strerror(*fd));
	return 0;
}

static void print_run_result(const struct cli *cli, uint32_t retval, uint64_t duration,
			     uint64_t repeat)
{
	if (cli->json) {
		struct cli_json w;
		cli_json_init(&w, cli);
		cli_json_start_object(&w);
		cli_json_name(&w, "retval");
		cli_json_uint(&w, retval);
		cli_json_name(&w, "duration");
		cli_json_uint(&w, duration);
		cli_json_end_object(&w);
		cli_json_end(&w);
	} else {
		printf("Return value: %" PRIu32 ", duration%s: %" PRIu64 "ns\n", retval,
		       repeat > 1 ? " (average)" : "", duration);
	}
}

/* -d: which engine ran the program (stderr, so the result's format stays
 * bpftool's).  An unverified program interprets whatever the engine. */
static void report_engine(struct bpfrt *rt, int jited, const struct bpfrt_jited *j)
{
	const char *name = bpfrt_engine_name(bpfrt_engine(rt));
	if (!jited)
		fprintf(stderr, "bpfrt: engine %s: ran native code (%zu bytes for %u insns, compiled in %" PRIu64 " us)\n",
			name, j->size, j->insn_cnt, j->compile_ns / 1000);
	else if (jited == -ENOTSUP)
		fprintf(stderr, "bpfrt: engine %s: interpreted (the JIT can't compile it: %s)\n", name, j->reason);
	else
		fprintf(stderr, "bpfrt: engine %s: interpreted\n", name);
}

/* BPF_PROG_TEST_RUN on a pinned program: its type decides what data_in and
 * ctx_in mean, as in the kernel.  Output buffers leave room for growth
 * (XDP may extend the packet). */
static int test_run_fd(struct cli *cli, struct bpfrt *rt, int fd, const struct run_args *a)
{
	uint8_t *data = NULL, *ctx = NULL, *data_out = NULL, *ctx_out = NULL;
	size_t data_len = 0, ctx_len = 0;
	int rc = 255;
	if (read_opt(cli, a->data_in, &data, &data_len) || read_opt(cli, a->ctx_in, &ctx, &ctx_len))
		goto out;
	if (data_len > UINT32_MAX - 8192 || ctx_len > UINT32_MAX - 8192) {
		cli_error(cli, "input too large");
		goto out;
	}
	uint32_t data_out_len = (uint32_t)data_len + 4096, ctx_out_len = (uint32_t)ctx_len + 4096;
	data_out = calloc(1, data_out_len);
	ctx_out = calloc(1, ctx_out_len);
	if (!data_out || !ctx_out) {
		cli_error(cli, "out of memory");
		goto out;
	}
	union bpf_attr t;
	memset(&t, 0, sizeof(t));
	t.test.prog_fd = (uint32_t)fd;
	/* Only an explicit repeat is passed on: SYSCALL and raw tracepoint
	 * programs refuse one, as in the kernel (0 means once for the rest). */
	t.test.repeat = a->repeat_given ? (uint32_t)a->repeat : 0;
	if (a->data_in) {
		t.test.data_in = (uintptr_t)data;
		t.test.data_size_in = (uint32_t)data_len;
	}
	if (a->data_out) {
		t.test.data_out = (uintptr_t)data_out;
		t.test.data_size_out = data_out_len;
	}
	if (a->ctx_in) {
		t.test.ctx_in = (uintptr_t)ctx;
		t.test.ctx_size_in = (uint32_t)ctx_len;
	}
	if (a->ctx_out) {
		t.test.ctx_out = (uintptr_t)ctx_out;
		t.test.ctx_size_out = ctx_out_len;
	}
	int err = cli_bpf(rt, BPF_PROG_TEST_RUN, &t);
	if (err) {
		cli_error(cli, "failed to run program: %s", cli_strerror(err));
		goto out;
	}
	if (write_opt(cli, a->data_out, data_out, t.test.data_size_out) ||
	    write_opt(cli, a->ctx_out, ctx_out, t.test.ctx_size_out))
		goto out;
	print_run_result(cli, t.test.retval, t.test.duration, a->repeat);
	if (cli->debug) {
		struct bpfrt_jited j = {.sz = sizeof(j)};
		report_engine(rt, bpfrt_prog_jited(rt, fd, false, &j), &j);
	}
	rc = 0;
out:
	free(data);
	free(ctx);
	free(data_out);
	free(ctx_out);
	return rc;
}

static int run_loaded(struct cli *cli, int argc, char **argv, const struct run_args *a)
{
	struct bpfrt *rt = cli_runtime(cli);
	if (!rt)
		return 255;
	struct cli_objs objs;
	struct cli_obj *obj;
	int i = 0, fd, rc;
	cli_objs_init(&objs, cli, rt);
	rc = open_prog(&objs, &i, argc, argv, &fd, &obj);
	if (!rc)
		rc = test_run_fd(cli, rt, fd, a);
	cli_objs_free(&objs);
	bpfrt_free(rt);
	return rc;
}

/* `file OBJ [prog NAME]` with an ELF object: load it with the object
 * loader (maps created, relocations applied) and BPF_PROG_TEST_RUN the
 * program, with its type's meaning of data and ctx. */
static int run_elf(struct cli *cli, const struct run_args *a)
{
	struct bpfrt *rt = cli_runtime(cli);
	if (!rt)
		return 255;
	struct bpfrt_object *obj = NULL;
	struct bpfrt_program *prog = NULL;
	int rc = cli_object_open(cli, rt, a->file, a->prog, NULL, true, &obj, &prog);
	if (!rc)
		rc = test_run_fd(cli, rt, bpfrt_program_fd(prog), a);
	bpfrt_object_close(obj);
	bpfrt_free(rt);
	return rc;
}

/* r1 = ctx when ctx_in is given; otherwise r1 = data and r2 = its length
 * (the convention of raw programs and the conformance suite). */
static int do_run(struct cli *cli, int argc, char **argv)
{
	struct run_args a = {0};
	int err = parse_run_args(cli, argc, argv, &a);
	if (err)
		return err;
	if (a.engine) /* the keyword wins over --engine */
		cli->engine = a.engine;
	if (!a.file)
		return run_loaded(cli, argc, argv, &a);
	if (cli_is_elf(a.file))
		return run_elf(cli, &a);
	if (a.prog)
		return cli_error(cli, "'prog NAME' applies to ELF objects; '%s' is not one", a.file);
	struct bpf_insn *insns = NULL;
	uint32_t cnt = 0;
	if (cli_load_insns(cli, a.file, &insns, &cnt))
		return 255;
	uint8_t *data = NULL, *ctx = NULL;
	size_t data_len = 0, ctx_len = 0;
	struct bpfrt *rt = NULL;
	struct bpfrt_vm_prog *prog = NULL;
	struct bpfrt_diag diag = {0};
	int rc = 255;
	if (read_opt(cli, a.data_in, &data, &data_len) || read_opt(cli, a.ctx_in, &ctx, &ctx_len))
		goto out;
	if (!(rt = cli_runtime(cli)))
		goto out;
	if (bpfrt_vm_prog_new(rt, insns, cnt, NULL, &prog, &diag)) {
		cli_error(cli, "%s: program rejected: %s", a.file, diag.msg);
		goto out;
	}
	uint64_t args[2] = {ctx ? (uintptr_t)ctx : (uintptr_t)data, ctx ? 0 : data_len};
	enum bpfrt_engine engine = bpfrt_engine(rt);
	struct bpfrt_run_opts o = {.sz = sizeof(o),
				   .flags = engine == BPFRT_ENGINE_JIT	    ? BPFRT_RUN_JIT
					    : engine == BPFRT_ENGINE_CHECKED ? BPFRT_RUN_CHECKED
									     : 0,
				   .ctx = ctx, .ctx_size = ctx_len, .args = args, .nr_args = ctx ? 1 : 2,
				   .packet = data, .packet_size = data_len};
	uint64_t r0 = 0, t0 = now_ns();
	for (uint64_t n = 0; n < a.repeat; n++) {
		if (bpfrt_vm_run(prog, &o, &r0, &diag)) {
			cli_error(cli, "%s: run failed: %s", a.file, diag.msg);
			goto out;
		}
	}
	uint64_t avg = (now_ns() - t0) / a.repeat;
	if (write_opt(cli, a.data_out, data, data_len) || write_opt(cli, a.ctx_out, ctx, ctx_len))
		goto out;
	/* bpftool prints the 32-bit retval; r0's full value is kept in JSON. */
	if (cli->json)
		printf(cli->pretty ? "{\n    \"retval\": %" PRIu32 ",\n    \"duration\": %" PRIu64 ",\n    \"r0\": %" PRIu64 "\n}\n"
				   : "{\"retval\":%" PRIu32 ",\"duration\":%" PRIu64 ",\"r0\":%" PRIu64 "}\n",
		       (uint32_t)r0, avg, r0);
	else
		printf("Return value: %" PRIu32 ", duration%s: %" PRIu64 "ns\n", (uint32_t)r0,
		       a.repeat > 1 ? " (average)" : "", avg);
	if (cli->debug) {
		struct bpfrt_jited j = {.sz = sizeof(j)};
		report_engine(rt, bpfrt_vm_prog_jited(prog, false, &j), &j);
	}
	rc = 0;
out:
	bpfrt_vm_prog_free(prog);
	bpfrt_free(rt);
	free(insns);
	free(data);
	free(ctx);
	return rc;
}

/* ---- show ------------------------------------------------------------ */

#define MAX_MAP_IDS 64

static int prog_info(struct bpfrt *rt, int fd, struct bpf_prog_info *info, uint32_t *map_ids)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	memset(info, 0, sizeof(*info));
	info->nr_map_ids = MAX_MAP_IDS;
	info->map_ids = (uintptr_t)map_ids;
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info = (uintptr_t)info;
	a.info.info_len = sizeof(*info);
	return cli_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a);
}

/* load_time is CLOCK_BOOTTIME nanoseconds, as in the kernel. */
static time_t wall_time(uint64_t boot_ns)
{
	struct timespec real, boot;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	int64_t now_boot = (int64_t)boot.tv_sec * 1000000000ll + boot.tv_nsec;
	return real.tv_sec - (time_t)((now_boot - (int64_t)boot_ns) / 1000000000ll);
}

static void show_prog(struct cli_objs *t, struct cli_obj *o, const struct bpf_prog_info *in,
		      const uint32_t *map_ids, struct cli_json *w)
{
	const char *type = cli_prog_type_name(in->type);
	uint32_t nmaps = in->nr_map_ids < MAX_MAP_IDS ? in->nr_map_ids : MAX_MAP_IDS;
	char tag[2 * BPF_TAG_SIZE + 1];
	for (int k = 0; k < BPF_TAG_SIZE; k++)
		snprintf(tag + 2 * k, 3, "%02x", in->tag[k]);
	time_t loaded = wall_time(in->load_time);
	if (w) {
		cli_json_start_object(w);
		cli_json_name(w, "id");
		cli_json_uint(w, o->id);
		cli_json_name(w, "type");
		if (type)
			cli_json_string(w, type);
		else
			cli_json_uint(w, in->type);
		if (in->name[0]) {
			cli_json_name(w, "name");
			cli_json_string(w, in->name);
		}
		cli_json_name(w, "tag");
		cli_json_string(w, tag);
		cli_json_name(w, "gpl_compatible");
		cli_json_bool(w, in->gpl_compatible);
		if (in->run_time_ns) {
			cli_json_name(w, "run_time_ns");
			cli_json_uint(w, in->run_time_ns);
			cli_json_name(w, "run_cnt");
			cli_json_uint(w, in->run_cnt);
		}
		cli_json_name(w, "loaded_at");
		cli_json_int(w, (int64_t)loaded);
		cli_json_name(w, "uid");
		cli_json_uint(w, in->created_by_uid);
		cli_json_name(w, "bytes_xlated");
		cli_json_uint(w, in->xlated_prog_len);
		cli_json_name(w, "jited");
		cli_json_bool(w, in->jited_prog_len != 0);
		if (in->jited_prog_len) {
			cli_json_name(w, "bytes_jited");
			cli_json_uint(w, in->jited_prog_len);
		}
		if (nmaps) {
			cli_json_name(w, "map_ids");
			cli_json_start_array(w);
			for (uint32_t k = 0; k < nmaps; k++)
				cli_json_uint(w, cli_objs_canon_map_id(t, map_ids[k]));
			cli_json_end_array(w);
		}
		if (o->npaths) {
			cli_json_name(w, "pinned");
			cli_json_start_array(w);
			for (size_t k = 0; k < o->npaths; k++)
				cli_json_string(w, o->paths[k]);
			cli_json_end_array(w);
		}
		cli_json_end_object(w);
		return;
	}
	printf("%u: ", o->id);
	if (type)
		printf("%s  ", type);
	else
		printf("type %u  ", in->type);
	if (in->name[0])
		printf("name %s  ", in->name);
	printf("tag %s%s", tag, in->gpl_compatible ? "  gpl" : "");
	if (in->run_time_ns)
		printf(" run_time_ns %" PRIu64 " run_cnt %" PRIu64, (uint64_t)in->run_time_ns,
		       (uint64_t)in->run_cnt);
	char when[64];
	struct tm tm;
	if (!localtime_r(&loaded, &tm) || !strftime(when, sizeof(when), "%FT%T%z", &tm))
		snprintf(when, sizeof(when), "%lld", (long long)loaded);
	printf("\n\tloaded_at %s  uid %u\n", when, in->created_by_uid);
	printf("\txlated %uB", in->xlated_prog_len);
	if (in->jited_prog_len)
		printf("  jited %uB", in->jited_prog_len);
	else
		printf("  not jited");
	for (uint32_t k = 0; k < nmaps; k++)
		printf("%s%u", k ? "," : "  map_ids ", cli_objs_canon_map_id(t, map_ids[k]));
	printf("\n");
	for (size_t k = 0; k < o->npaths; k++)
		printf("\tpinned %s\n", o->paths[k]);
}

static int do_show(struct cli *cli, int argc, char **argv)
{
	struct bpfrt *rt = cli_runtime(cli);
	if (!rt)
		return 255;
	struct cli_objs t;
	cli_objs_init(&t, cli, rt);
	struct cli_obj **v = NULL;
	size_t n = 0;
	int i = 0, err = cli_objs_scan(&t);
	bool subset = argc > 0;
	if (!err && subset) {
		err = cli_objs_parse(&t, CLI_PROG, &i, argc, argv, true, &v, &n);
		if (!err && i < argc)
			err = cli_error(cli, "unexpected argument '%s'", argv[i]);
	} else if (!err) {
		for (size_t k = 0; k < t.n && !err; k++) {
			if (t.v[k].kind != CLI_PROG)
				continue;
			struct cli_obj **nv = realloc(v, (n + 1) * sizeof(*v));
			if (!nv)
				err = cli_error(cli, "out of memory");
			else
				(v = nv)[n++] = &t.v[k];
		}
	}
	struct cli_json w, *jw = cli->json && !err ? &w : NULL;
	bool array = !subset || n > 1;
	if (jw) {
		cli_json_init(jw, cli);
		if (array)
			cli_json_start_array(jw);
	}
	for (size_t k = 0; k < n && !err; k++) {
		struct bpf_prog_info info;
		uint32_t map_ids[MAX_MAP_IDS];
		int fd = cli_obj_fd(&t, v[k]);
		int e = fd < 0 ? fd : prog_info(rt, fd, &info, map_ids);
		if (e) {
			if (jw) { /* close what is open so the error object follows valid JSON */
				if (array)
					cli_json_end_array(jw);
				cli_json_end(jw);
			}
			err = cli_error(cli, "can't get prog info: %s", cli_strerror(e));
			jw = NULL;
			break;
		}
		show_prog(&t, v[k], &info, map_ids, jw);
	}
	if (jw) {
		if (array)
			cli_json_end_array(jw);
		cli_json_end(jw);
	}
	free(v);
	cli_objs_free(&t);
	bpfrt_free(rt);
	return err;
}

/* ---- pin ------------------------------------------------------------- */

/* A program name from a file name: its base name up to the first '.',
 * identifier characters only, at most 15 of them (the kernel's rule). */
static void name_from_file(const char *path, char name[BPF_OBJ_NAME_LEN])
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = 0;
	for (; *base && *base != '.' && n < BPF_OBJ_NAME_LEN - 1; base++)
		name[n++] = (isalnum((unsigned char)*base) || *base == '_') ? *base : '_';
	name[n] = 0;
}

/* `file FILE [type TYPE] [map idx IDX MAP]...`: load it with PROG_LOAD so
 * it can be pinned.  Maps are given by index (the program refers to them
 * with BPF_PSEUDO_MAP_IDX), as bpftool's `prog load ... map idx IDX MAP`. */
static int load_file(struct cli_objs *t, const char *file, int *i, int argc, char **argv, int *fd)
{
	const struct cli *cli = t->cli;
	uint32_t type = BPF_PROG_TYPE_XDP;
	int fds[MAX_MAP_IDS];
	uint32_t nfds = 0;
	for (int k = 0; k < MAX_MAP_IDS; k++)
		fds[k] = -1;
	while (*i < argc && (!strcmp(argv[*i], "type") || !strcmp(argv[*i], "map"))) {
		if (!strcmp(argv[*i], "type")) {
			if (++*i >= argc)
				return cli_error(cli, "'type' needs an argument");
			if (cli_prog_type_parse(argv[*i], &type))
				return cli_error(cli, "unrecognized program type: %s", argv[*i]);
			++*i;
			continue;
		}
		uint64_t idx;
		if (*i + 2 >= argc || strcmp(argv[*i + 1], "idx"))
			return cli_error(cli, "expected 'map idx IDX MAP'");
		if (cli_parse_u64(argv[*i + 2], &idx) || idx >= MAX_MAP_IDS)
			return cli_error(cli, "can't parse map index '%s' (0..%d)", argv[*i + 2], MAX_MAP_IDS - 1);
		*i += 3;
		struct cli_obj **v;
		size_t n;
		int err = cli_objs_parse(t, CLI_MAP, i, argc, argv, false, &v, &n);
		if (err)
			return err;
		fds[idx] = cli_obj_fd(t, v[0]);
		free(v);
		if (fds[idx] < 0)
			return cli_error(cli, "can't open map %" PRIu64 ": %s", idx, cli_strerror(fds[idx]));
		if (idx + 1 > nfds)
			nfds = (uint32_t)idx + 1;
	}
	struct bpf_insn *insns = NULL;
	uint32_t cnt = 0;
	if (cli_load_insns(cli, file, &insns, &cnt))
		return 255;
	char log[4096] = "";
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = cnt;
	a.license = (uintptr_t)"GPL";
	a.log_buf = (uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	a.fd_array = nfds ? (uintptr_t)fds : 0;
	name_from_file(file, a.prog_name);
	*fd = cli_bpf(t->rt, BPF_PROG_LOAD, &a);
	free(insns);
	if (*fd < 0) {
		size_t len = strlen(log);
		while (len && log[len - 1] == '\n')
			log[--len] = 0;
		return cli_error(cli, "failed to load program '%s': %s%s%s", file, cli_strerror(*fd),
				 log[0] ? ": " : "", log);
	}
	return 0;
}

static int do_pin(struct cli *cli, int argc, char **argv)
{
	struct bpfrt *rt = cli_runtime(cli);
	if (!rt)
		return 255;
	struct cli_objs t;
	cli_objs_init(&t, cli, rt);
	int i = 0, fd = -1, err;
	const char *file = NULL;
	struct cli_obj *obj;
	if (i < argc && !strcmp(argv[i], "file")) {
		err = parse_prog(cli, &i, argc, argv, &file);
		if (!err)
			err = load_file(&t, file, &i, argc, argv, &fd);
	} else {
		err = open_prog(&t, &i, argc, argv, &fd, &obj);
	}
	if (!err && i >= argc)
		err = cli_error(cli, "'pin' needs a FILE after PROG");
	else if (!err && i + 1 < argc)
		err = cli_error(cli, "unexpected argument '%s'", argv[i + 1]);
	if (!err) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.bpf_fd = (uint32_t)fd;
		a.pathname = (uintptr_t)argv[i];
		int e = cli_bpf(rt, BPF_OBJ_PIN, &a);
		if (e)
			err = cli_error(cli, "can't pin the object (%s): %s", argv[i], cli_strerror(e));
		else if (cli->json)
			puts("null");
	}
	cli_objs_free(&t);
	bpfrt_free(rt);
	return err;
}

static int usage(const struct cli *cli, int rc)
{
	if (cli->json && !rc) {
		puts("null");
		return 0;
	}
	fprintf(stderr,
		"Usage: bpfrt prog { show | list } [PROG]\n"
		"       bpfrt prog run PROG [data_in FILE] [data_out FILE] [ctx_in FILE] [ctx_out FILE] \\\n"
		"                           [repeat N] [engine { jit | interp | checked }] [checked]\n"
		"       bpfrt prog pin PROG FILE\n"
		"       bpfrt prog load OBJ FILE [type TYPE] [pinmaps DIR]\n"
		"       bpfrt prog loadall OBJ DIR [type TYPE] [pinmaps DIR]\n"
		"       bpfrt prog dump { xlated | jited } PROG [linum] [opcodes]\n"
		"       bpfrt prog help\n"
		"\n"
		"       PROG := { id PROG_ID | pinned FILE | name PROG_NAME |\n"
		"                 file FILE [type TYPE] [map idx IDX MAP]... |\n"
		"                 file OBJ [prog NAME] }\n"
		"       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }\n"
		"       'file': assembly text or raw instructions; 'type' and 'map idx' apply to\n"
		"       'prog pin' (default type xdp); 'checked' is 'engine checked'; the engine\n"
		"       defaults to --engine, else $BPFRT_ENGINE, else jit\n");
	return rc;
}

int cmd_prog(struct cli *cli, int argc, char **argv)
{
	if (argc < 1)
		return usage(cli, 255);
	const char *cmd = argv[0];
	if (!strcmp(cmd, "help"))
		return usage(cli, 0);
	if (!strcmp(cmd, "run"))
		return do_run(cli, argc - 1, argv + 1);
	if (!strcmp(cmd, "show") || !strcmp(cmd, "list"))
		return do_show(cli, argc - 1, argv + 1);
	if (!strcmp(cmd, "pin"))
		return do_pin(cli, argc - 1, argv + 1);
	if (!strcmp(cmd, "load"))
		return cmd_prog_load(cli, argc - 1, argv + 1);
	if (!strcmp(cmd, "loadall"))
		return cmd_prog_loadall(cli, argc - 1, argv + 1);
	if (!strcmp(cmd, "dump"))
		return cmd_prog_dump(cli, argc - 1, argv + 1);
	return cli_error(cli, "command '%s' is unknown, have you spelled it right?", cmd);
}

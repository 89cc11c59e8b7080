/* cmd_prog.c — `bpfrt prog ...`: programs.
 *
 * For now PROG is `file FILE` (assembly text or raw instructions; ELF
 * objects, ids, pins and names arrive with the loader and the object
 * table).  `prog run` prints bpftool's "Return value: N, duration
 * (average): Nns" or, under -j, {"retval":N,"duration":N}.
 */
#include "tools/bpfrt/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct run_args {
	const char *file;
	const char *data_in, *data_out, *ctx_in, *ctx_out;
	uint64_t repeat;
	int checked;
};

static int parse_prog(const struct cli *cli, int *i, int argc, char **argv, const char **file)
{
	if (*i >= argc)
		return cli_error(cli, "expected PROG (file FILE)");
	const char *kw = argv[*i];
	if (!strcmp(kw, "id") || !strcmp(kw, "pinned") || !strcmp(kw, "name"))
		return cli_error(cli, "'%s' programs need the object table, which bpfrt does not have yet; use 'file FILE'", kw);
	if (strcmp(kw, "file"))
		return cli_error(cli, "expected 'file', got: '%s'", kw);
	if (++*i >= argc)
		return cli_error(cli, "'file' needs a FILE argument");
	*file = argv[(*i)++];
	return 0;
}

static int parse_run_args(const struct cli *cli, int argc, char **argv, struct run_args *a)
{
	int i = 0, err = parse_prog(cli, &i, argc, argv, &a->file);
	if (err)
		return err;
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
			if (++i >= argc || cli_parse_u64(argv[i], &a->repeat) || a->repeat == 0 ||
			    a->repeat > UINT32_MAX)
				return cli_error(cli, "'repeat' needs a positive number, got '%s'",
						 i < argc ? argv[i] : "");
		} else if (!strcmp(kw, "checked")) {
			a->checked = 1;
		} else {
			return cli_error(cli, "unknown keyword '%s' (expected data_in, data_out, ctx_in, ctx_out, repeat, checked)", kw);
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

/* r1 = ctx when ctx_in is given; otherwise r1 = data and r2 = its length
 * (the convention of raw programs and the conformance suite). */
static int do_run(struct cli *cli, int argc, char **argv)
{
	struct run_args a = {0};
	int err = parse_run_args(cli, argc, argv, &a);
	if (err)
		return err;
	if (!strcmp(cli->engine, "jit"))
		return cli_error(cli, "the JIT engine is not available yet; use --engine interp");
	struct bpf_insn *insns = NULL;
	uint32_t cnt = 0;
	if (cli_load_insns(cli, a.file, &insns, &cnt))
		return 255;
	uint8_t *data = NULL, *ctx = NULL;
	size_t data_len = 0, ctx_len = 0;
	struct bpfrt *rt = bpfrt_new(NULL);
	struct bpfrt_vm_prog *prog = NULL;
	struct bpfrt_diag diag = {0};
	int rc = 255;
	if (read_opt(cli, a.data_in, &data, &data_len) || read_opt(cli, a.ctx_in, &ctx, &ctx_len))
		goto out;
	if (!rt) {
		cli_error(cli, "out of memory");
		goto out;
	}
	if (bpfrt_vm_prog_new(rt, insns, cnt, NULL, &prog, &diag)) {
		cli_error(cli, "%s: program rejected: %s", a.file, diag.msg);
		goto out;
	}
	uint64_t args[2] = {ctx ? (uintptr_t)ctx : (uintptr_t)data, ctx ? 0 : data_len};
	struct bpfrt_run_opts o = {.sz = sizeof(o), .flags = a.checked ? BPFRT_RUN_CHECKED : 0,
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
	rc = 0;
out:
	bpfrt_vm_prog_free(prog);
	bpfrt_free(rt);
	free(insns);
	free(data);
	free(ctx);
	return rc;
}

int cmd_prog(struct cli *cli, int argc, char **argv)
{
	if (argc < 1 || !strcmp(argv[0], "help")) {
		fprintf(stderr, "Usage: bpfrt prog run PROG [data_in FILE] [data_out FILE] [ctx_in FILE] [ctx_out FILE] [repeat N] [checked]\n"
				"       PROG := file FILE   (assembly text or raw instructions)\n");
		return argc < 1 ? 255 : 0;
	}
	if (!strcmp(argv[0], "run"))
		return do_run(cli, argc - 1, argv + 1);
	if (!strcmp(argv[0], "show") || !strcmp(argv[0], "list") || !strcmp(argv[0], "load") ||
	    !strcmp(argv[0], "loadall") || !strcmp(argv[0], "dump") || !strcmp(argv[0], "pin"))
		return cli_error(cli, "'prog %s' is not implemented yet", argv[0]);
	return cli_error(cli, "command '%s' is unknown, have you spelled it right?", argv[0]);
}

/* run_data.c — runs test files in the bpf_conformance `.data` format.
 *
 * Each file: `-- asm` (assembled by bpfrt's own assembler) or `-- raw`,
 * optional `-- mem`, then `-- result` (expected r0, 64 bits) or `-- error`
 * (the program must be rejected).  Every program runs on every engine: the
 * fast interpreter, the bounds-checked interpreter and, with --plugin, the
 * conformance plugin through the runner's exact process protocol.
 *
 *   run_data [--plugin PATH] [--jit] [--negative] [--expect N] DIR|FILE...
 *
 * --jit: the x86-64 JIT instead of the interpreters (engine and plugin); a
 * program the JIT does not compile fails.
 *
 * --negative: files hold raw instructions as 8 byte tokens per line (the
 * suite's unused-* files) and must all be rejected at load.
 * Exit: 0 all passed, 1 a failure, 77 when a directory is missing (skip).
 */
#define _GNU_SOURCE
#include "bpfrt/asm.h"
#include "bpfrt/bpfrt.h"
#include "jit/jit.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct test_file {
	char *asm_text;
	char *raw_text;
	uint8_t mem[4096];
	size_t mem_len;
	int has_result, has_error;
	uint64_t result;
	char error[256]; /* last line of `-- error`: must appear in the rejection message */
};

static char *append(char *buf, const char *line)
{
	size_t a = buf ? strlen(buf) : 0, b = strlen(line);
	char *nb = realloc(buf, a + b + 2);
	if (!nb)
		abort();
	memcpy(nb + a, line, b);
	nb[a + b] = '\n';
	nb[a + b + 1] = 0;
	return nb;
}

/* The runner's parsing rules: strip '#' comments and '\r', skip blank
 * lines; a line with "--" starts a section named by substring. */
static int parse_file(const char *path, struct test_file *t)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	memset(t, 0, sizeof(*t));
	char line[4096];
	enum { NONE, ASM, RESULT, MEM, RAW, IGNORE, ERROR } sec = NONE;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '#');
		if (p)
			*p = 0;
		size_t n = strlen(line);
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = 0;
		if (!n)
			continue;
		if (strstr(line, "--")) {
			sec = strstr(line, "asm") ? ASM : strstr(line, "result") ? RESULT : strstr(line, "mem") ? MEM
			      : strstr(line, "raw") ? RAW : strstr(line, "error") ? ERROR : IGNORE;
			if (sec == ERROR)
				t->has_error = 1;
			continue;
		}
		switch (sec) {
		case ASM:
			t->asm_text = append(t->asm_text, line);
			break;
		case RAW:
			t->raw_text = append(t->raw_text, line);
			break;
		case ERROR:
			snprintf(t->error, sizeof(t->error), "%.255s", line);
			break;
		case RESULT:
			t->has_result = 1;
			t->result = strstr(line, "0x") ? strtoull(line, NULL, 16) : strtoull(line, NULL, 10);
			break;
		case MEM:
			for (char *tok = strtok(line, " \t"); tok && t->mem_len < sizeof(t->mem); tok = strtok(NULL, " \t"))
				t->mem[t->mem_len++] = (uint8_t)strtoul(tok, NULL, 16);
			break;
		default:
			break;
		}
	}
	fclose(f);
	return 0;
}

/* `-- raw`: one 64-bit little-endian instruction slot per token. */
static int raw_insns(const char *text, struct bpf_insn **out, uint32_t *cnt)
{
	size_t cap = 16, n = 0;
	uint64_t *v = malloc(cap * 8);
	const char *s = text;
	while (*s) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		char *end;
		uint64_t x = strtoull(s, &end, 0);
		if (end == s) {
			free(v);
			return -EINVAL;
		}
		if (n == cap)
			v = realloc(v, (cap *= 2) * 8);
		v[n++] = x;
		s = end;
	}
	*out = (struct bpf_insn *)v;
	*cnt = (uint32_t)n;
	return 0;
}

/* negative/unused-*: lines of 8 hex byte tokens, one instruction each. */
static int byte_line_insns(const char *text, struct bpf_insn **out, uint32_t *cnt)
{
	size_t n = 0, cap = 16;
	uint8_t *b = malloc(cap * 8);
	const char *s = text;
	while (*s) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		char *end;
		unsigned long x = strtoul(s, &end, 16);
		if (end == s || x > 0xff) {
			free(b);
			return -EINVAL;
		}
		if (n == cap * 8)
			b = realloc(b, (cap *= 2) * 8);
		b[n++] = (uint8_t)x;
		s = end;
	}
	if (n % 8) {
		free(b);
		return -EINVAL;
	}
	*out = (struct bpf_insn *)b;
	*cnt = (uint32_t)(n / 8);
	return 0;
}

/* --jit: the JIT alone (engine and plugin), instead of the interpreters. */
static int use_jit;

static int run_engine(struct bpfrt *rt, const struct bpf_insn *insns, uint32_t cnt,
		      struct test_file *t, uint32_t flags, uint64_t *r0, struct bpfrt_diag *diag)
{
	struct bpfrt_vm_prog *p = NULL;
	int err = bpfrt_vm_prog_new(rt, insns, cnt, NULL, &p, diag);
	if (err)
		return err;
	uint64_t args[2] = {t->mem_len ? (uintptr_t)t->mem : 0, t->mem_len};
	struct bpfrt_run_opts o = {.sz = sizeof(o), .flags = flags, .ctx = t->mem_len ? t->mem : NULL,
				   .ctx_size = t->mem_len, .args = args, .nr_args = 2,
				   .packet = t->mem_len ? t->mem : NULL, .packet_size = t->mem_len};
	err = bpfrt_vm_run(p, &o, r0, diag);
	const char *why = NULL;
	if (!err && (flags & BPFRT_RUN_JIT) && bpfrt_jit_status(p, &why) != 1) {
		snprintf(diag->msg, sizeof(diag->msg), "not compiled by the JIT: %s", why ? why : "?");
		err = -ENOTSUP;
	}
	bpfrt_vm_prog_free(p);
	return err;
}

/* Run the plugin as the conformance runner does: MEM as "aa  bb  " argv,
 * program as hex on stdin; result = stdout parsed as hex. */
static int run_plugin(const char *plugin, const struct bpf_insn *insns, uint32_t cnt,
		      const struct test_file *t, uint64_t *r0, char *err_text, size_t err_len)
{
	char *mem_arg = malloc(t->mem_len * 4 + 1);
	mem_arg[0] = 0;
	for (size_t i = 0; i < t->mem_len; i++)
		sprintf(mem_arg + i * 4, "%02x  ", t->mem[i]);
	char in_path[] = "/tmp/bpfrt-conf-XXXXXX";
	int fd = mkstemp(in_path);
	FILE *in = fdopen(fd, "w");
	const uint8_t *b = (const uint8_t *)insns;
	for (size_t i = 0; i < cnt * 8ul; i++)
		fprintf(in, "%02x  ", b[i]);
	fputc('\n', in);
	fclose(in);
	int pipefd[2];
	if (pipe(pipefd)) {
		free(mem_arg);
		return -errno;
	}
	pid_t pid = fork();
	if (pid == 0) {
		int infd = open(in_path, 0);
		dup2(infd, 0);
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		const char *opt = use_jit ? "--jit" : NULL;
		if (t->mem_len)
			execl(plugin, plugin, mem_arg, opt, (char *)NULL);
		else
			execl(plugin, plugin, opt, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	char out[4096];
	size_t n = 0;
	ssize_t got;
	while ((got = read(pipefd[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)got;
	out[n] = 0;
	close(pipefd[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	unlink(in_path);
	free(mem_arg);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err_text, err_len, "%.400s", out);
		char *nl = strchr(err_text, '\n');
		if (nl)
			*nl = 0;
		return -1;
	}
	*r0 = strtoull(out, NULL, 16);
	return 0;
}

struct totals {
	int files, passed;
};

static void run_file(struct bpfrt *rt, const char *path, const char *plugin, int negative,
		     struct totals *tot)
{
	struct test_file t;
	struct bpf_insn *insns = NULL;
	uint32_t cnt = 0;
	struct bpfrt_diag diag = {0};
	char why[512] = "";
	tot->files++;
	if (parse_file(path, &t)) {
		printf("FAIL %s: cannot read\n", path);
		return;
	}
	int err;
	if (negative)
		err = t.raw_text ? byte_line_insns(t.raw_text, &insns, &cnt) : -EINVAL;
	else if (t.raw_text)
		err = raw_insns(t.raw_text, &insns, &cnt);
	else if (t.asm_text)
		err = bpfrt_asm(t.asm_text, BPFRT_SYNTAX_CONFORMANCE, &insns, &cnt, &diag);
	else
		err = -ENOENT;
	if (err) {
		printf("FAIL %s: cannot assemble: line %d: %s\n", path, diag.line, diag.msg);
		goto out;
	}
	if (negative || (t.has_error && !t.has_result)) {
		struct bpfrt_vm_prog *p = NULL;
		if (bpfrt_vm_prog_new(rt, insns, cnt, NULL, &p, &diag) == 0) {
			bpfrt_vm_prog_free(p);
			printf("FAIL %s: accepted, but must be rejected\n", path);
			goto out;
		}
		if (t.error[0] && !strstr(diag.msg, t.error)) {
			printf("FAIL %s: rejected with '%s', expected '%s'\n", path, diag.msg, t.error);
			goto out;
		}
		printf("PASS %s (rejected: %s)\n", path, diag.msg);
		tot->passed++;
		goto out;
	}
	static const struct {
		const char *name;
		uint32_t flags;
	} engines[] = {{"interp", 0}, {"interp-checked", BPFRT_RUN_CHECKED}, {"jit", BPFRT_RUN_JIT}};
	for (size_t e = use_jit ? 2 : 0; e < (use_jit ? 3u : 2u); e++) {
		uint64_t r0 = 0;
		err = run_engine(rt, insns, cnt, &t, engines[e].flags, &r0, &diag);
		if (err) {
			printf("FAIL %s [%s]: %s\n", path, engines[e].name, diag.msg);
			goto out;
		}
		if (r0 != t.result) {
			printf("FAIL %s [%s]: r0 = 0x%" PRIx64 ", expected 0x%" PRIx64 "\n", path,
			       engines[e].name, r0, t.result);
			goto out;
		}
	}
	if (plugin) {
		uint64_t r0 = 0;
		if (run_plugin(plugin, insns, cnt, &t, &r0, why, sizeof(why))) {
			printf("FAIL %s [plugin]: %s\n", path, why);
			goto out;
		}
		if (r0 != t.result) {
			printf("FAIL %s [plugin]: r0 = 0x%" PRIx64 ", expected 0x%" PRIx64 "\n", path, r0, t.result);
			goto out;
		}
	}
	printf("PASS %s\n", path);
	tot->passed++;
out:
	free(insns);
	free(t.asm_text);
	free(t.raw_text);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(struct bpfrt *rt, const char *path, const char *plugin, int negative,
		    const char *prefix, struct totals *tot)
{
	struct stat st;
	if (stat(path, &st))
		return -ENOENT;
	if (!S_ISDIR(st.st_mode)) {
		run_file(rt, path, plugin, negative, tot);
		return 0;
	}
	DIR *d = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 5, ".data"))
			continue;
		if (prefix && strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (asprintf(&names[n], "%s/%s", path, de->d_name) < 0)
			abort();
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		run_file(rt, names[i], plugin, negative, tot);
		free(names[i]);
	}
	free(names);
	return 0;
}

int main(int argc, char **argv)
{
	const char *plugin = NULL, *prefix = NULL;
	int negative = 0, expect = -1, missing = 0;
	struct totals tot = {0};
	struct bpfrt *rt = bpfrt_new(NULL);
	/* Helper 5 exists in every runtime (ktime_get_ns); the suite only needs
	 * it not to trap. */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--plugin") && i + 1 < argc)
			plugin = argv[++i];
		else if (!strcmp(argv[i], "--jit"))
			use_jit = 1;
		else if (!strcmp(argv[i], "--negative"))
			negative = 1;
		else if (!strcmp(argv[i], "--prefix") && i + 1 < argc)
			prefix = argv[++i];
		else if (!strcmp(argv[i], "--expect") && i + 1 < argc)
			expect = atoi(argv[++i]);
		else if (run_path(rt, argv[i], plugin, negative, prefix, &tot)) {
			printf("SKIP: %s not found (the public conformance data lives in ../shared/conformance)\n", argv[i]);
			missing = 1;
		}
	}
	bpfrt_free(rt);
	if (missing && tot.files == 0)
		return 77;
	printf("%d of %d passed\n", tot.passed, tot.files);
	if (tot.files == 0) {
		printf("FAIL: no test files found\n");
		return 1;
	}
	if (expect >= 0 && tot.files != expect) {
		printf("FAIL: expected %d files, found %d\n", expect, tot.files);
		return 1;
	}
	return tot.passed == tot.files ? 0 : 1;
}

/* run_corpus.c — the verifier agreement corpus (issue 8): every program of
 * tests/verifier/corpus/ (assembly, *.s) and tests/verifier/c/ (C, compiled
 * by CMake to OBJDIR/NAME.o) is loaded into the host kernel (when bpf()
 * works) and into bpfrt, and the two verdicts (accept = BPF_PROG_LOAD gave
 * an fd) are compared.  Format of the files: tests/verifier/README.md.
 *
 * Usage: run_corpus [options] [NAME...]
 *   --corpus DIR       the assembly programs     (default: the source tree's)
 *   --c-src DIR        the C programs' sources   (default: the source tree's)
 *   --c-obj DIR        the compiled C programs   (default: the build tree's)
 *   --differences FILE the listed disagreements  (default: DIFFERENCES.md)
 *   --report           print, but exit 0 whatever the result
 *   --kernel-only      only check each file's `expect:` against the kernel
 *                      (exit 77 = skip without bpf())
 *   --no-kernel        do not ask the kernel; use the files' `expect:`
 *   -v                 also print the kernel's and bpfrt's logs of every
 *                      program named or disagreeing
 * Strict mode (the default) exits 1 if the kernel's verdict differs from a
 * file's `expect:`, if agreement is below 98%, if a disagreement is not
 * listed in DIFFERENCES.md, or if bpfrt accepts a program marked
 * `# unsafe: yes`.  $BPFRT_CORPUS_REPORT=1 is the same as --report. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfrt/asm.h"
#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"

#ifdef CORPUS_HAVE_LIBBPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#endif

#ifndef CORPUS_SRC_DIR
#define CORPUS_SRC_DIR "tests/verifier"
#endif
#ifndef CORPUS_OBJ_DIR
#define CORPUS_OBJ_DIR "."
#endif

#define MAX_MAPS 8
#define LOG_SIZE (16u << 20)
#define MSG_SIZE 4096

struct map_spec {
	uint32_t type, key, value, entries, flags;
};

struct prog {
	char name[256];   /* file name without extension; C programs: "c/NAME" */
	char path[4096];  /* .s file or compiled .o */
	bool is_c;
	uint32_t type;    /* asm: BPF_PROG_TYPE_* */
	uint32_t prog_flags;
	char license[64];
	struct map_spec maps[MAX_MAPS];
	int nmaps;
	int expect;       /* 1 accept, 0 reject, -1 missing */
	bool unsafe;
	char error[256];
	char why[512];
	struct bpf_insn *insns;
	uint32_t cnt;
};

struct verdict {
	bool ok;
	int err;
	char msg[MSG_SIZE]; /* tail of the log / reason */
};

static bool verbose;
static char *logbuf;

/* ---- small helpers ---------------------------------------------------- */

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	if (b)
		b[n] = 0;
	fclose(f);
	return b;
}

/* The last `max` bytes of a log, from a line start, trailing blank trimmed. */
static void log_tail(char *dst, size_t max, const char *log)
{
	size_t n = strlen(log);
	const char *s = log;
	if (n >= max) {
		s = log + n - (max - 1);
		const char *nl = strchr(s, '\n');
		if (nl && nl[1])
			s = nl + 1;
	}
	snprintf(dst, max, "%s", s);
	n = strlen(dst);
	while (n && (dst[n - 1] == '\n' || dst[n - 1] == ' '))
		dst[--n] = 0;
}

static const struct {
	const char *name;
	uint32_t type;
} prog_types[] = {
	{"socket_filter", BPF_PROG_TYPE_SOCKET_FILTER}, {"sched_cls", BPF_PROG_TYPE_SCHED_CLS},
	{"sched_act", BPF_PROG_TYPE_SCHED_ACT},         {"xdp", BPF_PROG_TYPE_XDP},
	{"tracepoint", BPF_PROG_TYPE_TRACEPOINT},       {"raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT},
	{"kprobe", BPF_PROG_TYPE_KPROBE},               {"perf_event", BPF_PROG_TYPE_PERF_EVENT},
	{"syscall", BPF_PROG_TYPE_SYSCALL},
};

static const struct {
	const char *name;
	uint32_t type, flags;
} map_types[] = {
	{"array", BPF_MAP_TYPE_ARRAY, 0},
	{"hash", BPF_MAP_TYPE_HASH, 0},
	{"percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY, 0},
	{"percpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 0},
	{"lru_hash", BPF_MAP_TYPE_LRU_HASH, 0},
	{"ringbuf", BPF_MAP_TYPE_RINGBUF, 0},
	{"prog_array", BPF_MAP_TYPE_PROG_ARRAY, 0},
	{"perf_event_array", BPF_MAP_TYPE_PERF_EVENT_ARRAY, 0},
	{"queue", BPF_MAP_TYPE_QUEUE, 0},
	{"stack", BPF_MAP_TYPE_STACK, 0},
	{"lpm_trie", BPF_MAP_TYPE_LPM_TRIE, BPF_F_NO_PREALLOC},
	{"bloom_filter", BPF_MAP_TYPE_BLOOM_FILTER, 0},
};

static int parse_maps(struct prog *p, char *s, const char *file)
{
	char *save = NULL;
	for (char *tok = strtok_r(s, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		tok = trim(tok);
		if (!*tok)
			continue;
		if (p->nmaps == MAX_MAPS) {
			fprintf(stderr, "%s: too many maps\n", file);
			return -1;
		}
		char tname[64];
		struct map_spec *m = &p->maps[p->nmaps];
		if (sscanf(tok, "%63s %u %u %u", tname, &m->key, &m->value, &m->entries) != 4) {
			fprintf(stderr, "%s: bad map spec '%s' (want: type key value entries)\n", file, tok);
			return -1;
		}
		size_t i;
		for (i = 0; i < sizeof(map_types) / sizeof(map_types[0]); i++)
			if (!strcmp(tname, map_types[i].name))
				break;
		if (i == sizeof(map_types) / sizeof(map_types[0])) {
			fprintf(stderr, "%s: unknown map type '%s'\n", file, tname);
			return -1;
		}
		m->type = map_types[i].type;
		m->flags = map_types[i].flags;
		p->nmaps++;
	}
	return 0;
}

static int parse_expect(const char *v)
{
	if (!strncmp(v, "accept", 6))
		return 1;
	if (!strncmp(v, "reject", 6))
		return 0;
	return -1;
}

/* Header of an assembly file: leading lines "# key: value". */
static int parse_asm(struct prog *p, const char *dir, const char *fname)
{
	snprintf(p->path, sizeof(p->path), "%s/%s", dir, fname);
	snprintf(p->name, sizeof(p->name), "%.*s", (int)(strlen(fname) - 2), fname);
	strcpy(p->license, "GPL");
	p->expect = -1;
	p->type = UINT32_MAX;
	char *text = read_file(p->path);
	if (!text) {
		fprintf(stderr, "%s: %s\n", p->path, strerror(errno));
		return -1;
	}
	int rc = 0;
	char *save = NULL;
	char *copy = strdup(text);
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *l = trim(line);
		if (!*l)
			continue;
		if (*l != '#')
			break;
		l = trim(l + 1);
		char *colon = strchr(l, ':');
		if (!colon)
			continue;
		*colon = 0;
		char *key = trim(l), *val = trim(colon + 1);
		if (!strcmp(key, "type")) {
			for (size_t i = 0; i < sizeof(prog_types) / sizeof(prog_types[0]); i++)
				if (!strcmp(val, prog_types[i].name))
					p->type = prog_types[i].type;
		} else if (!strcmp(key, "maps")) {
			if (parse_maps(p, val, p->path))
				rc = -1;
		} else if (!strcmp(key, "expect")) {
			p->expect = parse_expect(val);
		} else if (!strcmp(key, "error")) {
			snprintf(p->error, sizeof(p->error), "%s", val);
		} else if (!strcmp(key, "license")) {
			snprintf(p->license, sizeof(p->license), "%s", val);
		} else if (!strcmp(key, "why")) {
			snprintf(p->why, sizeof(p->why), "%s", val);
		} else if (!strcmp(key, "unsafe")) {
			p->unsafe = !strncmp(val, "yes", 3);
		} else if (!strcmp(key, "flags")) {
			if (strstr(val, "sleepable"))
				p->prog_flags |= BPF_F_SLEEPABLE;
		}
	}
	free(copy);
	if (p->type == UINT32_MAX) {
		fprintf(stderr, "%s: missing or unknown '# type:'\n", p->path);
		rc = -1;
	}
	if (p->type == BPF_PROG_TYPE_SYSCALL)
		p->prog_flags |= BPF_F_SLEEPABLE; /* the kernel's rule for syscall programs */
	if (p->expect < 0) {
		fprintf(stderr, "%s: missing '# expect: accept|reject'\n", p->path);
		rc = -1;
	}
	struct bpfrt_diag diag;
	memset(&diag, 0, sizeof(diag));
	if (!rc && bpfrt_asm(text, BPFRT_SYNTAX_LLVM, &p->insns, &p->cnt, &diag)) {
		fprintf(stderr, "%s:%u: %s\n", p->path, diag.line, diag.msg);
		rc = -1;
	}
	free(text);
	return rc;
}

/* Header of a C program: comments anywhere of the form "expect: accept",
 * "unsafe: yes", "why: ...", "error: ..." (first occurrence counts). */
static void c_field(const char *text, const char *key, char *dst, size_t n)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "%s:", key);
	const char *s = strstr(text, pat);
	dst[0] = 0;
	if (!s)
		return;
	s += strlen(pat);
	while (*s == ' ')
		s++;
	size_t len = strcspn(s, "\n");
	const char *end = strstr(s, "*/");
	if (end && (size_t)(end - s) < len)
		len = (size_t)(end - s);
	snprintf(dst, n, "%.*s", (int)len, s);
	char *t = trim(dst);
	memmove(dst, t, strlen(t) + 1);
}

static int parse_c(struct prog *p, const char *srcdir, const char *objdir, const char *fname)
{
	char src[4096];
	snprintf(src, sizeof(src), "%s/%s", srcdir, fname);
	int base = (int)(strlen(fname) - strlen(".bpf.c"));
	snprintf(p->name, sizeof(p->name), "c/%.*s", base, fname);
	snprintf(p->path, sizeof(p->path), "%s/%.*s.o", objdir, base, fname);
	p->is_c = true;
	char *text = read_file(src);
	if (!text) {
		fprintf(stderr, "%s: %s\n", src, strerror(errno));
		return -1;
	}
	char v[512];
	c_field(text, "expect", v, sizeof(v));
	p->expect = parse_expect(v);
	c_field(text, "unsafe", v, sizeof(v));
	p->unsafe = !strncmp(v, "yes", 3);
	c_field(text, "why", p->why, sizeof(p->why));
	c_field(text, "error", p->error, sizeof(p->error));
	free(text);
	if (p->expect < 0) {
		fprintf(stderr, "%s: missing '/* expect: accept|reject */'\n", src);
		return -1;
	}
	if (access(p->path, R_OK)) {
		fprintf(stderr, "%s: not built (%s)\n", p->path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- loading ------------------------------------------------------------ */

typedef int (*bpf_fn)(void *ctx, int cmd, union bpf_attr *attr, unsigned int size);

static int kernel_bpf(void *ctx, int cmd, union bpf_attr *attr, unsigned int size)
{
	(void)ctx;
	long r = syscall(__NR_bpf, cmd, attr, size);
	return r < 0 ? -errno : (int)r;
}

static int bpfrt_bpf_cb(void *ctx, int cmd, union bpf_attr *attr, unsigned int size)
{
	return bpfrt_bpf(ctx, cmd, attr, size);
}

static void close_fd(bool kernel, void *ctx, int fd)
{
	if (fd < 0)
		return;
	if (kernel)
		close(fd);
	else
		bpfrt_close(ctx, fd);
}

static int load_once(bpf_fn bpf, void *ctx, const struct prog *p, const int *fds, uint32_t level,
		     char *log, uint32_t log_size)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = p->type;
	a.insns = (uintptr_t)p->insns;
	a.insn_cnt = p->cnt;
	a.license = (uintptr_t)p->license;
	a.prog_flags = p->prog_flags;
	if (p->nmaps)
		a.fd_array = (uintptr_t)fds;
	if (level) {
		log[0] = 0;
		a.log_level = level;
		a.log_buf = (uintptr_t)log;
		a.log_size = log_size;
	}
	return bpf(ctx, BPF_PROG_LOAD, &a, sizeof(a));
}

/* Load an assembly program: create its maps, load with log_level 1 (the
 * kernel: first without a log — a big log truncated by the kernel's rotating
 * log turns an accepted program into -ENOSPC — then again with one for the
 * message). */
static void load_asm(bool kernel, void *ctx, const struct prog *p, struct verdict *v)
{
	bpf_fn bpf = kernel ? kernel_bpf : bpfrt_bpf_cb;
	int fds[MAX_MAPS];
	int n = 0;
	memset(v, 0, sizeof(*v));
	for (; n < p->nmaps; n++) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.map_type = p->maps[n].type;
		a.key_size = p->maps[n].key;
		a.value_size = p->maps[n].value;
		a.max_entries = p->maps[n].entries;
		a.map_flags = p->maps[n].flags;
		fds[n] = bpf(ctx, BPF_MAP_CREATE, &a, sizeof(a));
		if (fds[n] < 0) {
			v->ok = false;
			v->err = fds[n];
			snprintf(v->msg, sizeof(v->msg), "map %d: BPF_MAP_CREATE failed: %s", n, strerror(-fds[n]));
			goto out;
		}
	}
	int fd;
	if (kernel) {
		fd = load_once(bpf, ctx, p, fds, 0, NULL, 0);
		if (fd < 0) {
			v->err = fd;
			int fd2 = load_once(bpf, ctx, p, fds, 1, logbuf, LOG_SIZE);
			close_fd(kernel, ctx, fd2);
		}
	} else {
		fd = load_once(bpf, ctx, p, fds, 1, logbuf, LOG_SIZE);
		if (fd == -ENOSPC) { /* log too small for an accepted program? */
			char keep[MSG_SIZE];
			log_tail(keep, sizeof(keep), logbuf);
			fd = load_once(bpf, ctx, p, fds, 0, NULL, 0);
			snprintf(logbuf, LOG_SIZE, "%s", keep);
		}
		if (fd < 0)
			v->err = fd;
	}
	v->ok = fd >= 0;
	if (fd < 0)
		log_tail(v->msg, sizeof(v->msg), logbuf);
	if (fd < 0 && !v->msg[0])
		snprintf(v->msg, sizeof(v->msg), "BPF_PROG_LOAD: %s (no log)", strerror(-fd));
	close_fd(kernel, ctx, fd);
out:
	while (n-- > 0)
		close_fd(kernel, ctx, fds[n]);
}

#ifdef CORPUS_HAVE_LIBBPF
static char *libbpf_log;
static size_t libbpf_log_len;

static int libbpf_capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	char tmp[8192];
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	if (n < 0)
		return 0;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	if (libbpf_log_len + (size_t)n + 1 < LOG_SIZE) {
		memcpy(libbpf_log + libbpf_log_len, tmp, (size_t)n);
		libbpf_log_len += (size_t)n;
		libbpf_log[libbpf_log_len] = 0;
	}
	return 0;
}

static void load_c_kernel(const struct prog *p, struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	libbpf_log = logbuf;
	libbpf_log_len = 0;
	logbuf[0] = 0;
	struct bpf_object *obj = bpf_object__open_file(p->path, NULL);
	if (!obj) {
		v->err = -errno;
		snprintf(v->msg, sizeof(v->msg), "open failed: %s", strerror(errno));
		return;
	}
	int err = bpf_object__load(obj);
	v->ok = !err;
	v->err = err;
	if (err)
		log_tail(v->msg, sizeof(v->msg), logbuf);
	bpf_object__close(obj);
}
#endif

static void load_c_bpfrt(struct bpfrt *rt, const struct prog *p, struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	struct bpfrt_diag diag;
	memset(&diag, 0, sizeof(diag));
	struct bpfrt_object *obj = bpfrt_object_open_file(rt, p->path, NULL, &diag);
	if (!obj) {
		v->err = -errno;
		snprintf(v->msg, sizeof(v->msg), "open failed: %s: %s", strerror(errno), diag.msg);
		return;
	}
	int err = bpfrt_object_load(obj);
	v->ok = !err;
	v->err = err;
	if (err)
		snprintf(v->msg, sizeof(v->msg), "%s", bpfrt_object_error(obj));
	bpfrt_object_close(obj);
}

static bool kernel_available(void)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	int fd = kernel_bpf(NULL, BPF_MAP_CREATE, &a, sizeof(a));
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* ---- DIFFERENCES.md ---------------------------------------------------- */

static char **listed;
static int nlisted;

static void read_differences(const char *path)
{
	char *text = read_file(path);
	if (!text)
		return;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *l = trim(line);
		if (strncmp(l, "- `", 3))
			continue;
		char *end = strchr(l + 3, '`');
		if (!end)
			continue;
		*end = 0;
		listed = realloc(listed, sizeof(*listed) * (size_t)(nlisted + 1));
		listed[nlisted++] = strdup(l + 3);
	}
	free(text);
}

static bool is_listed(const char *name)
{
	for (int i = 0; i < nlisted; i++)
		if (!strcmp(listed[i], name))
			return true;
	return false;
}

/* ---- main ----------------------------------------------------------------- */

static int cmp_prog(const void *a, const void *b)
{
	return strcmp(((const struct prog *)a)->name, ((const struct prog *)b)->name);
}

static void print_msg(const char *who, const char *msg)
{
	printf("    %s:\n", who);
	const char *s = msg;
	while (*s) {
		size_t n = strcspn(s, "\n");
		printf("      | %.*s\n", (int)n, s);
		s += n;
		if (*s)
			s++;
	}
}

int main(int argc, char **argv)
{
	const char *corpus = CORPUS_SRC_DIR "/corpus", *csrc = CORPUS_SRC_DIR "/c",
		   *cobj = CORPUS_OBJ_DIR, *diffs = CORPUS_SRC_DIR "/DIFFERENCES.md";
	bool report = getenv("BPFRT_CORPUS_REPORT") && *getenv("BPFRT_CORPUS_REPORT") == '1';
	bool kernel_only = false, no_kernel = false;
	char **names = NULL;
	int nnames = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--corpus") && i + 1 < argc)
			corpus = argv[++i];
		else if (!strcmp(a, "--c-src") && i + 1 < argc)
			csrc = argv[++i];
		else if (!strcmp(a, "--c-obj") && i + 1 < argc)
			cobj = argv[++i];
		else if (!strcmp(a, "--differences") && i + 1 < argc)
			diffs = argv[++i];
		else if (!strcmp(a, "--report"))
			report = true;
		else if (!strcmp(a, "--kernel-only"))
			kernel_only = true;
		else if (!strcmp(a, "--no-kernel"))
			no_kernel = true;
		else if (!strcmp(a, "-v"))
			verbose = true;
		else if (a[0] == '-') {
			fprintf(stderr, "usage: run_corpus [--report|--kernel-only|--no-kernel] [-v] "
					"[--corpus DIR] [--c-src DIR] [--c-obj DIR] [--differences FILE] [NAME...]\n");
			return 2;
		} else
			names = &argv[i], nnames = argc - i, i = argc;
	}
	logbuf = malloc(LOG_SIZE);
	if (!logbuf)
		return 2;
	struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
	setrlimit(RLIMIT_MEMLOCK, &rl);

	/* Collect the programs. */
	struct prog *progs = NULL;
	int nprogs = 0, bad_files = 0;
	for (int pass = 0; pass < 2; pass++) {
		const char *dir = pass ? csrc : corpus;
		const char *ext = pass ? ".bpf.c" : ".s";
		DIR *d = opendir(dir);
		if (!d) {
			if (!pass) {
				fprintf(stderr, "%s: %s\n", dir, strerror(errno));
				return 2;
			}
			continue;
		}
		struct dirent *de;
		while ((de = readdir(d))) {
			size_t n = strlen(de->d_name), e = strlen(ext);
			if (n <= e || strcmp(de->d_name + n - e, ext))
				continue;
			progs = realloc(progs, sizeof(*progs) * (size_t)(nprogs + 1));
			struct prog *p = &progs[nprogs];
			memset(p, 0, sizeof(*p));
			int rc = pass ? parse_c(p, csrc, cobj, de->d_name) : parse_asm(p, dir, de->d_name);
			if (nnames) {
				bool want = false;
				for (int i = 0; i < nnames; i++)
					if (!strcmp(names[i], p->name) || !strcmp(names[i], p->name + (pass ? 2 : 0)))
						want = true;
				if (!want) {
					free(p->insns);
					continue;
				}
			}
			if (rc) {
				bad_files++;
				free(p->insns);
				continue;
			}
			nprogs++;
		}
		closedir(d);
	}
	qsort(progs, (size_t)nprogs, sizeof(*progs), cmp_prog);
	read_differences(diffs);

	bool have_kernel = !no_kernel && kernel_available();
	if (!have_kernel) {
		if (kernel_only) {
			printf("corpus: bpf() is not available here (%s); nothing to check\n",
			       no_kernel ? "--no-kernel" : strerror(errno));
			return 77;
		}
		printf("corpus: kernel not asked (%s): using the files' expect: verdicts\n",
		       no_kernel ? "--no-kernel" : strerror(errno));
	}
#ifdef CORPUS_HAVE_LIBBPF
	libbpf_set_print(libbpf_capture);
#endif
	struct bpfrt *rt = NULL;

	int n_acc = 0, n_rej = 0, agree = 0, acc_unsafe = 0, wrong_expect = 0, unlisted = 0;
	int bpfrt_lax = 0, bpfrt_strict = 0, c_cnt = 0;
	for (int i = 0; i < nprogs; i++) {
		struct prog *p = &progs[i];
		struct verdict kv, bv;
		memset(&kv, 0, sizeof(kv));
		kv.ok = p->expect == 1;
		c_cnt += p->is_c;
		if (have_kernel) {
			if (p->is_c) {
#ifdef CORPUS_HAVE_LIBBPF
				load_c_kernel(p, &kv);
#else
				kv.ok = p->expect == 1;
#endif
			} else {
				load_asm(true, NULL, p, &kv);
			}
			if (kv.ok != (p->expect == 1)) {
				wrong_expect++;
				printf("WRONG EXPECT %s: file says %s, the kernel %s\n", p->name,
				       p->expect ? "accept" : "reject", kv.ok ? "accepts" : "rejects");
				if (!kv.ok)
					print_msg("kernel", kv.msg);
			}
		}
		kv.ok ? n_acc++ : n_rej++;
		if (kernel_only) {
			if (verbose) {
				printf("%-60s kernel %s\n", p->name, kv.ok ? "accept" : "reject");
				if (!kv.ok)
					print_msg("kernel", kv.msg);
			}
			continue;
		}
		/* A fresh runtime per program: nothing leaks from one to the next. */
		struct bpfrt_opts ro = {.sz = sizeof(ro), .pin_root = "/tmp/bpfrt-verifier-corpus"};
		rt = bpfrt_new(&ro);
		if (!rt) {
			fprintf(stderr, "bpfrt_new: %s\n", strerror(errno));
			return 2;
		}
		if (p->is_c)
			load_c_bpfrt(rt, p, &bv);
		else
			load_asm(false, rt, p, &bv);
		bpfrt_free(rt);
		bool same = bv.ok == kv.ok;
		agree += same;
		if (!same)
			bv.ok ? bpfrt_lax++ : bpfrt_strict++;
		bool bad_unsafe = bv.ok && p->unsafe;
		acc_unsafe += bad_unsafe;
		bool lst = is_listed(p->name);
		if (!same && !lst)
			unlisted++;
		if (!same || bad_unsafe || verbose) {
			printf("%s %s: kernel %s, bpfrt %s%s%s\n", same ? "ok  " : "DIFF", p->name,
			       kv.ok ? "accepts" : "rejects", bv.ok ? "accepts" : "rejects",
			       bad_unsafe ? " (UNSAFE program accepted)" : "",
			       !same ? (lst ? " [listed in DIFFERENCES.md]" : " [NOT listed in DIFFERENCES.md]") : "");
			if (p->why[0])
				printf("    why: %s\n", p->why);
			if (!bv.ok || verbose)
				print_msg("bpfrt log", bv.ok ? "(accepted)" : bv.msg);
			if (verbose && !kv.ok)
				print_msg("kernel log", kv.msg);
		}
		if (!bv.ok && kv.ok == bv.ok && p->error[0] && !strstr(bv.msg, p->error) && verbose)
			printf("    note: bpfrt's log lacks the expected '%s'\n", p->error);
	}

	int total = nprogs;
	if (kernel_only) {
		printf("corpus: %d programs (%d asm, %d C; %d accept, %d reject by kernel), %d files "
		       "unreadable, %d expect: lines wrong\n",
		       total, total - c_cnt, c_cnt, n_acc, n_rej, bad_files, wrong_expect);
		return (wrong_expect || bad_files) ? 1 : 0;
	}
	double pct = total ? 100.0 * agree / total : 100.0;
	printf("corpus: %d programs (%d accept, %d reject by kernel%s), agreement %d/%d (%.1f%%), "
	       "bpfrt-accepts-kernel-rejects: %d\n",
	       total, n_acc, n_rej, have_kernel ? "" : " [from expect:, kernel not asked]", agree, total, pct,
	       bpfrt_lax);
	printf("corpus: %d asm, %d C; bpfrt-rejects-kernel-accepts: %d; unlisted disagreements: %d; "
	       "unsafe accepted: %d; wrong expect: %d; unreadable files: %d\n",
	       total - c_cnt, c_cnt, bpfrt_strict, unlisted, acc_unsafe, wrong_expect, bad_files);
	bool fail = wrong_expect || bad_files || pct < 98.0 || unlisted || acc_unsafe;
	for (int i = 0; i < nprogs; i++)
		free(progs[i].insns);
	free(progs);
	if (report) {
		printf("corpus: --report: exit 0 (strict mode would %s)\n", fail ? "FAIL" : "pass");
		return 0;
	}
	return fail ? 1 : 0;
}

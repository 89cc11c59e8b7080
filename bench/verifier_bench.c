/* verifier_bench.c — verification time: bpfrt's BPF_PROG_LOAD (the verifier
 * in src/verifier/ plus program creation) against the host kernel's
 * BPF_PROG_LOAD (its verifier plus JIT) for the same instructions
 * (issue 8; results in bench/RESULTS.md).
 *
 * Programs:
 *   corpus/NAME  every tests/verifier/corpus/ program (.s) the kernel accepts
 *   progs/OBJ:P  each program of the tests/progs objects (OBJ.v3g.o): the
 *                object is loaded once on each side (libbpf / bpfrt's
 *                loader: maps, relocations), then the relocated instructions
 *                are loaded again by a bare BPF_PROG_LOAD; the kernel gets
 *                the object's BTF func_info when it needs it (callbacks)
 *   gen/NAME     generated large programs (straight-line ALU, diamonds,
 *                bounded loops over a map value, a deep packet parser)
 * Each program is loaded N times on each side without a log (batches
 * alternate between the sides), then once more with a log for the
 * "processed N insns" counts (kernel: log_level 4 = BPF_LOG_STATS; bpfrt:
 * log_level 1, which ends with the same line).
 *
 * bpfrt gets a fresh runtime per program ($VBENCH_ONE_RUNTIME=1: one for
 * the whole run).
 *
 * Usage: bpfrt_verifier_bench [--quick] [-v] [--corpus DIR] [--progs DIR] [FILTER]
 *   -v      print every corpus row (default: the summary and the 8 slowest)
 *   FILTER  only programs whose GROUP/NAME contains it (e.g. gen/, corpus/alu) */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/asm.h"
#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"

#ifdef VBENCH_HAVE_LIBBPF
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#endif

#ifndef VBENCH_CORPUS_DIR
#define VBENCH_CORPUS_DIR "tests/verifier/corpus"
#endif
#ifndef VBENCH_PROGS_DIR
#define VBENCH_PROGS_DIR "build/tests/progs/obj"
#endif

#define MAX_MAPS 8
#define LOG_SIZE (64u << 20)

static char *logbuf;
static struct bpfrt *rt;
static double budget_s = 0.04; /* per side per round */
static int rounds = 3;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the two bpf() ------------------------------------------------------ */

static int kbpf(int cmd, union bpf_attr *a)
{
	long r = syscall(__NR_bpf, cmd, a, sizeof(*a));
	return r < 0 ? -errno : (int)r;
}

static int sbpf(bool kernel, int cmd, union bpf_attr *a)
{
	return kernel ? kbpf(cmd, a) : bpfrt_bpf(rt, cmd, a, sizeof(*a));
}

static void sclose(bool kernel, int fd)
{
	if (fd < 0)
		return;
	if (kernel)
		close(fd);
	else
		bpfrt_close(rt, fd);
}

/* One program as loaded on one side: everything of BPF_PROG_LOAD's attr. */
struct load {
	uint32_t type, attach, flags;
	const struct bpf_insn *insns;
	uint32_t cnt;
	const int *fd_array;
	int btf_fd;                 /* kernel only, with func_info */
	const struct bpf_func_info *finfo;
	uint32_t nfinfo;
};

static int do_load(bool kernel, const struct load *l, uint32_t level)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = l->type;
	a.expected_attach_type = l->attach;
	a.prog_flags = l->flags;
	a.insns = (uintptr_t)l->insns;
	a.insn_cnt = l->cnt;
	a.license = (uintptr_t) "GPL";
	a.fd_array = (uintptr_t)l->fd_array;
	if (l->nfinfo) {
		a.prog_btf_fd = (uint32_t)l->btf_fd;
		a.func_info = (uintptr_t)l->finfo;
		a.func_info_cnt = l->nfinfo;
		a.func_info_rec_size = sizeof(struct bpf_func_info);
	}
	if (level) {
		logbuf[0] = 0;
		a.log_level = level;
		a.log_buf = (uintptr_t)logbuf;
		a.log_size = LOG_SIZE;
	}
	return sbpf(kernel, BPF_PROG_LOAD, &a);
}

/* "processed N insns" of one load with a log; -1 if absent. */
static long long processed(bool kernel, const struct load *l)
{
	int fd = do_load(kernel, l, kernel ? 4 : 1);
	sclose(kernel, fd);
	const char *s = strstr(logbuf, "processed ");
	return fd >= 0 && s ? atoll(s + 10) : -1;
}

/* ---- measurement ---------------------------------------------------------- */

struct row {
	char name[128];
	const char *group;
	uint32_t insns;
	double b_us, k_us;
	long long b_proc, k_proc;
};

static struct row *rows;
static int nrows;

/* Time one batch of n loads on one side; -1 if a load failed. */
static double batch(bool kernel, const struct load *l, int n)
{
	double t0 = now();
	for (int i = 0; i < n; i++) {
		int fd = do_load(kernel, l, 0);
		if (fd < 0)
			return -1;
		sclose(kernel, fd);
	}
	return now() - t0;
}

static void measure(const char *group, const char *name, const struct load *bl, const struct load *kl)
{
	/* Warm-up and acceptance; the count of loads per batch from it. */
	double t0 = now();
	double tb = batch(false, bl, 1);
	double tfail = now() - t0;
	double tk = batch(true, kl, 1);
	if (tb < 0 || tk < 0) {
		bool k = tb >= 0; /* the side that rejects */
		int e = do_load(k, k ? kl : bl, 1);
		printf("  skip %s/%s (%u insns): %s rejects it (%s)", group, name, bl->cnt, k ? "kernel" : "bpfrt",
		       strerror(-e));
		if (getenv("VBENCH_LOG"))
			printf("\n%s\n", logbuf);
		if (!k && tk < 0) {
			int ke = do_load(true, kl, 4);
			sclose(true, ke);
			printf("; the kernel too (%s)", strerror(-ke));
		}
		if (!k && tk >= 0)
			printf(" after %.1f ms; the kernel accepts it in %.1f us, %lld insns processed", tfail * 1e3,
			       tk * 1e6, processed(true, kl));
		printf("\n");
		if (e >= 0)
			sclose(k, e);
		return;
	}
	int nb = (int)(budget_s / (tb > 1e-7 ? tb : 1e-7)), nk = (int)(budget_s / (tk > 1e-7 ? tk : 1e-7));
	nb = nb < 2 ? 2 : nb > 2000 ? 2000 : nb;
	nk = nk < 2 ? 2 : nk > 2000 ? 2000 : nk;
	double sb = 0, sk = 0;
	for (int r = 0; r < rounds; r++) {
		sb += batch(false, bl, nb);
		sk += batch(true, kl, nk);
	}
	rows = realloc(rows, sizeof(*rows) * (size_t)(nrows + 1));
	struct row *w = &rows[nrows++];
	memset(w, 0, sizeof(*w));
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->group = group;
	w->insns = bl->cnt;
	w->b_us = sb / (rounds * nb) * 1e6;
	w->k_us = sk / (rounds * nk) * 1e6;
	w->b_proc = processed(false, bl);
	w->k_proc = processed(true, kl);
}

/* Does "group/name" contain filter (NULL: everything)? */
static bool wanted(const char *filter, const char *group, const char *name)
{
	char full[512];
	snprintf(full, sizeof(full), "%s/%s", group, name);
	return !filter || strstr(full, filter);
}

/* ---- (a) the verifier corpus (header parsing as tests/verifier/run_corpus.c) */

struct map_spec {
	uint32_t type, key, value, entries, flags;
};

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

static char *read_text(const char *path)
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

/* An assembly program with its maps, as in the corpus files' headers. */
struct asm_prog {
	uint32_t type, flags;
	struct map_spec maps[MAX_MAPS];
	int nmaps;
	bool accept;
	struct bpf_insn *insns;
	uint32_t cnt;
};

static int parse_maps(struct asm_prog *p, char *s)
{
	char *save = NULL;
	for (char *tok = strtok_r(s, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		tok = trim(tok);
		if (!*tok)
			continue;
		if (p->nmaps == MAX_MAPS)
			return -1;
		char tname[64];
		struct map_spec *m = &p->maps[p->nmaps];
		if (sscanf(tok, "%63s %u %u %u", tname, &m->key, &m->value, &m->entries) != 4)
			return -1;
		size_t i, n = sizeof(map_types) / sizeof(map_types[0]);
		for (i = 0; i < n && strcmp(tname, map_types[i].name); i++)
			;
		if (i == n)
			return -1;
		m->type = map_types[i].type;
		m->flags = map_types[i].flags;
		p->nmaps++;
	}
	return 0;
}

/* Parse "# key: value" header lines and assemble the rest. */
static int parse_asm(struct asm_prog *p, const char *text)
{
	memset(p, 0, sizeof(*p));
	p->type = UINT32_MAX;
	char *copy = strdup(text), *save = NULL;
	int rc = 0;
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
			rc |= parse_maps(p, val);
		} else if (!strcmp(key, "expect")) {
			p->accept = !strncmp(val, "accept", 6);
		} else if (!strcmp(key, "flags") && strstr(val, "sleepable")) {
			p->flags |= BPF_F_SLEEPABLE;
		}
	}
	free(copy);
	if (p->type == UINT32_MAX)
		return -1;
	if (p->type == BPF_PROG_TYPE_SYSCALL)
		p->flags |= BPF_F_SLEEPABLE;
	struct bpfrt_diag diag;
	memset(&diag, 0, sizeof(diag));
	if (rc || bpfrt_asm(text, BPFRT_SYNTAX_LLVM, &p->insns, &p->cnt, &diag)) {
		fprintf(stderr, "assembly: line %u: %s\n", diag.line, diag.msg);
		return -1;
	}
	return 0;
}

static int make_maps(bool kernel, const struct asm_prog *p, int *fds)
{
	for (int n = 0; n < p->nmaps; n++) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.map_type = p->maps[n].type;
		a.key_size = p->maps[n].key;
		a.value_size = p->maps[n].value;
		a.max_entries = p->maps[n].entries;
		a.map_flags = p->maps[n].flags;
		fds[n] = sbpf(kernel, BPF_MAP_CREATE, &a);
		if (fds[n] < 0) {
			while (n-- > 0)
				sclose(kernel, fds[n]);
			return -1;
		}
	}
	return 0;
}

/* A fresh runtime per program (per object): the load time of one runtime
 * grows with the number of programs it has loaded and closed (see
 * bench/RESULTS.md), which is not what this benchmark measures. */
static struct bpfrt_opts rt_opts = {.sz = sizeof(rt_opts), .pin_root = "/dev/shm/bpfrt-vbench"};

static void fresh_runtime(void)
{
	if (getenv("VBENCH_ONE_RUNTIME") && rt)
		return;
	bpfrt_free(rt);
	rt = bpfrt_new(&rt_opts);
	if (!rt) {
		fprintf(stderr, "bpfrt_new: %s\n", strerror(errno));
		exit(2);
	}
}

static void run_asm(const char *group, const char *name, const struct asm_prog *p)
{
	int bfds[MAX_MAPS], kfds[MAX_MAPS];
	fresh_runtime();
	if (make_maps(false, p, bfds))
		return;
	if (make_maps(true, p, kfds)) {
		for (int i = 0; i < p->nmaps; i++)
			sclose(false, bfds[i]);
		return;
	}
	struct load bl = {.type = p->type, .flags = p->flags, .insns = p->insns, .cnt = p->cnt,
			  .fd_array = p->nmaps ? bfds : NULL};
	struct load kl = bl;
	kl.fd_array = p->nmaps ? kfds : NULL;
	measure(group, name, &bl, &kl);
	for (int i = 0; i < p->nmaps; i++) {
		sclose(false, bfds[i]);
		sclose(true, kfds[i]);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_corpus(const char *dir, const char *filter)
{
	DIR *d = opendir(dir);
	if (!d) {
		printf("corpus: %s: %s (skipped)\n", dir, strerror(errno));
		return;
	}
	char **names = NULL;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 2 && !strcmp(de->d_name + l - 2, ".s")) {
			names = realloc(names, sizeof(*names) * (size_t)(n + 1));
			names[n++] = strdup(de->d_name);
		}
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), cmp_str);
	int rejected = 0;
	for (int i = 0; i < n; i++) {
		char path[4096], name[256];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(name, sizeof(name), "%.*s", (int)(strlen(names[i]) - 2), names[i]);
		if (!wanted(filter, "corpus", name))
			goto next;
		char *text = read_text(path);
		struct asm_prog p;
		if (!text || parse_asm(&p, text)) {
			printf("  skip corpus/%s: unreadable\n", name);
			free(text);
			goto next;
		}
		free(text);
		/* The kernel decides what belongs in the set (its verdict, not expect:). */
		int kfds[MAX_MAPS];
		if (!make_maps(true, &p, kfds)) {
			struct load kl = {.type = p.type, .flags = p.flags, .insns = p.insns, .cnt = p.cnt,
					  .fd_array = p.nmaps ? kfds : NULL};
			int fd = do_load(true, &kl, 0);
			for (int m = 0; m < p.nmaps; m++)
				close(kfds[m]);
			if (fd >= 0) {
				close(fd);
				run_asm("corpus", name, &p);
			} else {
				rejected++;
			}
		}
		free(p.insns);
next:
		free(names[i]);
	}
	free(names);
	printf("corpus: %d files, %d rejected by the kernel (not measured)\n", n, rejected);
}

/* ---- (b) tests/progs objects ------------------------------------------------ */

#ifdef VBENCH_HAVE_LIBBPF
static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* func_info for a bare reload into the kernel: the type ids the kernel kept
 * for libbpf's load (in subprogram order), at the subprogram starts of the
 * relocated instructions.  0 entries if it does not fit. */
static uint32_t kernel_func_info(int prog_fd, const struct bpf_insn *insns, uint32_t cnt,
				 struct bpf_func_info **out)
{
	*out = NULL;
	struct bpf_prog_info info;
	memset(&info, 0, sizeof(info));
	uint32_t len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) || !info.nr_func_info)
		return 0;
	uint32_t n = info.nr_func_info;
	struct bpf_func_info *fi = calloc(n, sizeof(*fi));
	memset(&info, 0, sizeof(info));
	info.nr_func_info = n;
	info.func_info_rec_size = sizeof(*fi);
	info.func_info = (uintptr_t)fi;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
		free(fi);
		return 0;
	}
	uint32_t *starts = calloc(cnt + 1, sizeof(*starts)), ns = 0;
	starts[ns++] = 0;
	for (uint32_t i = 0; i < cnt; i++) {
		const struct bpf_insn *x = &insns[i];
		if ((x->code == (BPF_JMP | BPF_CALL) && x->src_reg == BPF_PSEUDO_CALL) ||
		    (x->code == (BPF_LD | BPF_IMM | BPF_DW) && x->src_reg == BPF_PSEUDO_FUNC))
			starts[ns++] = (uint32_t)((int64_t)i + 1 + x->imm);
	}
	qsort(starts, ns, sizeof(*starts), cmp_u32);
	uint32_t u = 0;
	for (uint32_t i = 0; i < ns; i++)
		if (!u || starts[u - 1] != starts[i])
			starts[u++] = starts[i];
	if (u != n) {
		free(starts);
		free(fi);
		return 0;
	}
	for (uint32_t i = 0; i < n; i++)
		fi[i].insn_off = starts[i];
	free(starts);
	*out = fi;
	return n;
}

static void run_progs(const char *dir, const char *filter)
{
	DIR *d = opendir(dir);
	if (!d) {
		printf("progs: %s: %s (skipped)\n", dir, strerror(errno));
		return;
	}
	char **names = NULL;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 6 && !strcmp(de->d_name + l - 6, ".v3g.o")) {
			names = realloc(names, sizeof(*names) * (size_t)(n + 1));
			names[n++] = strdup(de->d_name);
		}
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), cmp_str);
	libbpf_set_print(quiet_print);
	for (int i = 0; i < n; i++) {
		char path[4096], oname[256];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(oname, sizeof(oname), "%.*s", (int)(strlen(names[i]) - 6), names[i]);
		fresh_runtime();
		struct bpf_object *kobj = bpf_object__open_file(path, NULL);
		struct bpfrt_diag diag;
		memset(&diag, 0, sizeof(diag));
		struct bpfrt_object *bobj = bpfrt_object_open_file(rt, path, NULL, &diag);
		if (!kobj || !bobj || bpf_object__load(kobj) || bpfrt_object_load(bobj)) {
			printf("  skip progs/%s: object load failed (%s)\n", oname,
			       !kobj ? "libbpf open" : !bobj ? "bpfrt open" : "load");
			goto close;
		}
		struct bpf_program *kp;
		bpf_object__for_each_program(kp, kobj) {
			char name[300];
			snprintf(name, sizeof(name), "%s:%s", oname, bpf_program__name(kp));
			if (!wanted(filter, "progs", name))
				continue;
			struct bpfrt_program *bp = bpfrt_object_find_program_by_name(bobj, bpf_program__name(kp));
			if (!bp || bpf_program__fd(kp) < 0 || bpfrt_program_fd(bp) < 0)
				continue;
			struct load kl = {.type = bpf_program__type(kp),
					  .attach = bpf_program__expected_attach_type(kp),
					  .insns = bpf_program__insns(kp),
					  .cnt = (uint32_t)bpf_program__insn_cnt(kp)};
			struct load bl = {.type = bpfrt_program_type(bp),
					  .attach = bpfrt_program_expected_attach_type(bp)};
			bl.insns = bpfrt_program_insns(bp, &bl.cnt);
			if (kl.type == BPF_PROG_TYPE_SYSCALL)
				kl.flags = bl.flags = BPF_F_SLEEPABLE;
			/* Without BTF if the kernel takes it so, else with func_info. */
			struct bpf_func_info *fi = NULL;
			int fd = do_load(true, &kl, 0);
			if (fd < 0) {
				kl.nfinfo = kernel_func_info(bpf_program__fd(kp), kl.insns, kl.cnt, &fi);
				kl.finfo = fi;
				kl.btf_fd = bpf_object__btf_fd(kobj);
			} else {
				close(fd);
			}
			measure("progs", name, &bl, &kl);
			free(fi);
		}
close:
		bpf_object__close(kobj);
		bpfrt_object_close(bobj);
		free(names[i]);
	}
	free(names);
}
#endif

/* ---- (c) generated large programs ------------------------------------------ */

struct buf {
	char *s;
	size_t len, cap;
};

static void out(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap ? b->cap * 2 : 65536;
		b->s = realloc(b->s, b->cap);
	}
}

/* ~4000 instructions of 64- and 32-bit ALU on unknown and constant scalars. */
static void gen_alu(struct buf *b)
{
	out(b, "# type: xdp\ncall 7\nr6 = r0\ncall 7\nr7 = r0\nr1 = r6\nr2 = 7\nr3 = r7\nr4 = 12345\nr5 = r6\n");
	static const char *ops[] = {
		"r1 += r2",     "r2 ^= 0x1234", "r3 *= r1",     "r4 |= r3",   "r5 -= r4",   "r1 <<= 3",
		"r2 >>= 1",     "r3 = r5",      "w4 += w1",     "r5 &= 0xffff", "r1 s>>= 2", "w2 = w3",
		"r3 |= 0x100",  "r4 &= r2",     "w5 *= 3",      "r1 -= r5",   "r2 += 99",   "w3 ^= w4",
		"r4 = -r4",     "r5 /= 7",      "r1 %= 1000",   "w2 >>= 4",   "r3 += r6",   "r4 ^= r7",
	};
	for (int i = 0; i < 3990; i++)
		out(b, "%s\n", ops[i % (sizeof(ops) / sizeof(ops[0]))]);
	out(b, "r0 = 2\nexit\n");
}

/* n diamonds on unknown values: if/else arms that join again. */
static void gen_diamonds(struct buf *b, int n)
{
	out(b, "# type: xdp\ncall 7\nr6 = r0\ncall 7\nr7 = r0\nr8 = 0\n");
	for (int i = 0; i < n; i++) {
		if (i % 2)
			out(b, "if r6 > %d goto a%d\n", (i * 2654435761u) % 100000, i);
		else
			out(b, "if r7 & 0x%x goto a%d\n", 1u << (i % 31), i);
		out(b, "r8 += %d\ngoto j%d\na%d:\nr8 ^= %d\nj%d:\n", i, i, i, i * 3, i);
	}
	out(b, "r0 = 2\nexit\n");
}

/* A bounded loop of n iterations reading and writing a 4 KiB map value at
 * a computed offset (the verifier walks every iteration). */
static void gen_loop(struct buf *b, int n)
{
	out(b, "# type: xdp\n# maps: array 4 4096 1\n"
	       "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nld_pseudo r1, 5, 0\ncall 1\n"
	       "if r0 == 0 goto out\nr6 = r0\nr7 = 0\nr8 = 0\n"
	       "loop:\nr1 = r7\nr1 &= 511\nr1 <<= 3\nr2 = r6\nr2 += r1\n"
	       "r3 = *(u64 *)(r2 + 0)\nr3 += r7\n*(u64 *)(r2 + 0) = r3\nr8 += r3\n"
	       "r7 += 1\nif r7 < %d goto loop\n*(u64 *)(r6 + 0) = r8\n"
	       "out:\nr0 = 2\nexit\n", n);
}

/* An XDP parser: Ethernet, up to two VLAN tags, IPv4/IPv6, TCP/UDP, then a
 * chain of `levels` 8-byte TLV records with a branch each (12 distinct
 * header paths reach the chain, each with its own packet offset). */
static void gen_parser(struct buf *b, int levels)
{
	out(b, "# type: xdp\n"
	       "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr7 = 0\nr6 = r2\n"
	       "r4 = r6\nr4 += 14\nif r4 > r3 goto pass\nr5 = *(u16 *)(r6 + 12)\nr6 += 14\n"
	       "if r5 != 0x81 goto l3\n"
	       "r4 = r6\nr4 += 4\nif r4 > r3 goto pass\nr5 = *(u16 *)(r6 + 2)\nr6 += 4\n"
	       "if r5 != 0x81 goto l3\n"
	       "r4 = r6\nr4 += 4\nif r4 > r3 goto pass\nr5 = *(u16 *)(r6 + 2)\nr6 += 4\n"
	       "l3:\nif r5 == 0x8 goto ipv4\nif r5 == 0xdd86 goto ipv6\ngoto pass\n"
	       "ipv4:\nr4 = r6\nr4 += 20\nif r4 > r3 goto pass\nr5 = *(u8 *)(r6 + 9)\n"
	       "r8 = *(u32 *)(r6 + 12)\nr7 ^= r8\nr6 += 20\ngoto l4\n"
	       "ipv6:\nr4 = r6\nr4 += 40\nif r4 > r3 goto pass\nr5 = *(u8 *)(r6 + 6)\n"
	       "r8 = *(u64 *)(r6 + 8)\nr7 ^= r8\nr6 += 40\n"
	       "l4:\nif r5 == 6 goto tcp\nif r5 == 17 goto udp\ngoto pass\n"
	       "tcp:\nr4 = r6\nr4 += 20\nif r4 > r3 goto pass\nr8 = *(u16 *)(r6 + 2)\nr7 += r8\n"
	       "r6 += 20\ngoto payload\n"
	       "udp:\nr4 = r6\nr4 += 8\nif r4 > r3 goto pass\nr8 = *(u16 *)(r6 + 2)\nr7 += r8\nr6 += 8\n"
	       "payload:\n");
	for (int i = 0; i < levels; i++)
		out(b, "r4 = r6\nr4 += 8\nif r4 > r3 goto pass\nr5 = *(u8 *)(r6 + 0)\nif r5 == 0 goto done\n"
		       "r8 = *(u16 *)(r6 + 2)\nif r5 > 127 goto b%d\nr7 += r8\ngoto j%d\nb%d:\nr7 ^= r8\n"
		       "j%d:\nr6 += 8\n",
		    i, i, i, i);
	out(b, "done:\nr0 = r7\nr0 &= 1\nr0 += 1\nexit\npass:\nr0 = 2\nexit\n");
}

static void run_gen(const char *name, const char *filter, void (*gen)(struct buf *, int), int arg)
{
	if (!wanted(filter, "gen", name))
		return;
	struct buf b = {0};
	gen(&b, arg);
	struct asm_prog p;
	if (parse_asm(&p, b.s)) {
		printf("  skip gen/%s: does not assemble\n", name);
	} else {
		run_asm("gen", name, &p);
		free(p.insns);
	}
	free(b.s);
}

static void gen_alu_arg(struct buf *b, int n)
{
	(void)n;
	gen_alu(b);
}

/* ---- report ------------------------------------------------------------------ */

static void print_row(const struct row *w)
{
	printf("| %-40s | %5u | %10.1f | %10.1f | %6.2fx | %9lld | %9lld |\n", w->name, w->insns, w->b_us, w->k_us,
	       w->b_us / w->k_us, w->b_proc, w->k_proc);
}

static void header(void)
{
	printf("| %-40s | %5s | %10s | %10s | %7s | %9s | %9s |\n", "program", "insns", "bpfrt us", "kernel us",
	       "ratio", "bpfrt prc", "kern prc");
	printf("|%.42s|%.6s:|%.11s:|%.11s:|%.8s:|%.10s:|%.10s:|\n", "-------------------------------------------",
	       "-------", "------------", "------------", "---------", "-----------", "-----------");
}

static int cmp_ratio(const void *a, const void *b)
{
	const struct row *x = *(struct row *const *)a, *y = *(struct row *const *)b;
	double rx = x->b_us / x->k_us, ry = y->b_us / y->k_us;
	return rx < ry ? 1 : rx > ry ? -1 : 0;
}

static void summary(const char *group, bool table, bool all)
{
	struct row **g = NULL;
	int n = 0;
	double lg = 0, sb = 0, sk = 0;
	for (int i = 0; i < nrows; i++)
		if (!group || !strcmp(rows[i].group, group)) {
			g = realloc(g, sizeof(*g) * (size_t)(n + 1));
			g[n++] = &rows[i];
			lg += log(rows[i].b_us / rows[i].k_us);
			sb += rows[i].b_us;
			sk += rows[i].k_us;
		}
	if (!n)
		return;
	if (group && table) {
		printf("\n%s: %d programs%s\n", group, n, all ? "" : " (the 8 highest ratios; -v for all)");
		header();
		if (!all)
			qsort(g, (size_t)n, sizeof(*g), cmp_ratio);
		for (int i = 0; i < n && (all || i < 8); i++)
			print_row(g[i]);
	}
	int slower = 0;
	double lo = 1e9, hi = 0;
	for (int i = 0; i < n; i++) {
		double r = g[i]->b_us / g[i]->k_us;
		slower += r > 1;
		lo = r < lo ? r : lo;
		hi = r > hi ? r : hi;
	}
	printf("%s: geomean bpfrt/kernel %.3fx over %d programs (min %.2fx, max %.2fx, bpfrt slower on %d); "
	       "sum of means: bpfrt %.0f us, kernel %.0f us\n",
	       group ? group : "ALL", exp(lg / n), n, lo, hi, slower, sb, sk);
	free(g);
}

int main(int argc, char **argv)
{
	const char *corpus = VBENCH_CORPUS_DIR, *progs = VBENCH_PROGS_DIR, *filter = NULL;
	bool verbose = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			budget_s = 0.01;
			rounds = 2;
		} else if (!strcmp(argv[i], "-v")) {
			verbose = true;
		} else if (!strcmp(argv[i], "--corpus") && i + 1 < argc) {
			corpus = argv[++i];
		} else if (!strcmp(argv[i], "--progs") && i + 1 < argc) {
			progs = argv[++i];
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: bpfrt_verifier_bench [--quick] [-v] [--corpus DIR] [--progs DIR] "
					"[FILTER]\n");
			return 2;
		} else {
			filter = argv[i];
		}
	}
	struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
	setrlimit(RLIMIT_MEMLOCK, &rl);
	logbuf = malloc(LOG_SIZE);
	union bpf_attr probe;
	memset(&probe, 0, sizeof(probe));
	probe.map_type = BPF_MAP_TYPE_ARRAY;
	probe.key_size = probe.value_size = probe.max_entries = 4;
	int pfd = kbpf(BPF_MAP_CREATE, &probe);
	if (pfd < 0) {
		printf("verifier bench: the kernel's bpf() is not available (%s); nothing to compare\n",
		       strerror(-pfd));
		return 77;
	}
	close(pfd);
	fresh_runtime();
	printf("verifier bench: mean wall time of BPF_PROG_LOAD (no log) per program, bpfrt vs kernel; "
	       "%d rounds of ~%.0f ms per side\n",
	       rounds, budget_s * 1e3);

	run_corpus(corpus, filter);
#ifdef VBENCH_HAVE_LIBBPF
	run_progs(progs, filter);
#else
	printf("progs: built without libbpf (skipped)\n");
#endif
	run_gen("alu-straight-4000", filter, gen_alu_arg, 0);
	run_gen("diamonds-500", filter, gen_diamonds, 500);
	run_gen("diamonds-12", filter, gen_diamonds, 12);
	run_gen("loop-map-100", filter, gen_loop, 100);
	run_gen("loop-map-1000", filter, gen_loop, 1000);
	run_gen("parser-deep-8", filter, gen_parser, 8);
	run_gen("parser-deep-64", filter, gen_parser, 64);

	summary("corpus", true, verbose);
	summary("progs", true, true);
	summary("gen", true, true);
	printf("\n");
	summary("corpus", false, false);
	summary("progs", false, false);
	summary("gen", false, false);
	summary(NULL, false, false);
	bpfrt_free(rt);
	return 0;
}

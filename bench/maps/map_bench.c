/* map_bench.c — the map benchmark behind `make bench-maps` (not a test).
 *
 * For ARRAY, HASH (1M entries) and LPM_TRIE maps it measures lookups and
 * updates per second, from the application (bpf() MAP_LOOKUP_ELEM /
 * MAP_UPDATE_ELEM, one element per call) and from programs (a tc program
 * doing n_ops helper calls per run, driven by BPF_PROG_TEST_RUN with
 * repeat), with 1 and 2 threads on one shared map, in bpfrt and in the host
 * kernel side by side.  Before timing anything it checks that both sides
 * give the same results on the same key streams.
 *
 * Usage: bpfrt_map_bench [--quick] [--pin-root DIR] [array|hash|lpm ...]
 */
#define _GNU_SOURCE
#include "map_bench.h"

#include <bpfrt/bpfrt.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 2
#define PROG_OPS 256      /* map operations per program run */
#define PROG_REPEAT 32    /* runs per BPF_PROG_TEST_RUN call */
#define APP_UNIT 256      /* bpf() calls between looks at the stop flag */
#define VERIFY_OPS 20000  /* application-side operations compared across sides */
#define LPM_PREFIXES 32768 /* a power of two: programs index the key table by mask */

static int batch_ms = 100, nbatch = 5;

/* ---- the maps under test ---------------------------------------------- */

enum map_kind { M_ARRAY, M_HASH, M_LPM, M_COUNT };

struct map_desc {
	const char *name, *what;
	uint32_t type, key_size, max_entries, flags;
	uint32_t mask; /* raw key -> key (array, hash); raw -> table index (LPM updates) */
};

static const struct map_desc maps[M_COUNT] = {
	[M_ARRAY] = {"array", "1024 x u64", BPF_MAP_TYPE_ARRAY, 4, 1024, 0, 1023},
	[M_HASH] = {"hash", "1M u32 -> u64, full", BPF_MAP_TYPE_HASH, 4, 1u << 20, 0, (1u << 20) - 1},
	[M_LPM] = {"lpm", "32k IPv4 prefixes /8../32", BPF_MAP_TYPE_LPM_TRIE, 8, 2 * LPM_PREFIXES,
		   BPF_F_NO_PREALLOC, LPM_PREFIXES - 1},
};

struct lpm_key {
	uint32_t prefixlen;
	uint8_t addr[4];
};

/* The prefill, generated once and given to both sides. */
static struct lpm_key lpm_table[LPM_PREFIXES];

static uint64_t value_of(uint32_t i)
{
	return (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull;
}

/* Mixed prefix lengths, weighted like a routing table: mostly /24, some
 * shorter (those catch many random addresses), some longer. */
static void make_lpm_table(void)
{
	uint64_t s = 0x1b873593;
	for (uint32_t i = 0; i < LPM_PREFIXES; i++) {
		uint32_t r = lcg_next(&s), a = lcg_next(&s), len;
		uint32_t pick = r % 100;
		if (pick < 5)
			len = 8 + r / 100 % 8; /* /8../15 */
		else if (pick < 25)
			len = 16 + r / 100 % 8; /* /16../23 */
		else if (pick < 85)
			len = 24;
		else
			len = 25 + r / 100 % 8; /* /25../32 */
		uint32_t net = len == 32 ? a : a & ~(0xffffffffu >> len);
		lpm_table[i].prefixlen = len;
		for (int k = 0; k < 4; k++)
			lpm_table[i].addr[k] = (uint8_t)(net >> (24 - 8 * k));
	}
}

/* One side's objects. */
struct side_maps {
	int fd[M_COUNT];
	int state_fd, keys_fd;
	int prog_lookup[M_COUNT], prog_update[M_COUNT], prog_loop;
};

static int fill(const struct side *s, int fd, const void *keys, uint32_t ksz, const void *vals,
		uint32_t n, bool batch)
{
	if (batch && side_update_batch(s, fd, keys, ksz, vals, 8, n) == 0)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		int err = side_update(s, fd, (const uint8_t *)keys + (size_t)i * ksz,
				      (const uint8_t *)vals + (size_t)i * 8);
		if (err < 0)
			return err;
	}
	return 0;
}

static int setup_side(const struct side *s, struct side_maps *sm, const bool *want)
{
	memset(sm, -1, sizeof(*sm));
	sm->state_fd = side_map_create(s, BPF_MAP_TYPE_ARRAY, 4, 64, MAX_THREADS, 0, "mb_state");
	sm->keys_fd = side_map_create(s, BPF_MAP_TYPE_ARRAY, 4, 8, LPM_PREFIXES, 0, "mb_lpm_keys");
	if (sm->state_fd < 0 || sm->keys_fd < 0) {
		fprintf(stderr, "%s: MAP_CREATE (state/keys): %s\n", s->name,
			strerror(-(sm->state_fd < 0 ? sm->state_fd : sm->keys_fd)));
		return -1;
	}
	uint32_t n_max = 1u << 20;
	uint32_t *keys = malloc(n_max * sizeof(*keys));
	uint64_t *vals = malloc(n_max * sizeof(*vals));
	for (uint32_t i = 0; i < n_max; i++)
		keys[i] = i, vals[i] = value_of(i);
	int err = fill(s, sm->keys_fd, keys, 4, lpm_table, LPM_PREFIXES, false);
	for (int m = 0; m < M_COUNT && !err; m++) {
		if (!want[m])
			continue;
		const struct map_desc *d = &maps[m];
		sm->fd[m] = side_map_create(s, d->type, d->key_size, 8, d->max_entries, d->flags, d->name);
		if (sm->fd[m] < 0) {
			fprintf(stderr, "%s: MAP_CREATE %s: %s\n", s->name, d->name, strerror(-sm->fd[m]));
			err = sm->fd[m];
			break;
		}
		if (m == M_LPM)
			err = fill(s, sm->fd[m], lpm_table, 8, vals, LPM_PREFIXES, false);
		else
			err = fill(s, sm->fd[m], keys, 4, vals, d->max_entries, m == M_HASH);
		if (err)
			fprintf(stderr, "%s: prefill %s: %s\n", s->name, d->name, strerror(-err));
	}
	free(keys);
	free(vals);
	if (err)
		return -1;

	struct bpf_insn insns[PROG_MAX_INSNS];
	for (int m = 0; m < M_COUNT; m++) {
		if (!want[m])
			continue;
		struct prog_spec sp = {.op = PROG_LOOKUP, .mask = maps[m].mask, .map_fd = sm->fd[m],
				       .state_fd = sm->state_fd, .keys_fd = sm->keys_fd, .n_ops = PROG_OPS};
		sp.key = m == M_LPM ? KEY_LPM_ADDR : KEY_U32_MASK;
		sm->prog_lookup[m] = side_prog_load(s, "mb_lookup", insns, prog_build(&sp, insns));
		sp.op = PROG_UPDATE;
		sp.key = m == M_LPM ? KEY_LPM_TABLE : KEY_U32_MASK;
		sm->prog_update[m] = side_prog_load(s, "mb_update", insns, prog_build(&sp, insns));
		if (sm->prog_lookup[m] < 0 || sm->prog_update[m] < 0)
			return -1;
	}
	struct prog_spec sp = {.op = PROG_LOOP, .key = KEY_U32_MASK, .mask = (1u << 20) - 1,
			       .state_fd = sm->state_fd, .n_ops = PROG_OPS};
	sm->prog_loop = side_prog_load(s, "mb_loop", insns, prog_build(&sp, insns));
	return sm->prog_loop < 0 ? -1 : 0;
}

/* ---- one unit of work --------------------------------------------------- */

enum origin { FROM_APP, FROM_PROG, FROM_CPU /* a plain loop: how far 2 threads can scale here */ };
enum op { OP_LOOKUP, OP_UPDATE, OP_LOOP };

struct job {
	const struct side *side;
	const struct side_maps *sm;
	enum map_kind map;
	enum origin from;
	enum op op;
	uint32_t tid;
	uint64_t rng;
	/* results */
	uint64_t ops, hits, sum;
	int err;
};

static void make_key(const struct job *j, uint32_t raw, void *key)
{
	const struct map_desc *d = &maps[j->map];
	if (j->map != M_LPM) {
		uint32_t k = raw & d->mask;
		memcpy(key, &k, 4);
	} else if (j->op == OP_LOOKUP) {
		struct lpm_key k = {32, {0}};
		memcpy(k.addr, &raw, 4); /* the bytes the program stores */
		memcpy(key, &k, 8);
	} else {
		memcpy(key, &lpm_table[raw & d->mask], 8);
	}
}

/* n operations from the application, one bpf() call each. */
static void app_ops(struct job *j, uint32_t n)
{
	uint8_t key[8];
	uint64_t value;
	int fd = j->sm->fd[j->map];
	for (uint32_t i = 0; i < n; i++) {
		uint32_t raw = lcg_next(&j->rng);
		make_key(j, raw, key);
		int err;
		if (j->op == OP_LOOKUP) {
			err = side_lookup(j->side, fd, key, &value);
			if (!err)
				j->hits++, j->sum += value;
		} else {
			value = j->rng;
			err = side_update(j->side, fd, key, &value);
			if (!err)
				j->hits++;
		}
		if (err && err != -ENOENT)
			j->err = err;
	}
	j->ops += n;
}

static int prog_fd_of(const struct job *j)
{
	return j->op == OP_LOOP     ? j->sm->prog_loop
	       : j->op == OP_LOOKUP ? j->sm->prog_lookup[j->map]
				    : j->sm->prog_update[j->map];
}

static int set_state(const struct job *j, uint64_t seed)
{
	uint8_t v[64] = {0};
	memcpy(v, &seed, 8);
	return side_update(j->side, j->sm->state_fd, &j->tid, v);
}

/* repeat runs of the job's program; the last run's retval in *ret. */
static void prog_runs(struct job *j, uint32_t repeat, uint32_t *ret)
{
	uint8_t pkt[PKT_LEN] = {0};
	memcpy(pkt + PKT_TID_OFF, &j->tid, 4);
	int err = side_test_run(j->side, prog_fd_of(j), pkt, sizeof(pkt), repeat, ret);
	if (err)
		j->err = err;
	else if (*ret == 0xffffffffu)
		j->err = -EINVAL; /* the program found no state: a setup bug */
	j->ops += (uint64_t)repeat * PROG_OPS;
}

/* ---- timing -------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct worker {
	pthread_t thread;
	struct job job;
	pthread_barrier_t *start;
	atomic_int *stop;
	double elapsed;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint32_t ret;
	pthread_barrier_wait(w->start);
	double t0 = now_s();
	while (!atomic_load_explicit(w->stop, memory_order_relaxed) && !w->job.err) {
		if (w->job.from == FROM_APP) {
			app_ops(&w->job, APP_UNIT);
		} else if (w->job.from == FROM_PROG) {
			prog_runs(&w->job, PROG_REPEAT, &ret);
		} else {
			for (uint32_t i = 0; i < 100000; i++)
				lcg_next(&w->job.rng);
			w->job.sum += w->job.rng;
			w->job.ops += 100000;
		}
	}
	w->elapsed = now_s() - t0;
	return NULL;
}

/* One batch: `threads` threads on one map for batch_ms; millions of
 * operations per second, the sum of each thread's own rate.  -1 on error. */
static double run_batch(const struct job *proto, int threads, int b)
{
	struct worker w[MAX_THREADS];
	pthread_barrier_t start;
	atomic_int stop = 0;
	for (int t = 0; t < threads; t++) {
		w[t].job = *proto;
		w[t].job.tid = (uint32_t)t;
		w[t].job.rng = 0x243f6a8885a308d3ull * (uint64_t)(t + 1) + (uint64_t)b;
		w[t].start = &start;
		w[t].stop = &stop;
		if (proto->from == FROM_PROG && set_state(&w[t].job, w[t].job.rng))
			return -1;
	}
	pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
	for (int t = 0; t < threads; t++)
		pthread_create(&w[t].thread, NULL, worker_main, &w[t]);
	pthread_barrier_wait(&start);
	usleep((useconds_t)batch_ms * 1000);
	atomic_store(&stop, 1);
	double rate = 0;
	int err = 0;
	for (int t = 0; t < threads; t++) {
		pthread_join(w[t].thread, NULL);
		rate += (double)w[t].job.ops / w[t].elapsed;
		if (w[t].job.err)
			err = w[t].job.err;
	}
	pthread_barrier_destroy(&start);
	if (err) {
		fprintf(stderr, "%s: error %s\n", proto->side ? proto->side->name : "cpu",
			strerror(-err));
		return -1;
	}
	return rate / 1e6;
}

/* The best of nbatch batches for each of n jobs, their batches taken in
 * turn (job 0, job 1, job 0, ...) so that a noisy neighbour on this shared
 * machine hits both sides of a comparison alike. */
static void measure(const struct job *protos, int n, int threads, double *best)
{
	for (int k = 0; k < n; k++)
		best[k] = 0;
	for (int b = 0; b < nbatch; b++) {
		for (int k = 0; k < n; k++) {
			if (best[k] < 0)
				continue;
			double r = run_batch(&protos[k], threads, b);
			best[k] = r < 0 ? -1 : r > best[k] ? r : best[k];
		}
	}
}

/* ---- verification: the same key streams give the same answers ------------ */

struct outcome {
	uint64_t hits, sum;
	uint32_t ret;
	int err;
};

static struct outcome verify_one(const struct side *s, const struct side_maps *sm, enum map_kind m,
				 enum origin from, enum op op, uint64_t seed)
{
	struct job j = {.side = s, .sm = sm, .map = m, .from = from, .op = op, .rng = seed};
	struct outcome o = {0};
	if (from == FROM_APP) {
		app_ops(&j, VERIFY_OPS);
	} else {
		j.err = set_state(&j, seed);
		if (!j.err)
			prog_runs(&j, 1, &o.ret);
	}
	o.hits = j.hits, o.sum = j.sum, o.err = j.err;
	return o;
}

static const char *op_name(enum op op)
{
	return op == OP_LOOKUP ? "lookup" : op == OP_UPDATE ? "update" : "loop";
}

/* Lookups, updates, then lookups again over the updated keys, on both
 * sides; returns the number of disagreements. */
static int verify(const struct side *sides, const struct side_maps *sm, const bool *want)
{
	static const enum op seq[] = {OP_LOOKUP, OP_UPDATE, OP_LOOKUP, OP_LOOP};
	int bad = 0;
	for (int m = 0; m < M_COUNT; m++) {
		if (!want[m])
			continue;
		for (int from = FROM_APP; from <= FROM_PROG; from++) {
			for (size_t k = 0; k < sizeof(seq) / sizeof(seq[0]); k++) {
				if (seq[k] == OP_LOOP && (from == FROM_APP || m != M_HASH))
					continue;
				uint64_t seed = 0x5eed0000u + (uint64_t)m * 16 + (uint64_t)from * 4 +
						(k >= 1 ? 1 : 0); /* update and re-lookup share a stream */
				struct outcome o[2];
				for (int s = 0; s < 2; s++)
					o[s] = verify_one(&sides[s], &sm[s], (enum map_kind)m,
							  (enum origin)from, seq[k], seed);
				bool same = !o[0].err && !o[1].err && o[0].hits == o[1].hits &&
					    o[0].sum == o[1].sum && o[0].ret == o[1].ret;
				bool sane = seq[k] != OP_UPDATE ||
					    (from == FROM_APP ? o[0].hits == VERIFY_OPS : o[0].ret == PROG_OPS);
				printf("  %-5s %-6s %-4s  bpfrt: hits %6llu sum %016llx ret %08x  kernel: hits %6llu sum %016llx ret %08x  %s\n",
				       maps[m].name, op_name(seq[k]), from == FROM_APP ? "app" : "prog",
				       (unsigned long long)o[0].hits, (unsigned long long)o[0].sum, o[0].ret,
				       (unsigned long long)o[1].hits, (unsigned long long)o[1].sum, o[1].ret,
				       same && sane ? "same" : "MISMATCH");
				bad += !(same && sane);
			}
		}
	}
	return bad;
}

/* ---- the report ----------------------------------------------------------- */

static void print_machine(void)
{
	char model[256] = "unknown", line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (!strncmp(line, "model name", 10) && colon) {
			snprintf(model, sizeof(model), "%s", colon + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	struct utsname u;
	uname(&u);
	char date[64];
	time_t t = time(NULL);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M", localtime(&t));
	printf("bpfrt_map_bench  %s  |  %s, %ld CPUs  |  %s %s\n", date, model,
	       sysconf(_SC_NPROCESSORS_ONLN), u.sysname, u.release);
	printf("program side: bpfrt interpreter vs kernel JIT, %d map ops per run, repeat %d; "
	       "batches of %d ms, best of %d, bpfrt and kernel batches alternating\n\n",
	       PROG_OPS, PROG_REPEAT, batch_ms, nbatch);
}

static void fmt(char *buf, size_t n, double v)
{
	if (v < 0)
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, v < 10 ? "%.2f" : "%.1f", v);
}

static void fmt_ratio(char *buf, size_t n, double a, double b)
{
	if (a <= 0 || b <= 0)
		snprintf(buf, n, "n/a");
	else
		snprintf(buf, n, "%.2fx", a / b);
}

int main(int argc, char **argv)
{
	bool want[M_COUNT] = {false}, any = false;
	const char *pin_root = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			batch_ms = 40, nbatch = 3;
			continue;
		}
		if (!strcmp(argv[i], "--pin-root") && i + 1 < argc) {
			pin_root = argv[++i];
			continue;
		}
		int m = 0;
		while (m < M_COUNT && strcmp(argv[i], maps[m].name))
			m++;
		if (m == M_COUNT) {
			fprintf(stderr, "usage: %s [--quick] [--pin-root DIR] [array|hash|lpm ...]\n",
				argv[0]);
			return 2;
		}
		want[m] = any = true;
	}
	for (int m = 0; m < M_COUNT && !any; m++)
		want[m] = true;

	/* Map storage on a tmpfs, as a bpffs would be (/run is not one on
	 * every machine); the files are O_TMPFILE, nothing stays behind. */
	char root[128];
	if (!pin_root) {
		struct stat st;
		if (!stat("/dev/shm", &st)) {
			snprintf(root, sizeof(root), "/dev/shm/bpfrt-map-bench-%d", (int)getpid());
			pin_root = root;
		}
	}
	struct bpfrt_opts opts = {.sz = sizeof(opts), .pin_root = pin_root};
	struct bpfrt *rt = bpfrt_new(&opts);
	if (!rt) {
		perror("bpfrt_new");
		return 1;
	}
	const struct side sides[2] = {{"bpfrt", rt}, {"kernel", NULL}};

	print_machine();
	make_lpm_table();
	struct side_maps sm[2];
	double t0 = now_s();
	for (int s = 0; s < 2; s++) {
		if (setup_side(&sides[s], &sm[s], want)) {
			fprintf(stderr, "%s: setup failed\n", sides[s].name);
			return 1;
		}
	}
	printf("setup (maps created and prefilled on both sides): %.1f s\n\nverification:\n",
	       now_s() - t0);
	int bad = verify(sides, sm, want);
	printf("%s\n\n", bad ? "WARNING: the sides disagree (see MISMATCH)" : "  all the same");
	fflush(stdout);

	struct job cpu = {.from = FROM_CPU};
	double cpu1, cpu2;
	measure(&cpu, 1, 1, &cpu1);
	measure(&cpu, 1, 2, &cpu2);
	printf("2-thread scaling of a plain CPU loop on this machine, now: %.2fx "
	       "(2.00x on two idle cores)\n\n", cpu2 / cpu1);
	printf("%-6s %-6s %-4s | %8s %8s %8s | %8s %8s %8s | %6s %6s\n", "map", "op", "from",
	       "bpfrt", "kernel", "bpfrt/k", "bpfrt", "kernel", "bpfrt/k", "scale", "scale");
	printf("%-6s %-6s %-4s | %26s | %26s | %6s %6s\n", "", "", "", "1 thread, Mops/s",
	       "2 threads, Mops/s", "bpfrt", "kernel");
	struct row {
		enum map_kind map;
		enum origin from;
		enum op op;
	} rows[2 * 2 * M_COUNT + 1];
	int nrows = 0;
	for (int m = 0; m < M_COUNT; m++)
		for (int from = FROM_APP; from <= FROM_PROG; from++)
			for (int op = OP_LOOKUP; op <= OP_UPDATE; op++)
				if (want[m])
					rows[nrows++] = (struct row){(enum map_kind)m, (enum origin)from,
								     (enum op)op};
	rows[nrows++] = (struct row){M_HASH, FROM_PROG, OP_LOOP};
	for (int r = 0; r < nrows; r++) {
		double v[2][2]; /* [threads-1][side] */
		struct job j[2];
		for (int s = 0; s < 2; s++)
			j[s] = (struct job){.side = &sides[s], .sm = &sm[s], .map = rows[r].map,
					    .from = rows[r].from, .op = rows[r].op};
		for (int th = 1; th <= MAX_THREADS; th++)
			measure(j, 2, th, v[th - 1]);
		char c[8][16];
		fmt(c[0], 16, v[0][0]);
		fmt(c[1], 16, v[0][1]);
		fmt_ratio(c[2], 16, v[0][0], v[0][1]);
		fmt(c[3], 16, v[1][0]);
		fmt(c[4], 16, v[1][1]);
		fmt_ratio(c[5], 16, v[1][0], v[1][1]);
		fmt_ratio(c[6], 16, v[1][0], v[0][0]);
		fmt_ratio(c[7], 16, v[1][1], v[0][1]);
		printf("%-6s %-6s %-4s | %8s %8s %8s | %8s %8s %8s | %6s %6s\n",
		       rows[r].op == OP_LOOP ? "-" : maps[rows[r].map].name, op_name(rows[r].op),
		       rows[r].from == FROM_APP ? "app" : "prog", c[0], c[1], c[2], c[3], c[4], c[5],
		       c[6], c[7]);
		fflush(stdout);
	}
	printf("\nbpfrt/k > 1: bpfrt faster.  scale: 2-thread rate / 1-thread rate.  "
	       "loop: the program's loop and key generation alone (no map call).\n");
	printf("total time %.0f s\n", now_s() - t0);

	for (int s = 0; s < 2; s++) {
		for (int m = 0; m < M_COUNT; m++) {
			if (sm[s].fd[m] >= 0)
				side_close(&sides[s], sm[s].fd[m]);
			if (sm[s].prog_lookup[m] >= 0)
				side_close(&sides[s], sm[s].prog_lookup[m]);
			if (sm[s].prog_update[m] >= 0)
				side_close(&sides[s], sm[s].prog_update[m]);
		}
		side_close(&sides[s], sm[s].prog_loop);
		side_close(&sides[s], sm[s].state_fd);
		side_close(&sides[s], sm[s].keys_fd);
	}
	bpfrt_free(rt);
	if (pin_root == root)
		rmdir(root);
	return bad ? 1 : 0;
}

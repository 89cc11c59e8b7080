/* bench.c — the benchmark runner behind `make bench` (not a test).
 *
 * For every program of progs/progs.def it measures, in one run, ns per run
 * of: the same C built natively (-O2), the host kernel's JIT
 * (BPF_PROG_TEST_RUN, repeat) and bpfrt's interpreter (fast and checked
 * modes) on the same eBPF code; checks that all give the same return
 * value; and prints a table with the geometric-mean ratios.
 *
 * Timing: each engine runs batches of about BATCH_NS; a row reports the
 * fastest of NBATCH batches (the least disturbed one).
 *
 * Usage: bpfrt_bench [--interp-only] [name...]   (names filter the rows;
 * --interp-only skips the other engines, for profiling the interpreter).
 */
#include "bench.h"
#include "bench_prog.h"

#include <bpfrt/bpfrt.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define BATCH_NS 20e6
#define NBATCH 7

#define BENCH_ROW(name, what)                         \
	extern const unsigned char bench_bpf_##name[]; \
	extern const size_t bench_bpf_##name##_len;   \
	int bench_##name(struct xdp_md *ctx);
#include "progs.def"
#undef BENCH_ROW

struct bench {
	const char *name, *what;
	const unsigned char *code;
	const size_t *len;
	int (*native)(struct xdp_md *ctx);
};

static const struct bench benches[] = {
#define BENCH_ROW(name, what) {#name, what, bench_bpf_##name, &bench_bpf_##name##_len, bench_##name},
#include "progs.def"
#undef BENCH_ROW
};
#define NBENCH (sizeof(benches) / sizeof(benches[0]))

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One engine behind a uniform "run it n times" interface. */
struct engine {
	int (*run)(void *self, uint64_t n, uint32_t *ret); /* 0 or -errno */
	void *self;
};

/* Best-of-NBATCH ns/run, batches sized to about BATCH_NS after a doubling
 * calibration.  Returns a negative value on error. */
static double measure(const struct engine *e, uint32_t *ret)
{
	uint64_t n = 1;
	double t;
	for (;;) {
		double t0 = now_ns();
		if (e->run(e->self, n, ret))
			return -1;
		t = now_ns() - t0;
		if (t > BATCH_NS / 10 || n >= (1ull << 40))
			break;
		n *= 2;
	}
	n = (uint64_t)(n * (BATCH_NS / t)) + 1;
	double best = INFINITY;
	for (int b = 0; b < NBATCH; b++) {
		double t0 = now_ns();
		if (e->run(e->self, n, ret))
			return -1;
		double per = (now_ns() - t0) / (double)n;
		if (per < best)
			best = per;
	}
	return best;
}

/* ---- native --------------------------------------------------------- */

struct native_ctx {
	int (*volatile fn)(struct xdp_md *);
	struct xdp_md *md;
};

static int native_run(void *self, uint64_t n, uint32_t *ret)
{
	struct native_ctx *c = self;
	uint32_t r = 0;
	for (uint64_t i = 0; i < n; i++)
		r = (uint32_t)c->fn(c->md);
	*ret = r;
	return 0;
}

/* ---- bpfrt's interpreter --------------------------------------------- */

struct interp_ctx {
	struct bpfrt_vm_prog *prog;
	struct bpfrt_run_opts opts;
};

static int interp_run(void *self, uint64_t n, uint32_t *ret)
{
	struct interp_ctx *c = self;
	uint64_t r0 = 0;
	for (uint64_t i = 0; i < n; i++) {
		struct bpfrt_diag diag;
		int err = bpfrt_vm_run(c->prog, &c->opts, &r0, &diag);
		if (err) {
			fprintf(stderr, "bpfrt_vm_run: %s\n", diag.msg);
			return err;
		}
	}
	*ret = (uint32_t)r0;
	return 0;
}

/* ---- the kernel ------------------------------------------------------ */

struct kernel_ctx {
	int fd;
	const void *pkt;
};

/* Timed by the kernel itself: the batch's wall time is not used, so
 * measure_kernel mirrors measure() on the reported durations. */
static double measure_kernel(struct kernel_ctx *k, uint32_t *ret)
{
	uint32_t repeat = 16;
	double ns;
	for (;;) {
		if (kernel_run(k->fd, k->pkt, BENCH_PKT_LEN, repeat, &ns, ret))
			return -1;
		if (ns * repeat > BATCH_NS / 10 || repeat >= (1u << 30))
			break;
		repeat *= 2;
	}
	repeat = (uint32_t)fmin(repeat * (BATCH_NS / (ns * repeat > 0 ? ns * repeat : 1)), 1u << 30) + 1;
	double best = INFINITY;
	for (int b = 0; b < NBATCH; b++) {
		if (kernel_run(k->fd, k->pkt, BENCH_PKT_LEN, repeat, &ns, ret))
			return -1;
		if (ns < best)
			best = ns;
	}
	return best;
}

/* ---- the report ------------------------------------------------------ */

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
	printf("bpfrt_bench  %s  |  %s, %ld CPUs  |  %s %s  |  native: "
#ifdef __clang__
	       "clang %d.%d"
#else
	       "gcc %d.%d"
#endif
	       " -O2\n\n",
	       date, model, sysconf(_SC_NPROCESSORS_ONLN), u.sysname, u.release,
#ifdef __clang__
	       __clang_major__, __clang_minor__
#else
	       __GNUC__, __GNUC_MINOR__
#endif
	);
}

static void fmt_ns(char *buf, size_t n, double ns)
{
	if (ns < 0)
		snprintf(buf, n, "n/a");
	else if (ns < 100)
		snprintf(buf, n, "%.1f", ns);
	else
		snprintf(buf, n, "%.0f", ns);
}

static bool selected(const char *name, int argc, char **argv)
{
	bool any = false;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		any = true;
		if (!strcmp(argv[i], name))
			return true;
	}
	return !any;
}

int main(int argc, char **argv)
{
	bool interp_only = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--interp-only")) {
			interp_only = true;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: %s [--interp-only] [name...]\n", argv[0]);
			return 2;
		}
	}

	/* The packet: 2 KiB of fixed pseudo-random bytes below 4 GiB, so
	 * that xdp_md's 32-bit data/data_end can point at it. */
	uint8_t *pkt = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (pkt == MAP_FAILED || (uintptr_t)pkt + 4096 > UINT32_MAX) {
		perror("mmap(MAP_32BIT)");
		return 1;
	}
	uint64_t s = 0x2545f4914f6cdd1dull;
	for (int i = 0; i < BENCH_PKT_LEN; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		pkt[i] = (uint8_t)(s >> 24);
	}
	struct xdp_md md = {.data = (uint32_t)(uintptr_t)pkt,
			    .data_end = (uint32_t)(uintptr_t)pkt + BENCH_PKT_LEN};

	struct bpfrt *rt = bpfrt_new(NULL);
	if (!rt) {
		perror("bpfrt_new");
		return 1;
	}

	print_machine();
	printf("%-9s %5s %9s %9s %9s %9s %8s %8s  %s\n", "program", "insns", "native", "kern-JIT",
	       "interp", "checked", "int/nat", "int/JIT", "");
	printf("%-9s %5s %9s %9s %9s %9s %8s %8s\n", "", "", "ns/run", "ns/run", "ns/run", "ns/run",
	       "", "");

	double log_nat = 0, log_jit = 0, log_chk = 0;
	int n_nat = 0, n_jit = 0, n_chk = 0, mismatches = 0;
	for (size_t b = 0; b < NBENCH; b++) {
		const struct bench *be = &benches[b];
		if (!selected(be->name, argc, argv))
			continue;
		uint32_t cnt = (uint32_t)(*be->len / sizeof(struct bpf_insn));
		struct bpf_insn *insns = malloc(*be->len);
		memcpy(insns, be->code, *be->len);

		double t_nat = -1, t_jit = -1, t_int = -1, t_chk = -1;
		uint32_t r_nat = 0, r_jit = 0, r_int = 0, r_chk = 0;

		struct bpfrt_diag diag;
		struct bpfrt_vm_opts vo = {.sz = sizeof(vo), .name = be->name};
		struct interp_ctx ic = {.opts = {.sz = sizeof(ic.opts), .ctx = &md,
						 .ctx_size = sizeof(md), .packet = pkt,
						 .packet_size = BENCH_PKT_LEN}};
		int err = bpfrt_vm_prog_new(rt, insns, cnt, &vo, &ic.prog, &diag);
		if (err) {
			fprintf(stderr, "%s: bpfrt_vm_prog_new: %s\n", be->name, diag.msg);
		} else {
			struct engine e = {interp_run, &ic};
			t_int = measure(&e, &r_int);
			if (!interp_only) {
				ic.opts.flags = BPFRT_RUN_CHECKED;
				t_chk = measure(&e, &r_chk);
			}
			bpfrt_vm_prog_free(ic.prog);
		}

		if (!interp_only) {
			struct native_ctx nc = {be->native, &md};
			struct engine e = {native_run, &nc};
			t_nat = measure(&e, &r_nat);

			static char log[1 << 16];
			int fd = kernel_load(be->name, insns, *be->len, log, sizeof(log));
			if (fd < 0) {
				fprintf(stderr, "%s: kernel BPF_PROG_LOAD: %s%s%s\n", be->name,
					strerror(-fd), log[0] ? "\n" : "", log);
			} else {
				struct kernel_ctx k = {fd, pkt};
				t_jit = measure_kernel(&k, &r_jit);
				close(fd);
			}
		}
		free(insns);

		/* Everyone that ran must agree with the interpreter. */
		bool ok = t_int >= 0 && (t_nat < 0 || r_nat == r_int) &&
			  (t_jit < 0 || r_jit == r_int) && (t_chk < 0 || r_chk == r_int);
		mismatches += !ok;

		char c_nat[16], c_jit[16], c_int[16], c_chk[16], q_nat[16] = "n/a", q_jit[16] = "n/a";
		fmt_ns(c_nat, sizeof(c_nat), t_nat);
		fmt_ns(c_jit, sizeof(c_jit), t_jit);
		fmt_ns(c_int, sizeof(c_int), t_int);
		fmt_ns(c_chk, sizeof(c_chk), t_chk);
		if (t_int > 0 && t_nat > 0) {
			snprintf(q_nat, sizeof(q_nat), "%.1fx", t_int / t_nat);
			log_nat += log(t_int / t_nat), n_nat++;
		}
		if (t_int > 0 && t_jit > 0) {
			snprintf(q_jit, sizeof(q_jit), "%.1fx", t_int / t_jit);
			log_jit += log(t_int / t_jit), n_jit++;
		}
		if (t_int > 0 && t_chk > 0)
			log_chk += log(t_chk / t_int), n_chk++;
		printf("%-9s %5u %9s %9s %9s %9s %8s %8s  %s\n", be->name, cnt, c_nat, c_jit, c_int,
		       c_chk, q_nat, q_jit, ok ? "" : "MISMATCH");
		if (!ok)
			printf("          return values: native %#x, kernel %#x, interp %#x, checked %#x\n",
			       r_nat, r_jit, r_int, r_chk);
		fflush(stdout);
	}

	printf("\ngeometric mean: interp/native %s", n_nat ? "" : "n/a");
	if (n_nat)
		printf("%.1fx", exp(log_nat / n_nat));
	printf(", interp/kernel-JIT %s", n_jit ? "" : "n/a");
	if (n_jit)
		printf("%.1fx", exp(log_jit / n_jit));
	printf(", checked/interp %s", n_chk ? "" : "n/a");
	if (n_chk)
		printf("%.2fx", exp(log_chk / n_chk));
	printf("\n");
	if (mismatches)
		printf("WARNING: %d program(s) gave different return values across engines\n",
		       mismatches);
	bpfrt_free(rt);
	munmap(pkt, 4096);
	return mismatches ? 1 : 0;
}

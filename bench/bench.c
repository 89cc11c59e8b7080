/* bench.c — the benchmark runner behind `make bench` (not a test).
 *
 * For every program of progs/progs.def it measures, in one run, ns per run
 * of: the same C built natively (-O2), the host kernel's JIT
 * (BPF_PROG_TEST_RUN, repeat) and bpfrt's interpreter (fast and checked
 * modes) and JIT on the same eBPF code, loaded through bpfrt's
 * BPF_PROG_LOAD (verified, context rewritten) and run with bpfrt_vm_run;
 * checks that all give the same return value; and prints a table with the
 * geometric-mean ratios and the JIT's compile time and code size.  Maps
 * (progs/bench_prog.h) exist three times: the kernel's, bpfrt's and plain C
 * ones for the native build, with the same contents.
 *
 * Timing: each engine runs batches of about BATCH_NS; a row reports the
 * fastest of NBATCH batches (the least disturbed one).
 *
 * Usage: bpfrt_bench [--interp-only | --jit-only] [name...]   (names filter
 * the rows; --interp-only / --jit-only skip the other engines, for
 * profiling one).
 */
#define _GNU_SOURCE
#include "bench.h"
#include "bench_prog.h"

#include <bpfrt/bpfrt.h>

#include "core/pkt_ctx.h"
#include "core/prog.h"
#include "jit/jit.h"

#include <errno.h>
#include <sched.h>
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

/* ---- native maps and helpers (progs/bench_prog.h) -------------------- */

struct native_array {
	uint64_t v[256];
};
#define NATIVE_HASH_SLOTS 2048
struct native_hash {
	uint8_t used[NATIVE_HASH_SLOTS];
	uint32_t key[NATIVE_HASH_SLOTS];
	uint64_t val[NATIVE_HASH_SLOTS];
};
static struct native_array native_counters;
static struct native_hash native_flows;
void *bench_native_maps[3] = {NULL, &native_counters, &native_flows};

static uint32_t native_slot(uint32_t key)
{
	return (key * 2654435761u) % NATIVE_HASH_SLOTS;
}

void *bpf_map_lookup_elem(void *map, const void *key)
{
	uint32_t k;
	memcpy(&k, key, 4);
	if (map == &native_counters)
		return k < 256 ? &native_counters.v[k] : NULL;
	for (uint32_t s = native_slot(k);; s = (s + 1) % NATIVE_HASH_SLOTS) {
		if (!native_flows.used[s])
			return NULL;
		if (native_flows.key[s] == k)
			return &native_flows.val[s];
	}
}

long bpf_map_update_elem(void *map, const void *key, const void *value, uint64_t flags)
{
	uint32_t k;
	memcpy(&k, key, 4);
	(void)flags;
	if (map == &native_counters) {
		if (k >= 256)
			return -E2BIG;
		memcpy(&native_counters.v[k], value, 8);
		return 0;
	}
	uint32_t s = native_slot(k);
	while (native_flows.used[s] && native_flows.key[s] != k)
		s = (s + 1) % NATIVE_HASH_SLOTS;
	native_flows.used[s] = 1;
	native_flows.key[s] = k;
	memcpy(&native_flows.val[s], value, 8);
	return 0;
}

uint32_t bpf_get_smp_processor_id(void)
{
	return (uint32_t)sched_getcpu();
}

/* The maps of one engine: fd per BENCH_MAP_* (bpfrt's or the kernel's). */
struct bench_maps {
	int fd[3];
};

/* Fill the flow table: keys 0, 2, ..., 1022 with value key * 3. */
static int fill_flows(int (*update)(void *self, int fd, const void *k, const void *v), void *self, int fd)
{
	for (uint32_t k = 0; k < 1024; k += 2) {
		uint64_t v = (uint64_t)k * 3;
		if (update(self, fd, &k, &v))
			return -1;
	}
	return 0;
}

static int native_update(void *self, int fd, const void *k, const void *v)
{
	(void)self, (void)fd;
	return (int)bpf_map_update_elem(&native_flows, k, v, 0);
}

static int kernel_update(void *self, int fd, const void *k, const void *v)
{
	(void)self;
	return kernel_map_update(fd, k, v);
}

static int bpfrt_update(void *self, int fd, const void *k, const void *v)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)k, a.value = (uintptr_t)v;
	return bpfrt_bpf(self, BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
}

static int bpfrt_map_new(struct bpfrt *rt, uint32_t type, uint32_t ks, uint32_t vs, uint32_t n)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type, a.key_size = ks, a.value_size = vs, a.max_entries = n;
	return bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
}

/* Patch the map placeholders (lddw 0x5eed000N) to BPF_PSEUDO_MAP_FD of
 * maps->fd[N].  Returns how many were patched, -1 for an unknown map. */
static int patch_maps(struct bpf_insn *insns, uint32_t cnt, const struct bench_maps *maps)
{
	int n = 0;
	for (uint32_t i = 0; i + 1 < cnt; i++) {
		if (insns[i].code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		uint32_t imm = (uint32_t)insns[i].imm;
		if ((imm & 0xffff0000u) == 0x5eed0000u && insns[i + 1].imm == 0) {
			uint32_t m = imm & 0xffff;
			if (m < 1 || m > 2 || !maps || maps->fd[m] < 0)
				return -1;
			insns[i].src_reg = BPF_PSEUDO_MAP_FD;
			insns[i].imm = maps->fd[m];
			n++;
		}
		i++;
	}
	return n;
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

/* The JIT's compile time where the fixed costs don't dominate: a
 * 4,000-instruction program of ALU, memory and branch instructions
 * (generated, run unverified), best of 10 compilations. */
static void jit_large(struct bpfrt *rt)
{
	enum { N = 4000 };
	struct bpf_insn *v = calloc(N, sizeof(*v));
	uint32_t n = 0;
	v[n++] = (struct bpf_insn){.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1};
	v[n++] = (struct bpf_insn){.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 2, .imm = 7};
	while (n < N - 6) {
		uint32_t k = n % 5;
		if (k == 0)
			v[n++] = (struct bpf_insn){.code = BPF_ALU64 | BPF_ADD | BPF_X, .dst_reg = 0, .src_reg = 2};
		else if (k == 1)
			v[n++] = (struct bpf_insn){.code = BPF_ALU | BPF_XOR | BPF_K, .dst_reg = 2, .imm = (int32_t)n};
		else if (k == 2)
			v[n++] = (struct bpf_insn){.code = BPF_STX | BPF_MEM | BPF_DW, .dst_reg = 10, .src_reg = 0, .off = -8};
		else if (k == 3)
			v[n++] = (struct bpf_insn){.code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = 3, .src_reg = 10, .off = -8};
		else
			v[n++] = (struct bpf_insn){.code = BPF_JMP | BPF_JGT | BPF_X, .dst_reg = 3, .src_reg = 2, .off = 0};
	}
	v[n++] = (struct bpf_insn){.code = BPF_JMP | BPF_EXIT};
	struct bpfrt_vm_prog *prog = NULL;
	struct bpfrt_diag diag;
	double best = INFINITY;
	size_t size = 0;
	uint32_t passes = 0;
	if (!bpfrt_vm_prog_new(rt, v, n, NULL, &prog, &diag)) {
		for (int k = 0; k < 10; k++) {
			double t0 = now_ns();
			struct jit_image *img = bpfrt_jit_compile(prog);
			double t = now_ns() - t0;
			if (img && img->mem && t < best)
				best = t, size = img->size, passes = img->passes;
			bpfrt_jit_free(img);
		}
	}
	if (best < INFINITY)
		printf("JIT on a generated %u-instruction program: %.0f us per 1,000 instructions (%u passes), "
		       "%.1f bytes per instruction\n",
		       n, best / 1e3 * 1000.0 / n, passes, (double)size / n);
	bpfrt_vm_prog_free(prog);
	free(v);
}

int main(int argc, char **argv)
{
	bool interp_only = false, jit_only = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--interp-only")) {
			interp_only = true;
		} else if (!strcmp(argv[i], "--jit-only")) {
			jit_only = true;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: %s [--interp-only | --jit-only] [name...]\n", argv[0]);
			return 2;
		}
	}

	/* The packet: 2 KiB of fixed pseudo-random bytes below 4 GiB, so
	 * that xdp_md's 32-bit data/data_end can point at it (natively and for
	 * programs bpfrt runs unverified). */
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
	/* bpfrt's verified XDP context (core/pkt_ctx.h). */
	struct bpfrt_xdp_ctx xc = {.pkt = {.data = (uintptr_t)pkt, .data_end = (uintptr_t)pkt + BENCH_PKT_LEN,
					   .data_meta = (uintptr_t)pkt}};
	bpfrt_xdp_ctx_sync(&xc);

	struct bpfrt *rt = bpfrt_new(NULL);
	if (!rt) {
		perror("bpfrt_new");
		return 1;
	}
	struct bench_maps rmaps = {{-1, bpfrt_map_new(rt, BPF_MAP_TYPE_ARRAY, 4, 8, 256),
				    bpfrt_map_new(rt, BPF_MAP_TYPE_HASH, 4, 8, 1024)}};
	struct bench_maps kmaps = {{-1, -1, -1}};
	if (rmaps.fd[1] < 0 || rmaps.fd[2] < 0 || fill_flows(bpfrt_update, rt, rmaps.fd[2]) ||
	    fill_flows(native_update, NULL, 0)) {
		fprintf(stderr, "bpfrt maps: %s\n", strerror(errno));
		return 1;
	}
	if (!interp_only) {
		kmaps.fd[1] = kernel_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 256);
		kmaps.fd[2] = kernel_map_create(BPF_MAP_TYPE_HASH, 4, 8, 1024);
		if (kmaps.fd[2] >= 0 && fill_flows(kernel_update, NULL, kmaps.fd[2]))
			kmaps.fd[2] = -1;
	}

	print_machine();
	printf("%-9s %5s %8s %8s %8s %8s %8s %7s %7s %7s %7s %7s %6s\n", "program", "insns", "native",
	       "kern-JIT", "interp", "checked", "JIT", "JIT/nat", "JIT/kJ", "int/nat", "int/kJ", "us/1k", "B/insn");
	printf("%-9s %5s %8s %8s %8s %8s %8s %7s %7s %7s %7s %7s %6s\n", "", "", "ns/run", "ns/run", "ns/run",
	       "ns/run", "ns/run", "", "", "", "", "compile", "");

	double log_nat = 0, log_kj = 0, log_chk = 0, log_jn = 0, log_jk = 0, sum_ins = 0, sum_ns = 0,
	       sum_bytes = 0;
	int n_nat = 0, n_kj = 0, n_chk = 0, n_jn = 0, n_jk = 0, mismatches = 0;
	for (size_t b = 0; b < NBENCH; b++) {
		const struct bench *be = &benches[b];
		if (!selected(be->name, argc, argv))
			continue;
		uint32_t cnt = (uint32_t)(*be->len / sizeof(struct bpf_insn));
		struct bpf_insn *insns = malloc(*be->len);

		double t_nat = -1, t_kj = -1, t_int = -1, t_chk = -1, t_jit = -1;
		uint32_t r_nat = 0, r_kj = 0, r_int = 0, r_chk = 0, r_jit = 0;
		struct bpfrt_jited j = {.sz = sizeof(j)};
		int jerr = -ENOENT;

		/* bpfrt: BPF_PROG_LOAD (verifier, ctx rewrite), then the vm
		 * program behind the fd; unverified raw code if it is refused
		 * and uses no maps. */
		static char vlog[1 << 16];
		memcpy(insns, be->code, *be->len);
		int maps_used = patch_maps(insns, cnt, &rmaps);
		union bpf_attr la;
		memset(&la, 0, sizeof(la));
		la.prog_type = BPF_PROG_TYPE_XDP, la.insns = (uintptr_t)insns, la.insn_cnt = cnt;
		la.license = (uintptr_t)"GPL", la.log_buf = (uintptr_t)vlog, la.log_size = sizeof(vlog);
		la.log_level = 0;
		vlog[0] = 0;
		int pfd = maps_used < 0 ? -EINVAL : bpfrt_bpf(rt, BPF_PROG_LOAD, &la, sizeof(la));
		struct bpfrt_obj *pobj = NULL;
		struct interp_ctx ic = {.opts = {.sz = sizeof(ic.opts), .ctx = &xc, .ctx_size = sizeof(xc),
						 .packet = pkt, .packet_size = BENCH_PKT_LEN}};
		const struct bpfrt_vm_prog *vp = NULL;
		if (pfd >= 0) {
			int err = 0;
			pobj = bpfrt_fd_get(rt, pfd, BPFRT_OBJ_PROG, &err);
			vp = pobj ? bpfrt_prog_from_obj(pobj)->vm : NULL;
		} else if (maps_used >= 0) {
			/* bpfrt's verifier gives up where the kernel's precision
			 * tracking prunes (bench/RESULTS.md, verification time):
			 * run it unverified, its 32-bit context as natively. */
			fprintf(stderr, "%s: bpfrt's verifier: %s; runs unverified\n", be->name, strerror(-pfd));
			la.prog_flags = BPFRT_F_UNVERIFIED, la.log_buf = 0, la.log_size = 0;
			pfd = bpfrt_bpf(rt, BPF_PROG_LOAD, &la, sizeof(la));
			int err = 0;
			pobj = pfd >= 0 ? bpfrt_fd_get(rt, pfd, BPFRT_OBJ_PROG, &err) : NULL;
			vp = pobj ? bpfrt_prog_from_obj(pobj)->vm : NULL;
			ic.opts.ctx = &md, ic.opts.ctx_size = sizeof(md);
		}
		if (vp) {
			ic.prog = (struct bpfrt_vm_prog *)vp;
			struct engine e = {interp_run, &ic};
			if (!jit_only)
				t_int = measure(&e, &r_int);
			if (!interp_only) {
				ic.opts.flags = BPFRT_RUN_CHECKED;
				if (!jit_only)
					t_chk = measure(&e, &r_chk);
				ic.opts.flags = BPFRT_RUN_JIT;
				jerr = bpfrt_vm_prog_jited(vp, true, &j);
				/* Compile time: the best of 20 fresh compilations
				 * (the first one also pays for cold caches). */
				for (int k = 0; !jerr && k < 20; k++) {
					double t0 = now_ns();
					struct jit_image *img = bpfrt_jit_compile(vp);
					double t = now_ns() - t0;
					if (img && img->mem && (k == 0 || t < (double)j.compile_ns))
						j.compile_ns = (uint64_t)t;
					bpfrt_jit_free(img);
				}
				if (jerr)
					fprintf(stderr, "%s: JIT: %s\n", be->name, j.reason ? j.reason : strerror(-jerr));
				else
					t_jit = measure(&e, &r_jit);
			}
		}

		if (!interp_only && !jit_only) {
			struct native_ctx nc = {be->native, &md};
			struct engine e = {native_run, &nc};
			t_nat = measure(&e, &r_nat);

			memcpy(insns, be->code, *be->len);
			int fd = patch_maps(insns, cnt, &kmaps) < 0
					 ? -EBADF
					 : kernel_load(be->name, insns, *be->len, vlog, sizeof(vlog));
			if (fd < 0) {
				fprintf(stderr, "%s: kernel BPF_PROG_LOAD: %s%s%s\n", be->name,
					strerror(-fd), vlog[0] ? "\n" : "", vlog);
			} else {
				struct kernel_ctx k = {fd, pkt};
				t_kj = measure_kernel(&k, &r_kj);
				close(fd);
			}
		}
		free(insns);

		/* Everyone that ran must agree with the interpreter.  The checked
		 * interpreter may not: each map value a helper returns takes one
		 * of the run's VM_MAX_REGIONS region slots, and past that a
		 * lookup behaves as a miss (never an unchecked access). */
		if (jit_only)
			r_int = r_jit;
		bool ok = (t_int >= 0 || (jit_only && t_jit >= 0)) && (t_nat < 0 || r_nat == r_int) &&
			  (t_kj < 0 || r_kj == r_int) && (t_jit < 0 || r_jit == r_int);
		bool chk_differs = t_chk >= 0 && r_chk != r_int;
		mismatches += !ok;

		char c_nat[16], c_kj[16], c_int[16], c_chk[16], c_jit[16];
		char q_jn[16] = "n/a", q_jk[16] = "n/a", q_in[16] = "n/a", q_ik[16] = "n/a", c_us[16] = "n/a",
		     c_bpi[16] = "n/a";
		fmt_ns(c_nat, sizeof(c_nat), t_nat);
		fmt_ns(c_kj, sizeof(c_kj), t_kj);
		fmt_ns(c_int, sizeof(c_int), t_int);
		fmt_ns(c_chk, sizeof(c_chk), t_chk);
		fmt_ns(c_jit, sizeof(c_jit), t_jit);
		if (t_int > 0 && t_nat > 0) {
			snprintf(q_in, sizeof(q_in), "%.1fx", t_int / t_nat);
			log_nat += log(t_int / t_nat), n_nat++;
		}
		if (t_int > 0 && t_kj > 0) {
			snprintf(q_ik, sizeof(q_ik), "%.1fx", t_int / t_kj);
			log_kj += log(t_int / t_kj), n_kj++;
		}
		if (t_jit > 0 && t_nat > 0) {
			snprintf(q_jn, sizeof(q_jn), "%.2fx", t_jit / t_nat);
			log_jn += log(t_jit / t_nat), n_jn++;
		}
		if (t_jit > 0 && t_kj > 0) {
			snprintf(q_jk, sizeof(q_jk), "%.2fx", t_jit / t_kj);
			log_jk += log(t_jit / t_kj), n_jk++;
		}
		if (t_int > 0 && t_chk > 0)
			log_chk += log(t_chk / t_int), n_chk++;
		if (!jerr) {
			snprintf(c_us, sizeof(c_us), "%.0f", j.compile_ns / 1e3 * 1000.0 / j.insn_cnt);
			snprintf(c_bpi, sizeof(c_bpi), "%.1f", (double)j.size / j.insn_cnt);
			sum_ins += j.insn_cnt, sum_ns += (double)j.compile_ns, sum_bytes += (double)j.size;
		}
		printf("%-9s %5u %8s %8s %8s %8s %8s %7s %7s %7s %7s %7s %6s  %s\n", be->name, cnt, c_nat, c_kj,
		       c_int, c_chk, c_jit, q_jn, q_jk, q_in, q_ik, c_us, c_bpi,
		       !ok ? "MISMATCH" : chk_differs ? "(checked: region table full)" : "");
		if (!ok)
			printf("          return values: native %#x, kernel %#x, interp %#x, checked %#x, jit %#x\n",
			       r_nat, r_kj, r_int, r_chk, r_jit);
		fflush(stdout);
		if (pobj)
			bpfrt_obj_put(pobj);
		if (pfd >= 0)
			bpfrt_close(rt, pfd);
	}

	printf("\ngeometric mean: JIT/native ");
	printf(n_jn ? "%.2fx" : "n/a", exp(log_jn / (n_jn ? n_jn : 1)));
	printf(", JIT/kernel-JIT ");
	printf(n_jk ? "%.2fx" : "n/a", exp(log_jk / (n_jk ? n_jk : 1)));
	printf(", interp/native ");
	printf(n_nat ? "%.1fx" : "n/a", exp(log_nat / (n_nat ? n_nat : 1)));
	printf(", interp/kernel-JIT ");
	printf(n_kj ? "%.1fx" : "n/a", exp(log_kj / (n_kj ? n_kj : 1)));
	printf(", checked/interp ");
	printf(n_chk ? "%.2fx" : "n/a", exp(log_chk / (n_chk ? n_chk : 1)));
	printf("\n");
	if (sum_ins > 0)
		printf("JIT on these programs: %.0f us per 1,000 instructions (fixed costs dominate: mmap, mprotect), "
		       "%.1f bytes of x86-64 per instruction\n",
		       sum_ns / 1e3 * 1000.0 / sum_ins, sum_bytes / sum_ins);
	if (!interp_only)
		jit_large(rt);
	if (mismatches)
		printf("WARNING: %d program(s) gave different return values across engines\n",
		       mismatches);
	for (int m = 1; m <= 2; m++) {
		if (kmaps.fd[m] >= 0)
			close(kmaps.fd[m]);
	}
	bpfrt_free(rt);
	munmap(pkt, 4096);
	return mismatches ? 1 : 0;
}

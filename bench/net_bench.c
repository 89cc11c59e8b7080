/* net_bench.c — `make bench-net`: packets per second of XDP programs on
 * bpfrt's frame runner (the path of `bpfrt net run`), JIT engine, over an
 * in-memory capture on 1 and 2 threads, beside the host kernel's cost per
 * packet for the same programs and packets (BPF_PROG_TEST_RUN with repeat).
 *
 *   bpfrt_net_bench EXAMPLES_DIR [packets N] [rounds R]
 *
 * Rows: xdp_drop (the floor: frame copy + context + one run), the firewall
 * alone (xdp_fw with its tail call slot emptied: LPM + LRU hash + counters,
 * then XDP_PASS), the load balancer alone (xdp_lb: parse, hash, Maglev
 * lookup, rewrite, checksums, XDP_TX) and the chain (xdp_fw -> xdp_lb).
 * The capture (examples' generator, seed 1, N = 4096 packets by default so
 * it stays in cache like the kernel's repeated packet) runs R times per
 * thread.  Mpps columns are wall clock; "bpfrt ns/pkt" is the first
 * thread's CPU time per packet (and "CPU Mpps" its inverse), which other
 * load on the machine doesn't inflate.  Kernel: every 16th packet of the
 * capture, repeat 2000 each; its `duration` is ns per run (the kernel's
 * test-run timer, which pauses while the task is rescheduled).
 */
#define _GNU_SOURCE
#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"
#include "hooks/pcap_io.h"
#include "hooks/xdp.h"
#include "lb_setup.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const struct bpfrt_capture *cap;
static uint32_t rounds = 200;

struct job {
	struct bpfrt *rt;
	int fd, cpu;
	uint64_t packets;
	uint64_t cpu_ns; /* the thread's CPU time in the loop */
};

static uint64_t thread_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *worker(void *arg)
{
	struct job *j = arg;
	struct bpfrt_pkt_runner r;
	if (bpfrt_pkt_runner_init(&r, j->rt, j->fd, j->cpu))
		return NULL;
	struct bpfrt_pkt_result res;
	uint64_t t0 = thread_ns();
	for (uint32_t k = 0; k < rounds; k++)
		for (size_t i = 0; i < cap->n; i++) {
			const struct bpfrt_capture_pkt *p = &cap->pkts[i];
			if (!bpfrt_pkt_run(&r, cap->bytes + p->off, p->len, NULL, &res))
				j->packets++;
		}
	j->cpu_ns = thread_ns() - t0;
	bpfrt_pkt_runner_fini(&r);
	return NULL;
}

/* Mpps of fd on n threads (wall clock); *ns gets the CPU time per packet
 * of the first thread (what a busy machine's other load doesn't inflate). */
static double mpps(struct bpfrt *rt, int fd, int n, double *ns)
{
	struct job jobs[2] = {{rt, fd, 0, 0, 0}, {rt, fd, 1, 0, 0}};
	pthread_t t[2];
	uint64_t t0 = now_ns();
	for (int i = 1; i < n; i++)
		pthread_create(&t[i], NULL, worker, &jobs[i]);
	worker(&jobs[0]);
	for (int i = 1; i < n; i++)
		pthread_join(t[i], NULL);
	uint64_t wall = now_ns() - t0, pk = jobs[0].packets + (n > 1 ? jobs[1].packets : 0);
	*ns = jobs[0].packets ? (double)jobs[0].cpu_ns / (double)jobs[0].packets : 0;
	return (double)pk * 1e3 / (double)wall;
}

/* The kernel's ns per packet: test runs of every 16th packet, repeated. */
static double kernel_ns(int fd)
{
	static uint8_t out[4096];
	double sum = 0;
	int n = 0;
	for (size_t i = 0; i < cap->n; i += 16) {
		const struct bpfrt_capture_pkt *p = &cap->pkts[i];
		LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = cap->bytes + p->off, .data_size_in = p->len,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = 2000);
		if (bpf_prog_test_run_opts(fd, &t))
			return -1;
		sum += t.duration;
		n++;
	}
	return n ? sum / n : -1;
}

static int kernel_update(void *ctx, const char *name, const void *key, const void *value)
{
	struct bpf_map *m = bpf_object__find_map_by_name(ctx, name);
	return m && !bpf_map_update_elem(bpf_map__fd(m), key, value, BPF_ANY) ? 0 : -EINVAL;
}

struct rt_side {
	struct bpfrt *rt;
	struct bpfrt_object *obj;
};

static int rt_update(void *ctx, const char *name, const void *key, const void *value)
{
	struct rt_side *s = ctx;
	struct bpfrt_object_map *m = bpfrt_object_find_map_by_name(s->obj, name);
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = m ? (uint32_t)bpfrt_object_map_fd(m) : ~0u;
	a.key = (uintptr_t)key;
	a.value = (uintptr_t)value;
	return bpfrt_bpf(s->rt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
}

static void rt_empty_chain(struct rt_side *s)
{
	struct bpfrt_object_map *m = bpfrt_object_find_map_by_name(s->obj, "chain");
	uint32_t zero = 0;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)bpfrt_object_map_fd(m);
	a.key = (uintptr_t)&zero;
	bpfrt_bpf(s->rt, BPF_MAP_DELETE_ELEM, &a, sizeof(a));
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s EXAMPLES_DIR [packets N] [rounds R]\n", argv[0]);
		return 2;
	}
	const char *ex = argv[1];
	unsigned long packets = 4096;
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "packets"))
			packets = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "rounds"))
			rounds = (uint32_t)strtoul(argv[i + 1], NULL, 0);
	}
	char tmp[] = "/tmp/bpfrt_net_bench.XXXXXX", cmd[1024], path[512], err[512];
	if (!mkdtemp(tmp))
		return 1;
	snprintf(path, sizeof(path), "%s/cap.pcap", tmp);
	snprintf(cmd, sizeof(cmd), "%s/bpfrt-gen-capture %s packets %lu seed 1", ex, path, packets);
	if (system(cmd))
		return 1;
	static struct bpfrt_capture c;
	if (bpfrt_capture_load(&c, path, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	cap = &c;

	/* bpfrt: each row on its own object load (fresh maps). */
	const char *rows[] = {"xdp_drop", "firewall", "balancer", "fw+lb"};
	double mp[4][2] = {{0}}, cpu_ns[4] = {0}, kns[4] = {-1, -1, -1, -1};
	for (int row = 0; row < 4; row++) {
		char obj[512];
		snprintf(obj, sizeof(obj), "%s/%s", ex, row == 0 ? "xdp_drop.o" : "lb.o");
		for (int threads = 1; threads <= 2; threads++) {
			char pins[600];
			snprintf(pins, sizeof(pins), "%s/pins-%d-%d", tmp, row, threads);
			mkdir(pins, 0700);
			struct bpfrt_opts o = {.sz = sizeof(o), .pin_root = pins, .engine = BPFRT_ENGINE_JIT};
			struct rt_side s = {.rt = bpfrt_new(&o)};
			struct bpfrt_object_open_opts oo = {.sz = sizeof(oo), .pin_root_path = pins};
			struct bpfrt_diag d = {0};
			s.obj = bpfrt_object_open_file(s.rt, obj, &oo, &d);
			if (!s.obj || bpfrt_object_load(s.obj)) {
				fprintf(stderr, "%s: %s\n", obj, s.obj ? bpfrt_object_error(s.obj) : d.msg);
				return 1;
			}
			if (row)
				lb_setup(rt_update, &s, 2000);
			if (row == 1)
				rt_empty_chain(&s);
			const char *pn = row == 0 ? "xdp_drop" : row == 2 ? "xdp_lb" : "xdp_fw";
			int fd = bpfrt_program_fd(bpfrt_object_find_program_by_name(s.obj, pn));
			double ns = 0;
			mp[row][threads - 1] = mpps(s.rt, fd, threads, &ns);
			if (threads == 1)
				cpu_ns[row] = ns;
			bpfrt_object_close(s.obj);
			bpfrt_free(s.rt);
		}
	}

	/* The kernel, where bpf() works. */
	union bpf_attr probe;
	memset(&probe, 0, sizeof(probe));
	probe.map_type = BPF_MAP_TYPE_ARRAY;
	probe.key_size = probe.value_size = 4;
	probe.max_entries = 1;
	int pfd = (int)syscall(SYS_bpf, BPF_MAP_CREATE, &probe, sizeof(probe));
	if (pfd >= 0) {
		close(pfd);
		for (int row = 0; row < 4; row++) {
			char obj[512];
			snprintf(obj, sizeof(obj), "%s/%s", ex, row == 0 ? "xdp_drop.o" : "lb.o");
			struct bpf_object *ko = bpf_object__open_file(obj, NULL);
			struct bpf_map *m;
			if (!ko)
				continue;
			bpf_object__for_each_map(m, ko) bpf_map__set_pin_path(m, NULL);
			if (bpf_object__load(ko)) {
				bpf_object__close(ko);
				continue;
			}
			if (row)
				lb_setup(kernel_update, ko, 2000);
			if (row == 1) {
				uint32_t zero = 0;
				bpf_map_delete_elem(bpf_map__fd(bpf_object__find_map_by_name(ko, "chain")), &zero);
			}
			const char *pn = row == 0 ? "xdp_drop" : row == 2 ? "xdp_lb" : "xdp_fw";
			kns[row] = kernel_ns(bpf_program__fd(bpf_object__find_program_by_name(ko, pn)));
			bpf_object__close(ko);
		}
	}

	printf("net bench: %lu-packet capture x %u rounds per thread, JIT engine\n", packets, rounds);
	printf("%-10s %12s %12s %14s %12s %16s %14s\n", "program", "1 thread", "2 threads", "bpfrt ns/pkt",
	       "(CPU Mpps)", "kernel ns/pkt", "bpfrt/kernel");
	for (int row = 0; row < 4; row++) {
		double ns = cpu_ns[row];
		printf("%-10s %7.2f Mpps %7.2f Mpps %14.1f %12.2f ", rows[row], mp[row][0], mp[row][1], ns,
		       ns > 0 ? 1e3 / ns : 0);
		if (kns[row] >= 0)
			printf("%16.1f %13.2fx\n", kns[row], kns[row] > 0 ? ns / kns[row] : 0);
		else
			printf("%16s %14s\n", "n/a", "n/a");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd)) {
		/* a temp dir left behind: harmless */
	}
	bpfrt_capture_free(&c);
	return 0;
}

/* xdp_lb_diff.c — the demo's firewall + load balancer (examples/xdp/
 * lb.bpf.c) through the host kernel and through bpfrt, packet by packet:
 *
 *   xdp_lb_diff LB.o CAPTURE [MAX_PACKETS]
 *
 * The same object is loaded by libbpf into the kernel (pinning cleared: no
 * bpffs needed) and by bpfrt's loader (pins under a fresh directory), both
 * configured by examples/xdp/lb_setup.h.  Every packet of CAPTURE runs
 * through the kernel's BPF_PROG_TEST_RUN of xdp_fw (which tail-calls
 * xdp_lb) and through bpfrt's frame runner (the path of `bpfrt net run`):
 * verdicts and output frames must be identical.  At the end every map the
 * programs write must hold the same contents: the counters (ARRAYs, atomic
 * adds) and the per-source LRU hash, compared as sets — it is sized far
 * above the capture's sources and its windows are off (fw_config
 * window_ns = 0), so neither the kernel's LRU eviction nor time can make
 * the two differ.  Exits 77 when the kernel's bpf() is unavailable.
 *
 * The CTest runs a 20,000-packet capture; the demo's full one:
 *   build/examples/bpfrt-gen-capture /tmp/full.pcap &&
 *   build/tests/hooks/xdp_lb_diff build/examples/lb.o /tmp/full.pcap 2000
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int failures;

#define FAIL(...)                                                  \
	do {                                                       \
		if (failures++ < 20) {                             \
			fprintf(stderr, "MISMATCH: " __VA_ARGS__); \
			fputc('\n', stderr);                       \
		}                                                  \
	} while (0)

static int kernel_update(void *ctx, const char *name, const void *key, const void *value)
{
	struct bpf_map *m = bpf_object__find_map_by_name(ctx, name);
	if (!m)
		return -ENOENT;
	return bpf_map_update_elem(bpf_map__fd(m), key, value, BPF_ANY) ? -errno : 0;
}

struct rt_side {
	struct bpfrt *rt;
	struct bpfrt_object *obj;
};

static int map_fd_rt(struct rt_side *s, const char *name)
{
	struct bpfrt_object_map *m = bpfrt_object_find_map_by_name(s->obj, name);
	return m ? bpfrt_object_map_fd(m) : -ENOENT;
}

static int rt_update(void *ctx, const char *name, const void *key, const void *value)
{
	struct rt_side *s = ctx;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)map_fd_rt(s, name);
	a.key = (uintptr_t)key;
	a.value = (uintptr_t)value;
	return bpfrt_bpf(s->rt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
}

/* One map's contents as sorted key+value records. */
struct dump {
	uint8_t *rec;
	size_t n, size;
};

static int cmp_rec_size;
static int cmp_rec(const void *a, const void *b)
{
	return memcmp(a, b, (size_t)cmp_rec_size);
}

static void dump_add(struct dump *d, const void *k, uint32_t ks, const void *v, uint32_t vs)
{
	d->rec = realloc(d->rec, (d->n + 1) * (ks + vs));
	memcpy(d->rec + d->n * (ks + vs), k, ks);
	memcpy(d->rec + d->n * (ks + vs) + ks, v, vs);
	d->n++;
	d->size = ks + vs;
}

static void dump_kernel(struct bpf_object *o, const char *name, uint32_t ks, uint32_t vs, struct dump *d)
{
	int fd = bpf_map__fd(bpf_object__find_map_by_name(o, name));
	uint8_t key[64], next[64], val[256];
	void *prev = NULL;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		if (bpf_map_lookup_elem(fd, next, val) == 0)
			dump_add(d, next, ks, val, vs);
		memcpy(key, next, ks);
		prev = key;
	}
}

static void dump_rt(struct rt_side *s, const char *name, uint32_t ks, uint32_t vs, struct dump *d)
{
	int fd = map_fd_rt(s, name);
	uint8_t key[64], next[64], val[256];
	union bpf_attr a;
	bool first = true;
	for (;;) {
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)fd;
		a.key = first ? 0 : (uintptr_t)key;
		a.next_key = (uintptr_t)next;
		if (bpfrt_bpf(s->rt, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a)))
			break;
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)fd;
		a.key = (uintptr_t)next;
		a.value = (uintptr_t)val;
		if (bpfrt_bpf(s->rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) == 0)
			dump_add(d, next, ks, val, vs);
		memcpy(key, next, ks);
		first = false;
	}
}

static void compare_map(struct bpf_object *ko, struct rt_side *s, const char *name, uint32_t ks, uint32_t vs)
{
	struct dump k = {0}, u = {0};
	dump_kernel(ko, name, ks, vs, &k);
	dump_rt(s, name, ks, vs, &u);
	cmp_rec_size = (int)(ks + vs);
	if (k.n)
		qsort(k.rec, k.n, ks + vs, cmp_rec);
	if (u.n)
		qsort(u.rec, u.n, ks + vs, cmp_rec);
	if (k.n != u.n)
		FAIL("map %s: kernel has %zu entries, bpfrt %zu", name, k.n, u.n);
	else if (k.n && memcmp(k.rec, u.rec, k.n * (ks + vs)))
		FAIL("map %s: contents differ", name);
	else
		printf("map %-13s %6zu entries equal\n", name, k.n);
	free(k.rec);
	free(u.rec);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s LB.o CAPTURE [MAX_PACKETS]\n", argv[0]);
		return 2;
	}
	uint64_t max_packets = argc > 3 ? strtoull(argv[3], NULL, 0) : 100;
	union bpf_attr probe;
	memset(&probe, 0, sizeof(probe));
	probe.map_type = BPF_MAP_TYPE_ARRAY;
	probe.key_size = 4;
	probe.value_size = 4;
	probe.max_entries = 1;
	int pfd = (int)syscall(SYS_bpf, BPF_MAP_CREATE, &probe, sizeof(probe));
	if (pfd < 0) {
		printf("SKIP: the kernel's bpf() is unavailable here (%s)\n", strerror(errno));
		return 77;
	}
	close(pfd);

	struct bpfrt_capture cap;
	char err[512];
	if (bpfrt_capture_load(&cap, argv[2], err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}

	/* The kernel side. */
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	struct bpf_object *ko = bpf_object__open_file(argv[1], NULL);
	if (!ko) {
		fprintf(stderr, "libbpf: can't open %s\n", argv[1]);
		return 1;
	}
	struct bpf_map *m;
	bpf_object__for_each_map(m, ko) bpf_map__set_pin_path(m, NULL);
	if (bpf_object__load(ko)) {
		fprintf(stderr, "libbpf: can't load %s into the kernel\n", argv[1]);
		return 1;
	}
	int kfd = bpf_program__fd(bpf_object__find_program_by_name(ko, "xdp_fw"));
	int e = lb_setup(kernel_update, ko, max_packets);
	if (e) {
		fprintf(stderr, "kernel maps: %s\n", strerror(-e));
		return 1;
	}

	/* bpfrt's side: fresh pins so no earlier run's maps are reused. */
	char pins[] = "/tmp/xdp_lb_diff.XXXXXX";
	if (!mkdtemp(pins)) {
		perror("mkdtemp");
		return 1;
	}
	struct bpfrt_opts ro = {.sz = sizeof(ro), .pin_root = pins};
	struct rt_side s = {.rt = bpfrt_new(&ro)};
	struct bpfrt_diag diag = {0};
	struct bpfrt_object_open_opts oo = {.sz = sizeof(oo), .pin_root_path = pins};
	s.obj = s.rt ? bpfrt_object_open_file(s.rt, argv[1], &oo, &diag) : NULL;
	if (!s.obj || bpfrt_object_load(s.obj)) {
		fprintf(stderr, "bpfrt: %s\n", s.obj ? bpfrt_object_error(s.obj) : diag.msg);
		return 1;
	}
	if ((e = lb_setup(rt_update, &s, max_packets))) {
		fprintf(stderr, "bpfrt maps: %s\n", strerror(-e));
		return 1;
	}
	struct bpfrt_pkt_runner r;
	int ufd = bpfrt_program_fd(bpfrt_object_find_program_by_name(s.obj, "xdp_fw"));
	if ((e = bpfrt_pkt_runner_init(&r, s.rt, ufd, 0))) {
		fprintf(stderr, "runner: %s\n", strerror(-e));
		return 1;
	}

	uint64_t verdicts[5] = {0}, ran = 0;
	static uint8_t kout[4096];
	const struct bpfrt_pkt_meta meta = {.ingress_ifindex = 1};
	for (size_t i = 0; i < cap.n; i++) {
		const struct bpfrt_capture_pkt *p = &cap.pkts[i];
		const uint8_t *data = cap.bytes + p->off;
		if (p->len < 14 || p->len > BPFRT_PKT_MAX_LEN)
			continue;
		LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = data, .data_size_in = p->len, .data_out = kout,
			    .data_size_out = sizeof(kout), .repeat = 1);
		if (bpf_prog_test_run_opts(kfd, &t)) {
			FAIL("packet %zu: kernel test run failed: %s", i + 1, strerror(errno));
			continue;
		}
		struct bpfrt_pkt_result res;
		if (bpfrt_pkt_run(&r, data, p->len, &meta, &res) || res.err) {
			FAIL("packet %zu: bpfrt run failed: %s", i + 1, r.diag.msg);
			continue;
		}
		ran++;
		if (t.retval < 5)
			verdicts[t.retval]++;
		if (t.retval != res.verdict)
			FAIL("packet %zu: verdict kernel %u bpfrt %u", i + 1, t.retval, res.verdict);
		else if (t.data_size_out != res.len || memcmp(kout, res.data, res.len))
			FAIL("packet %zu: output frames differ (kernel %u bytes, bpfrt %u)", i + 1, t.data_size_out,
			     res.len);
	}
	printf("%llu packets: aborted %llu drop %llu pass %llu tx %llu redirect %llu\n", (unsigned long long)ran,
	       (unsigned long long)verdicts[0], (unsigned long long)verdicts[1], (unsigned long long)verdicts[2],
	       (unsigned long long)verdicts[3], (unsigned long long)verdicts[4]);
	compare_map(ko, &s, "backend_stats", 4, sizeof(struct backend_stats));
	compare_map(ko, &s, "lb_stats", 4, 8);
	compare_map(ko, &s, "fw_stats", 4, 8);
	compare_map(ko, &s, "fw_sources", sizeof(struct fw_lpm_key), sizeof(struct fw_source));
	if (!verdicts[1] || !verdicts[2] || !verdicts[3])
		FAIL("the capture should exercise drop, pass and tx");

	bpfrt_pkt_runner_fini(&r);
	bpfrt_object_close(s.obj);
	bpfrt_free(s.rt);
	bpf_object__close(ko);
	bpfrt_capture_free(&cap);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pins);
	if (system(cmd)) {
		/* leftover temp dir: harmless */
	}
	printf("%s\n", failures ? "FAILED" : "kernel and bpfrt agree on every packet and map");
	return failures ? 1 : 0;
}

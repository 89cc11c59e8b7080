/* test_xdp.c — the frame runner (src/hooks/xdp.h) on small assembled
 * programs: the XDP frame's limits (headroom for bpf_xdp_adjust_head and
 * _meta, tailroom for _tail, each one byte past the limit refused with
 * -EINVAL / -EACCES), the frame handed back after rewrites, verdicts and
 * faults, bpf_redirect's and bpf_redirect_map's (DEVMAP) target in the
 * result (XDP and tc), the runner's
 * CPU identity in bpf_get_smp_processor_id, per-CPU maps filled per
 * runner from two threads, tc's skb view, and refused arguments.
 * `hooks.xdp_<part>` runs one part (argv[1]); no argument runs all.
 */
#define _GNU_SOURCE
#include "hooks/xdp.h"
#include "bpfrt/asm.h"
#include "check.h"
#include "maps/map.h"

#include <errno.h>
#include <linux/pkt_cls.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static struct bpfrt *rt;

static int load(const char *text, uint32_t type, const int *map_fds, uint32_t nmaps)
{
	struct bpf_insn *insns = NULL;
	uint32_t cnt = 0;
	struct bpfrt_diag d = {0};
	if (bpfrt_asm(text, BPFRT_SYNTAX_LLVM, &insns, &cnt, &d)) {
		fprintf(stderr, "asm: line %d: %s\n", d.line, d.msg);
		return -1;
	}
	/* Map references: `r1 = map[N] ll` is not in the syntax; patch the
	 * lddw with imm == -(N+1) into a map fd instead. */
	for (uint32_t i = 0; i + 1 < cnt; i++)
		if (insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) && insns[i].imm < 0 && nmaps &&
		    (uint32_t)(-insns[i].imm - 1) < nmaps) {
			insns[i].src_reg = BPF_PSEUDO_MAP_FD;
			insns[i].imm = map_fds[-insns[i].imm - 1];
			insns[i + 1].imm = 0;
		}
	char log[4096] = "";
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = cnt;
	a.license = (uintptr_t) "GPL";
	a.log_buf = (uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	int fd = bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
	if (fd < 0)
		fprintf(stderr, "load: %d\n%s\n", fd, log);
	free(insns);
	return fd;
}

static uint8_t pkt[1500];

/* Run text on a len-byte frame; returns the result (verdict -1 on errors).
 * With keep, the runner is left initialised there (fini is the caller's). */
static struct bpfrt_pkt_result run1(const char *text, uint32_t type, uint32_t len, struct bpfrt_pkt_runner *keep)
{
	struct bpfrt_pkt_result res = {.verdict = ~0u};
	struct bpfrt_pkt_runner own, *r = keep ? keep : &own;
	int fd = load(text, type, NULL, 0);
	CHECK(fd >= 0, "load failed");
	if (fd < 0)
		return res;
	int err = bpfrt_pkt_runner_init(r, rt, fd, 0);
	CHECK(err == 0, "runner_init %d", err);
	bpfrt_close(rt, fd); /* the runner holds its own reference */
	if (err)
		return res;
	err = bpfrt_pkt_run(r, pkt, len, NULL, &res);
	CHECK(err == 0, "run %d", err);
	if (!keep)
		bpfrt_pkt_runner_fini(r);
	return res;
}

/* r0 = bpf_xdp_adjust_head(ctx, DELTA) (or _meta/_tail). */
static int32_t adjust(int helper, int32_t delta, uint32_t len)
{
	char text[256];
	snprintf(text, sizeof(text), "r2 = %d\ncall %d\nexit\n", delta, helper);
	struct bpfrt_pkt_result res = run1(text, BPF_PROG_TYPE_XDP, len, NULL);
	return (int32_t)res.verdict;
}

static void test_headroom(void)
{
	/* 256 bytes of headroom, the top 40 (struct xdp_frame) unusable. */
	const int32_t room = (int32_t)(BPFRT_XDP_HEADROOM - BPFRT_XDP_FRAME_SIZE);
	CHECK(adjust(BPF_FUNC_xdp_adjust_head, -room, 64) == 0, "head -%d", room);
	CHECK(adjust(BPF_FUNC_xdp_adjust_head, -room - 1, 64) == -EINVAL, "head beyond the headroom");
	CHECK(adjust(BPF_FUNC_xdp_adjust_head, 64 - 14, 64) == 0, "head leaving 14 bytes");
	CHECK(adjust(BPF_FUNC_xdp_adjust_head, 64 - 13, 64) == -EINVAL, "head leaving 13 bytes");
	CHECK(adjust(BPF_FUNC_xdp_adjust_meta, -4, 64) == 0, "meta -4");
	CHECK(adjust(BPF_FUNC_xdp_adjust_meta, -3, 64) == -EACCES, "meta not a multiple of 4");
	CHECK(adjust(BPF_FUNC_xdp_adjust_meta, -256, 64) == -EINVAL, "meta into the xdp_frame");
}

static void test_tailroom(void)
{
	const int32_t grow = (int32_t)(BPFRT_PKT_MAX_LEN - 100);
	CHECK(adjust(BPF_FUNC_xdp_adjust_tail, grow, 100) == 0, "tail +%d", grow);
	CHECK(adjust(BPF_FUNC_xdp_adjust_tail, grow + 1, 100) == -EINVAL, "tail past the tailroom");
	CHECK(adjust(BPF_FUNC_xdp_adjust_tail, -86, 100) == 0, "tail to 14 bytes");
	CHECK(adjust(BPF_FUNC_xdp_adjust_tail, -87, 100) == -EINVAL, "tail below 14 bytes");
}

/* The frame after the program: 4 bytes of metadata, head moved by +14
 * (Ethernet header popped), tail grown by 6 (zeroes), byte 0 rewritten. */
static void test_frame(void)
{
	for (uint32_t i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)i;
	struct bpfrt_pkt_runner r;
	struct bpfrt_pkt_result res = run1("r6 = r1\n"
					   "r2 = -4\ncall 54\n"   /* adjust_meta */
					   "r1 = r6\nr2 = 14\ncall 44\n" /* adjust_head */
					   "r1 = r6\nr2 = 6\ncall 65\n"  /* adjust_tail */
					   "r2 = *(u32 *)(r6 + 0)\nr3 = *(u32 *)(r6 + 4)\n"
					   "r4 = r2\nr4 += 1\nif r4 > r3 goto +2\n"
					   "r5 = 0xab\n*(u8 *)(r2 + 0) = r5\n"
					   "r0 = 3\nexit\n",
					   BPF_PROG_TYPE_XDP, 100, &r);
	CHECK(res.verdict == XDP_TX && res.err == 0, "verdict %u err %d", res.verdict, res.err);
	CHECK(res.len == 100 - 14 + 6, "len %u", res.len);
	CHECK(res.meta_len == 4, "meta_len %u", res.meta_len);
	CHECK(res.data == r.buf + BPFRT_XDP_HEADROOM + 14, "data moved by the head adjustment");
	CHECK(res.data[0] == 0xab && res.data[1] == 15, "rewritten bytes %02x %02x", res.data[0], res.data[1]);
	CHECK(res.data[res.len - 1] == 0 && res.data[res.len - 7] == 99, "grown tail zeroed");
	/* The next packet starts from a clean layout. */
	struct bpfrt_pkt_result again;
	CHECK(bpfrt_pkt_run(&r, pkt, 60, NULL, &again) == 0 && again.len == 60 - 14 + 6, "second run len %u",
	      again.len);
	bpfrt_pkt_runner_fini(&r);
}

static void test_verdicts(void)
{
	for (uint32_t v = 0; v <= XDP_REDIRECT; v++) {
		char text[64];
		snprintf(text, sizeof(text), "r0 = %u\nexit\n", v);
		struct bpfrt_pkt_result res = run1(text, BPF_PROG_TYPE_XDP, 64, NULL);
		CHECK(res.verdict == v && !res.err, "verdict %u: got %u", v, res.verdict);
	}
	/* ingress_ifindex and rx_queue_index from the packet's metadata. */
	int fd = load("r0 = *(u32 *)(r1 + 12)\nr2 = *(u32 *)(r1 + 16)\nr2 <<= 16\nr0 |= r2\nexit\n",
		      BPF_PROG_TYPE_XDP, NULL, 0);
	struct bpfrt_pkt_runner r;
	CHECK(fd >= 0 && bpfrt_pkt_runner_init(&r, rt, fd, 0) == 0, "runner");
	struct bpfrt_pkt_meta m = {.ingress_ifindex = 7, .rx_queue_index = 3};
	struct bpfrt_pkt_result res;
	CHECK(bpfrt_pkt_run(&r, pkt, 64, &m, &res) == 0 && res.verdict == (7u | 3u << 16), "ifindex/queue %#x",
	      res.verdict);
	bpfrt_pkt_runner_fini(&r);
	bpfrt_close(rt, fd);
}

static void test_redirect(void)
{
	struct bpfrt_pkt_result res = run1("r1 = 42\nr2 = 0\ncall 23\nexit\n", BPF_PROG_TYPE_XDP, 64, NULL);
	CHECK(res.verdict == XDP_REDIRECT && res.redirect.ifindex == 42 && res.redirect.map_type == 0,
	      "xdp redirect: verdict %u ifindex %u", res.verdict, res.redirect.ifindex);
	res = run1("r1 = 42\nr2 = 1\ncall 23\nexit\n", BPF_PROG_TYPE_XDP, 64, NULL);
	CHECK(res.verdict == XDP_ABORTED && res.redirect.ifindex == 0, "xdp redirect with flags: %u", res.verdict);
	res = run1("r1 = 9\nr2 = 1\ncall 23\nexit\n", BPF_PROG_TYPE_SCHED_CLS, 64, NULL);
	CHECK(res.verdict == TC_ACT_REDIRECT && res.redirect.ifindex == 9 && res.redirect.flags == BPF_F_INGRESS,
	      "tc redirect ingress: verdict %u ifindex %u", res.verdict, res.redirect.ifindex);
	res = run1("r1 = 9\nr2 = 2\ncall 23\nexit\n", BPF_PROG_TYPE_SCHED_CLS, 64, NULL);
	CHECK(res.verdict == TC_ACT_SHOT, "tc redirect with an unknown flag: %u", res.verdict);
	/* A redirect target never leaks into the next packet's result. */
	res = run1("r0 = 2\nexit\n", BPF_PROG_TYPE_XDP, 64, NULL);
	CHECK(res.redirect.ifindex == 0, "stale redirect");
}

/* bpf_redirect_map on a DEVMAP: the device's ifindex, the map and key in
 * the result; a miss gives the fallback action and no target. */
static void test_redirect_map(void)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_DEVMAP;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 8;
	int map = bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
	uint32_t key = 3, lo = 1;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)map;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)&lo;
	CHECK(map >= 0 && bpfrt_bpf(rt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a)) == 0, "devmap with loopback");
	int fds[1] = {map};
	for (uint32_t k = 3; k <= 4; k++) {
		char text[128];
		snprintf(text, sizeof(text), "r1 = -1 ll\nr2 = %u\nr3 = 2\ncall 51\nexit\n", k);
		int fd = load(text, BPF_PROG_TYPE_XDP, fds, 1);
		struct bpfrt_pkt_runner r;
		struct bpfrt_pkt_result res;
		CHECK(fd >= 0 && bpfrt_pkt_runner_init(&r, rt, fd, 0) == 0, "runner");
		CHECK(bpfrt_pkt_run(&r, pkt, 64, NULL, &res) == 0, "run");
		if (k == 3)
			CHECK(res.verdict == XDP_REDIRECT && res.redirect.ifindex == 1 && res.redirect.tgt_index == 3 &&
				      res.redirect.map_type == BPF_MAP_TYPE_DEVMAP && res.redirect.map_id != 0,
			      "hit: verdict %u ifindex %u key %u type %u", res.verdict, res.redirect.ifindex,
			      res.redirect.tgt_index, res.redirect.map_type);
		else
			CHECK(res.verdict == XDP_PASS && res.redirect.ifindex == 0, "miss: verdict %u", res.verdict);
		bpfrt_pkt_runner_fini(&r);
		bpfrt_close(rt, fd);
	}
	bpfrt_close(rt, map);
}

static void test_tc(void)
{
	/* r0 = skb->len; the frame comes back from the Ethernet header. */
	struct bpfrt_pkt_result res = run1("r0 = *(u32 *)(r1 + 0)\nexit\n", BPF_PROG_TYPE_SCHED_CLS, 80, NULL);
	CHECK(res.verdict == 80 && res.len == 80, "tc len %u / %u", res.verdict, res.len);
	res = run1("r0 = *(u32 *)(r1 + 0)\nexit\n", BPF_PROG_TYPE_SOCKET_FILTER, 80, NULL);
	CHECK(res.verdict == 80 - 14 && res.len == 80, "socket filter len %u / frame %u", res.verdict, res.len);
}

static void test_cpu(void)
{
	uint32_t cpus = bpfrt_possible_cpus();
	int fd = load("call 8\nexit\n", BPF_PROG_TYPE_XDP, NULL, 0);
	for (uint32_t c = 0; c < cpus && c < 4; c++) {
		struct bpfrt_pkt_runner r;
		struct bpfrt_pkt_result res;
		CHECK(bpfrt_pkt_runner_init(&r, rt, fd, (int)c) == 0, "runner cpu %u", c);
		CHECK(bpfrt_pkt_run(&r, pkt, 64, NULL, &res) == 0 && res.verdict == c, "cpu %u: smp_processor_id %u", c,
		      res.verdict);
		bpfrt_pkt_runner_fini(&r);
	}
	struct bpfrt_pkt_runner r;
	CHECK(bpfrt_pkt_runner_init(&r, rt, fd, (int)cpus) == -EINVAL, "cpu past the possible CPUs");
	CHECK(bpfrt_pkt_runner_init(&r, rt, fd, -1) == -EINVAL, "negative cpu");
	bpfrt_close(rt, fd);
}

/* Two threads, runners on CPUs 0 and 1, each adding 1 to a PERCPU_ARRAY
 * slot without atomics 100000 times: each CPU's value is exact. */
struct percpu_job {
	int fd, cpu;
};

static void *percpu_thread(void *arg)
{
	struct percpu_job *j = arg;
	struct bpfrt_pkt_runner r;
	if (bpfrt_pkt_runner_init(&r, rt, j->fd, j->cpu))
		return NULL;
	struct bpfrt_pkt_result res;
	for (int i = 0; i < 100000; i++)
		bpfrt_pkt_run(&r, pkt, 64, NULL, &res);
	bpfrt_pkt_runner_fini(&r);
	return NULL;
}

static void test_percpu(void)
{
	uint32_t cpus = bpfrt_possible_cpus();
	if (cpus < 2) {
		printf("percpu: one possible CPU, part skipped\n");
		return;
	}
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_PERCPU_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 1;
	int map = bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
	CHECK(map >= 0, "map %d", map);
	int fds[1] = {map};
	int fd = load("r2 = 0\n*(u32 *)(r10 - 4) = r2\nr2 = r10\nr2 += -4\n"
		      "r1 = -1 ll\ncall 1\nif r0 == 0 goto +3\n"
		      "r1 = *(u64 *)(r0 + 0)\nr1 += 1\n*(u64 *)(r0 + 0) = r1\n"
		      "r0 = 1\nexit\n",
		      BPF_PROG_TYPE_XDP, fds, 1);
	CHECK(fd >= 0, "prog");
	struct percpu_job jobs[2] = {{fd, 0}, {fd, 1}};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, percpu_thread, &jobs[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	uint64_t *vals = calloc(cpus, 8);
	uint32_t key = 0;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)map;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)vals;
	CHECK(bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) == 0, "lookup");
	CHECK(vals[0] == 100000 && vals[1] == 100000, "per-CPU values %llu %llu", (unsigned long long)vals[0],
	      (unsigned long long)vals[1]);
	free(vals);
	bpfrt_close(rt, fd);
	bpfrt_close(rt, map);
}

static void test_bad(void)
{
	int fd = load("r0 = 0\nexit\n", BPF_PROG_TYPE_SYSCALL, NULL, 0);
	struct bpfrt_pkt_runner r;
	CHECK(bpfrt_pkt_runner_init(&r, rt, fd, 0) == -EINVAL, "a SYSCALL program can't run on frames");
	bpfrt_close(rt, fd);
	CHECK(bpfrt_pkt_runner_init(&r, rt, 12345, 0) == -EBADF, "bad fd");
	fd = load("r0 = 2\nexit\n", BPF_PROG_TYPE_XDP, NULL, 0);
	CHECK(bpfrt_pkt_runner_init(&r, rt, fd, 0) == 0, "runner");
	struct bpfrt_pkt_result res;
	CHECK(bpfrt_pkt_run(&r, pkt, 13, NULL, &res) == -EINVAL, "13-byte frame");
	static uint8_t big[BPFRT_PKT_MAX_LEN + 1];
	CHECK(bpfrt_pkt_run(&r, big, BPFRT_PKT_MAX_LEN + 1, NULL, &res) == -EINVAL, "frame past the buffer");
	CHECK(bpfrt_pkt_run(&r, big, BPFRT_PKT_MAX_LEN, NULL, &res) == 0 && res.verdict == XDP_PASS, "largest frame");
	bpfrt_pkt_runner_fini(&r);
	bpfrt_close(rt, fd);
}

static const struct {
	const char *name;
	void (*fn)(void);
} parts[] = {
	{"headroom", test_headroom}, {"tailroom", test_tailroom}, {"frame", test_frame},
	{"verdicts", test_verdicts}, {"redirect", test_redirect}, {"redirect_map", test_redirect_map},
	{"tc", test_tc},
	{"cpu", test_cpu},	     {"percpu", test_percpu},	  {"bad", test_bad},
};

int main(int argc, char **argv)
{
	struct bpfrt_opts o = {.sz = sizeof(o)};
	rt = bpfrt_new(&o);
	if (!rt) {
		perror("bpfrt_new");
		return 1;
	}
	int ran = 0;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (argc < 2 || !strcmp(argv[1], parts[i].name)) {
			parts[i].fn();
			ran++;
		}
	if (!ran) {
		fprintf(stderr, "unknown part '%s'\n", argv[1]);
		return 2;
	}
	bpfrt_free(rt);
	return CHECK_DONE();
}

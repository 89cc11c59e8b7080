/* test_perf_spin.c — bpf_perf_event_output into a PERF_EVENT_ARRAY read by
 * bpfrt_perf_buffer (records, lost counts, slot errors), and bpf_spin_lock
 * protecting a non-atomic read-modify-write from two threads. */
#include "bpfrt/bpfrt.h"
#include "check.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define LD_MAP(d, fd) INSN(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)
#define CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define N(a) (uint32_t)(sizeof(a) / sizeof((a)[0]))

static struct bpfrt *rt;

static int create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t n)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type, a.key_size = ks, a.value_size = vs, a.max_entries = n;
	return bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
}

static int load_flags(const struct bpf_insn *insns, uint32_t cnt, uint32_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SYSCALL, a.insns = (uintptr_t)insns, a.insn_cnt = cnt;
	a.prog_flags = flags;
	a.license = (uintptr_t)"GPL";
	return bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
}

static int load(const struct bpf_insn *insns, uint32_t cnt)
{
	return load_flags(insns, cnt, 0);
}

/* SYSCALL programs take no repeat (as in the kernel): run them n times. */
static int64_t run(int prog, uint64_t ctx, uint32_t n)
{
	union bpf_attr a;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t c = ctx;
		memset(&a, 0, sizeof(a));
		a.test.prog_fd = (uint32_t)prog, a.test.ctx_in = (uintptr_t)&c, a.test.ctx_size_in = 8;
		if (bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)))
			return -1000;
	}
	return (int32_t)a.test.retval;
}

struct got {
	int n;
	uint64_t last;
	uint64_t lost;
};

static void on_sample(void *ctx, int cpu, void *data, uint32_t size)
{
	struct got *g = ctx;
	(void)cpu;
	if (size == 8)
		memcpy(&g->last, data, 8);
	g->n++;
}

static void on_lost(void *ctx, int cpu, uint64_t count)
{
	(void)cpu;
	((struct got *)ctx)->lost += count;
}

static void test_perf(void)
{
	int pe = create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4);
	CHECK(create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 8, 4) == -EINVAL, "value size must be 4");
	CHECK(pe >= 0, "create %d", pe);
	/* perf_event_output(ctx, map, index 1, &ctx_value, 8) */
	const struct bpf_insn prog[] = {
		INSN(BPF_LDX | BPF_MEM | BPF_DW, 2, 1, 0, 0), INSN(BPF_STX | BPF_MEM | BPF_DW, 10, 2, -8, 0),
		LD_MAP(2, pe), MOV64_IMM(3, 1), MOV64_REG(4, 10), INSN(BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, -8),
		MOV64_IMM(5, 8), CALL(BPF_FUNC_perf_event_output), EXIT,
	};
	int p = load(prog, N(prog));
	CHECK(p >= 0, "load");
	CHECK(run(p, 5, 1) == -ENOENT, "no consumer yet: -ENOENT");
	struct got g = {0};
	struct bpfrt_perf_buffer *pb = bpfrt_perf_buffer_new(rt, pe, on_sample, on_lost, &g);
	CHECK(pb != NULL, "perf buffer");
	CHECK(run(p, 42, 1) == 0, "output");
	CHECK(bpfrt_perf_buffer_poll(pb, 100) == 1 && g.last == 42, "record read: %d %llu", g.n, (unsigned long long)g.last);
	/* 65536 / 16 = 4096 records fit; the rest are lost and reported. */
	CHECK(run(p, 7, 5000) == -ENOSPC, "ring full");
	g.n = 0;
	CHECK(bpfrt_perf_buffer_consume(pb) == 4096 && g.lost == 904, "consumed %d lost %llu", g.n,
	      (unsigned long long)g.lost);
	uint32_t k = 9, v = 0;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)pe, a.key = (uintptr_t)&k, a.value = (uintptr_t)&v;
	CHECK(bpfrt_bpf(rt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a)) == -E2BIG, "index out of range");
	k = 1;
	a.value = 0; /* DELETE_ELEM's last field is key */
	CHECK(bpfrt_bpf(rt, BPF_MAP_DELETE_ELEM, &a, sizeof(a)) == 0, "delete slot");
	CHECK(run(p, 5, 1) == -ENOENT, "deleted slot");
	bpfrt_perf_buffer_free(pb);
	bpfrt_close(rt, p);
	bpfrt_close(rt, pe);
}

static int spin_prog;

static void *spinner(void *arg)
{
	(void)arg;
	run(spin_prog, 0, 20000);
	return NULL;
}

static void test_spin_lock(void)
{
	/* value = {u32 lock; u32 pad; u64 counter} */
	int m = create(BPF_MAP_TYPE_ARRAY, 4, 16, 1);
	const struct bpf_insn prog[] = {
		INSN(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 0),
		LD_MAP(1, m), MOV64_REG(2, 10), INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4),
		CALL(BPF_FUNC_map_lookup_elem), INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 1, 0), EXIT,
		MOV64_REG(6, 0), MOV64_REG(1, 6), CALL(BPF_FUNC_spin_lock),
		INSN(BPF_LDX | BPF_MEM | BPF_DW, 1, 6, 8, 0), INSN(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, 1),
		INSN(BPF_STX | BPF_MEM | BPF_DW, 6, 1, 8, 0),
		MOV64_REG(1, 6), CALL(BPF_FUNC_spin_unlock), MOV64_IMM(0, 0), EXIT,
	};
	/* A lock in a map without BTF: the verifier (like the kernel's) wants
	 * BTF to find it, so this helper test loads unverified. */
	spin_prog = load_flags(prog, N(prog), BPFRT_F_UNVERIFIED);
	CHECK(spin_prog >= 0, "load spin");
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, spinner, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	uint32_t k = 0;
	uint64_t v[2] = {0};
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)m, a.key = (uintptr_t)&k, a.value = (uintptr_t)v;
	CHECK(bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a)) == 0 && v[1] == 40000, "no lost increments: %llu",
	      (unsigned long long)v[1]);
	bpfrt_close(rt, spin_prog);
	bpfrt_close(rt, m);
}

int main(void)
{
	rt = bpfrt_new(NULL);
	test_perf();
	test_spin_lock();
	bpfrt_free(rt);
	return CHECK_DONE();
}

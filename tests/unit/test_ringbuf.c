/* test_ringbuf.c — BPF_MAP_TYPE_RINGBUF: create checks, programs writing
 * records with bpf_ringbuf_output / reserve+submit / discard, the consumer
 * API (order, discard skipped, wrap-around, full ring -> -EAGAIN), query,
 * and the eventfd notification. */
#include "bpfrt/bpfrt.h"
#include "check.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define LD_MAP(d, fd) INSN(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)
#define CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define N(a) (uint32_t)(sizeof(a) / sizeof((a)[0]))

static struct bpfrt *rt;

static int rb_create(uint32_t size, uint32_t ks, uint32_t vs)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_RINGBUF, a.key_size = ks, a.value_size = vs, a.max_entries = size;
	return bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
}

static int load(const struct bpf_insn *insns, uint32_t cnt)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SYSCALL, a.insns = (uintptr_t)insns, a.insn_cnt = cnt;
	a.license = (uintptr_t)"GPL";
	return bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
}

static int run(int fd, uint64_t *ctx, uint32_t *retval, uint32_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd, a.test.ctx_in = (uintptr_t)ctx, a.test.ctx_size_in = 8;
	(void)flags;
	int err = bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a));
	*retval = a.test.retval;
	return err;
}

struct seen {
	int n;
	uint64_t vals[64];
	size_t sizes[64];
};

static int on_sample(void *ctx, void *data, size_t size)
{
	struct seen *s = ctx;
	uint64_t v = 0;
	memcpy(&v, data, size < 8 ? size : 8);
	s->vals[s->n % 64] = v;
	s->sizes[s->n % 64] = size;
	s->n++;
	return 0;
}

int main(void)
{
	rt = bpfrt_new(NULL);
	CHECK(rb_create(4096 * 3, 0, 0) == -EINVAL, "size not a power of 2");
	CHECK(rb_create(2048, 0, 0) == -EINVAL, "smaller than a page");
	CHECK(rb_create(4096, 4, 0) == -EINVAL, "key size");
	int rb = rb_create(4096, 0, 0);
	CHECK(rb >= 0, "create %d", rb);

	/* output(ctx value, 8 bytes); then reserve 16, write, submit; then
	 * reserve 8 and discard; return ringbuf_query(AVAIL_DATA). */
	const struct bpf_insn prog[] = {
		MOV64_REG(6, 1),
		LD_MAP(1, rb), MOV64_REG(2, 6), MOV64_IMM(3, 8), MOV64_IMM(4, 0), CALL(BPF_FUNC_ringbuf_output),
		LD_MAP(1, rb), MOV64_IMM(2, 16), MOV64_IMM(3, 0), CALL(BPF_FUNC_ringbuf_reserve),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 4, 0),
		INSN(BPF_ST | BPF_MEM | BPF_DW, 0, 0, 0, 0x77),
		MOV64_REG(1, 0), MOV64_IMM(2, 0), CALL(BPF_FUNC_ringbuf_submit),
		LD_MAP(1, rb), MOV64_IMM(2, 8), MOV64_IMM(3, 0), CALL(BPF_FUNC_ringbuf_reserve),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3, 0), /* NULL: past the discard (the verifier caught +2) */
		MOV64_REG(1, 0), MOV64_IMM(2, 0), CALL(BPF_FUNC_ringbuf_discard),
		LD_MAP(1, rb), MOV64_IMM(2, BPF_RB_AVAIL_DATA), CALL(BPF_FUNC_ringbuf_query),
		EXIT,
	};
	int p = load(prog, N(prog));
	CHECK(p >= 0, "load %d", p);
	struct seen s = {0};
	struct bpfrt_ringbuf *c = bpfrt_ringbuf_new(rt, rb, on_sample, &s);
	CHECK(c != NULL, "consumer");
	uint64_t ctx = 0x1234;
	uint32_t retval = 0;
	CHECK(run(p, &ctx, &retval, 0) == 0, "run");
	/* 16 + 24 + 16 bytes of records (headers included). */
	CHECK(retval == 56, "available data %u", retval);
	struct pollfd pfd = {.fd = bpfrt_ringbuf_epoll_fd(c), .events = POLLIN};
	CHECK(poll(&pfd, 1, 0) == 1, "eventfd readable after submit");
	CHECK(bpfrt_ringbuf_consume(c) == 2, "two records (the discarded one skipped)");
	CHECK(s.vals[0] == 0x1234 && s.sizes[0] == 8 && s.vals[1] == 0x77 && s.sizes[1] == 16, "record contents");
	CHECK(bpfrt_ringbuf_consume(c) == 0, "nothing more");

	/* Wrap around many times, one record per run; then fill it up. */
	s.n = 0;
	for (uint64_t i = 0; i < 500; i++) {
		ctx = i;
		run(p, &ctx, &retval, 0);
		int got = bpfrt_ringbuf_poll(c, 100);
		CHECK(got == 2, "poll round %llu: %d", (unsigned long long)i, got);
	}
	CHECK(s.n == 1000 && s.vals[998 % 64] == 499 && s.vals[999 % 64] == 0x77, "wrapped: %d %llu", s.n,
	      (unsigned long long)s.vals[998 % 64]);
	const struct bpf_insn fill[] = {
		MOV64_REG(2, 1), LD_MAP(1, rb), MOV64_IMM(3, 1000), MOV64_IMM(4, 0), CALL(BPF_FUNC_ringbuf_output), EXIT,
	};
	int f = load(fill, N(fill));
	uint64_t big[128] = {0};
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)f, a.test.ctx_in = (uintptr_t)big, a.test.ctx_size_in = sizeof(big);
	int oks = 0;
	for (int i = 0; i < 5; i++) {
		CHECK(bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)) == 0, "fill run");
		oks += a.test.retval == 0;
		if (i == 4)
			CHECK((int32_t)a.test.retval == -EAGAIN, "full ring: %d", (int32_t)a.test.retval);
	}
	CHECK(oks == 4, "four 1008-byte records fit in 4096: %d", oks);
	bpfrt_ringbuf_free(c);
	bpfrt_close(rt, p);
	bpfrt_close(rt, f);
	bpfrt_close(rt, rb);
	/* Ring buffers have no elements to look up. */
	bpfrt_free(rt);
	return CHECK_DONE();
}

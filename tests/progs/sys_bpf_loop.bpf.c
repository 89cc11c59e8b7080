/* sys_bpf_loop.bpf.c — bpf_loop with callbacks: a Collatz walk that stops
 * early by returning 1, a sum over a global array, and a nested loop in a
 * subprogram; the helper's iteration counts are recorded. */
#include "common.h"

struct collatz {
	__u64 n;
	__u32 steps;
};

__u32 values[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
__u64 sums[2];
__s64 iterations[3];

static int collatz_step(__u32 i, void *data)
{
	struct collatz *c = data;
	if (c->n == 1)
		return 1;
	c->n = (c->n & 1) ? 3 * c->n + 1 : c->n / 2;
	c->steps++;
	return 0;
}

static int sum_step(__u32 i, void *data)
{
	__u64 *acc = data;
	*acc += values[i & 15] * (i + 1);
	return 0;
}

SEC("syscall")
int sys_bpf_loop(__u64 *ctx)
{
	struct collatz c = {.n = *ctx, .steps = 0};
	iterations[0] = bpf_loop(1000, collatz_step, &c, 0);
	__u64 acc = 0;
	iterations[1] = bpf_loop(16, sum_step, &acc, 0);
	sums[0] = acc;
	sums[1] = c.n;
	iterations[2] = bpf_loop(0, sum_step, &acc, 0);
	return c.steps;
}

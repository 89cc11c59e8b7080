/* sys_subprogs.bpf.c — static noinline subprograms (BPF-to-BPF calls with
 * stack arguments passed by pointer) and global functions (verified
 * separately against their BTF signature), three calls deep. */
#include "common.h"

struct args {
	__s32 x;
	__s32 y;
};

__s64 trace_vals[4];

static __noinline __s64 mix(__s64 a, __s64 b, __s64 c, __s64 d, __s64 e)
{
	return a * 3 + b * 5 - c + (d ^ e);
}

static __noinline void fill(__s64 *buf, int n, __s64 seed)
{
	for (int i = 0; i < 4; i++) {
		if (i >= n)
			break;
		buf[i] = seed + i * i;
	}
}

__noinline int global_clamp(int v, int lo, int hi)
{
	if (v < lo)
		return lo;
	if (v > hi)
		return hi;
	return v;
}

__noinline int global_sum(struct args *a)
{
	if (!a)
		return -1;
	__s64 buf[4] = {};
	fill(buf, 4, a->x);
	return global_clamp((int)(buf[0] + buf[1] + buf[2] + buf[3]), -1000, 100000) + a->y;
}

SEC("syscall")
int sys_subprogs(struct args *ctx)
{
	struct args local = {ctx->x, ctx->y};
	__s64 m = mix(ctx->x, ctx->y, 7, 0x0f0f, 0x3c3c);
	trace_vals[0] = m;
	trace_vals[1] = global_sum(&local);
	trace_vals[2] = global_clamp(ctx->x, 0, 10);
	fill(&trace_vals[3], 1, -42);
	return (int)(trace_vals[0] + trace_vals[1] + trace_vals[2]);
}

/* xdp_tail_depth.bpf.c — a program that tail-calls itself through a
 * PROG_ARRAY filled by the object's initialiser (libbpf's
 * `.values = {[0] = &prog}`, placed after the programs load) until the
 * kernel's limit refuses the call: MAX_TAIL_CALL_CNT = 33 tail calls per
 * run, so the body runs 33 times after the entry program and 34 times when
 * the run starts in the self-calling program itself.  The count is the
 * return value and stays in .bss. */
#include "common.h"

__u32 runs;
__u32 entries;

int xdp_tail_self(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int(void *));
} jmp SEC(".maps") = {
	.values = {[0] = (void *)&xdp_tail_self},
};

SEC("xdp")
int xdp_tail_self(struct xdp_md *ctx)
{
	runs++;
	bpf_tail_call(ctx, &jmp, 0);
	return runs; /* the 34th call was refused */
}

SEC("xdp")
int xdp_tail_depth(struct xdp_md *ctx)
{
	runs = 0;
	entries++;
	bpf_tail_call(ctx, &jmp, 0);
	return XDP_ABORTED; /* only if slot 0 were empty */
}

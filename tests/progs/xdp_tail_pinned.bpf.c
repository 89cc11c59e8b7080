/* xdp_tail_pinned.bpf.c — a PROG_ARRAY pinned by name and filled by the
 * object's initialiser, loaded twice: the second load reuses the pinned
 * array, and libbpf still writes the second object's program into the slot
 * (only map-in-map slots are skipped for reused maps), so the second run
 * tail-calls into the program that counts in the second object's .bss. */
#include "common.h"

__u32 hits;

int xdp_tail_pinned_stage(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, int(void *));
} pinned_jmp SEC(".maps") = {
	.values = {[0] = (void *)&xdp_tail_pinned_stage},
};

SEC("xdp")
int xdp_tail_pinned_stage(struct xdp_md *ctx)
{
	hits++;
	return XDP_TX;
}

SEC("xdp")
int xdp_tail_pinned(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &pinned_jmp, 0);
	return XDP_DROP;
}

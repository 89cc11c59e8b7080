/* xdp_tail_call.bpf.c — a parser split into stages chained with
 * bpf_tail_call through a PROG_ARRAY initialised in the object (libbpf's
 * static prog-array slots): ethernet -> ipv4 -> l4.  Each stage records
 * itself in a .bss trace; a miss (empty slot 3) falls through. */
#include "common.h"

__u32 trace[4];
__u32 depth;

static __always_inline void mark(__u32 stage)
{
	__u32 d = depth;
	if (d < 4)
		trace[d] = stage;
	depth = d + 1;
}

int stage_ip(struct xdp_md *ctx);
int stage_l4(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} stages SEC(".maps") = {
	.values = {
		[1] = (void *)&stage_ip,
		[2] = (void *)&stage_l4,
	},
};

SEC("xdp")
int stage_l4(struct xdp_md *ctx)
{
	mark(3);
	bpf_tail_call(ctx, &stages, 3); /* empty slot: continues here */
	mark(4);
	return XDP_TX;
}

SEC("xdp")
int stage_ip(struct xdp_md *ctx)
{
	mark(2);
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	if ((void *)(ip + 1) > end)
		return XDP_DROP;
	if (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP)
		bpf_tail_call(ctx, &stages, 2);
	return XDP_PASS;
}

SEC("xdp")
int xdp_tail_call(struct xdp_md *ctx)
{
	depth = 0;
	mark(1);
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		bpf_tail_call(ctx, &stages, 1);
	return XDP_PASS;
}

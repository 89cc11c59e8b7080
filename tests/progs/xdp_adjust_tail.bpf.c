/* xdp_adjust_tail.bpf.c — trim the frame to its IPv4 total length (drops
 * Ethernet padding/trailers) with bpf_xdp_adjust_tail, then write a marker
 * into the last byte so the packet output shows both effects. */
#include "common.h"

__s32 trimmed;

SEC("xdp")
int xdp_adjust_tail(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	int want = sizeof(*eth) + bpf_ntohs(ip->tot_len);
	int have = end - data;
	if (want >= have || want > 1514)
		return XDP_PASS;
	if (bpf_xdp_adjust_tail(ctx, want - have))
		return XDP_ABORTED;
	trimmed = have - want;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	__u8 *last = data;
	last += (want - 1) & 0x7ff; /* the verifier forbids arithmetic on data_end */
	if ((void *)(last + 1) > end)
		return XDP_ABORTED;
	*last ^= 0xff;
	return XDP_TX;
}

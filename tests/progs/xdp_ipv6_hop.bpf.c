/* xdp_ipv6_hop.bpf.c — IPv6 router step: decrement the hop limit, swap
 * source and destination addresses word by word, and remember the last
 * flow label in .data; hop limit 0/1 is dropped. */
#include "common.h"

__u32 last_flow_label = 0xffffffff;

SEC("xdp")
int xdp_ipv6_hop(struct xdp_md *ctx)
{
	struct cursor c = {(void *)(long)ctx->data, (void *)(long)ctx->data_end};
	struct ethhdr *eth = cursor_take(&c, sizeof(*eth));
	if (!eth)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	struct ipv6hdr *ip6 = cursor_take(&c, sizeof(*ip6));
	if (!ip6 || ip6->hop_limit <= 1)
		return XDP_DROP;
	ip6->hop_limit--;
	last_flow_label = (ip6->flow_lbl[0] & 0xf) << 16 | ip6->flow_lbl[1] << 8 | ip6->flow_lbl[2];
#pragma unroll
	for (int i = 0; i < 4; i++) {
		__u32 t = ip6->saddr.in6_u.u6_addr32[i];
		ip6->saddr.in6_u.u6_addr32[i] = ip6->daddr.in6_u.u6_addr32[i];
		ip6->daddr.in6_u.u6_addr32[i] = t;
	}
	return XDP_TX;
}

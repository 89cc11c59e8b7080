/* xdp_push_vlan.bpf.c — insert an 802.1Q tag (VLAN 7) in front of the
 * EtherType with bpf_xdp_adjust_head(-4) and rebuild the Ethernet header;
 * already tagged frames are passed unchanged. */
#include "common.h"

SEC("xdp")
int xdp_push_vlan(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_8021Q))
		return XDP_PASS;
	struct ethhdr old = *eth;
	if (bpf_xdp_adjust_head(ctx, -4))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	struct vlan_tag *tag = (void *)(eth + 1);
	if ((void *)(tag + 1) > end)
		return XDP_ABORTED;
	__builtin_memcpy(eth->h_dest, old.h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_source, old.h_source, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_8021Q);
	tag->tci = bpf_htons(7);
	tag->proto = old.h_proto;
	return XDP_TX;
}

/* xdp_swap_tx.bpf.c — a reflector: swap Ethernet and IPv4 addresses and
 * TCP/UDP ports and send the packet back with XDP_TX.  Swapping keeps the
 * checksums valid, so none is recomputed. */
#include "common.h"

static __always_inline void swap_bytes(__u8 *a, __u8 *b, int n)
{
#pragma unroll
	for (int i = 0; i < 6; i++) {
		if (i >= n)
			break;
		__u8 t = a[i];
		a[i] = b[i];
		b[i] = t;
	}
}

SEC("xdp")
int xdp_swap_tx(struct xdp_md *ctx)
{
	struct cursor c = {(void *)(long)ctx->data, (void *)(long)ctx->data_end};
	struct ethhdr *eth = cursor_take(&c, sizeof(*eth));
	if (!eth)
		return XDP_ABORTED;
	swap_bytes(eth->h_dest, eth->h_source, ETH_ALEN);
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_TX;
	struct iphdr *ip = cursor_take(&c, sizeof(*ip));
	if (!ip || ip->ihl != 5)
		return XDP_PASS;
	__be32 a = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = a;
	if (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP) {
		__be16 *ports = cursor_take(&c, 4);
		if (!ports)
			return XDP_PASS;
		__be16 p = ports[0];
		ports[0] = ports[1];
		ports[1] = p;
	}
	return XDP_TX;
}

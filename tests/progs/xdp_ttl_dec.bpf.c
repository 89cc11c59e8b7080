/* xdp_ttl_dec.bpf.c — decrement the IPv4 TTL with an incremental checksum
 * update (RFC 1624); TTL 0 or 1 is dropped and counted in .bss. */
#include "common.h"

__u64 expired;
__u64 forwarded;

SEC("xdp")
int xdp_ttl_dec(struct xdp_md *ctx)
{
	struct cursor c = {(void *)(long)ctx->data, (void *)(long)ctx->data_end};
	struct ethhdr *eth = cursor_take(&c, sizeof(*eth));
	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = cursor_take(&c, sizeof(*ip));
	if (!ip)
		return XDP_DROP;
	if (ip->ttl <= 1) {
		expired++;
		return XDP_DROP;
	}
	/* HC' = ~(~HC + ~m + m'), m = the 16-bit word holding TTL. */
	__u32 sum = (__u16)~bpf_ntohs(ip->check);
	sum += (__u16)~(ip->ttl << 8);
	ip->ttl--;
	sum += (__u16)(ip->ttl << 8);
	ip->check = bpf_htons(csum_fold32(sum));
	forwarded++;
	return XDP_PASS;
}

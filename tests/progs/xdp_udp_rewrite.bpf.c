/* xdp_udp_rewrite.bpf.c — redirect DNS: rewrite UDP destination port 53
 * to 5353 and fix the UDP checksum with bpf_csum_diff over the changed
 * word; the raw csum_diff result is kept for comparison. */
#include "common.h"

__u64 last_diff;
__u32 rewritten;

SEC("xdp")
int xdp_udp_rewrite(struct xdp_md *ctx)
{
	struct cursor c = {(void *)(long)ctx->data, (void *)(long)ctx->data_end};
	struct ethhdr *eth = cursor_take(&c, sizeof(*eth));
	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = cursor_take(&c, sizeof(*ip));
	if (!ip || ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return XDP_PASS;
	struct udphdr *uh = cursor_take(&c, sizeof(*uh));
	if (!uh || uh->dest != bpf_htons(53))
		return XDP_PASS;
	__u32 old_word = *(__u32 *)uh; /* source + dest port */
	uh->dest = bpf_htons(5353);
	__u32 new_word = *(__u32 *)uh;
	__s64 d = bpf_csum_diff(&old_word, 4, &new_word, 4, ~((__u32)uh->check) & 0xffff);
	last_diff = d;
	if (uh->check)
		uh->check = csum_fold32((__u32)d);
	rewritten++;
	return XDP_TX;
}

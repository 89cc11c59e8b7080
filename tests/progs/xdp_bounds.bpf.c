/* xdp_bounds.bpf.c — variable-offset packet access: skip IPv4 options by
 * ihl, read the L4 ports at the computed offset and the first payload byte
 * only after explicit bounds checks; the verdict encodes how far parsing got
 * (1..6) so truncated packets give distinct return values. */
#include "common.h"

__u8 first_payload_byte;

SEC("xdp")
int xdp_bounds(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (data + sizeof(struct ethhdr) > end)
		return 1;
	struct ethhdr *eth = data;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return 2;
	struct iphdr *ip = data + sizeof(*eth);
	if ((void *)(ip + 1) > end)
		return 3;
	__u32 ihl = ip->ihl & 0xf;
	if (ihl < 5)
		return 3;
	__u8 *l4 = (__u8 *)ip + ihl * 4;
	if (l4 + 8 > (__u8 *)end)
		return 4;
	__u32 sport = l4[0] << 8 | l4[1];
	__u32 off = ip->protocol == IPPROTO_TCP ? 20 : 8;
	__u8 *payload = l4 + off;
	if (payload + 1 > (__u8 *)end)
		return 4;
	first_payload_byte = *payload;
	return sport == 1234 ? 6 : 5;
}

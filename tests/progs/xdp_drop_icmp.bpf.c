/* xdp_drop_icmp.bpf.c — drop ICMP echo requests, pass echo replies and
 * everything else; per ICMP type counters live in a HASH. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, __u8);
	__type(value, __u64);
} icmp_types SEC(".maps");

SEC("xdp")
int xdp_drop_icmp(struct xdp_md *ctx)
{
	struct cursor c = {(void *)(long)ctx->data, (void *)(long)ctx->data_end};
	struct ethhdr *eth = cursor_take(&c, sizeof(*eth));
	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = cursor_take(&c, sizeof(*ip));
	if (!ip || ip->protocol != IPPROTO_ICMP)
		return XDP_PASS;
	struct icmphdr *ic = (void *)ip + ip->ihl * 4;
	if ((void *)(ic + 1) > c.end)
		return XDP_DROP;
	__u8 t = ic->type;
	__u64 *n = bpf_map_lookup_elem(&icmp_types, &t);
	if (n) {
		__sync_fetch_and_add(n, 1);
	} else {
		__u64 one = 1;
		bpf_map_update_elem(&icmp_types, &t, &one, BPF_ANY);
	}
	return ic->type == ICMP_ECHO ? XDP_DROP : XDP_PASS;
}

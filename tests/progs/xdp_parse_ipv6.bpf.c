/* xdp_parse_ipv6.bpf.c — parse IPv6 and its TCP/UDP header and count
 * flows in a HASH keyed by (next header, source port, destination port);
 * returns XDP_DROP for IPv6 packets with hop limit 1. */
#include "common.h"

struct flow6 {
	__u8 nexthdr;
	__u8 pad;
	__u16 sport;
	__u16 dport;
	__u16 pad2;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct flow6);
	__type(value, __u64);
} flows SEC(".maps");

SEC("xdp")
int xdp_parse_ipv6(struct xdp_md *ctx)
{
	struct cursor c = {(void *)(long)ctx->data, (void *)(long)ctx->data_end};
	struct ethhdr *eth = cursor_take(&c, sizeof(*eth));
	if (!eth || eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	struct ipv6hdr *ip6 = cursor_take(&c, sizeof(*ip6));
	if (!ip6)
		return XDP_DROP;
	if (ip6->hop_limit <= 1)
		return XDP_DROP;
	struct flow6 key = {.nexthdr = ip6->nexthdr};
	if (ip6->nexthdr == IPPROTO_TCP) {
		struct tcphdr *th = cursor_take(&c, sizeof(*th));
		if (!th)
			return XDP_DROP;
		key.sport = bpf_ntohs(th->source);
		key.dport = bpf_ntohs(th->dest);
	} else if (ip6->nexthdr == IPPROTO_UDP) {
		struct udphdr *uh = cursor_take(&c, sizeof(*uh));
		if (!uh)
			return XDP_DROP;
		key.sport = bpf_ntohs(uh->source);
		key.dport = bpf_ntohs(uh->dest);
	}
	__u64 one = 1, *v = bpf_map_lookup_elem(&flows, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&flows, &key, &one, BPF_NOEXIST);
	return XDP_PASS;
}

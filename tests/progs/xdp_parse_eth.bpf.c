/* xdp_parse_eth.bpf.c — classify frames by EtherType (IPv4, IPv6, ARP,
 * VLAN, other) into an ARRAY of counters; drop what is too short for an
 * Ethernet header plus two bytes of payload. */
#include "common.h"

enum { C_IP4, C_IP6, C_ARP, C_VLAN, C_OTHER, C_SHORT, C_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, C_MAX);
	__type(key, __u32);
	__type(value, __u32);
} by_proto SEC(".maps");

static __always_inline void bump(__u32 k)
{
	__u32 *v = bpf_map_lookup_elem(&by_proto, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("xdp")
int xdp_parse_eth(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) + 2 > end) {
		bump(C_SHORT);
		return XDP_DROP;
	}
	switch (bpf_ntohs(eth->h_proto)) {
	case ETH_P_IP:
		bump(C_IP4);
		return XDP_PASS;
	case ETH_P_IPV6:
		bump(C_IP6);
		return XDP_PASS;
	case ETH_P_ARP:
		bump(C_ARP);
		return XDP_PASS;
	case ETH_P_8021Q:
	case ETH_P_8021AD:
		bump(C_VLAN);
		return XDP_PASS;
	default:
		bump(C_OTHER);
		return XDP_DROP;
	}
}

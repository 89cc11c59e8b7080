/* xdp_parse_ipv4.bpf.c — validate IPv4 headers (version, ihl, total
 * length, bounds with options) and count L4 protocols in a PERCPU_ARRAY;
 * malformed headers are dropped, fragments are passed uncounted. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} l4_count SEC(".maps");

__u32 bad_headers;
__u32 fragments;

SEC("xdp")
int xdp_parse_ipv4(struct xdp_md *ctx)
{
	struct cursor c = {(void *)(long)ctx->data, (void *)(long)ctx->data_end};
	struct ethhdr *eth = cursor_take(&c, sizeof(*eth));
	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = cursor_take(&c, sizeof(*ip));
	if (!ip || ip->version != 4 || ip->ihl < 5) {
		__sync_fetch_and_add(&bad_headers, 1);
		return XDP_DROP;
	}
	__u32 hlen = ip->ihl * 4;
	if ((void *)ip + hlen > c.end || bpf_ntohs(ip->tot_len) < hlen) {
		__sync_fetch_and_add(&bad_headers, 1);
		return XDP_DROP;
	}
	if (ip->frag_off & bpf_htons(0x3fff)) {
		fragments++;
		return XDP_PASS;
	}
	__u32 k = ip->protocol;
	__u64 *v = bpf_map_lookup_elem(&l4_count, &k);
	if (v)
		*v += 1;
	return XDP_PASS;
}

/* tc_bloom_allow.bpf.c — a classifier allow-list: source addresses pushed
 * into a BLOOM_FILTER by the program on first use, then an IPv4 packet is
 * accepted only if its source is (maybe) in the filter; the list contains
 * the test packets' sources, so no false positive decides a verdict. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 128);
	__type(value, __u32);
} allow SEC(".maps");

__u32 initialised;

SEC("tc")
int tc_bloom_allow(struct __sk_buff *skb)
{
	if (!initialised) {
		__u32 a = bpf_htonl(0x0a000001), b = bpf_htonl(0xc0a80101);
		bpf_map_push_elem(&allow, &a, 0);
		bpf_map_push_elem(&allow, &b, 0);
		initialised = 1;
	}
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	if ((void *)(ip + 1) > end)
		return TC_ACT_OK;
	__u32 src = ip->saddr;
	return bpf_map_peek_elem(&allow, &src) == 0 ? TC_ACT_OK : TC_ACT_SHOT;
}

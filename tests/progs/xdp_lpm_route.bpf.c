/* xdp_lpm_route.bpf.c — longest-prefix-match routing: the program installs
 * a small IPv4 route table in an LPM_TRIE (idempotently, on each run), looks
 * up the destination and returns the matched route's verdict; hits per
 * route go to an ARRAY. */
#include "common.h"

struct lpm_key4 {
	__u32 prefixlen;
	__u32 addr;
};

struct route {
	__u32 id;
	__u32 action;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key4);
	__type(value, struct route);
} routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static void add_route(__u32 addr, __u32 plen, __u32 id, __u32 action)
{
	struct lpm_key4 k = {.prefixlen = plen, .addr = bpf_htonl(addr)};
	struct route r = {.id = id, .action = action};
	bpf_map_update_elem(&routes, &k, &r, BPF_ANY);
}

SEC("xdp")
int xdp_lpm_route(struct xdp_md *ctx)
{
	add_route(0x00000000, 0, 0, XDP_PASS);
	add_route(0x0a000000, 8, 1, XDP_PASS);
	add_route(0x0a000000, 24, 2, XDP_TX);
	add_route(0x0a000002, 32, 3, XDP_DROP);
	add_route(0xc0a80000, 16, 4, XDP_DROP);
	struct cursor c = {(void *)(long)ctx->data, (void *)(long)ctx->data_end};
	struct ethhdr *eth = cursor_take(&c, sizeof(*eth));
	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = cursor_take(&c, sizeof(*ip));
	if (!ip)
		return XDP_ABORTED;
	struct lpm_key4 k = {.prefixlen = 32, .addr = ip->daddr};
	struct route *r = bpf_map_lookup_elem(&routes, &k);
	if (!r)
		return XDP_ABORTED;
	__u32 id = r->id, action = r->action;
	__u64 *h = bpf_map_lookup_elem(&hits, &id);
	if (h)
		*h += 1;
	/* a second lookup on the source, recorded as route id + 4 */
	k.addr = ip->saddr;
	r = bpf_map_lookup_elem(&routes, &k);
	if (r) {
		id = r->id + 4;
		h = bpf_map_lookup_elem(&hits, &id);
		if (h)
			*h += 1;
	}
	return action;
}

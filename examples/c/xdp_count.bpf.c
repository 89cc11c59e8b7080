/* xdp_count.bpf.c — the demo's XDP program: counts packets and bytes per IP
 * protocol in a BTF-typed hash map, drops ICMP when the .rodata knob says
 * so, and passes everything else.  Compiled by clang-19 -target bpf. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct proto_stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct proto_stats);
} counters SEC(".maps");

const volatile int drop_icmp = 0;

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__u32 proto = ip->protocol;
	struct proto_stats *s = bpf_map_lookup_elem(&counters, &proto);
	if (!s) {
		struct proto_stats init = {0, 0};
		bpf_map_update_elem(&counters, &proto, &init, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&counters, &proto);
		if (!s)
			return XDP_ABORTED;
	}
	__sync_fetch_and_add(&s->packets, 1);
	__sync_fetch_and_add(&s->bytes, (__u64)(end - data));
	return drop_icmp && proto == IPPROTO_ICMP ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

/* live_progs.bpf.c — small programs for tests/hooks/live_cli.sh, picked
 * with `file live_progs.o prog NAME`:
 *   live_reflect  swap Ethernet and IPv4 addresses, XDP_TX (a ping through
 *                 it is answered by the sender's own stack)
 *   live_pass     XDP_PASS, counted in `passed`
 *   live_odd      returns 7, not an xdp_action
 *   live_bcast    a copy out of every device in `ports` but the ingress
 *                 (bpf_redirect_map with BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS)
 *   live_tc       a tc program: net attach xdp must refuse it
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} passed SEC(".maps");

SEC("xdp")
int live_reflect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return XDP_ABORTED;
	__u8 mac[ETH_ALEN];
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_DROP;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return XDP_DROP;
	__be32 a = ip->saddr; /* a swap keeps the checksums valid */
	ip->saddr = ip->daddr;
	ip->daddr = a;
	return XDP_TX;
}

SEC("xdp")
int live_pass(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *n = bpf_map_lookup_elem(&passed, &k);
	if (n)
		__sync_fetch_and_add(n, 1);
	return XDP_PASS;
}

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} ports SEC(".maps");

SEC("xdp")
int live_bcast(struct xdp_md *ctx)
{
	return bpf_redirect_map(&ports, 0, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
}

SEC("xdp")
int live_odd(struct xdp_md *ctx)
{
	return 7;
}

SEC("tc")
int live_tc(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";

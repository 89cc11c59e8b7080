/* netns_fw.bpf.c — the XDP firewall tests/hooks/netns_xdp.sh runs through
 * `bpfrt net attach` between two namespaces: it counts packets and bytes
 * per source IPv4 address (ARP and IPv6 under address 0), drops sources
 * listed in `blocked`, and sends everything else out of the interface
 * the DEVMAP_HASH `tx_port` (bpf_redirect_map) or else `peer`
 * (bpf_redirect) maps the ingress interface to, or drops it when neither
 * has it.  Verdict counts go to a per-CPU array, one slot per
 * worker thread.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32); /* source IPv4, network order; 0: not IPv4 */
	__type(value, struct counter);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32); /* source IPv4, network order */
	__type(value, __u32);
} blocked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);   /* ingress ifindex */
	__type(value, __u32); /* egress ifindex */
} peer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);   /* ingress ifindex */
	__type(value, __u32); /* egress ifindex */
} tx_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32); /* XDP_ABORTED .. XDP_REDIRECT */
	__type(value, __u64);
} verdicts SEC(".maps");

static __always_inline int verdict(int v)
{
	__u32 k = v;
	__u64 *n = bpf_map_lookup_elem(&verdicts, &k);
	if (n)
		*n += 1; /* per-CPU: each worker has its own slot */
	return v;
}

static __always_inline void count(__u32 src, __u64 len)
{
	struct counter *c = bpf_map_lookup_elem(&counters, &src);
	if (!c) {
		struct counter z = {0};
		bpf_map_update_elem(&counters, &src, &z, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&counters, &src);
		if (!c)
			return;
	}
	/* Workers on other CPUs update the same entry. */
	__sync_fetch_and_add(&c->packets, 1);
	__sync_fetch_and_add(&c->bytes, len);
}

SEC("xdp")
int netns_fw(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 src = 0;
	if ((void *)(eth + 1) > end)
		return verdict(XDP_ABORTED);
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end)
			return verdict(XDP_ABORTED);
		src = ip->saddr;
	}
	count(src, end - data);
	if (src && bpf_map_lookup_elem(&blocked, &src))
		return verdict(XDP_DROP);
	__u32 in = ctx->ingress_ifindex;
	/* A device map entry first (XDP_PASS: none), then bpf_redirect. */
	int v = bpf_redirect_map(&tx_port, in, XDP_PASS);
	if (v == XDP_REDIRECT)
		return verdict(v);
	__u32 *out = bpf_map_lookup_elem(&peer, &in);
	if (!out)
		return verdict(XDP_DROP);
	return verdict(bpf_redirect(*out, 0));
}

char LICENSE[] SEC("license") = "GPL";

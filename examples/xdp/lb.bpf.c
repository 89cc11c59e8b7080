/* lb.bpf.c — the demo's XDP data plane, two programs chained by a tail call:
 *
 *   xdp_fw: a firewall.  Sources in an LPM-trie block list are dropped;
 *           per-source packet and byte counters in an LRU hash drop a
 *           source over its limit (fw_config); the rest goes on to xdp_lb.
 *   xdp_lb: an L4 load balancer.  TCP/UDP to a virtual service (vips) picks
 *           a backend by Maglev consistent hashing (lb_table, filled by user
 *           space, lb_setup.h) of the flow, rewrites the destination address
 *           and MACs, fixes the IPv4 header and TCP/UDP checksums
 *           incrementally (RFC 1624) and sends the frame back out (XDP_TX).
 *
 * Every counter is updated atomically, so runs on several threads (or the
 * kernel's CPUs) give the same map contents as one.  Built by CMake with
 * clang-19 -target bpf -O2 -g (examples/CMakeLists.txt).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "lb.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_VIPS);
	__type(key, struct vip_key);
	__type(value, struct vip_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct backend);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} backends SEC(".maps");

/* Two services' Maglev tables, back to back: slot service * LB_TABLE_SIZE + i. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * LB_TABLE_SIZE);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct backend_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} backend_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lb_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FW_BLOCK_PREFIXES);
	__type(key, struct fw_lpm_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} blocklist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FW_MAX_SOURCES);
	__type(key, struct fw_lpm_key); /* prefixlen 128: the whole address */
	__type(value, struct fw_source);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fw_sources SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fw_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fw_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FW_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fw_stats SEC(".maps");

int xdp_lb(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} chain SEC(".maps") = {
	.values = {[0] = (void *)&xdp_lb},
};

static __always_inline void count(void *map, __u32 key)
{
	__u64 *c = bpf_map_lookup_elem(map, &key);
	if (c)
		__sync_fetch_and_add(c, 1);
}

/* The source address as a full-length LPM key (IPv4 as ::ffff:a.b.c.d). */
static __always_inline int source_key(void *data, void *end, struct fw_lpm_key *k)
{
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return -1;
	k->prefixlen = 128;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end)
			return -1;
		__builtin_memset(k->addr, 0, 10);
		k->addr[10] = 0xff;
		k->addr[11] = 0xff;
		__builtin_memcpy(&k->addr[12], &ip->saddr, 4);
		return 0;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end)
			return -1;
		__builtin_memcpy(k->addr, &ip6->saddr, 16);
		return 0;
	}
	return 1;
}

/* Over its limit after counting this packet? */
static __always_inline int over_rate(struct fw_lpm_key *k, __u64 len)
{
	__u32 zero = 0;
	struct fw_config *cfg = bpf_map_lookup_elem(&fw_config, &zero);
	if (!cfg)
		return 0;
	__u64 now = cfg->window_ns ? bpf_ktime_get_ns() : 0;
	struct fw_source *s = bpf_map_lookup_elem(&fw_sources, k);
	if (!s) {
		struct fw_source init = {.packets = 1, .bytes = len, .window_start = now};
		if (bpf_map_update_elem(&fw_sources, k, &init, BPF_NOEXIST) == 0)
			return 0;
		s = bpf_map_lookup_elem(&fw_sources, k); /* another CPU added it */
		if (!s)
			return 0;
	} else if (cfg->window_ns && now - s->window_start > cfg->window_ns) {
		s->window_start = now; /* a new window (racy reset, as any per-flow rate limiter) */
		s->packets = 0;
		s->bytes = 0;
	}
	__sync_fetch_and_add(&s->packets, 1);
	__sync_fetch_and_add(&s->bytes, len);
	return (cfg->max_packets && s->packets > cfg->max_packets) || (cfg->max_bytes && s->bytes > cfg->max_bytes);
}

SEC("xdp")
int xdp_fw(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct fw_lpm_key k;
	int r = source_key(data, end, &k);
	if (r < 0) {
		count(&fw_stats, FW_MALFORMED);
		return XDP_DROP;
	}
	if (r > 0) {
		count(&fw_stats, FW_NON_IP);
		return XDP_PASS;
	}
	if (bpf_map_lookup_elem(&blocklist, &k)) {
		count(&fw_stats, FW_BLOCKED);
		return XDP_DROP;
	}
	if (over_rate(&k, (__u64)(end - data))) {
		count(&fw_stats, FW_RATE);
		return XDP_DROP;
	}
	count(&fw_stats, FW_PASSED);
	bpf_tail_call(ctx, &chain, 0);
	return XDP_PASS; /* no balancer loaded: the stack gets it */
}

/* ---- the load balancer ------------------------------------------------ */

struct flow {
	struct vip_key vip;
	__u32 src[4];
	__u16 sport;
	__u16 *l4_csum;   /* TCP/UDP checksum field */
	int udp_no_csum;  /* IPv4 UDP with checksum 0: leave it 0 */
};

static __always_inline __u16 fold(__u32 c)
{
	c = (c & 0xffff) + (c >> 16);
	c = (c & 0xffff) + (c >> 16);
	return (__u16)c;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') over n 16-bit words. */
static __always_inline __u16 csum_replace(__u16 check, const __u16 *old, const __u16 *new, int n)
{
	__u32 c = (__u16)~check;
#pragma unroll
	for (int i = 0; i < 8; i++) {
		if (i >= n)
			break;
		c += (__u16)~old[i];
		c += new[i];
	}
	return (__u16)~fold(c);
}

static __always_inline __u32 mix(__u32 h, __u32 v)
{
	h ^= v;
	h *= 0x9e3779b1u;
	return h ^ (h >> 15);
}

static __always_inline __u32 flow_hash(const struct flow *f)
{
	__u32 h = 0x5bd1e995u;
	h = mix(h, f->src[0]);
	h = mix(h, f->src[1]);
	h = mix(h, f->src[2]);
	h = mix(h, f->src[3]);
	h = mix(h, ((__u32)f->sport << 16) | f->vip.port);
	h = mix(h, f->vip.proto);
	return h;
}

/* TCP or UDP header at l4: ports and the checksum's place. */
static __always_inline int parse_l4(void *l4, void *end, __u8 proto, struct flow *f)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *t = l4;
		if ((void *)(t + 1) > end)
			return -1;
		f->sport = t->source;
		f->vip.port = t->dest;
		f->l4_csum = &t->check;
	} else if (proto == IPPROTO_UDP) {
		struct udphdr *u = l4;
		if ((void *)(u + 1) > end)
			return -1;
		f->sport = u->source;
		f->vip.port = u->dest;
		f->l4_csum = &u->check;
		f->udp_no_csum = u->check == 0;
	} else {
		return 1;
	}
	f->vip.proto = proto;
	return 0;
}

static __always_inline __u32 backend_of(const struct flow *f, __u32 service)
{
	__u32 slot = service * LB_TABLE_SIZE + flow_hash(f) % LB_TABLE_SIZE;
	__u32 *id = bpf_map_lookup_elem(&lb_table, &slot);
	return id ? *id : ~0u;
}

SEC("xdp")
int xdp_lb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct flow f = {};
	struct iphdr *ip = 0;
	struct ipv6hdr *ip6 = 0;
	int r = 1;
	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end)
			return XDP_DROP;
		if (ip->ihl == 5 && !(ip->frag_off & bpf_htons(0x3fff))) { /* no options, not a fragment */
			f.vip.addr[10] = 0xff;
			f.vip.addr[11] = 0xff;
			__builtin_memcpy(&f.vip.addr[12], &ip->daddr, 4);
			f.src[2] = bpf_htonl(0xffff);
			f.src[3] = ip->saddr;
			r = parse_l4(ip + 1, end, ip->protocol, &f);
		}
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end)
			return XDP_DROP;
		__builtin_memcpy(f.vip.addr, &ip6->daddr, 16);
		__builtin_memcpy(f.src, &ip6->saddr, 16);
		r = parse_l4(ip6 + 1, end, ip6->nexthdr, &f);
	}
	if (r < 0)
		return XDP_DROP; /* truncated transport header */
	struct vip_val *vip = r == 0 ? bpf_map_lookup_elem(&vips, &f.vip) : 0;
	if (!vip) {
		count(&lb_stats, LB_NOT_VIP);
		return XDP_PASS;
	}
	__u32 id = backend_of(&f, vip->service);
	struct backend *be = bpf_map_lookup_elem(&backends, &id);
	if (!be) {
		count(&lb_stats, LB_NO_BACKEND);
		return XDP_DROP;
	}
	struct backend_stats *st = bpf_map_lookup_elem(&backend_stats, &id);
	if (st) {
		__sync_fetch_and_add(&st->packets, 1);
		__sync_fetch_and_add(&st->bytes, (__u64)(end - data));
	}
	/* Destination address (and with it the TCP/UDP pseudo header). */
	__u16 *csum = f.l4_csum;
	if ((void *)(csum + 1) > end)
		return XDP_DROP;
	if (ip) {
		__u16 old[2], new[2];
		__builtin_memcpy(old, &ip->daddr, 4);
		__builtin_memcpy(new, &be->addr[12], 4);
		ip->check = csum_replace(ip->check, old, new, 2);
		if (!f.udp_no_csum) {
			__u16 c = csum_replace(*csum, old, new, 2);
			*csum = (c == 0 && f.vip.proto == IPPROTO_UDP) ? 0xffff : c;
		}
		__builtin_memcpy(&ip->daddr, new, 4);
	} else if (ip6) {
		__u16 old[8], new[8];
		__builtin_memcpy(old, &ip6->daddr, 16);
		__builtin_memcpy(new, be->addr, 16);
		__u16 c = csum_replace(*csum, old, new, 8);
		*csum = (c == 0 && f.vip.proto == IPPROTO_UDP) ? 0xffff : c;
		__builtin_memcpy(&ip6->daddr, new, 16);
	}
	/* Out of the interface it came in on, to the backend's MAC. */
	static const unsigned char lb_mac[6] = LB_MAC;
	__builtin_memcpy(eth->h_dest, be->mac, 6);
	__builtin_memcpy(eth->h_source, lb_mac, 6);
	count(&lb_stats, LB_FORWARDED);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";

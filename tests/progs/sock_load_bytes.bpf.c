/* sock_load_bytes.bpf.c — a UDP port filter reading headers with
 * bpf_skb_load_bytes (offsets from the network header); keeps DNS (53)
 * and records the ports of everything it looked at in a HASH. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u32);
} seen SEC(".maps");

SEC("socket")
int sock_load_bytes(struct __sk_buff *skb)
{
	struct iphdr ip;
	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)))
		return 0;
	if (ip.protocol != IPPROTO_UDP)
		return 0;
	struct udphdr uh;
	if (bpf_skb_load_bytes(skb, ip.ihl * 4, &uh, sizeof(uh)))
		return 0;
	__u32 k = bpf_ntohs(uh.source) << 16 | bpf_ntohs(uh.dest);
	__u32 len = bpf_ntohs(uh.len);
	bpf_map_update_elem(&seen, &k, &len, BPF_ANY);
	return uh.dest == bpf_htons(53) ? skb->len : 0;
}

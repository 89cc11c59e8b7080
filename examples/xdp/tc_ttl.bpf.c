/* tc_ttl.bpf.c — a tc classifier that routes like a hop: IPv4 packets get
 * their TTL decremented (bpf_skb_store_bytes) and the header checksum fixed
 * incrementally (bpf_l3_csum_replace), TTL 1 or less and non-IPv4 frames
 * are dropped (TC_ACT_SHOT).  `bpfrt net run tc` runs it on a capture
 * (tests/hooks/test_net_run.sh). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <stddef.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define TTL_OFF (ETH_HLEN + offsetof(struct iphdr, ttl))
#define CSUM_OFF (ETH_HLEN + offsetof(struct iphdr, check))

SEC("tc")
int tc_ttl(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ttl <= 1)
		return TC_ACT_SHOT;
	/* TTL and protocol share a 16-bit word of the checksum. */
	__u16 old = *(__u16 *)&ip->ttl;
	__u8 ttl = ip->ttl - 1;
	if (bpf_skb_store_bytes(skb, TTL_OFF, &ttl, 1, 0))
		return TC_ACT_SHOT;
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	ip = data + ETH_HLEN;
	if ((void *)(ip + 1) > end)
		return TC_ACT_SHOT;
	__u16 new = *(__u16 *)&ip->ttl;
	if (bpf_l3_csum_replace(skb, CSUM_OFF, old, new, 2))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";

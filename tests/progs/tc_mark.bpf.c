/* tc_mark.bpf.c — a classifier that sets skb->mark and skb->priority from
 * the IPv4 DSCP and protocol (direct packet access), writes cb[2] (priority also adds cb[0]), and
 * returns TC_ACT_OK, or TC_ACT_SHOT for IPv4 packets with TTL 0. */
#include "common.h"

SEC("tc")
int tc_mark(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return TC_ACT_SHOT;
	if (eth->h_proto != bpf_htons(ETH_P_IP)) {
		skb->mark = 0xdead;
		return TC_ACT_OK;
	}
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return TC_ACT_SHOT;
	if (ip->ttl == 0)
		return TC_ACT_SHOT;
	__u32 mark = 0x1000 | ip->tos >> 2;
	skb->cb[2] = mark ^ 0x55;
	skb->priority = ip->protocol + skb->cb[0];
	/* last, like the non-IP path: clang sinks the two paths' final
	 * stores into one, which the verifier accepts only at one offset */
	skb->mark = mark;
	return TC_ACT_OK;
}

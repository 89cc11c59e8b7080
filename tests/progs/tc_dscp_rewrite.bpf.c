/* tc_dscp_rewrite.bpf.c — rewrite the IPv4 DSCP of UDP packets to EF (46)
 * through direct packet access in a classifier, recomputing the header
 * checksum from scratch over the 20-byte header. */
#include "common.h"

__u32 rewrites;

SEC("tc")
int tc_dscp_rewrite(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_UDP)
		return TC_ACT_UNSPEC;
	ip->tos = (46 << 2) | (ip->tos & 3);
	ip->check = 0;
	__u16 *w = (__u16 *)ip;
	__u32 sum = 0;
#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += w[i];
	ip->check = csum_fold32(sum);
	rewrites++;
	return TC_ACT_OK;
}

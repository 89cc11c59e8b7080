/* expect: reject */
/* unsafe: yes */
/* why: a packet pointer used after bpf_skb_pull_data (which may move the packet) */
#include "corpus.h"
SEC("tc") int prog(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return 0;
	bpf_skb_pull_data(skb, 64);
	return eth->h_proto;
}
char LICENSE[] SEC("license") = "GPL";

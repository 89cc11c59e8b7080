/* expect: accept */
/* why: tc rewrites the destination MAC after a check */
#include "corpus.h"
SEC("tc") int prog(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return 0;
	eth->h_dest[0] = 0x02;
	skb->mark = 7;
	return 0;
}
char LICENSE[] SEC("license") = "GPL";

/* sock_skb_fields.bpf.c — read the __sk_buff fields a socket filter may
 * see (len, protocol, pkt_type, ifindex, mark, priority, cb[], queue
 * mapping...) and store the deterministic ones in an ARRAY; returns len. */
#include "common.h"

enum { F_LEN, F_PROTO, F_PKT_TYPE, F_IFINDEX, F_MARK, F_PRIO, F_CB0, F_CB4, F_DATA_LEN, F_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, F_MAX);
	__type(key, __u32);
	__type(value, __u32);
} fields SEC(".maps");

static __always_inline void put(__u32 k, __u32 v)
{
	bpf_map_update_elem(&fields, &k, &v, BPF_ANY);
}

SEC("socket")
int sock_skb_fields(struct __sk_buff *skb)
{
	put(F_LEN, skb->len);
	put(F_PROTO, bpf_ntohs(skb->protocol));
	put(F_PKT_TYPE, skb->pkt_type);
	put(F_IFINDEX, skb->ifindex);
	put(F_MARK, skb->mark);
	put(F_PRIO, skb->priority);
	put(F_CB0, skb->cb[0]);
	put(F_CB4, skb->cb[4]);
	skb->cb[1] = skb->len * 2;
	return skb->len;
}

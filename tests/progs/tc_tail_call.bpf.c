/* tc_tail_call.bpf.c — tail calls in a classifier: the entry picks a slot
 * from skb->mark (set through ctx_in), the callee chains once more; the
 * PROG_ARRAY is filled in the object.  A counter in .data counts hops. */
#include "common.h"

__u32 hops = 100;

int tc_leaf(struct __sk_buff *skb);
int tc_middle(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} jmp SEC(".maps") = {
	.values = {
		[0] = (void *)&tc_middle,
		[5] = (void *)&tc_leaf,
	},
};

SEC("tc")
int tc_leaf(struct __sk_buff *skb)
{
	hops += 10;
	return skb->len;
}

SEC("tc")
int tc_middle(struct __sk_buff *skb)
{
	hops += 1;
	bpf_tail_call(skb, &jmp, 5);
	return TC_ACT_SHOT;
}

SEC("tc")
int tc_tail_call(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jmp, skb->mark & 7);
	return TC_ACT_UNSPEC;
}

/* tc_spin_lock.bpf.c — bpf_spin_lock/unlock around updates of a map value
 * holding a struct bpf_spin_lock (needs BTF for the value type) in a
 * classifier (tracing programs may not take spin locks); the key comes from
 * skb->mark, the sum from skb->len.  The lock word is 0 when unlocked, so
 * whole values are compared. */
#include "common.h"

struct val {
	struct bpf_spin_lock lock;
	__u32 n;
	__u64 sum;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct val);
} locked SEC(".maps");

SEC("tc")
int tc_spin_lock(struct __sk_buff *skb)
{
	__u32 k = skb->mark & 3;
	struct val *v = bpf_map_lookup_elem(&locked, &k);
	if (!v) {
		struct val init = {};
		bpf_map_update_elem(&locked, &k, &init, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&locked, &k);
		if (!v)
			return -1;
	}
	bpf_spin_lock(&v->lock);
	v->n++;
	v->sum += skb->len;
	__u32 n = v->n;
	bpf_spin_unlock(&v->lock);
	return n;
}

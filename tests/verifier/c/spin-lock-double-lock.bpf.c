/* expect: reject */
/* why: taking a second spin lock while one is held */
#include "corpus.h"
struct val { struct bpf_spin_lock lock; __u64 n; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, struct val); } m SEC(".maps");
SEC("tc") int prog(struct __sk_buff *skb)
{
	__u32 k = 0, k1 = 1;
	struct val *v = bpf_map_lookup_elem(&m, &k);
	struct val *w = bpf_map_lookup_elem(&m, &k1);
	if (!v || !w)
		return 0;
	bpf_spin_lock(&v->lock);
	bpf_spin_lock(&w->lock);
	bpf_spin_unlock(&w->lock);
	bpf_spin_unlock(&v->lock);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";

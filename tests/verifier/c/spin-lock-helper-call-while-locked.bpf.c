/* expect: reject */
/* why: calling a helper (bpf_ktime_get_ns) while holding a spin lock */
#include "corpus.h"
struct val { struct bpf_spin_lock lock; __u64 n; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct val); } m SEC(".maps");
SEC("tc") int prog(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct val *v = bpf_map_lookup_elem(&m, &k);
	if (!v)
		return 0;
	bpf_spin_lock(&v->lock);
	v->n = bpf_ktime_get_ns();
	bpf_spin_unlock(&v->lock);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";

/* expect: accept */
/* why: bpf_spin_lock / bpf_spin_unlock around an update of a map value with a lock (BTF) */
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
	v->n++;
	bpf_spin_unlock(&v->lock);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";

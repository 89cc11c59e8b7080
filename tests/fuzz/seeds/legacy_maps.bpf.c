/* legacy_maps.bpf.c — fuzz seed: maps in the legacy "maps" section (struct
 * bpf_map_def) and a socket filter using both; a "version" section. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type, key_size, value_size, max_entries, map_flags;
};

struct bpf_map_def SEC("maps") calls = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 2,
};

struct bpf_map_def SEC("maps") lens = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 8,
};

SEC("socket")
int filter(struct __sk_buff *skb)
{
	__u32 k = 0, len = skb->len;
	__u64 *v = bpf_map_lookup_elem(&calls, &k);
	if (v)
		*v += 1;
	bpf_map_update_elem(&lens, &k, &len, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
__u32 VERSION SEC("version") = 0x060100;

/* legacy_maps.bpf.c — a map in the legacy "maps" section (struct
 * bpf_map_def, which libbpf 1.x no longer declares) and a socket filter
 * counting calls in it; built without -g, so there is no BTF. */
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

SEC("syscall")
int count_calls(void *ctx)
{
	__u32 k = 1;
	__u64 *v = bpf_map_lookup_elem(&calls, &k);
	if (!v)
		return -1;
	*v += 1;
	return (int)*v;
}

char LICENSE[] SEC("license") = "GPL";

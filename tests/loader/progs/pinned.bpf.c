/* pinned.bpf.c — a map pinned by name (LIBBPF_PIN_BY_NAME): two loads of
 * this object share it, so the counter goes on across loads. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_counter SEC(".maps");

SEC("syscall")
int bump(void *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&shared_counter, &k);
	if (!v)
		return -1;
	return (int)__sync_add_and_fetch(v, 1);
}

char LICENSE[] SEC("license") = "GPL";

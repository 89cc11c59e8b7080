/* pinned_other.bpf.c — same pinned map name as pinned.bpf.c with another
 * shape: loading it after pinned.o must fail (incompatible pinned map). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_counter SEC(".maps");

SEC("syscall")
int bump2(void *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&shared_counter, &k);
	return v ? 1 : 0;
}

char LICENSE[] SEC("license") = "GPL";

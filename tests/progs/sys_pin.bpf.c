/* sys_pin.bpf.c — maps pinned by name (LIBBPF_PIN_BY_NAME): the test
 * loads this object twice under a private pin root; the second load must
 * reuse the pinned maps, so the counters continue from the first run.  An
 * unpinned map beside them starts from zero each time. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pinned_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pinned_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} private_count SEC(".maps");

SEC("syscall")
int sys_pin(__u32 *ctx)
{
	__u32 k = 0;
	__u64 *c = bpf_map_lookup_elem(&pinned_count, &k);
	__u64 *p = bpf_map_lookup_elem(&private_count, &k);
	if (!c || !p)
		return -1;
	*c += 1;
	*p += 1;
	__u32 id = *ctx, one = 1;
	__u32 *s = bpf_map_lookup_elem(&pinned_seen, &id);
	if (s)
		*s += 1;
	else
		bpf_map_update_elem(&pinned_seen, &id, &one, BPF_ANY);
	return (int)(*c * 100 + *p);
}

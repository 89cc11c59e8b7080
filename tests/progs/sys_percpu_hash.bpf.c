/* sys_percpu_hash.bpf.c — PERCPU_HASH and PERCPU_ARRAY counters: the
 * program's CPU's slot is updated through lookup pointers; user space sums
 * the slots (the CPU a test run lands on is not part of the result). */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} pch SEC(".maps");

struct slot {
	__u32 calls;
	__u32 last;
	__u64 total;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct slot);
} pca SEC(".maps");

SEC("syscall")
int sys_percpu_hash(__u32 *ctx)
{
	__u32 x = *ctx;
	for (__u32 i = 0; i < 5; i++) {
		__u32 k = (x + i) % 7;
		__u64 *v = bpf_map_lookup_elem(&pch, &k);
		if (v) {
			*v += i + 1;
		} else {
			__u64 init = 1000 + i;
			bpf_map_update_elem(&pch, &k, &init, BPF_NOEXIST);
		}
	}
	__u32 k = x & 3;
	__u32 kk = 6;
	bpf_map_delete_elem(&pch, &kk);
	struct slot *s = bpf_map_lookup_elem(&pca, &k);
	if (!s)
		return -1;
	s->calls++;
	s->last = x;
	s->total += x;
	return s->calls;
}

/* sys_lru_hash.bpf.c — LRU_HASH and LRU_PERCPU_HASH used below capacity
 * (eviction order is an implementation choice and not compared): inserts,
 * overwrites, deletes and lookups keyed by a 16-byte struct. */
#include "common.h"

struct k16 {
	__u64 hi;
	__u64 lo;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 128);
	__type(key, struct k16);
	__type(value, __u32);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u64);
} lru_pc SEC(".maps");

SEC("syscall")
int sys_lru_hash(__u32 *ctx)
{
	__u32 x = *ctx, found = 0;
	for (__u32 i = 0; i < 12; i++) {
		struct k16 k = {.hi = x, .lo = i * 0x100000001ull};
		__u32 v = x * 10 + i;
		bpf_map_update_elem(&lru, &k, &v, BPF_ANY);
		__u32 pk = (x + i) & 15;
		__u64 *pv = bpf_map_lookup_elem(&lru_pc, &pk);
		if (pv) {
			*pv += i;
			found++;
		} else {
			__u64 one = 1;
			bpf_map_update_elem(&lru_pc, &pk, &one, BPF_ANY);
		}
	}
	struct k16 d = {.hi = x, .lo = 3 * 0x100000001ull};
	bpf_map_delete_elem(&lru, &d);
	return found;
}

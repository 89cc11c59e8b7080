/* sys_atomics.bpf.c — every atomic the ISA has, on globals and on a map
 * value: add, and, or, xor (with and without fetch), xchg and cmpxchg in
 * 32 and 64 bits; old values returned by the fetch forms are stored. */
#include "common.h"

struct vals {
	__u64 a64;
	__u32 a32;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vals);
} mv SEC(".maps");

__u64 g64 = 0xf0f0f0f0f0f0f0f0ull;
__u32 g32 = 0x12345678;
__u64 olds[10];

SEC("syscall")
int sys_atomics(__u64 *ctx)
{
	__u64 x = *ctx;
	__sync_fetch_and_add(&g64, x);           /* no fetch: BPF_ADD */
	olds[0] = __sync_fetch_and_add(&g64, 1); /* BPF_ADD | BPF_FETCH */
	olds[1] = __sync_fetch_and_and(&g64, 0xffff0000ffff0000ull);
	olds[2] = __sync_fetch_and_or(&g64, 0x3);
	olds[3] = __sync_fetch_and_xor(&g64, x);
	olds[4] = __sync_lock_test_and_set(&g64, 77);
	olds[5] = __sync_val_compare_and_swap(&g64, 77, 78);
	olds[6] = __sync_val_compare_and_swap(&g64, 77, 79); /* fails */
	olds[7] = __sync_fetch_and_or(&g32, 0x80000000);
	olds[8] = __sync_fetch_and_xor(&g32, (__u32)x);
	__u32 k = 0;
	struct vals *v = bpf_map_lookup_elem(&mv, &k);
	if (!v)
		return -1;
	__sync_fetch_and_add(&v->a64, 1000);
	__sync_fetch_and_sub(&v->a32, 3);
	olds[9] = __sync_val_compare_and_swap(&v->a32, (__u32)-3, 5);
	__sync_fetch_and_and(&v->a32, 0xffff);
	return (int)(g64 + g32);
}

/* sys_array_of_maps.bpf.c — ARRAY_OF_MAPS with inner ARRAY maps placed in
 * slots by the object itself (libbpf's __array(values, ...) initialiser):
 * the program picks an inner map by index, updates it, and notes which
 * slots are empty. */
#include "common.h"

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner inner_a SEC(".maps");
struct inner inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = {&inner_a, [2] = &inner_b},
};

__u32 empty_slots;

SEC("syscall")
int sys_array_of_maps(__u32 *ctx)
{
	__u32 total = 0;
	for (__u32 slot = 0; slot < 4; slot++) {
		__u32 key = slot; /* keeps the loop counter out of helper-visible stack */
		__u32 *inner = bpf_map_lookup_elem(&outer, &key);
		if (!inner) {
			empty_slots |= 1u << slot;
			continue;
		}
		__u32 k = (*ctx + slot) & 3;
		__u32 *v = bpf_map_lookup_elem(inner, &k);
		if (v) {
			*v += slot + 1;
			total += *v;
		}
	}
	return total;
}

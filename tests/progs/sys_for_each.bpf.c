/* sys_for_each.bpf.c — bpf_for_each_map_elem over an ARRAY (sum, with an
 * early stop) and over a HASH filled by the program (count of odd values,
 * and in-place doubling of the values). */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 10);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} h SEC(".maps");

struct acc {
	__u64 sum;
	__u32 visited;
	__u32 stop_at;
};

__s64 counts[3];
__u64 results[3];

static long sum_cb(struct bpf_map *map, __u32 *key, __u64 *val, struct acc *a)
{
	a->sum += *val;
	a->visited++;
	return *key == a->stop_at;
}

static long odd_cb(struct bpf_map *map, __u32 *key, __u64 *val, struct acc *a)
{
	if (*val & 1)
		a->visited++;
	*val *= 2;
	a->sum += *key;
	return 0;
}

SEC("syscall")
int sys_for_each(__u32 *ctx)
{
	for (__u32 i = 0; i < 10; i++) {
		__u64 v = i * 7 + *ctx;
		bpf_map_update_elem(&arr, &i, &v, BPF_ANY);
	}
	for (__u32 i = 0; i < 12; i++) {
		__u32 k = i * 1000 + 1;
		__u64 v = i + *ctx;
		bpf_map_update_elem(&h, &k, &v, BPF_ANY);
	}
	struct acc a = {.stop_at = 6};
	counts[0] = bpf_for_each_map_elem(&arr, sum_cb, &a, 0);
	results[0] = a.sum;
	struct acc b = {};
	counts[1] = bpf_for_each_map_elem(&h, odd_cb, &b, 0);
	results[1] = b.sum;
	results[2] = b.visited;
	return a.visited;
}

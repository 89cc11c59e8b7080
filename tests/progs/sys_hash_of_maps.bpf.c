/* sys_hash_of_maps.bpf.c — HASH_OF_MAPS whose inner maps are HASH maps
 * set in the object's initialiser; the program looks up an inner map by a
 * tenant id and inserts into it. */
#include "common.h"

struct inner {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner tenant_1 SEC(".maps");
struct inner tenant_2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct inner);
} tenants SEC(".maps") = {
	.values = {[1] = &tenant_1, [2] = &tenant_2},
};

struct args {
	__u32 tenant;
	__u32 key;
	__u64 value;
};

SEC("syscall")
int sys_hash_of_maps(struct args *ctx)
{
	__u32 t = ctx->tenant;
	void *inner = bpf_map_lookup_elem(&tenants, &t);
	if (!inner)
		return -2;
	__u32 k = ctx->key;
	__u64 v = ctx->value;
	__u64 *old = bpf_map_lookup_elem(inner, &k);
	if (old)
		v += *old;
	return bpf_map_update_elem(inner, &k, &v, BPF_ANY) ? -1 : (int)v;
}

/* sys_hash_ops.bpf.c — HASH map operations from a program: updates with
 * BPF_ANY/BPF_NOEXIST/BPF_EXIST (their error codes recorded), deletes of
 * present and absent keys, a full map (E2BIG), and lookups. */
#include "common.h"

struct key {
	__u32 id;
	__u16 port;
	__u8 proto;
	__u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, struct key);
	__type(value, __u64);
} tbl SEC(".maps");

__s64 errs[16];

SEC("syscall")
int sys_hash_ops(__u32 *ctx)
{
	__u32 base = *ctx;
	int n = 0;
	for (__u32 i = 0; i < 10; i++) {
		struct key k = {.id = base + i, .port = 80 + i, .proto = 6};
		__u64 v = i * 100;
		long r = bpf_map_update_elem(&tbl, &k, &v, BPF_NOEXIST);
		if (i >= 7)
			errs[i - 7] = r; /* i = 8, 9: the map is full */
		if (!r)
			n++;
	}
	struct key k = {.id = base + 1, .port = 81, .proto = 6};
	__u64 v = 1;
	errs[3] = bpf_map_update_elem(&tbl, &k, &v, BPF_NOEXIST); /* -EEXIST */
	errs[4] = bpf_map_update_elem(&tbl, &k, &v, BPF_EXIST);
	errs[5] = bpf_map_delete_elem(&tbl, &k);
	errs[6] = bpf_map_delete_elem(&tbl, &k); /* -ENOENT */
	errs[7] = bpf_map_update_elem(&tbl, &k, &v, BPF_EXIST); /* -ENOENT */
	k.port = 9999;
	errs[8] = bpf_map_update_elem(&tbl, &k, &v, BPF_ANY);
	errs[9] = bpf_map_update_elem(&tbl, &k, &v, 7); /* bad flags: -EINVAL */
	k.id = base + 3;
	k.port = 83;
	__u64 *p = bpf_map_lookup_elem(&tbl, &k);
	errs[10] = p ? (__s64)*p : -1;
	k.id = 12345678;
	errs[11] = bpf_map_lookup_elem(&tbl, &k) ? 1 : 0;
	return n;
}

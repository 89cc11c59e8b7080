/* raw_tp_bloom.bpf.c — BLOOM_FILTER from a program: push the ctx values,
 * then query pushed values (must be found: 0) and record the results;
 * absent values may be false positives, so only pushed ones are compared. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 64);
	__type(value, __u64);
	__uint(map_extra, 3); /* hash functions */
} bloom SEC(".maps");

__s64 push_ret[4];
__s64 peek_ret[4];

SEC("raw_tp/sys_exit")
int raw_tp_bloom(struct bpf_raw_tracepoint_args *ctx)
{
	for (int i = 0; i < 4; i++) {
		__u64 v = ctx->args[i];
		push_ret[i] = bpf_map_push_elem(&bloom, &v, BPF_ANY);
	}
	for (int i = 0; i < 4; i++) {
		__u64 v = ctx->args[3 - i];
		peek_ret[i] = bpf_map_peek_elem(&bloom, &v);
	}
	return (int)(push_ret[0] + peek_ret[0]);
}

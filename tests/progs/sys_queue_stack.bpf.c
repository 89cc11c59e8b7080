/* sys_queue_stack.bpf.c — QUEUE and STACK maps: push past capacity (with
 * and without BPF_EXIST, which overwrites the oldest), peek and pop; pop
 * results and helper returns are stored; user space drains what is left. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 4);
	__type(value, __u32);
} q SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 4);
	__type(value, __u64);
} st SEC(".maps");

__s64 rets[12];
__u64 popped[6];

SEC("syscall")
int sys_queue_stack(__u32 *ctx)
{
	__u32 x = *ctx;
	for (__u32 i = 0; i < 5; i++) {
		__u32 v = x + i;
		rets[i] = bpf_map_push_elem(&q, &v, 0); /* the 5th: -E2BIG */
	}
	__u32 v = 999;
	rets[5] = bpf_map_push_elem(&q, &v, BPF_EXIST); /* drops the oldest */
	__u32 qv = 0;
	rets[6] = bpf_map_pop_elem(&q, &qv);
	popped[0] = qv;
	rets[7] = bpf_map_peek_elem(&q, &qv);
	popped[1] = qv;
	for (__u64 i = 0; i < 6; i++) {
		__u64 s = (x + 1) * 100 + i;
		bpf_map_push_elem(&st, &s, BPF_EXIST);
	}
	__u64 sv = 0;
	rets[8] = bpf_map_pop_elem(&st, &sv);
	popped[2] = sv;
	rets[9] = bpf_map_peek_elem(&st, &sv);
	popped[3] = sv;
	return (int)(popped[0] + popped[2]);
}

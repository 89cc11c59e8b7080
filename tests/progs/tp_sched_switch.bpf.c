/* tp_sched_switch.bpf.c — a TRACEPOINT program on sched/sched_switch with
 * the record read through bpf_probe_read_kernel and a per-CPU counter;
 * load-only in the kernel comparison. */
#include "common.h"

struct sched_switch_args {
	__u64 common;
	char prev_comm[16];
	__s32 prev_pid;
	__s32 prev_prio;
	__s64 prev_state;
	char next_comm[16];
	__s32 next_pid;
	__s32 next_prio;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} switches SEC(".maps");

SEC("tracepoint/sched/sched_switch")
int tp_sched_switch(struct sched_switch_args *ctx)
{
	__s32 pid = 0;
	bpf_probe_read_kernel(&pid, sizeof(pid), &ctx->next_pid);
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&switches, &k);
	if (v)
		*v += pid != 0;
	return 0;
}

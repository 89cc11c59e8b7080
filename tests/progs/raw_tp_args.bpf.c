/* raw_tp_args.bpf.c — a raw tracepoint program (sys_enter: args[0] is
 * the pt_regs pointer, args[1] the syscall number) run through test_run
 * with a ctx of six u64 arguments; it hashes the arguments into a HASH
 * keyed by syscall number. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u64);
} by_nr SEC(".maps");

SEC("raw_tp/sys_enter")
int raw_tp_args(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 nr = ctx->args[1];
	__u64 h = 1469598103934665603ull;
	for (int i = 2; i < 6; i++)
		h = (h ^ ctx->args[i]) * 1099511628211ull;
	__u64 *v = bpf_map_lookup_elem(&by_nr, &nr);
	if (v)
		*v ^= h;
	else
		bpf_map_update_elem(&by_nr, &nr, &h, BPF_ANY);
	return (int)(nr & 0xff);
}

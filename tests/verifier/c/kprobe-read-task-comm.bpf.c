/* expect: accept */
/* why: bpf_get_current_comm into a 16-byte stack buffer, emitted to a perf buffer */
#include "corpus.h"
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, 4); __uint(value_size, 4); } ev SEC(".maps");
SEC("kprobe/do_nanosleep") int prog(void *ctx)
{
	char comm[16];
	bpf_get_current_comm(comm, sizeof(comm));
	bpf_perf_event_output(ctx, &ev, BPF_F_CURRENT_CPU, comm, sizeof(comm));
	return 0;
}
char LICENSE[] SEC("license") = "GPL";

/* expect: accept */
/* why: ring buffer reserve, fill, submit */
#include "corpus.h"
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
SEC("tracepoint/syscalls/sys_enter_getpid") int prog(void *ctx)
{
	__u64 *e = bpf_ringbuf_reserve(&rb, 16, 0);
	if (!e)
		return 0;
	e[0] = bpf_ktime_get_ns();
	e[1] = bpf_get_current_pid_tgid();
	bpf_ringbuf_submit(e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";

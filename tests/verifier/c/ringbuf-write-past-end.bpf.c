/* expect: reject */
/* unsafe: yes */
/* why: writing the third u64 of a 16-byte reservation */
#include "corpus.h"
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rb SEC(".maps");
SEC("tracepoint/syscalls/sys_enter_getpid") int prog(void *ctx)
{
	volatile __u64 *e = bpf_ringbuf_reserve(&rb, 16, 0);
	if (!e)
		return 0;
	e[opaque(2)] = 1;
	bpf_ringbuf_submit((void *)e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";

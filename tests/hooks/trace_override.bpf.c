/* trace_override.bpf.c — bpf_override_return in a sys_exit program replaces
 * the call's result (tests/hooks/test_trace_cli.sh): every getppid of the
 * traced processes returns 4242, so `sh -c 'echo $PPID'` prints 4242.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "syscall_tp.h"

SEC("tracepoint/syscalls/sys_exit_getppid")
int fake_ppid(struct trace_event_raw_sys_exit *ctx)
{
	/* The helper is declared for kprobes (struct pt_regs *); any ctx works. */
	bpf_override_return((struct pt_regs *)(void *)ctx, 4242);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

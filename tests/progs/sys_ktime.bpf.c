/* sys_ktime.bpf.c — time helpers used only in ways that are deterministic:
 * monotonic order of two readings and non-zero results; the raw times are
 * never stored. */
#include "common.h"

__u32 checks[3];

SEC("syscall")
int sys_ktime(void *ctx)
{
	__u64 t1 = bpf_ktime_get_ns();
	__u64 t2 = bpf_ktime_get_ns();
	__u64 b = bpf_ktime_get_boot_ns();
	checks[0] = t2 >= t1;
	checks[1] = t1 != 0;
	checks[2] = b >= t1;
	return checks[0] + checks[1] + checks[2];
}

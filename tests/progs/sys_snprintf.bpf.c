/* sys_snprintf.bpf.c — bpf_snprintf with %d %u %x %llx %s %c %% and widths
 * into .bss buffers, a truncated output, and bpf_strncmp on the results. */
#include "common.h"

char out1[64];
char out2[8];
__s64 rets[4];

const char want[] = "n=-7";

SEC("syscall")
int sys_snprintf(__u64 *ctx)
{
	static const char fmt1[] = "n=%d u=%u x=%x X=%llx s=%s c=%c %%";
	__u64 args1[6] = {(__u64)(__s64)-7, 4000000000ull, 0xbeef, *ctx, (__u64)(long)"str", 'Z'};
	rets[0] = bpf_snprintf(out1, sizeof(out1), fmt1, args1, sizeof(args1));
	static const char fmt2[] = "%05d|%-4u|";
	__u64 args2[2] = {42, 7};
	rets[1] = bpf_snprintf(out2, sizeof(out2), fmt2, args2, sizeof(args2));
	rets[2] = bpf_strncmp(out1, 4, want);
	rets[3] = bpf_strncmp(out1, 3, "n=.");
	return (int)rets[0];
}

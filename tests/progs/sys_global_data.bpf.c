/* sys_global_data.bpf.c — global variables in every section libbpf maps:
 * .data (initialised), .bss (zero), .rodata (const), custom .data.stats
 * and .rodata.table sections; a SYSCALL program reads and updates them all
 * and returns a checksum of what it saw. */
#include "common.h"

struct args {
	__u32 a;
	__u32 b;
};

__u64 counter = 5;
__u32 history[8];
__u32 hist_pos;
const __u32 primes[6] = {2, 3, 5, 7, 11, 13};
__u64 stat_calls SEC(".data.stats") = 1000;
__u64 stat_sum SEC(".data.stats");
const __u16 squares[5] SEC(".rodata.table") = {0, 1, 4, 9, 16};
char greeting[16] = "hello";

SEC("syscall")
int sys_global_data(struct args *ctx)
{
	__u32 a = ctx->a, b = ctx->b;
	counter += a;
	__u32 p = hist_pos;
	history[p & 7] = a * primes[b & 3];
	hist_pos = p + 1;
	stat_calls++;
	stat_sum += squares[(a ^ b) & 3] + b;
	greeting[5] = '0' + (a % 10);
	return (int)(counter + history[p & 7] + squares[b & 3]);
}

/* sys_knobs.bpf.c — const volatile configuration in .rodata set by the
 * loader before load (the test sets cfg to {mult = 3, add = 100, flags =
 * 5}); the verifier sees the frozen values and prunes the branches they
 * disable.  The result mixes the knobs with ctx input. */
#include "common.h"

const volatile struct {
	__u32 mult;
	__u32 add;
	__u32 flags;
} cfg = {1, 0, 0};

__u64 result;

SEC("syscall")
int sys_knobs(__u32 *ctx)
{
	__u64 v = *ctx;
	v = v * cfg.mult + cfg.add;
	if (cfg.flags & 1)
		v ^= 0x5555;
	if (cfg.flags & 2)
		v = 0; /* never taken when flags == 5 */
	if (cfg.flags & 4)
		v <<= 1;
	result = v;
	return (int)v;
}

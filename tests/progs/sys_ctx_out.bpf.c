/* sys_ctx_out.bpf.c — a SYSCALL program writes its context: it reverses
 * a 24-byte buffer in place and stores a length, so ctx_out carries the
 * result back (compared byte for byte). */
#include "common.h"

struct args {
	__u32 len;
	__u32 sum;
	char buf[24];
};

SEC("syscall")
int sys_ctx_out(struct args *uctx)
{
	/* ctx may only be accessed at constant offsets: work on a copy, then
	 * write it back whole */
	struct args copy;
	__builtin_memcpy(&copy, uctx, sizeof(copy));
	struct args *ctx = &copy;
	__u32 n = ctx->len;
	if (n > 24)
		n = 24;
	__u32 sum = 0;
	for (__u32 i = 0; i < 12; i++) {
		if (i >= n / 2)
			break;
		char t = ctx->buf[i];
		__u32 j = n - 1 - i;
		if (j >= 24)
			break;
		ctx->buf[i] = ctx->buf[j];
		ctx->buf[j] = t;
	}
	for (int i = 0; i < 24; i++)
		sum += (__u8)ctx->buf[i] * (i + 1);
	ctx->sum = sum;
	__builtin_memcpy(uctx, &copy, sizeof(copy));
	return n;
}

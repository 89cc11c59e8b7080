/* sys_alu.bpf.c — integer arithmetic whose encoding differs between
 * -mcpu=v3 and v4: signed division and modulo, sign-extending loads and
 * moves, byte swaps, 32-bit wrap-around, shifts by variable amounts. */
#include "common.h"

struct args {
	__s64 a;
	__s64 b;
	__s8 c8;
	__s16 c16;
	__s32 c32;
};

__s64 r[16];

/* -mcpu=v3 has no signed division: the same results through unsigned
 * division and sign fix-ups (C's truncation toward zero). */
#if __BPF_CPU_VERSION__ >= 4
#define SDIV(a, b) ((a) / (b))
#define SMOD(a, b) ((a) % (b))
#else
static __always_inline __s64 sdiv64(__s64 a, __s64 b)
{
	__u64 ua = a < 0 ? -(__u64)a : (__u64)a, ub = b < 0 ? -(__u64)b : (__u64)b;
	__u64 q = ua / ub;
	return (a < 0) != (b < 0) ? -(__s64)q : (__s64)q;
}
static __always_inline __s64 smod64(__s64 a, __s64 b)
{
	return a - sdiv64(a, b) * b;
}
#define SDIV(a, b) sdiv64((a), (b))
#define SMOD(a, b) smod64((a), (b))
#endif

SEC("syscall")
int sys_alu(struct args *ctx)
{
	__s64 a = ctx->a, b = ctx->b;
	if (b == 0)
		return -1;
	r[0] = SDIV(a, b);
	r[1] = SMOD(a, b);
	r[2] = (__s32)SDIV((__s64)(__s32)a, (__s64)(__s32)b);
	r[3] = (__s32)SMOD((__s64)(__s32)a, (__s64)(__s32)b);
	r[4] = (__u64)a / (__u64)b;
	r[5] = ctx->c8;             /* sign-extending byte load */
	r[6] = ctx->c16 * 3;
	r[7] = (__s64)ctx->c32 << 3;
	r[8] = __builtin_bswap16((__u16)a);
	r[9] = __builtin_bswap32((__u32)a);
	r[10] = __builtin_bswap64((__u64)a);
	r[11] = (__s8)a + (__s16)b;  /* sign-extending moves */
	r[12] = (__u32)(a * b);
	r[13] = a >> (b & 63);
	r[14] = (__u64)a >> (b & 63);
	r[15] = (__s32)((__u32)a << (b & 31)) >> 1;
	return (int)(r[0] ^ r[1] ^ r[11]);
}

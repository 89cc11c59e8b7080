/* sys_strtol.bpf.c — bpf_strtol and bpf_strtoul on strings from ctx and
 * from .rodata: decimal, hex with 0x, octal, auto base, signs, garbage and
 * overflow; each result and return value is stored. */
#include "common.h"

struct args {
	char buf[32];
};

struct res {
	__s64 ret;
	__s64 val;
};

struct res out[8];

static __always_inline void do_l(int i, const char *s, __u32 len, __u64 flags)
{
	long v = 0;
	out[i].ret = bpf_strtol(s, len, flags, &v);
	out[i].val = v;
}

static __always_inline void do_ul(int i, const char *s, __u32 len, __u64 flags)
{
	unsigned long v = 0;
	out[i].ret = bpf_strtoul(s, len, flags, &v);
	out[i].val = (__s64)v;
}

const char s_hex[] = "0x7fffABCD tail";
const char s_neg[] = "-12345";
const char s_oct[] = "0777";
const char s_big[] = "99999999999999999999";
const char s_bad[] = "xyz";

SEC("syscall")
int sys_strtol(struct args *ctx)
{
	char buf[32]; /* helpers take no ctx pointers: copy to the stack */
	__builtin_memcpy(buf, ctx->buf, sizeof(buf));
	do_l(0, buf, sizeof(buf), 10);
	do_l(1, s_hex, sizeof(s_hex), 0);
	do_l(2, s_neg, sizeof(s_neg), 10);
	do_ul(3, s_neg, sizeof(s_neg), 10);
	do_ul(4, s_oct, sizeof(s_oct), 0);
	do_ul(5, s_big, sizeof(s_big), 10);
	do_l(6, s_bad, sizeof(s_bad), 16);
	do_ul(7, s_hex, 6, 16);
	return (int)out[0].val;
}

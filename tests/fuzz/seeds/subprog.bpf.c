/* subprog.bpf.c — fuzz seed: static and global subprograms called from two
 * programs in different sections, and a bpf_loop callback. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int square(int x)
{
	return x * x;
}

__attribute__((noinline)) int add3(int a, int b, int c)
{
	return a + b + square(c);
}

static int step(__u32 i, void *ctx)
{
	*(int *)ctx += square((int)i);
	return 0;
}

SEC("syscall")
int sum(void *ctx)
{
	int acc = 0;
	bpf_loop(4, step, &acc, 0);
	return add3(acc, 1, 2);
}

SEC("tc")
int classify(struct __sk_buff *skb)
{
	return square((int)skb->len) > 100 ? 2 : 0;
}

char LICENSE[] SEC("license") = "GPL";

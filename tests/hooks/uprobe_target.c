/* uprobe_target.c — the traced process of tests/hooks/test_uprobe.c and the
 * uprobe benchmark: calls uprobe_target_add(i, i * 1000, "hello") and
 * uprobe_target_ret(i) N times (N = argv[1], default 100), so a probe on
 * them must fire exactly N times with those arguments.  With "time" as
 * argv[2] it prints the loop's nanoseconds per iteration to stdout.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* noinline and an empty asm keep each call a real call at every -O. */
__attribute__((noinline)) long uprobe_target_add(int a, long b, const char *s)
{
	__asm__ volatile("" ::: "memory");
	return a + b + (s[0] == 'h');
}

__attribute__((noinline)) int uprobe_target_ret(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * 2 + 1;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
	struct timespec t0, t1;
	volatile long sink = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		sink += uprobe_target_add((int)i, i * 1000, "hello");
		sink += uprobe_target_ret((int)i);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (argc > 2) {
		double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
		printf("%.1f\n", n ? ns / (double)n : 0.0);
	}
	return sink == -1;
}

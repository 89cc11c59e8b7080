/* uprobe_target.c — the traced process of tests/hooks/test_uprobe.c and the
 * uprobe benchmark: calls uprobe_target_add(i, i * 1000, "hello") and
 * uprobe_target_ret(i) N times (N = argv[1], default 100), so a probe on
 * them must fire exactly N times with those arguments; the USDT probe
 * bpfrt_test:tick(i, i * 1000) fires at each iteration while its semaphore is
 * set (by whoever attaches to it).  argv[3] = THREADS runs the loop in that
 * many threads at once (each N times).  With "time" as
 * argv[2] it prints the loop's nanoseconds per iteration to stdout.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* noinline and an empty asm keep each call a real call at every -O; the
 * string goes through a volatile pointer so that no compiler specializes
 * the function for a constant argument (clang -O3 made a
 * uprobe_target_add.specialized.1 that the probes never saw). */
static const char *volatile greeting = "hello";

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

/* A USDT probe site, bpfrt_test:tick(int a, long b), with a semaphore:
 * the note <sys/sdt.h> would emit (that header may be missing), written
 * out: the site's address, .stapsdt.base's, the semaphore's, then
 * "provider\0name\0args\0" with the operands' registers filled in. */
__attribute__((section(".probes"), used)) volatile unsigned short bpfrt_test_tick_semaphore;

#define TICK(a, b)                                                                                 \
	__asm__ volatile("990: nop\n"                                                              \
			 ".pushsection .note.stapsdt,\"?\",\"note\"\n"                                  \
			 ".balign 4\n"                                                                \
			 ".4byte 992f-991f, 994f-993f, 3\n"                                            \
			 "991: .asciz \"stapsdt\"\n"                                                   \
			 "992: .balign 4\n"                                                           \
			 "993: .8byte 990b\n"                                                          \
			 ".8byte _.stapsdt.base\n"                                                     \
			 ".8byte bpfrt_test_tick_semaphore\n"                                          \
			 ".asciz \"bpfrt_test\"\n"                                                     \
			 ".asciz \"tick\"\n"                                                           \
			 ".asciz \"-4@%k0 8@%q1\"\n"                                                   \
			 "994: .balign 4\n"                                                           \
			 ".popsection\n"                                                              \
			 ".ifndef _.stapsdt.base\n"                                                   \
			 ".pushsection .stapsdt.base,\"aG\",\"progbits\",.stapsdt.base,comdat\n"         \
			 ".weak _.stapsdt.base\n"                                                     \
			 ".hidden _.stapsdt.base\n"                                                   \
			 "_.stapsdt.base: .space 1\n"                                                 \
			 ".size _.stapsdt.base, 1\n"                                                  \
			 ".popsection\n"                                                              \
			 ".endif\n" ::"r"(a), "r"(b))

static long loops;

static void *run_loop(void *arg)
{
	volatile long sink = 0;
	for (long i = 0; i < loops; i++) {
		sink += uprobe_target_add((int)i, i * 1000, greeting);
		sink += uprobe_target_ret((int)i);
		if (bpfrt_test_tick_semaphore)
			TICK((int)i, i * 1000);
	}
	*(long *)arg = sink;
	return NULL;
}

int main(int argc, char **argv)
{
	loops = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
	long threads = argc > 3 ? strtol(argv[3], NULL, 10) : 1;
	if (threads < 1 || threads > 64)
		threads = 1;
	/* Touch the string's page first: the kernel's uprobes read user memory
	 * without faulting pages in, so its first bpf_probe_read_user_str of a
	 * never-touched page fails (the differential test would see it). */
	if (!greeting[0])
		return 3;
	struct timespec t0, t1;
	long sinks[64] = {0};
	pthread_t tids[64];
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long t = 1; t < threads; t++)
		if (pthread_create(&tids[t], NULL, run_loop, &sinks[t]))
			return 2;
	run_loop(&sinks[0]);
	for (long t = 1; t < threads; t++)
		pthread_join(tids[t], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (argc > 2 && !strcmp(argv[2], "time")) {
		double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
		printf("%.1f\n", loops ? ns / (double)loops : 0.0);
	}
	return sinks[0] == -1;
}

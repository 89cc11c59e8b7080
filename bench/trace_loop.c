/* trace_loop.c — the workload of bench/trace_bench.sh: N system calls of
 * one kind in a loop, timed with CLOCK_MONOTONIC inside the process, so
 * the figure is the cost per call as the traced program sees it.
 *   trace_loop getppid|openat N      prints "<kind> <N> <ns per call>"
 * openat opens /dev/null read-only and closes it (the close is counted in
 * the same iteration).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	long n = atol(argv[2]);
	int open_kind = !strcmp(argv[1], "openat");
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		if (open_kind) {
			int fd = openat(AT_FDCWD, "/dev/null", O_RDONLY);
			if (fd >= 0)
				close(fd);
		} else {
			syscall(SYS_getppid);
		}
	}
	double t = now_ns() - t0;
	printf("%s %ld %.0f\n", argv[1], n, t / (double)n);
	return 0;
}

/* trace.c — bpf_trace_printk and bpf_trace_vprintk, and the runtime's trace
 * pipe: the user-space stand-in for /sys/kernel/tracing/trace_pipe.  Each
 * message becomes one line "<comm>-<tid> [<cpu>] ..... <sec.usec>:
 * bpf_trace_printk: <text>", written with a single write() (atomic: lines
 * are shorter than PIPE_BUF) to a non-blocking pipe; when nobody reads and
 * the pipe is full, new lines are dropped.  $BPFRT_TRACE=stderr mirrors
 * every line to stderr.  The pipe is created on first use (bpfrt_trace_pipe_fd
 * or a first message) and closed by bpfrt_free().
 */
#define _GNU_SOURCE
#include "helpers/helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define MAX_TRACE_PRINTK_ARGS 3

static int trace_pipe_open(struct bpfrt *rt)
{
	if (__atomic_load_n(&rt->trace_ready, __ATOMIC_ACQUIRE))
		return 0;
	int err = 0;
	pthread_mutex_lock(&rt->lock);
	if (!rt->trace_ready) {
		if (pipe2(rt->trace_fds, O_NONBLOCK | O_CLOEXEC))
			err = -errno;
		else
			__atomic_store_n(&rt->trace_ready, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&rt->lock);
	return err;
}

int bpfrt_trace_pipe_fd(struct bpfrt *rt)
{
	if (!rt) {
		errno = EINVAL;
		return -EINVAL;
	}
	int err = trace_pipe_open(rt);
	if (err) {
		errno = -err;
		return err;
	}
	return rt->trace_fds[0];
}

void bpfrt_trace_pipe_close(struct bpfrt *rt)
{
	if (rt->trace_ready) {
		close(rt->trace_fds[0]);
		close(rt->trace_fds[1]);
		rt->trace_ready = 0;
	}
}

static void trace_emit(struct bpfrt *rt, const char *text)
{
	char comm[17] = "<...>";
	struct timespec ts;
	char line[BPFRT_BPRINTF_BUF + 128];
	prctl(PR_GET_NAME, comm, 0, 0, 0);
	comm[16] = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int cpu = sched_getcpu();
	size_t len = strlen(text);
	/* The kernel's bpf_trace_printk event ends every record with a newline. */
	bool nl = len && text[len - 1] == '\n';
	int n = snprintf(line, sizeof(line), "%16s-%-7d [%03d] ..... %5llu.%06llu: bpf_trace_printk: %s%s", comm,
			 (int)gettid(), cpu < 0 ? 0 : cpu, (unsigned long long)ts.tv_sec,
			 (unsigned long long)ts.tv_nsec / 1000, text, nl ? "" : "\n");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (rt->trace_stderr)
		fwrite(line, 1, (size_t)n, stderr);
	if (trace_pipe_open(rt) == 0) {
		ssize_t w = write(rt->trace_fds[1], line, (size_t)n);
		(void)w; /* full pipe: the line is dropped */
	}
}

static uint64_t do_printk(struct bpfrt_run *run, uint64_t fmt, uint32_t fmt_size, const uint64_t *args,
			  uint32_t nargs)
{
	char buf[BPFRT_BPRINTF_BUF];
	if (!fmt || !bpfrt_run_access_ok(run, (const void *)(uintptr_t)fmt, fmt_size, false))
		return (uint64_t)-EFAULT;
	int n = bpfrt_bprintf((const char *)(uintptr_t)fmt, fmt_size, args, nargs, buf, sizeof(buf));
	if (n < 0)
		return (uint64_t)(int64_t)n;
	trace_emit(bpfrt_run_runtime(run), buf);
	return (uint64_t)n;
}

static uint64_t h_trace_printk(uint64_t fmt, uint64_t fmt_size, uint64_t a1, uint64_t a2, uint64_t a3,
			       struct bpfrt_run *run)
{
	const uint64_t args[MAX_TRACE_PRINTK_ARGS] = {a1, a2, a3};
	return do_printk(run, fmt, (uint32_t)fmt_size, args, MAX_TRACE_PRINTK_ARGS);
}

static uint64_t h_trace_vprintk(uint64_t fmt, uint64_t fmt_size, uint64_t data, uint64_t data_len, uint64_t r5,
				struct bpfrt_run *run)
{
	(void)r5;
	uint32_t len = (uint32_t)data_len;
	uint64_t args[BPFRT_BPRINTF_MAX_ARGS];
	if (len & 7 || len > BPFRT_BPRINTF_MAX_ARGS * 8 || (len && !data))
		return (uint64_t)-EINVAL;
	if (!bpfrt_run_access_ok(run, (const void *)(uintptr_t)data, len, false))
		return (uint64_t)-EFAULT;
	if (len)
		memcpy(args, (const void *)(uintptr_t)data, len);
	return do_printk(run, fmt, (uint32_t)fmt_size, args, len / 8);
}

void bpfrt_helpers_register_trace(struct bpfrt *rt)
{
	const char *mode = getenv("BPFRT_TRACE");
	rt->trace_stderr = mode && !strcmp(mode, "stderr");
	bpfrt_register_helper(rt, BPF_FUNC_trace_printk, "trace_printk", h_trace_printk);
	bpfrt_register_helper(rt, BPF_FUNC_trace_vprintk, "trace_vprintk", h_trace_vprintk);
}

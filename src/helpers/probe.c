/* probe.c — bpf_probe_read_{kernel,user}[_str].  Without a task both
 * "kernel" and "user" memory mean this process.  With a run's task (a traced
 * process, struct bpfrt_task) "user" memory is the task's, read through
 * process_vm_readv() on its thread, and "kernel" memory is this process
 * (where the hook keeps the context and its struct pt_regs copy); the
 * legacy bpf_probe_read(_str), which the kernel lets read either, reads the
 * task's "kernel" regions here and the task otherwise.  Reads never fault:
 * a bad address gives -EFAULT with dst zero-filled, as the kernel's
 * *_nofault copies do.  Own-process reads go through process_vm_readv() on
 * our own pid (or, where that call is unavailable, write() into a pipe).
 */
#define _GNU_SOURCE
#include "helpers/helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define PAGE 4096u

/* Fallback: the kernel checks the source of write(2) and says EFAULT.  One
 * pipe per thread, created on first need. */
static ssize_t read_via_pipe(void *dst, const void *src, size_t n)
{
	static _Thread_local int fds[2] = {-1, -1};
	if (fds[0] < 0 && pipe2(fds, O_CLOEXEC | O_NONBLOCK))
		return -1;
	size_t done = 0;
	while (done < n) {
		size_t chunk = n - done < PAGE ? n - done : PAGE;
		ssize_t w = write(fds[1], (const char *)src + done, chunk);
		if (w <= 0)
			break;
		ssize_t r = read(fds[0], (char *)dst + done, (size_t)w);
		if (r != w)
			return -1;
		done += (size_t)w;
	}
	return (ssize_t)done;
}

/* Bytes readable from src (at most n), copied to dst. */
static size_t copy_some(void *dst, const void *src, size_t n)
{
	static _Thread_local int use_pipe;
	if (!n)
		return 0;
	if (!use_pipe) {
		struct iovec l = {.iov_base = dst, .iov_len = n};
		struct iovec r = {.iov_base = (void *)(uintptr_t)src, .iov_len = n};
		ssize_t got = process_vm_readv(getpid(), &l, 1, &r, 1, 0);
		if (got >= 0)
			return (size_t)got;
		if (errno != ENOSYS && errno != EPERM)
			return 0;
		use_pipe = 1;
	}
	ssize_t got = read_via_pipe(dst, src, n);
	return got < 0 ? 0 : (size_t)got;
}

int bpfrt_read_nofault(void *dst, const void *src, size_t n)
{
	if ((uintptr_t)src + n < (uintptr_t)src || copy_some(dst, src, n) != n) {
		memset(dst, 0, n);
		return -EFAULT;
	}
	return 0;
}

/* Reads go through a small bounce buffer so that nothing past the NUL is
 * written to dst: the kernel's bpf_probe_read_*_str leave those bytes
 * alone, and programs rely on it (a zeroed key buffer stays zero-padded). */
#define STR_STEP 256u

long bpfrt_read_str_nofault(char *dst, const void *src, size_t n)
{
	char bounce[STR_STEP];
	size_t done = 0;
	if (!n)
		return 0;
	while (done < n) {
		uintptr_t a = (uintptr_t)src + done;
		size_t chunk = PAGE - (a % PAGE);
		if (chunk > n - done)
			chunk = n - done;
		if (chunk > STR_STEP)
			chunk = STR_STEP;
		if (copy_some(bounce, (const void *)a, chunk) != chunk)
			return -EFAULT;
		char *nul = memchr(bounce, 0, chunk);
		size_t take = nul ? (size_t)(nul - bounce) + 1 : chunk;
		memcpy(dst + done, bounce, take);
		if (nul)
			return (long)(done + take);
		done += chunk;
	}
	dst[n - 1] = 0;
	return (long)n;
}

/* Bytes of the task's memory at src (at most n) copied to dst.  The tracer
 * is the task's ptracer, which process_vm_readv requires. */
static size_t task_copy_some(const struct bpfrt_task *t, void *dst, uint64_t src, size_t n)
{
	if (!n)
		return 0;
	struct iovec l = {.iov_base = dst, .iov_len = n};
	struct iovec r = {.iov_base = (void *)(uintptr_t)src, .iov_len = n};
	ssize_t got = process_vm_readv(t->tid, &l, 1, &r, 1, 0);
	return got < 0 ? 0 : (size_t)got;
}

static int task_read(const struct bpfrt_task *t, void *dst, uint64_t src, size_t n)
{
	if (src + n < src || task_copy_some(t, dst, src, n) != n) {
		memset(dst, 0, n);
		return -EFAULT;
	}
	return 0;
}

/* As bpfrt_read_str_nofault, from the task: page by page, so a string that
 * ends before an unmapped page reads; nothing past the NUL is written. */
static long task_read_str(const struct bpfrt_task *t, char *dst, uint64_t src, size_t n)
{
	char bounce[STR_STEP];
	size_t done = 0;
	if (!n)
		return 0;
	while (done < n) {
		uint64_t a = src + done;
		size_t chunk = PAGE - (a % PAGE);
		if (chunk > n - done)
			chunk = n - done;
		if (chunk > STR_STEP)
			chunk = STR_STEP;
		if (task_copy_some(t, bounce, a, chunk) != chunk)
			return -EFAULT;
		char *nul = memchr(bounce, 0, chunk);
		size_t take = nul ? (size_t)(nul - bounce) + 1 : chunk;
		memcpy(dst + done, bounce, take);
		if (nul)
			return (long)(done + take);
		done += chunk;
	}
	dst[n - 1] = 0;
	return (long)n;
}

/* Where a read goes. */
enum probe_space { SPACE_KERNEL, SPACE_USER, SPACE_EITHER };

/* The task to read from for this space and address, or NULL for this
 * process. */
static const struct bpfrt_task *read_target(struct bpfrt_run *run, enum probe_space space, uint64_t src)
{
	const struct bpfrt_task *t = bpfrt_run_task(run);
	if (!t || space == SPACE_KERNEL)
		return NULL;
	if (space == SPACE_EITHER)
		for (int i = 0; i < 2; i++) {
			uintptr_t lo = (uintptr_t)t->kmem[i];
			if (lo && src >= lo && src < lo + t->kmem_size[i])
				return NULL;
		}
	return t;
}

static uint64_t probe_read(uint64_t dst, uint64_t size, uint64_t src, struct bpfrt_run *run,
			   enum probe_space space)
{
	uint32_t n = (uint32_t)size;
	void *d = (void *)(uintptr_t)dst;
	if (!bpfrt_run_access_ok(run, d, n, true))
		return (uint64_t)-EFAULT;
	const struct bpfrt_task *t = read_target(run, space, src);
	if (t)
		return (uint64_t)(int64_t)task_read(t, d, src, n);
	return (uint64_t)(int64_t)bpfrt_read_nofault(d, (const void *)(uintptr_t)src, n);
}

static uint64_t probe_read_str(uint64_t dst, uint64_t size, uint64_t src, struct bpfrt_run *run,
			       enum probe_space space)
{
	uint32_t n = (uint32_t)size;
	char *d = (char *)(uintptr_t)dst;
	if (!bpfrt_run_access_ok(run, d, n, true))
		return (uint64_t)-EFAULT;
	const struct bpfrt_task *t = read_target(run, space, src);
	long r = t ? task_read_str(t, d, src, n) : bpfrt_read_str_nofault(d, (const void *)(uintptr_t)src, n);
	if (r < 0)
		memset(d, 0, n);
	return (uint64_t)(int64_t)r;
}

#define PROBE_HELPER(name, fn, space)                                                                \
	static uint64_t name(uint64_t dst, uint64_t size, uint64_t src, uint64_t r4, uint64_t r5,           \
			     struct bpfrt_run *run)                                                         \
	{                                                                                                   \
		(void)r4, (void)r5;                                                                         \
		return fn(dst, size, src, run, space);                                                      \
	}

PROBE_HELPER(h_probe_read, probe_read, SPACE_EITHER)
PROBE_HELPER(h_probe_read_str, probe_read_str, SPACE_EITHER)
PROBE_HELPER(h_probe_read_kernel, probe_read, SPACE_KERNEL)
PROBE_HELPER(h_probe_read_kernel_str, probe_read_str, SPACE_KERNEL)
PROBE_HELPER(h_probe_read_user, probe_read, SPACE_USER)
PROBE_HELPER(h_probe_read_user_str, probe_read_str, SPACE_USER)

void bpfrt_helpers_register_probe(struct bpfrt *rt)
{
	bpfrt_register_helper(rt, BPF_FUNC_probe_read, "probe_read", h_probe_read);
	bpfrt_register_helper(rt, BPF_FUNC_probe_read_str, "probe_read_str", h_probe_read_str);
	bpfrt_register_helper(rt, BPF_FUNC_probe_read_kernel, "probe_read_kernel", h_probe_read_kernel);
	bpfrt_register_helper(rt, BPF_FUNC_probe_read_user, "probe_read_user", h_probe_read_user);
	bpfrt_register_helper(rt, BPF_FUNC_probe_read_kernel_str, "probe_read_kernel_str", h_probe_read_kernel_str);
	bpfrt_register_helper(rt, BPF_FUNC_probe_read_user_str, "probe_read_user_str", h_probe_read_user_str);
}

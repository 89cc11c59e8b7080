/* current.c — helpers about the calling task: pid/tgid, uid/gid, comm, NUMA
 * node, jiffies.  "Current" is the run's task when the hook gave one (a
 * traced process's thread: struct bpfrt_task), else the thread running the
 * program, so bpf_get_current_pid_tgid() is (tgid << 32) | tid as the
 * kernel reports for a user thread.
 */
#define _GNU_SOURCE
#include "helpers/helpers.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* jiffies: bpfrt counts at CONFIG_HZ = 250 (the x86 distribution default)
 * from CLOCK_MONOTONIC, offset by the kernel's INITIAL_JIFFIES
 * ((u32)(-300 * HZ)), so values look like the kernel's and, like jiffies,
 * stand still during suspend.  Only differences are meaningful. */
#define BPFRT_HZ 250ull
#define INITIAL_JIFFIES ((uint64_t)(uint32_t)(-300 * (int32_t)BPFRT_HZ))

static uint64_t h_get_current_pid_tgid(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
				       struct bpfrt_run *run)
{
	(void)a, (void)b, (void)c, (void)d, (void)e;
	const struct bpfrt_task *t = bpfrt_run_task(run);
	if (t)
		return (uint64_t)(uint32_t)t->tgid << 32 | (uint32_t)t->tid;
	return (uint64_t)(uint32_t)getpid() << 32 | (uint32_t)gettid();
}

static uint64_t h_get_current_uid_gid(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
				      struct bpfrt_run *run)
{
	(void)a, (void)b, (void)c, (void)d, (void)e;
	const struct bpfrt_task *t = bpfrt_run_task(run);
	if (t)
		return (uint64_t)t->gid << 32 | t->uid;
	return (uint64_t)getgid() << 32 | (uint32_t)getuid();
}

/* strscpy_pad(buf, comm, size): copy, NUL-terminate, zero the rest. */
static uint64_t h_get_current_comm(uint64_t buf, uint64_t size, uint64_t c, uint64_t d, uint64_t e,
				   struct bpfrt_run *run)
{
	(void)c, (void)d, (void)e;
	uint32_t n = (uint32_t)size;
	char *dst = (char *)(uintptr_t)buf;
	char comm[17] = {0};
	/* The kernel's verifier rejects size 0; bpfrt has no verifier in
	 * every path, so it answers -EINVAL. */
	if (!n || !dst)
		return (uint64_t)-EINVAL;
	if (!bpfrt_run_access_ok(run, dst, n, true))
		return (uint64_t)-EFAULT;
	const struct bpfrt_task *t = bpfrt_run_task(run);
	if (t)
		memcpy(comm, t->comm, 16);
	else
		prctl(PR_GET_NAME, comm, 0, 0, 0);
	size_t len = strnlen(comm, 16);
	if (len > n - 1)
		len = n - 1;
	memset(dst, 0, n);
	memcpy(dst, comm, len);
	return 0;
}

static uint64_t h_get_numa_node_id(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
				   struct bpfrt_run *run)
{
	(void)a, (void)b, (void)c, (void)d, (void)e, (void)run;
	unsigned cpu = 0, node = 0;
	if (syscall(SYS_getcpu, &cpu, &node, NULL))
		return 0;
	return node;
}

static uint64_t h_jiffies64(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, struct bpfrt_run *run)
{
	(void)a, (void)b, (void)c, (void)d, (void)e, (void)run;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return INITIAL_JIFFIES + (uint64_t)ts.tv_sec * BPFRT_HZ +
	       (uint64_t)ts.tv_nsec / (1000000000ull / BPFRT_HZ);
}

void bpfrt_helpers_register_current(struct bpfrt *rt)
{
	bpfrt_register_helper(rt, BPF_FUNC_get_current_pid_tgid, "get_current_pid_tgid", h_get_current_pid_tgid);
	bpfrt_register_helper(rt, BPF_FUNC_get_current_uid_gid, "get_current_uid_gid", h_get_current_uid_gid);
	bpfrt_register_helper(rt, BPF_FUNC_get_current_comm, "get_current_comm", h_get_current_comm);
	bpfrt_register_helper(rt, BPF_FUNC_get_numa_node_id, "get_numa_node_id", h_get_numa_node_id);
	bpfrt_register_helper(rt, BPF_FUNC_jiffies64, "jiffies64", h_jiffies64);
	bpfrt_helpers_register_task_control(rt);
}

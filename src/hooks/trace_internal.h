/* trace_internal.h — what the syscall tracer's files share (trace.c: the
 * ptrace loop and program runs; trace_filter.c: the seccomp filter;
 * trace_task.c: the table of traced threads). */
#ifndef BPFRT_HOOKS_TRACE_INTERNAL_H
#define BPFRT_HOOKS_TRACE_INTERNAL_H

#include "bpfrt/bpfrt.h"
#include "hooks/trace.h"

#include <linux/filter.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/user.h>

/* Build the seccomp filter: watched[0..max_nr] says which numbers stop;
 * all: every x86-64 syscall stops.  *out is malloc'd. */
int trace_filter_build(const bool *watched, int max_nr, bool all, struct sock_filter **out, unsigned short *len);

/* One traced thread. */
struct trace_task {
	pid_t tid;
	struct bpfrt_task task;        /* what helpers see (tgid, uid, comm...) */
	bool in_syscall;               /* between an entry and its exit stop */
	bool want_exit;                /* sys_exit programs watch the current call */
	bool seen_stop;                /* its first stop came (new tasks start stopped) */
	int nr;                        /* the current call */
	uint64_t args[6];
	struct user_regs_struct regs;  /* the registers at this stop (raw tracepoints), when regs_valid */
	bool regs_valid;
};

struct trace_tasks {
	struct trace_task **v;
	size_t n, cap;
};

/* The task of tid, or NULL. */
struct trace_task *trace_task_find(struct trace_tasks *ts, pid_t tid);
/* Add tid (reading its tgid, uid/gid and comm from /proc); NULL on ENOMEM. */
struct trace_task *trace_task_add(struct trace_tasks *ts, pid_t tid);
void trace_task_remove(struct trace_tasks *ts, pid_t tid);
/* Re-read tgid, uid/gid and comm (after execve). */
void trace_task_refresh(struct trace_task *t);
void trace_tasks_free(struct trace_tasks *ts);

#endif

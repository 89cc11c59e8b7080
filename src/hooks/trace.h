/* trace.h — the syscall tracer: TRACEPOINT programs on
 * tracepoint/syscalls/sys_enter_<name> and sys_exit_<name> (libbpf's
 * "tracepoint/" and "tp/" sections) and RAW_TRACEPOINT programs on
 * raw_tracepoint/sys_enter|sys_exit ("raw_tp/") run on the system calls of
 * real processes: a command bpfrt starts (and every process and thread it
 * creates) or a running process it attaches to.
 *
 * Mechanism (docs/architecture.md, "Syscall tracing"): ptrace.  A command
 * started by bpfrt gets a classic-BPF seccomp filter that returns
 * SECCOMP_RET_TRACE only for the syscalls some program watches (raw
 * tracepoints watch all): the others never stop and run at full speed.  At
 * the seccomp stop the sys_enter programs run; the tracee is resumed with
 * PTRACE_SYSCALL only when a sys_exit program watches the call, else with
 * PTRACE_CONT.  PTRACE_O_TRACEFORK|VFORK|CLONE|EXEC follow children and
 * threads, which inherit the filter.  A process attached by pid cannot be
 * given a filter: every syscall of it stops (PTRACE_SYSCALL), unwatched ones
 * only for the stop itself.
 *
 * Contexts are the kernel's records: sys_enter_X: common header (8 bytes),
 * int __syscall_nr at 8, the six arguments as u64 from 16; sys_exit_X:
 * __syscall_nr at 8, long ret at 16; raw sys_enter: args[0] = a struct
 * pt_regs * (a copy of the thread's registers in bpfrt's memory, readable
 * with bpf_probe_read_kernel as in the kernel), args[1] = the syscall nr;
 * raw sys_exit: args[0] = regs, args[1] = the return value.  Helpers answer
 * for the traced thread (struct bpfrt_task in bpfrt.h): its pid/tgid,
 * uid/gid, comm; bpf_probe_read_user reads its memory.
 *
 * Enforcement: bpf_override_return(ctx, -EPERM) in a sys_enter program
 * skips the call, which returns that value; in a sys_exit program it
 * replaces the return value.  bpf_send_signal(sig) signals the process (a
 * SIGKILL sent at sys_enter kills it before the call runs).
 *
 * A struct bpfrt_tracer belongs to the thread that calls bpfrt_tracer_run
 * (ptrace's rule: the tracer is one thread); it is not thread-safe.
 */
#ifndef BPFRT_HOOKS_TRACE_H
#define BPFRT_HOOKS_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bpfrt;

/* x86-64 syscall numbers by name and back (syscall_table.c).  -1 / NULL
 * when unknown. */
int bpfrt_syscall_nr(const char *name);
const char *bpfrt_syscall_name(int nr);
/* The highest syscall number the table knows. */
int bpfrt_syscall_max(void);

enum bpfrt_trace_point {
	BPFRT_TP_SYS_ENTER,     /* tracepoint/syscalls/sys_enter_<name> */
	BPFRT_TP_SYS_EXIT,      /* tracepoint/syscalls/sys_exit_<name> */
	BPFRT_TP_RAW_SYS_ENTER, /* raw_tracepoint/sys_enter (every syscall) */
	BPFRT_TP_RAW_SYS_EXIT,  /* raw_tracepoint/sys_exit */
};

/* Parse a program's SEC() name.  0 with *point and *nr (the syscall, -1 for
 * raw tracepoints) filled; -ENOENT when sec is no tracepoint section at all
 * (another hook's program); -EINVAL with a sentence in err for a tracepoint
 * bpfrt cannot attach (a kernel event, an unknown syscall). */
int bpfrt_trace_parse_sec(const char *sec, enum bpfrt_trace_point *point, int *nr, char *err,
			  size_t errlen);

/* Hooks of other attach points that share the tracee (uprobes): called by
 * the tracer's loop at the stops they care about.  All optional. */
struct bpfrt_tracer_ext {
	void *ctx;
	/* tid stopped right after a successful execve (its new image is
	 * mapped).  Non-zero: an error, reported and tracing goes on. */
	int (*on_exec)(void *ctx, pid_t tid);
	/* tid is in a signal-delivery-stop for SIGTRAP: 1 if the trap was the
	 * extension's (resume delivering *sig), 0 to deliver SIGTRAP. */
	int (*on_sigtrap)(void *ctx, pid_t tid, int *sig);
};

struct bpfrt_tracer_opts {
	size_t sz; /* sizeof(struct bpfrt_tracer_opts) */
	/* After the programs of one event ran (consume ring buffers here, so
	 * output follows the traced program as it goes). */
	void (*on_event)(void *ctx);
	void *ctx;
	struct bpfrt_tracer_ext ext;
	/* Benchmarks/tests: stop at every syscall even without programs. */
	bool stop_all;
};

struct bpfrt_tracer;

/* A tracer running programs of rt (which must outlive it).  NULL with errno
 * on failure. */
struct bpfrt_tracer *bpfrt_tracer_new(struct bpfrt *rt, const struct bpfrt_tracer_opts *opts);
/* Free the tracer, detaching from tracees still alive (a started command
 * is killed: PTRACE_O_EXITKILL). */
void bpfrt_tracer_free(struct bpfrt_tracer *t);

/* Run program prog_fd (TRACEPOINT for the sys_* points, RAW_TRACEPOINT for
 * the raw ones; the tracer takes a reference) at point for syscall nr
 * (ignored for raw points).  Before spawn/seize.  -EINVAL for a wrong
 * program type or nr, -EBUSY once tracing started. */
int bpfrt_tracer_attach(struct bpfrt_tracer *t, int prog_fd, enum bpfrt_trace_point point, int nr);

/* Start argv[0] (PATH search) under the tracer, stopped until
 * bpfrt_tracer_run.  0, or a negative errno with a sentence in err
 * (ptrace or seccomp unavailable: -EPERM/-ENOSYS). */
int bpfrt_tracer_spawn(struct bpfrt_tracer *t, char *const argv[], char *err, size_t errlen);
/* Attach to every thread of running process pid.  0 or a negative errno
 * with err set. */
int bpfrt_tracer_seize(struct bpfrt_tracer *t, pid_t pid, char *err, size_t errlen);

/* Trace until every tracee is gone (or bpfrt_tracer_stop).  *status: the
 * started command's exit code, or 128 + its signal (0 for seize).  0, or a
 * negative errno with err set: -ENOENT/-EACCES... when the command could
 * not be executed. */
int bpfrt_tracer_run(struct bpfrt_tracer *t, int *status, char *err, size_t errlen);
/* Ask bpfrt_tracer_run to detach and return (async-signal-safe: for a
 * SIGINT handler).  A started command keeps running untraced. */
void bpfrt_tracer_stop(struct bpfrt_tracer *t);

struct bpfrt_trace_stats {
	uint64_t stops;    /* syscall stops handled */
	uint64_t runs;     /* program runs */
	uint64_t errors;   /* program runs that faulted */
	uint64_t denied;   /* calls skipped by bpf_override_return */
	uint64_t signals;  /* signals sent by bpf_send_signal */
	uint64_t tasks;    /* threads seen */
};
void bpfrt_tracer_stats(const struct bpfrt_tracer *t, struct bpfrt_trace_stats *out);

#endif

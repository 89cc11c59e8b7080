/* uprobe_run.c — bpfrt_uprobes_run (uprobe.h): start a command under ptrace
 * with a set of uprobes and be its tracer until it ends.  The child stops
 * after execve; the probes are inserted then; every SIGTRAP goes to the
 * probe set first.  Forks, vforks and threads are traced too (options
 * TRACEFORK/VFORK/CLONE): they share or copy the patched text, so an
 * untraced one would die of SIGTRAP at a breakpoint.
 */
#define _GNU_SOURCE
#include "hooks/uprobe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(char *err, size_t errlen, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* Start argv stopped after its execve.  The exec failure travels through a
 * close-on-exec pipe. */
static pid_t spawn_traced(char *const argv[], char *err, size_t errlen)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC))
		return fail(err, errlen, -errno, "pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]), close(p[1]);
		return fail(err, errlen, -e, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		close(p[0]);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0)
			execvp(argv[0], argv);
		int e = errno;
		if (write(p[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(p[1]);
	int e = 0;
	ssize_t n = read(p[0], &e, sizeof(e));
	close(p[0]);
	int st;
	if (n == (ssize_t)sizeof(e)) {
		waitpid(pid, &st, 0);
		if (e == EPERM)
			return fail(err, errlen, -EPERM, "%s: ptrace is not permitted here: %s", argv[0], strerror(e));
		return fail(err, errlen, -e, "%s: can't run it: %s", argv[0], strerror(e));
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st)) {
		return fail(err, errlen, -ECHILD, "%s: did not stop after execve", argv[0]);
	}
	long opts = PTRACE_O_EXITKILL | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
		    PTRACE_O_TRACEEXEC;
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)opts)) {
		int e2 = errno;
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return fail(err, errlen, -e2, "ptrace(SETOPTIONS): %s", strerror(e2));
	}
	return pid;
}

int bpfrt_uprobes_run(struct bpfrt_uprobes *u, char *const argv[], int *status, char *err, size_t errlen)
{
	pid_t pid = spawn_traced(argv, err, errlen);
	if (pid < 0)
		return pid;
	int r = bpfrt_uprobes_attach(u, pid, err, errlen);
	if (r) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return r;
	}
	*status = 0;
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	for (;;) {
		int st;
		pid_t tid = waitpid(-1, &st, __WALL);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: every tracee is gone */
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (tid == pid)
				*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		int sig = WSTOPSIG(st);
		if (st >> 16) {
			/* fork/vfork/clone/exec event: resume, signal suppressed */
			ptrace(PTRACE_CONT, tid, NULL, NULL);
			continue;
		}
		if (sig == SIGTRAP) {
			int deliver = 0;
			int h = bpfrt_uprobes_on_sigtrap(u, tid, &deliver);
			if (h == 1 || h < 0) {
				ptrace(PTRACE_CONT, tid, NULL, (void *)(long)deliver);
				continue;
			}
		} else if (sig == SIGSTOP) {
			/* New threads and children start with a SIGSTOP; a real
			 * SIGSTOP is passed on (it then stops the group). */
			siginfo_t si;
			if (!ptrace(PTRACE_GETSIGINFO, tid, NULL, &si) && si.si_code == SI_USER && si.si_pid != 0) {
				ptrace(PTRACE_CONT, tid, NULL, (void *)(long)sig);
				continue;
			}
			ptrace(PTRACE_CONT, tid, NULL, NULL);
			continue;
		}
		ptrace(PTRACE_CONT, tid, NULL, (void *)(long)sig);
	}
	return 0;
}

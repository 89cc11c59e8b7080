/* trace.c — the syscall tracer's ptrace loop (trace.h explains the design):
 * starting or seizing the tracee, following its children and threads,
 * building the kernel's tracepoint records at each stop, running the
 * attached programs with the thread as their current task, and applying
 * what they asked (an overridden return value, a signal).
 *
 * Invariant: every tracee the loop knows is either running or in a stop
 * the loop is handling; each stop ends with exactly one resume, with
 * PTRACE_SYSCALL when the exit of the current call must be seen and
 * PTRACE_CONT otherwise (seccomp mode), or always PTRACE_SYSCALL (seized).
 */
#define _GNU_SOURCE
#include "hooks/trace_internal.h"

#include "core/prog.h"
#include "core/runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NR_MAX 512        /* syscall numbers the tables cover (x86-64 has < 470) */
#define CTX_SIZE 8192     /* the verifier's TRACEPOINT ctx bound (ctx_table.c) */
#define MAX_PROGS 64      /* programs per point and syscall */

struct prog_list {
	struct bpfrt_prog **v;
	uint32_t n;
};

struct bpfrt_tracer {
	struct bpfrt *rt;
	struct bpfrt_tracer_opts opts;
	struct prog_list enter[NR_MAX], exit[NR_MAX], raw_enter, raw_exit;
	struct trace_tasks tasks;
	pid_t main_pid;           /* the started command (0 when seized) */
	int main_status;
	bool main_done;
	bool seized;              /* no seccomp filter: every syscall stops */
	bool started;
	volatile sig_atomic_t stop;
	int exec_err_fd;          /* read end: the child writes errno if execvp fails */
	uint8_t *ctx;             /* CTX_SIZE bytes, zero past the record */
	struct bpfrt_trace_stats stats;
};

/* ---- setup ---------------------------------------------------------- */

struct bpfrt_tracer *bpfrt_tracer_new(struct bpfrt *rt, const struct bpfrt_tracer_opts *opts)
{
	struct bpfrt_tracer *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ctx = calloc(1, CTX_SIZE);
	if (!t->ctx) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->rt = rt;
	t->exec_err_fd = -1;
	if (opts) {
		size_t n = opts->sz < sizeof(t->opts) ? opts->sz : sizeof(t->opts);
		memcpy(&t->opts, opts, n);
	}
	return t;
}

static void list_free(struct prog_list *l)
{
	for (uint32_t i = 0; i < l->n; i++)
		bpfrt_obj_put(&l->v[i]->obj);
	free(l->v);
	*l = (struct prog_list){0};
}

static void detach_all(struct bpfrt_tracer *t)
{
	for (size_t i = 0; i < t->tasks.n; i++)
		ptrace(PTRACE_DETACH, t->tasks.v[i]->tid, 0, 0);
	trace_tasks_free(&t->tasks);
}

void bpfrt_tracer_free(struct bpfrt_tracer *t)
{
	if (!t)
		return;
	detach_all(t);
	for (int i = 0; i < NR_MAX; i++) {
		list_free(&t->enter[i]);
		list_free(&t->exit[i]);
	}
	list_free(&t->raw_enter);
	list_free(&t->raw_exit);
	if (t->exec_err_fd >= 0)
		close(t->exec_err_fd);
	free(t->ctx);
	free(t);
}

int bpfrt_trace_parse_sec(const char *sec, enum bpfrt_trace_point *point, int *nr, char *err, size_t errlen)
{
	static const char *const tp[] = {"tracepoint/", "tp/"};
	static const char *const raw[] = {"raw_tracepoint/", "raw_tp/"};
	for (int i = 0; i < 2; i++) {
		size_t n = strlen(raw[i]);
		if (strncmp(sec, raw[i], n))
			continue;
		const char *ev = sec + n;
		*nr = -1;
		if (!strcmp(ev, "sys_enter"))
			*point = BPFRT_TP_RAW_SYS_ENTER;
		else if (!strcmp(ev, "sys_exit"))
			*point = BPFRT_TP_RAW_SYS_EXIT;
		else {
			snprintf(err, errlen, "section '%s': raw tracepoint '%s' is a kernel event; bpfrt attaches raw_tracepoint/sys_enter and sys_exit only",
				 sec, ev);
			return -EINVAL;
		}
		return 0;
	}
	for (int i = 0; i < 2; i++) {
		size_t n = strlen(tp[i]);
		if (strncmp(sec, tp[i], n))
			continue;
		const char *ev = sec + n;
		if (strncmp(ev, "syscalls/", 9)) {
			snprintf(err, errlen, "section '%s': tracepoint '%s' is a kernel event; bpfrt attaches tracepoint/syscalls/sys_enter_<name> and sys_exit_<name> only",
				 sec, ev);
			return -EINVAL;
		}
		ev += 9;
		const char *name;
		if (!strncmp(ev, "sys_enter_", 10))
			*point = BPFRT_TP_SYS_ENTER, name = ev + 10;
		else if (!strncmp(ev, "sys_exit_", 9))
			*point = BPFRT_TP_SYS_EXIT, name = ev + 9;
		else {
			snprintf(err, errlen, "section '%s': expected syscalls/sys_enter_<name> or syscalls/sys_exit_<name>", sec);
			return -EINVAL;
		}
		*nr = bpfrt_syscall_nr(name);
		if (*nr < 0) {
			snprintf(err, errlen, "section '%s': '%s' is not an x86-64 system call", sec, name);
			return -EINVAL;
		}
		return 0;
	}
	return -ENOENT;
}

static int list_add(struct prog_list *l, struct bpfrt_prog *p)
{
	if (l->n >= MAX_PROGS)
		return -E2BIG;
	struct bpfrt_prog **v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = p;
	return 0;
}

int bpfrt_tracer_attach(struct bpfrt_tracer *t, int prog_fd, enum bpfrt_trace_point point, int nr)
{
	if (t->started)
		return -EBUSY;
	int err;
	struct bpfrt_obj *obj = bpfrt_fd_get(t->rt, prog_fd, BPFRT_OBJ_PROG, &err);
	if (!obj)
		return err;
	struct bpfrt_prog *p = bpfrt_prog_from_obj(obj);
	bool raw = point == BPFRT_TP_RAW_SYS_ENTER || point == BPFRT_TP_RAW_SYS_EXIT;
	uint32_t want = raw ? BPF_PROG_TYPE_RAW_TRACEPOINT : BPF_PROG_TYPE_TRACEPOINT;
	struct prog_list *l = NULL;
	if (p->type != want)
		err = -EINVAL;
	else if (point == BPFRT_TP_RAW_SYS_ENTER)
		l = &t->raw_enter;
	else if (point == BPFRT_TP_RAW_SYS_EXIT)
		l = &t->raw_exit;
	else if (nr < 0 || nr >= NR_MAX)
		err = -EINVAL;
	else
		l = point == BPFRT_TP_SYS_ENTER ? &t->enter[nr] : &t->exit[nr];
	if (l)
		err = list_add(l, p);
	if (err)
		bpfrt_obj_put(obj);
	return err;
}

static bool watches_exit(const struct bpfrt_tracer *t, int nr)
{
	return t->raw_exit.n || (nr >= 0 && nr < NR_MAX && t->exit[nr].n);
}

/* ---- starting and attaching ----------------------------------------- */

static int install_filter(const struct bpfrt_tracer *t)
{
	bool watched[NR_MAX] = {0};
	for (int i = 0; i < NR_MAX; i++)
		watched[i] = t->enter[i].n || t->exit[i].n;
	bool all = t->raw_enter.n || t->raw_exit.n || t->opts.stop_all;
	struct sock_filter *f;
	unsigned short len;
	int err = trace_filter_build(watched, NR_MAX - 1, all, &f, &len);
	if (err)
		return err;
	struct sock_fprog prog = {.len = len, .filter = f};
	/* Without CAP_SYS_ADMIN the kernel wants no_new_privs first (which
	 * also stops setuid programs from gaining privileges). */
	int r = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
	if (r && errno == EACCES) {
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		r = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
	}
	free(f);
	return r ? -errno : 0;
}

/* Where the child failed, sent to the parent with the errno. */
enum child_stage { STAGE_PTRACE = 1, STAGE_SECCOMP, STAGE_EXEC };

/* The child: wait to be traced, put the filter, exec.  A failure goes to
 * the parent as {errno, stage} on the pipe (CLOEXEC: a successful exec
 * closes it empty). */
static void child_main(struct bpfrt_tracer *t, char *const argv[], int errfd)
{
	int msg[2] = {0, STAGE_PTRACE};
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) || raise(SIGSTOP)) {
		msg[0] = errno;
	} else {
		int r = install_filter(t);
		if (r) {
			msg[0] = -r, msg[1] = STAGE_SECCOMP;
		} else {
			execvp(argv[0], argv);
			msg[0] = errno, msg[1] = STAGE_EXEC;
		}
	}
	(void)!write(errfd, msg, sizeof(msg));
	_exit(127);
}

#define TRACE_OPTS (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC)

int bpfrt_tracer_spawn(struct bpfrt_tracer *t, char *const argv[], char *err, size_t errlen)
{
	if (t->started)
		return -EBUSY;
	if (!argv || !argv[0]) {
		snprintf(err, errlen, "no command to run");
		return -EINVAL;
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]), close(p[1]);
		snprintf(err, errlen, "fork: %s", strerror(e));
		return -e;
	}
	if (pid == 0) {
		close(p[0]);
		child_main(t, argv, p[1]);
	}
	close(p[1]);
	t->exec_err_fd = p[0];
	t->started = true;
	t->main_pid = pid;
	int st;
	if (waitpid(pid, &st, __WALL) != pid || !WIFSTOPPED(st)) {
		/* PTRACE_TRACEME failed (ptrace forbidden here): the child
		 * reported why and exited. */
		int msg[2] = {0, 0};
		int e = read(p[0], msg, sizeof(msg)) == (ssize_t)sizeof(msg) && msg[0] ? msg[0] : ECHILD;
		snprintf(err, errlen, "cannot trace '%s': ptrace: %s", argv[0], strerror(e));
		t->main_done = true;
		return -e;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, TRACE_OPTS | PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL)) {
		int e = errno;
		kill(pid, SIGKILL);
		waitpid(pid, &st, __WALL);
		snprintf(err, errlen, "cannot trace '%s': PTRACE_SETOPTIONS: %s", argv[0], strerror(e));
		t->main_done = true;
		return -e;
	}
	struct trace_task *tk = trace_task_add(&t->tasks, pid);
	if (!tk) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, __WALL);
		t->main_done = true;
		return -ENOMEM;
	}
	tk->seen_stop = true;
	t->stats.tasks++;
	/* Left stopped: bpfrt_tracer_run resumes it. */
	return 0;
}

static int seize_thread(struct bpfrt_tracer *t, pid_t tid)
{
	if (trace_task_find(&t->tasks, tid))
		return 0;
	if (ptrace(PTRACE_SEIZE, tid, 0, TRACE_OPTS))
		return -errno;
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0))
		return -errno;
	struct trace_task *tk = trace_task_add(&t->tasks, tid);
	if (!tk)
		return -ENOMEM;
	t->stats.tasks++;
	return 0;
}

int bpfrt_tracer_seize(struct bpfrt_tracer *t, pid_t pid, char *err, size_t errlen)
{
	if (t->started)
		return -EBUSY;
	t->started = true;
	t->seized = true;
	/* Threads may come and go while we attach: rescan until a pass adds
	 * none (new ones made by seized threads are followed by the options). */
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	for (int pass = 0; pass < 8; pass++) {
		DIR *d = opendir(path);
		if (!d) {
			int e = errno;
			snprintf(err, errlen, "process %d: %s", (int)pid, e == ENOENT ? "no such process" : strerror(e));
			return -(e == ENOENT ? ESRCH : e);
		}
		size_t before = t->tasks.n;
		struct dirent *de;
		int e = 0;
		while ((de = readdir(d))) {
			if (de->d_name[0] < '1' || de->d_name[0] > '9')
				continue;
			int r = seize_thread(t, (pid_t)atoi(de->d_name));
			if (r && r != -ESRCH && !e)
				e = r;
		}
		closedir(d);
		if (e) {
			snprintf(err, errlen, "cannot trace process %d: ptrace: %s", (int)pid, strerror(-e));
			detach_all(t);
			return e;
		}
		if (t->tasks.n == before)
			break;
	}
	if (!t->tasks.n) {
		snprintf(err, errlen, "process %d: no such process", (int)pid);
		return -ESRCH;
	}
	return 0;
}

void bpfrt_tracer_stop(struct bpfrt_tracer *t)
{
	t->stop = 1;
}

void bpfrt_tracer_stats(const struct bpfrt_tracer *t, struct bpfrt_trace_stats *out)
{
	*out = t->stats;
}

/* ---- running programs ----------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void run_list(struct bpfrt_tracer *t, struct trace_task *tk, const struct prog_list *l)
{
	for (uint32_t i = 0; i < l->n; i++) {
		struct bpfrt_prog *p = l->v[i];
		struct bpfrt_run_opts o = {.sz = sizeof(o), .ctx = t->ctx, .ctx_size = CTX_SIZE,
					   .tail_call = bpfrt_prog_tail_call, .task = &tk->task};
		/* The engine's flags; the checked engine also gets the global
		 * data the program addresses directly as regions. */
		struct bpfrt_region globals[16];
		bpfrt_prog_run_opts_init(p, &o, globals, 16);
		uint64_t r0, t0 = now_ns();
		struct bpfrt_diag diag;
		int err = bpfrt_vm_run(p->vm, &o, &r0, &diag);
		__atomic_add_fetch(&p->run_cnt, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&p->run_time_ns, now_ns() - t0, __ATOMIC_RELAXED);
		t->stats.runs++;
		if (err) {
			t->stats.errors++;
			fprintf(stderr, "bpfrt: trace: program '%s' faulted at insn %d: %s\n", p->name, diag.insn,
				diag.msg);
		}
	}
}

static void reset_outputs(struct trace_task *tk)
{
	tk->task.override_set = false;
	tk->task.override_ret = 0;
	tk->task.signal = 0;
	tk->task.signal_thread = false;
	tk->task.kmem[0] = tk->task.kmem[1] = NULL;
	tk->task.kmem_size[0] = tk->task.kmem_size[1] = 0;
}

static int load_regs(struct trace_task *tk)
{
	if (tk->regs_valid)
		return 0;
	if (ptrace(PTRACE_GETREGS, tk->tid, 0, &tk->regs))
		return -errno;
	tk->regs_valid = true;
	return 0;
}

/* What the programs asked for, applied to the stopped thread. */
static void apply_outputs(struct bpfrt_tracer *t, struct trace_task *tk, bool enter)
{
	struct bpfrt_task *k = &tk->task;
	if (k->override_set && !load_regs(tk)) {
		/* At entry, orig_rax = -1 makes the kernel skip the call and
		 * return rax; at exit rax is the return value. */
		if (enter)
			tk->regs.orig_rax = (unsigned long long)-1;
		tk->regs.rax = (unsigned long long)k->override_ret;
		if (!ptrace(PTRACE_SETREGS, tk->tid, 0, &tk->regs) && enter)
			t->stats.denied++;
	}
	if (k->signal) {
		/* A SIGKILL sent during the stop makes the kernel skip the call
		 * (a fatal signal is pending when the tracee resumes). */
		int r = k->signal_thread ? (int)syscall(SYS_tgkill, k->tgid, tk->tid, k->signal)
					 : kill(k->tgid, k->signal);
		if (!r)
			t->stats.signals++;
	}
}

/* The kernel's sys_enter_X / raw sys_enter record for this call. */
static void enter_event(struct bpfrt_tracer *t, struct trace_task *tk)
{
	int nr = tk->nr;
	bool watched = nr >= 0 && nr < NR_MAX && t->enter[nr].n;
	if (!watched && !t->raw_enter.n)
		return;
	uint8_t *c = t->ctx;
	if (watched) {
		memset(c, 0, 64);
		int32_t pid = tk->tid;
		memcpy(c + 4, &pid, 4); /* common_pid */
		int32_t n32 = nr;
		memcpy(c + 8, &n32, 4);
		memcpy(c + 16, tk->args, sizeof(tk->args));
		reset_outputs(tk);
		tk->task.kmem[0] = c, tk->task.kmem_size[0] = CTX_SIZE;
		run_list(t, tk, &t->enter[nr]);
		apply_outputs(t, tk, true);
	}
	if (t->raw_enter.n && !load_regs(tk)) {
		/* struct bpf_raw_tracepoint_args: args[0] = regs, args[1] = id.
		 * The kernel's entry regs hold -ENOSYS in ax. */
		tk->regs.rax = (unsigned long long)-ENOSYS;
		uint64_t a[2] = {(uintptr_t)&tk->regs, (uint64_t)(int64_t)nr};
		memset(c, 0, 64);
		memcpy(c, a, sizeof(a));
		reset_outputs(tk);
		tk->task.kmem[0] = c, tk->task.kmem_size[0] = CTX_SIZE;
		tk->task.kmem[1] = &tk->regs, tk->task.kmem_size[1] = sizeof(tk->regs);
		run_list(t, tk, &t->raw_enter);
		apply_outputs(t, tk, true);
	}
}

static void exit_event(struct bpfrt_tracer *t, struct trace_task *tk, int64_t ret)
{
	int nr = tk->nr;
	uint8_t *c = t->ctx;
	if (nr >= 0 && nr < NR_MAX && t->exit[nr].n) {
		memset(c, 0, 64);
		int32_t pid = tk->tid, n32 = nr;
		memcpy(c + 4, &pid, 4);
		memcpy(c + 8, &n32, 4);
		memcpy(c + 16, &ret, 8);
		reset_outputs(tk);
		tk->task.kmem[0] = c, tk->task.kmem_size[0] = CTX_SIZE;
		run_list(t, tk, &t->exit[nr]);
		apply_outputs(t, tk, false);
		if (tk->task.override_set)
			ret = tk->task.override_ret;
	}
	if (t->raw_exit.n && !load_regs(tk)) {
		tk->regs.rax = (unsigned long long)ret;
		uint64_t a[2] = {(uintptr_t)&tk->regs, (uint64_t)ret};
		memset(c, 0, 64);
		memcpy(c, a, sizeof(a));
		reset_outputs(tk);
		tk->task.kmem[0] = c, tk->task.kmem_size[0] = CTX_SIZE;
		tk->task.kmem[1] = &tk->regs, tk->task.kmem_size[1] = sizeof(tk->regs);
		run_list(t, tk, &t->raw_exit);
		apply_outputs(t, tk, false);
	}
}

/* ---- the loop ------------------------------------------------------- */

static void resume(struct bpfrt_tracer *t, struct trace_task *tk, int sig)
{
	bool syscall_stop = t->seized || tk->want_exit;
	tk->regs_valid = false;
	ptrace(syscall_stop ? PTRACE_SYSCALL : PTRACE_CONT, tk->tid, 0, sig);
}

/* A syscall entry (a seccomp stop, or a syscall-entry-stop when seized). */
static void on_entry(struct bpfrt_tracer *t, struct trace_task *tk, const struct __ptrace_syscall_info *si,
		     bool seccomp)
{
	t->stats.stops++;
	tk->nr = seccomp ? (int)si->seccomp.nr : (int)si->entry.nr;
	memcpy(tk->args, seccomp ? si->seccomp.args : si->entry.args, sizeof(tk->args));
	tk->in_syscall = true;
	enter_event(t, tk);
	tk->want_exit = watches_exit(t, tk->nr);
}

static void on_exit_stop(struct bpfrt_tracer *t, struct trace_task *tk, const struct __ptrace_syscall_info *si)
{
	t->stats.stops++;
	if (tk->in_syscall && watches_exit(t, tk->nr))
		exit_event(t, tk, si->exit.rval);
	tk->in_syscall = false;
	tk->want_exit = false;
}

static void notify(struct bpfrt_tracer *t)
{
	if (t->opts.on_event)
		t->opts.on_event(t->opts.ctx);
}

static void on_syscall_stop(struct bpfrt_tracer *t, struct trace_task *tk, bool seccomp)
{
	struct __ptrace_syscall_info si;
	memset(&si, 0, sizeof(si));
	if (ptrace(PTRACE_GET_SYSCALL_INFO, tk->tid, sizeof(si), &si) <= 0)
		return;
	if (si.op == PTRACE_SYSCALL_INFO_SECCOMP || si.op == PTRACE_SYSCALL_INFO_ENTRY)
		on_entry(t, tk, &si, seccomp || si.op == PTRACE_SYSCALL_INFO_SECCOMP);
	else if (si.op == PTRACE_SYSCALL_INFO_EXIT)
		on_exit_stop(t, tk, &si);
	notify(t);
}

static void on_exec(struct bpfrt_tracer *t, struct trace_task *tk)
{
	/* A non-leader thread that execs takes the leader's tid: the event
	 * message is the tid it had. */
	unsigned long former = 0;
	ptrace(PTRACE_GETEVENTMSG, tk->tid, 0, &former);
	if (former && (pid_t)former != tk->tid) {
		struct trace_task *old = trace_task_find(&t->tasks, (pid_t)former);
		if (old) {
			tk->nr = old->nr;
			tk->in_syscall = old->in_syscall;
			tk->want_exit = old->want_exit;
			trace_task_remove(&t->tasks, (pid_t)former);
		}
	}
	trace_task_refresh(tk);
	if (t->opts.ext.on_exec) {
		int err = t->opts.ext.on_exec(t->opts.ext.ctx, tk->tid);
		if (err)
			fprintf(stderr, "bpfrt: trace: after exec of %d: %s\n", (int)tk->tid, strerror(err < 0 ? -err : err));
	}
}

static void task_gone(struct bpfrt_tracer *t, pid_t pid, int status)
{
	if (pid == t->main_pid && !t->main_done) {
		t->main_done = true;
		t->main_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	trace_task_remove(&t->tasks, pid);
}

static void handle_stop(struct bpfrt_tracer *t, pid_t pid, int status)
{
	struct trace_task *tk = trace_task_find(&t->tasks, pid);
	if (!tk) {
		/* A new child or thread whose first stop came before its
		 * parent's fork/clone event: it is ours (only tracees of ours
		 * report here). */
		tk = trace_task_add(&t->tasks, pid);
		if (!tk) {
			ptrace(PTRACE_DETACH, pid, 0, 0);
			return;
		}
		t->stats.tasks++;
	}
	int sig = WSTOPSIG(status), event = (unsigned)status >> 16;
	if (sig == (SIGTRAP | 0x80)) {
		on_syscall_stop(t, tk, false);
		resume(t, tk, 0);
		return;
	}
	switch (event) {
	case PTRACE_EVENT_SECCOMP:
		on_syscall_stop(t, tk, true);
		resume(t, tk, 0);
		return;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE: {
		unsigned long child = 0;
		ptrace(PTRACE_GETEVENTMSG, pid, 0, &child);
		if (child && !trace_task_find(&t->tasks, (pid_t)child) && trace_task_add(&t->tasks, (pid_t)child))
			t->stats.tasks++;
		resume(t, tk, 0);
		return;
	}
	case PTRACE_EVENT_EXEC:
		on_exec(t, tk);
		resume(t, tk, 0);
		return;
	case PTRACE_EVENT_STOP:
		/* Seized threads: our PTRACE_INTERRUPT, a new thread's first
		 * stop, or a group stop (which tracing keeps running). */
		tk->seen_stop = true;
		resume(t, tk, 0);
		return;
	default:
		break;
	}
	if (!tk->seen_stop && sig == SIGSTOP) {
		/* The first stop of a new child/thread (PTRACE_TRACEME mode). */
		tk->seen_stop = true;
		resume(t, tk, 0);
		return;
	}
	tk->seen_stop = true;
	if (sig == SIGTRAP && t->opts.ext.on_sigtrap) {
		int deliver = 0;
		if (t->opts.ext.on_sigtrap(t->opts.ext.ctx, pid, &deliver) == 1) {
			resume(t, tk, deliver);
			return;
		}
	}
	resume(t, tk, sig); /* a signal for the tracee: deliver it */
}

static int exec_failure(struct bpfrt_tracer *t, char *err, size_t errlen)
{
	if (t->exec_err_fd < 0)
		return 0;
	int msg[2] = {0, 0};
	ssize_t n = read(t->exec_err_fd, msg, sizeof(msg));
	close(t->exec_err_fd);
	t->exec_err_fd = -1;
	if (n != (ssize_t)sizeof(msg) || !msg[0])
		return 0;
	const char *what = msg[1] == STAGE_EXEC ? "cannot run the command" : msg[1] == STAGE_SECCOMP
											? "cannot install the seccomp filter"
											: "cannot trace the command";
	snprintf(err, errlen, "%s: %s", what, strerror(msg[0]));
	return -msg[0];
}

int bpfrt_tracer_run(struct bpfrt_tracer *t, int *status, char *err, size_t errlen)
{
	if (!t->started || !t->tasks.n) {
		snprintf(err, errlen, "nothing to trace");
		return -EINVAL;
	}
	/* A started command waits in its first stop; seized threads resume
	 * at the PTRACE_EVENT_STOP of our interrupt. */
	if (t->main_pid)
		resume(t, t->tasks.v[0], 0);
	while (t->tasks.n) {
		if (t->stop && t->seized) {
			detach_all(t);
			break;
		}
		int st;
		pid_t pid = waitpid(-1, &st, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: nobody left */
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			task_gone(t, pid, st);
			continue;
		}
		if (WIFSTOPPED(st))
			handle_stop(t, pid, st);
	}
	notify(t);
	int e = exec_failure(t, err, errlen);
	if (e)
		return e;
	*status = t->main_status;
	return 0;
}

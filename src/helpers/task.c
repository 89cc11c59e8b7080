/* task.c — tracing helpers about the current task that need more than its
 * ids: bpf_get_current_task (a struct task_struct as bpfrt describes it,
 * helpers/task_struct.h), bpf_get_ns_current_pid_tgid (ids in a pid
 * namespace named by the dev/ino of its /proc/PID/ns/pid file, checked as
 * the kernel does) and bpf_get_attach_cookie (the cookie of the attachment
 * that ran the program; 0 when it has none).  "Current" is the run's task
 * (struct bpfrt_task: a thread of a traced process) or else the calling
 * thread.  Facts come from /proc.
 *
 * The task_struct a program gets lives in thread-local storage of the
 * thread running the program and is rebuilt by each call: it stays valid
 * for the rest of the run (nothing else on this thread runs meanwhile).
 */
#define _GNU_SOURCE
#include "helpers/helpers.h"
#include "helpers/task_struct.h"
#include "helpers/tracing.h"
#include "vm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct task_image {
	struct bpfrt_task_struct self, leader, parent;
	struct bpfrt_cred cred, parent_cred;
};

static _Thread_local struct task_image tls_task;

/* Read a small /proc file into buf (NUL-terminated): its length, or -1.
 * open/read, not stdio: no allocation, so the in-process agent may call the
 * helpers from its SIGTRAP handler. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

/* The next line of buf at *pos, NUL-terminated in place, or NULL. */
static char *next_line(char *buf, size_t *pos)
{
	if (!buf[*pos])
		return NULL;
	char *line = buf + *pos, *nl = strchr(line, '\n');
	if (nl) {
		*nl = 0;
		*pos = (size_t)(nl - buf) + 1;
	} else {
		*pos += strlen(line);
	}
	return line;
}

/* The ids of "current": the run's task or the calling thread. */
static void current_ids(struct bpfrt_run *run, int *tgid, int *tid)
{
	const struct bpfrt_task *t = bpfrt_run_task(run);
	*tgid = t ? t->tgid : getpid();
	*tid = t ? t->tid : gettid();
}

/* Fill from /proc/TGID/task/TID/stat and status: ppid, comm, start time,
 * nice, cpu, credentials.  Returns the parent's pid (0 if unknown). */
static int fill_task(struct bpfrt_task_struct *ts, struct bpfrt_cred *cred, int tgid, int tid)
{
	char path[96], buf[1024];
	int ppid = 0;
	memset(ts, 0, sizeof(*ts));
	ts->pid = tid;
	ts->tgid = tgid;
	ts->prio = 120;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", tgid, tid);
	if (read_small(path, buf, sizeof(buf)) > 0) {
		/* comm is in parentheses and may hold anything: the fields
		 * start after the last ')'. */
		char *open = strchr(buf, '('), *close = strrchr(buf, ')');
		if (open && close && close > open) {
			size_t len = (size_t)(close - open - 1);
			memcpy(ts->comm, open + 1, len < 15 ? len : 15);
			char state;
			long long nice = 0, start = 0, cpu = 0;
			/* fields 3 (state), 4 (ppid), 19 (nice), 22 (starttime), 39 (processor) */
			if (sscanf(close + 2, "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %lld %*d %*d %lld "
					      "%*u %*d %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*d %lld",
				   &state, &ppid, &nice, &start, &cpu) >= 4) {
				ts->prio = 120 + (int32_t)nice;
				long hz = sysconf(_SC_CLK_TCK);
				ts->start_boottime = (uint64_t)start * (1000000000ull / (uint64_t)(hz > 0 ? hz : 100));
				ts->start_time = ts->start_boottime;
				ts->cpu = (uint32_t)cpu;
			}
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", tgid, tid);
	memset(cred, 0, sizeof(*cred));
	char status[4096];
	if (read_small(path, status, sizeof(status)) > 0) {
		size_t pos = 0;
		for (char *line; (line = next_line(status, &pos));) {
			unsigned a, b, c, d;
			if (sscanf(line, "Uid: %u %u %u %u", &a, &b, &c, &d) == 4)
				cred->uid.val = a, cred->euid.val = b, cred->suid.val = c, cred->fsuid.val = d;
			else if (sscanf(line, "Gid: %u %u %u %u", &a, &b, &c, &d) == 4)
				cred->gid.val = a, cred->egid.val = b, cred->sgid.val = c, cred->fsgid.val = d;
		}
	}
	ts->cred = ts->real_cred = cred;
	return ppid;
}

static uint64_t h_get_current_task(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, struct bpfrt_run *run)
{
	(void)a, (void)b, (void)c, (void)d, (void)e;
	struct task_image *img = &tls_task;
	int tgid, tid;
	current_ids(run, &tgid, &tid);
	int ppid = fill_task(&img->self, &img->cred, tgid, tid);
	const struct bpfrt_task *t = bpfrt_run_task(run);
	if (t && t->comm[0])
		memcpy(img->self.comm, t->comm, sizeof(img->self.comm));
	img->self.group_leader = &img->self;
	if (tid != tgid) {
		fill_task(&img->leader, &img->cred, tgid, tgid);
		img->self.group_leader = &img->leader;
		img->leader.group_leader = &img->leader;
	}
	if (ppid > 0) {
		/* The parent's own ancestry is not described (NULL). */
		fill_task(&img->parent, &img->parent_cred, ppid, ppid);
		img->parent.group_leader = &img->parent;
		img->self.real_parent = img->self.parent = &img->parent;
		img->leader.real_parent = img->leader.parent = &img->parent;
	}
	return (uint64_t)(uintptr_t)&img->self;
}

/* struct bpf_pidns_info { __u32 pid; __u32 tgid; } */
static uint64_t h_get_ns_current_pid_tgid(uint64_t dev, uint64_t ino, uint64_t nsdata, uint64_t size, uint64_t e,
					  struct bpfrt_run *run)
{
	(void)e;
	uint32_t n = (uint32_t)size;
	uint32_t *out = (uint32_t *)(uintptr_t)nsdata;
	if (!bpfrt_run_access_ok(run, out, n, true))
		return (uint64_t)-EFAULT;
	int err = -EINVAL;
	int tgid, tid;
	current_ids(run, &tgid, &tid);
	char path[96];
	struct stat st;
	/* The kernel: the size of struct bpf_pidns_info, a dev that fits its
	 * 32-bit dev_t, and the namespace's (dev, inode) equal to the task's
	 * active pid namespace; dev in the kernel's encoding (major << 20 |
	 * minor), which is what stat() reports for nsfs's small minors. */
	if (n != 8 || (uint64_t)(uint32_t)dev != dev)
		goto clear;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/ns/pid", tgid, tid);
	if (stat(path, &st)) {
		err = -ENOENT;
		goto clear;
	}
	uint64_t kdev = (uint64_t)major(st.st_dev) << 20 | minor(st.st_dev);
	if (kdev != dev || (uint64_t)st.st_ino != ino)
		goto clear;
	/* Ids in the innermost namespace: the last of NSpid / NStgid. */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", tgid, tid);
	uint32_t pid_ns = (uint32_t)tid, tgid_ns = (uint32_t)tgid;
	char status[4096];
	if (read_small(path, status, sizeof(status)) > 0) {
		size_t pos = 0;
		for (char *line; (line = next_line(status, &pos));) {
			bool is_pid = !strncmp(line, "NSpid:", 6), is_tgid = !strncmp(line, "NStgid:", 7);
			if (!is_pid && !is_tgid)
				continue;
			char *last = strrchr(line, '\t');
			unsigned v;
			if (last && sscanf(last, "%u", &v) == 1)
				*(is_pid ? &pid_ns : &tgid_ns) = v;
		}
	}
	out[0] = pid_ns;
	out[1] = tgid_ns;
	return 0;
clear:
	memset(out, 0, n);
	return (uint64_t)(int64_t)err;
}

static uint64_t h_get_attach_cookie(uint64_t ctx, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
				    struct bpfrt_run *run)
{
	(void)ctx, (void)b, (void)c, (void)d, (void)e;
	const struct bpfrt_run_opts *o = run->opts;
	if (!o || o->sz < offsetof(struct bpfrt_run_opts, attach_cookie) + sizeof(o->attach_cookie))
		return 0;
	return o->attach_cookie;
}

void bpfrt_helpers_register_tracing(struct bpfrt *rt)
{
	bpfrt_register_helper(rt, BPF_FUNC_get_current_task, "get_current_task", h_get_current_task);
	bpfrt_register_helper(rt, BPF_FUNC_get_ns_current_pid_tgid, "get_ns_current_pid_tgid",
			      h_get_ns_current_pid_tgid);
	bpfrt_register_helper(rt, BPF_FUNC_get_attach_cookie, "get_attach_cookie", h_get_attach_cookie);
	bpfrt_helpers_register_stack(rt);
}

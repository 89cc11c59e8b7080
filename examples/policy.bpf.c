/* policy.bpf.c — an enforcement policy on syscall tracepoints: no writes
 * under a protected directory (open/openat/creat for writing, unlink,
 * rename either way, mkdir, rmdir, truncate) and no exec of anything off an
 * allow-list.  A denied call returns EPERM to the program
 * (bpf_override_return), or, with kill_on_deny, the process is killed
 * (bpf_send_signal(SIGKILL)) before the call runs; each denial is reported
 * through the `denials` ring buffer.
 *
 *   bpfrt trace examples/policy.bpf.o set protected_dir=/srv/data \
 *       set allow_exec=/bin/sh,/usr/bin/cat -- /bin/sh -c '...'
 *
 * Limits (docs/cli.md): paths are compared as the program passed them, so
 * the protected directory is matched on absolute paths (a relative path or
 * a symlink into it is not recognised; *at() calls with a directory fd
 * other than AT_FDCWD are judged by their path alone); exec paths are
 * compared exactly, so give absolute paths (a PATH search of the first
 * command stops at the first EPERM).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "syscall_tp.h"

#define PATH_LEN 128
#define MAX_ALLOWED 8
#define EPERM 1
#define SIGKILL 9
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_TRUNC 01000

/* Configuration (.rodata), set before load: bpfrt trace ... set VAR=VALUE. */
const volatile char protected_dir[PATH_LEN] = "";          /* "" : no write protection */
const volatile char allow_exec[MAX_ALLOWED][PATH_LEN] = {}; /* empty: every exec allowed */
const volatile bool kill_on_deny = false;

enum action { DENY_WRITE = 1, DENY_EXEC = 2, KILLED = 3 };

struct denial {
	__u32 pid;
	__u32 tid;
	int syscall;
	enum action action;
	char comm[TASK_COMM_LEN];
	char path[PATH_LEN];
};
struct denial *unused_denial __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} denials SEC(".maps");

/* The allow-list as a set, filled from allow_exec on the first exec. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ALLOWED);
	__type(key, char[PATH_LEN]);
	__type(value, __u8);
} allowed SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[PATH_LEN]);
} scratch SEC(".maps");

__u32 allowed_ready = 0;

static __always_inline char *read_path(const char *user)
{
	__u32 zero = 0;
	char *buf = bpf_map_lookup_elem(&scratch, &zero);
	if (!buf)
		return 0;
	__builtin_memset(buf, 0, PATH_LEN);
	if (bpf_probe_read_user_str(buf, PATH_LEN, user) < 0)
		return 0;
	return buf;
}

/* Is path protected_dir itself or under it? */
static __always_inline bool under_protected(const char *path)
{
	char prev = 0;
	if (!protected_dir[0])
		return false;
	for (int i = 0; i < PATH_LEN; i++) {
		char d = protected_dir[i];
		if (!d)
			return path[i] == '/' || path[i] == 0 || prev == '/';
		if (path[i] != d)
			return false;
		prev = d;
	}
	return false;
}

static __always_inline void deny(void *ctx, int nr, const char *path, enum action action)
{
	struct denial *d = bpf_ringbuf_reserve(&denials, sizeof(*d), 0);
	__u64 id = bpf_get_current_pid_tgid();
	if (kill_on_deny) {
		bpf_send_signal(SIGKILL);
		action = KILLED;
	} else {
		bpf_override_return(ctx, -EPERM);
	}
	if (!d)
		return;
	d->pid = id >> 32;
	d->tid = (__u32)id;
	d->syscall = nr;
	d->action = action;
	bpf_get_current_comm(d->comm, sizeof(d->comm));
	if (path)
		__builtin_memcpy(d->path, path, PATH_LEN);
	else
		__builtin_memset(d->path, 0, PATH_LEN);
	bpf_ringbuf_submit(d, 0);
}

static __always_inline int check_write(struct trace_event_raw_sys_enter *ctx, const char *user)
{
	char *path = read_path(user);
	if (path && under_protected(path))
		deny(ctx, (int)ctx->id, path, DENY_WRITE);
	return 0;
}

static __always_inline int check_open(struct trace_event_raw_sys_enter *ctx, const char *user, long flags)
{
	if (!(flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)))
		return 0;
	return check_write(ctx, user);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int policy_openat(struct trace_event_raw_sys_enter *ctx)
{
	return check_open(ctx, (const char *)ctx->args[1], (long)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_open")
int policy_open(struct trace_event_raw_sys_enter *ctx)
{
	return check_open(ctx, (const char *)ctx->args[0], (long)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_creat")
int policy_creat(struct trace_event_raw_sys_enter *ctx)
{
	return check_write(ctx, (const char *)ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_enter_truncate")
int policy_truncate(struct trace_event_raw_sys_enter *ctx)
{
	return check_write(ctx, (const char *)ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_enter_unlink")
int policy_unlink(struct trace_event_raw_sys_enter *ctx)
{
	return check_write(ctx, (const char *)ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_enter_unlinkat")
int policy_unlinkat(struct trace_event_raw_sys_enter *ctx)
{
	return check_write(ctx, (const char *)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_mkdir")
int policy_mkdir(struct trace_event_raw_sys_enter *ctx)
{
	return check_write(ctx, (const char *)ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_enter_mkdirat")
int policy_mkdirat(struct trace_event_raw_sys_enter *ctx)
{
	return check_write(ctx, (const char *)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_rmdir")
int policy_rmdir(struct trace_event_raw_sys_enter *ctx)
{
	return check_write(ctx, (const char *)ctx->args[0]);
}

/* rename(old, new), renameat(olddfd, old, newdfd, new), renameat2(...):
 * either end under the directory is a write to it. */
SEC("tracepoint/syscalls/sys_enter_rename")
int policy_rename(struct trace_event_raw_sys_enter *ctx)
{
	check_write(ctx, (const char *)ctx->args[0]);
	return check_write(ctx, (const char *)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_renameat")
int policy_renameat(struct trace_event_raw_sys_enter *ctx)
{
	check_write(ctx, (const char *)ctx->args[1]);
	return check_write(ctx, (const char *)ctx->args[3]);
}

SEC("tracepoint/syscalls/sys_enter_renameat2")
int policy_renameat2(struct trace_event_raw_sys_enter *ctx)
{
	check_write(ctx, (const char *)ctx->args[1]);
	return check_write(ctx, (const char *)ctx->args[3]);
}

static __always_inline void fill_allowed(void)
{
	if (allowed_ready)
		return;
	__u8 one = 1;
	for (int i = 0; i < MAX_ALLOWED; i++)
		if (allow_exec[i][0])
			bpf_map_update_elem(&allowed, (const void *)allow_exec[i], &one, BPF_ANY);
	allowed_ready = 1;
}

static __always_inline int check_exec(struct trace_event_raw_sys_enter *ctx, const char *user)
{
	if (!allow_exec[0][0])
		return 0;
	fill_allowed();
	char *path = read_path(user);
	if (!path || !bpf_map_lookup_elem(&allowed, path))
		deny(ctx, (int)ctx->id, path, DENY_EXEC);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int policy_execve(struct trace_event_raw_sys_enter *ctx)
{
	return check_exec(ctx, (const char *)ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int policy_execveat(struct trace_event_raw_sys_enter *ctx)
{
	return check_exec(ctx, (const char *)ctx->args[1]);
}

char LICENSE[] SEC("license") = "GPL";

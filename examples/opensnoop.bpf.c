/* opensnoop.bpf.c — every open(2)/openat(2) of the traced processes, with
 * the path, flags and result, written the way libbpf-tools write it: the
 * arguments are kept per thread at sys_enter, the event is sent at
 * sys_exit through a ring buffer.  Run it with
 *   bpfrt trace examples/opensnoop.bpf.o -- ls /tmp
 * (bpfrt prints each `struct event` field by field; -j for JSON lines).
 * Optional filters in .rodata, as libbpf-tools' targ_* globals.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "syscall_tp.h"

#define NAME_MAX 255

const volatile __u32 targ_tgid = 0;  /* 0: every process */
const volatile bool targ_failed = false; /* only failed opens */

struct args_t {
	const char *fname;
	int flags;
};

struct event {
	__u64 ts;
	__u32 pid;
	__u32 tid;
	__u32 uid;
	int ret;
	int flags;
	char comm[TASK_COMM_LEN];
	char fname[NAME_MAX];
};

/* The record type of `events`, for printers that find it by name. */
struct event *unused_event __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct args_t);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline int enter(const char *fname, int flags)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	if (targ_tgid && targ_tgid != tgid)
		return 0;
	struct args_t args = {.fname = fname, .flags = flags};
	bpf_map_update_elem(&start, &tid, &args, BPF_ANY);
	return 0;
}

static __always_inline int leave(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct args_t *ap = bpf_map_lookup_elem(&start, &tid);
	if (!ap)
		return 0;
	if (targ_failed && ret >= 0)
		goto out;
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		goto out;
	e->ts = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = tid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = (int)ret;
	e->flags = ap->flags;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_user_str(e->fname, sizeof(e->fname), ap->fname);
	bpf_ringbuf_submit(e, 0);
out:
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_open")
int tracepoint__syscalls__sys_enter_open(struct trace_event_raw_sys_enter *ctx)
{
	return enter((const char *)ctx->args[0], (int)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tracepoint__syscalls__sys_enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	return enter((const char *)ctx->args[1], (int)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_exit_open")
int tracepoint__syscalls__sys_exit_open(struct trace_event_raw_sys_exit *ctx)
{
	return leave(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int tracepoint__syscalls__sys_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	return leave(ctx->ret);
}

char LICENSE[] SEC("license") = "GPL";

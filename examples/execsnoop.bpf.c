/* execsnoop.bpf.c — every execve(2) of the traced processes with its file,
 * first arguments and result, in the way libbpf-tools' execsnoop works:
 * the call's arguments are captured per thread at sys_enter_execve, the
 * event goes out at sys_exit_execve (with the return value, and the new
 * program's comm when it succeeded) through a perf event array.
 *   bpfrt trace examples/execsnoop.bpf.o -- /bin/sh -c 'ls; date'
 * set max_args=N (1..6) limits the arguments captured.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "syscall_tp.h"

#define FILE_LEN 128
#define ARG_LEN 48
#define MAX_ARGS 6

const volatile __u32 max_args = MAX_ARGS;

struct exec_event {
	__u32 pid;
	__u32 tid;
	__u32 uid;
	int ret;
	__u32 argc; /* arguments captured (at most max_args) */
	char comm[TASK_COMM_LEN];
	char file[FILE_LEN];
	char argv[MAX_ARGS][ARG_LEN];
};
struct exec_event *unused_exec_event __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct exec_event);
} execs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} exec_events SEC(".maps");

static const struct exec_event empty;

SEC("tracepoint/syscalls/sys_enter_execve")
int tracepoint__syscalls__sys_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	if (bpf_map_update_elem(&execs, &tid, &empty, BPF_ANY))
		return 0;
	struct exec_event *e = bpf_map_lookup_elem(&execs, &tid);
	if (!e)
		return 0;
	e->pid = id >> 32;
	e->tid = tid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	bpf_probe_read_user_str(e->file, sizeof(e->file), (const char *)ctx->args[0]);
	const char *const *argv = (const char *const *)ctx->args[1];
#pragma unroll
	for (int i = 0; i < MAX_ARGS; i++) {
		const char *arg = 0;
		if (i >= max_args)
			break;
		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
			break;
		bpf_probe_read_user_str(e->argv[i], ARG_LEN, arg);
		e->argc = i + 1;
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int tracepoint__syscalls__sys_exit_execve(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct exec_event *e = bpf_map_lookup_elem(&execs, &tid);
	if (!e)
		return 0;
	e->ret = (int)ctx->ret;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_perf_event_output(ctx, &exec_events, BPF_F_CURRENT_CPU, e, sizeof(*e));
	bpf_map_delete_elem(&execs, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

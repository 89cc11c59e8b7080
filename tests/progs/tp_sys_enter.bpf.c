/* tp_sys_enter.bpf.c — a TRACEPOINT program on syscalls/sys_enter_write
 * reading the kernel's record layout (the kernel cannot test-run
 * tracepoint programs, so only load verdicts are compared). */
#include "common.h"

struct sys_enter_write_args {
	__u64 common;
	__s64 nr;
	__u64 fd;
	__u64 buf;
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u64);
} bytes_by_fd SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_write")
int tp_sys_enter(struct sys_enter_write_args *ctx)
{
	__u64 fd = ctx->fd, n = ctx->count;
	__u64 *v = bpf_map_lookup_elem(&bytes_by_fd, &fd);
	if (v)
		__sync_fetch_and_add(v, n);
	else
		bpf_map_update_elem(&bytes_by_fd, &fd, &n, BPF_ANY);
	return 0;
}

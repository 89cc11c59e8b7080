/* trace_raw.bpf.c — raw_tracepoint/sys_enter and sys_exit programs for
 * tests/hooks/test_trace.c: at entry, for openat, the path is read through
 * the struct pt_regs the context points to (CO-RE reads of regs->si, as
 * PT_REGS_PARM2_CORE_SYSCALL does) and kept per thread; at exit it is sent
 * with the return value.  Every entry is counted (counts[0]), and entries
 * whose ctx->args[1] differs from regs->orig_ax are counted in counts[1]
 * (must stay 0).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags,
		sp, ss;
} __attribute__((preserve_access_index));

#define NR_OPENAT 257

struct raw_event {
	__u32 pid;
	__u32 tid;
	long ret;
	char path[128];
};
struct raw_event *unused_raw_event __attribute__((unused));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct raw_event);
} pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} raw_events SEC(".maps");

static struct raw_event zero;

SEC("raw_tracepoint/sys_enter")
int raw_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	long id = (long)ctx->args[1];
	__u32 k = 0;
	__u64 *c = bpf_map_lookup_elem(&counts, &k);
	if (c)
		__sync_fetch_and_add(c, 1);
	if (BPF_CORE_READ(regs, orig_ax) != (unsigned long)id) {
		k = 1;
		c = bpf_map_lookup_elem(&counts, &k);
		if (c)
			__sync_fetch_and_add(c, 1);
	}
	if (id != NR_OPENAT)
		return 0;
	__u64 pt = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pt;
	if (bpf_map_update_elem(&pending, &tid, &zero, BPF_ANY))
		return 0;
	struct raw_event *e = bpf_map_lookup_elem(&pending, &tid);
	if (!e)
		return 0;
	e->pid = pt >> 32;
	e->tid = tid;
	const char *path = (const char *)BPF_CORE_READ(regs, si);
	bpf_probe_read_user_str(e->path, sizeof(e->path), path);
	return 0;
}

SEC("raw_tp/sys_exit")
int raw_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct raw_event *e = bpf_map_lookup_elem(&pending, &tid);
	if (!e)
		return 0;
	e->ret = (long)ctx->args[1];
	bpf_ringbuf_output(&raw_events, e, sizeof(*e), 0);
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

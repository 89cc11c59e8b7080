/* helpers_trace.bpf.c — the tracing helpers of tests/hooks/test_helpers_trace.c,
 * written as a libbpf-bootstrap program would be: kernel types declared
 * vmlinux.h-style (preserve_access_index, so CO-RE relocates them against
 * the target's BTF: the kernel's, or bpfrt's builtin task_struct),
 * BPF_CORE_READ chains, bpf_get_current_task, bpf_get_ns_current_pid_tgid,
 * bpf_get_stack, bpf_get_attach_cookie.  The raw_tp programs return their
 * answer in r0 so the same object runs on the host kernel (libbpf,
 * BPF_PROG_TEST_RUN) and on bpfrt and the two can be compared.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

typedef struct {
	unsigned int val;
} kuid_t;

struct cred {
	kuid_t uid;
	kuid_t euid;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	const struct cred *cred;
	char comm[16];
} __attribute__((preserve_access_index));

struct pt_regs {
	unsigned long ip;
	unsigned long sp;
	unsigned long bp;
} __attribute__((preserve_access_index));

/* ctx: u64 args of BPF_PROG_TEST_RUN: [0] = pid ns dev, [1] = its inode */
SEC("raw_tp/sys_enter")
int ns_tgid(__u64 *ctx)
{
	struct bpf_pidns_info info = {};
	long r = bpf_get_ns_current_pid_tgid(ctx[0], ctx[1], &info, sizeof(info));
	return r ? (int)r : (int)info.tgid;
}

SEC("raw_tp/sys_enter")
int ns_pid(__u64 *ctx)
{
	struct bpf_pidns_info info = {};
	long r = bpf_get_ns_current_pid_tgid(ctx[0], ctx[1], &info, sizeof(info));
	return r ? (int)r : (int)info.pid;
}

/* a dev that does not fit the kernel's 32-bit dev_t */
SEC("raw_tp/sys_enter")
int ns_bigdev(__u64 *ctx)
{
	struct bpf_pidns_info info = {};
	return (int)bpf_get_ns_current_pid_tgid(ctx[0] | (1ull << 32), ctx[1], &info, sizeof(info));
}

/* the wrong size: -EINVAL */
SEC("raw_tp/sys_enter")
int ns_badsize(__u64 *ctx)
{
	__u32 info[3] = {};
	return (int)bpf_get_ns_current_pid_tgid(ctx[0], ctx[1], (struct bpf_pidns_info *)info, sizeof(info));
}

SEC("raw_tp/sys_enter")
int task_tgid(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(t, tgid);
}

SEC("raw_tp/sys_enter")
int task_pid(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(t, pid);
}

SEC("raw_tp/sys_enter")
int task_ppid(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(t, real_parent, tgid);
}

SEC("raw_tp/sys_enter")
int task_leader(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(t, group_leader, pid);
}

SEC("raw_tp/sys_enter")
int task_euid(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(t, cred, euid.val);
}

/* the first four bytes of comm, little-endian */
SEC("raw_tp/sys_enter")
int task_comm(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	char comm[16] = {};
	BPF_CORE_READ_STR_INTO(&comm, t, comm);
	return comm[0] | comm[1] << 8 | comm[2] << 16 | comm[3] << 24;
}

/* bpf_get_stack's argument rules, answered before any stack is read
 * (the same on the kernel and on bpfrt): returns the helper's result. */
SEC("raw_tp/sys_enter")
int stack_badflags(void *ctx)
{
	__u64 ips[4];
	return (int)bpf_get_stack(ctx, ips, sizeof(ips), 1ull << 12);
}

SEC("raw_tp/sys_enter")
int stack_buildid_kernel(void *ctx)
{
	__u64 ips[8];
	return (int)bpf_get_stack(ctx, ips, sizeof(ips), BPF_F_USER_BUILD_ID);
}

SEC("raw_tp/sys_enter")
int stack_badsize(void *ctx)
{
	__u64 ips[4];
	return (int)bpf_get_stack(ctx, ips, 20, BPF_F_USER_STACK);
}

SEC("raw_tp/sys_enter")
int stack_buildid_size(void *ctx)
{
	__u64 ips[5];
	return (int)bpf_get_stack(ctx, ips, 40, BPF_F_USER_STACK | BPF_F_USER_BUILD_ID);
}

/* bpf_get_stack on a uprobe's registers (bpfrt test-runs KPROBE programs
 * with ctx_in as struct pt_regs): mode and flags from cfg, the result and
 * the addresses in out. */
struct stack_out {
	long ret;
	__u64 ips[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2); /* [0] = mode, [1] = flags */
	__type(key, __u32);
	__type(value, __u64);
} cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stack_out);
} out SEC(".maps");

SEC("uprobe")
int stack_regs(struct pt_regs *ctx)
{
	__u32 k0 = 0, k1 = 1;
	__u64 *mode = bpf_map_lookup_elem(&cfg, &k0), *flags = bpf_map_lookup_elem(&cfg, &k1);
	struct stack_out *o = bpf_map_lookup_elem(&out, &k0);
	if (!mode || !flags || !o)
		return 0;
	if (*mode == 0)
		o->ret = bpf_get_stack(ctx, o->ips, sizeof(o->ips), *flags);
	else if (*mode == 1)
		o->ret = bpf_get_stack(ctx, o->ips, 3 * 8, *flags);
	else if (*mode == 2)
		o->ret = bpf_get_stack(ctx, o->ips, 0, *flags);
	else
		o->ret = bpf_get_stack(ctx, o->ips, 2 * sizeof(struct bpf_stack_build_id), *flags);
	return 0;
}

SEC("uprobe")
int cookie(struct pt_regs *ctx)
{
	return (int)bpf_get_attach_cookie(ctx);
}

/* In a uprobe on a traced process: what the task and stack helpers see.
 * [0] tgid, [1] parent's tgid, [2] cookie, [3] bpf_get_stack's result,
 * [4] its first address, [5] PT_REGS_IP, [6] its second address (the
 * caller: the probe is at the function's entry). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 7);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

static void put(__u32 k, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&seen, &k);
	if (p)
		*p = v;
}

SEC("uprobe")
int in_uprobe(struct pt_regs *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u64 ips[4] = {};
	put(0, BPF_CORE_READ(t, tgid));
	put(1, BPF_CORE_READ(t, real_parent, tgid));
	put(2, bpf_get_attach_cookie(ctx));
	put(3, bpf_get_stack(ctx, ips, sizeof(ips), BPF_F_USER_STACK));
	put(4, ips[0]);
	put(5, BPF_CORE_READ(ctx, ip));
	put(6, ips[1]);
	return 0;
}

/* bpf_get_stackid into a one-bucket STACK_TRACE map: flags from cfg[1],
 * the result in out.ret (bpfrt test-runs it on crafted pt_regs). */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 4 * sizeof(__u64));
} stacks SEC(".maps");

SEC("uprobe")
int stackid_regs(struct pt_regs *ctx)
{
	__u32 k0 = 0, k1 = 1;
	__u64 *flags = bpf_map_lookup_elem(&cfg, &k1);
	struct stack_out *o = bpf_map_lookup_elem(&out, &k0);
	if (!flags || !o)
		return 0;
	o->ret = bpf_get_stackid(ctx, &stacks, *flags);
	return 0;
}

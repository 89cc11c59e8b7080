/* bootstrap_like.bpf.c — tracing programs written the way the public
 * libbpf-bootstrap examples are (but not copied from them): vmlinux.h from
 * the host kernel's BTF, CO-RE reads, BPF_KPROBE/BPF_KRETPROBE/BPF_KSYSCALL,
 * tracepoints, a tc classifier, ring buffers and the tracing helpers that
 * programs use everywhere (bpf_get_current_task, bpf_get_stack,
 * bpf_get_ns_current_pid_tgid, bpf_get_attach_cookie).  tests/hooks/
 * test_bootstrap_like.c checks that bpfrt loads every one of them unchanged.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define ETH_P_IP 0x0800
#define TC_ACT_OK 0

struct event {
	int pid, ppid;
	unsigned exit_code;
	unsigned long long stamp_ns;
	char comm[16];
	long nstack;
	unsigned long long stack[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, pid_t);
	__type(value, u64);
} exec_start SEC(".maps");

const volatile unsigned long long min_duration_ns = 0;
const volatile u64 pidns_dev = 0, pidns_ino = 0;

SEC("tp/syscalls/sys_enter_execve")
int handle_exec(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	pid_t pid = bpf_get_current_pid_tgid() >> 32;
	u64 ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&exec_start, &pid, &ts, BPF_ANY);
	struct event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = pid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->exit_code = 0;
	e->stamp_ns = ts;
	e->nstack = 0;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp/syscalls/sys_enter_exit_group")
int handle_exit(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	u64 id = bpf_get_current_pid_tgid();
	pid_t pid = id >> 32, tid = (u32)id;
	if (pid != tid)
		return 0;
	u64 *start = bpf_map_lookup_elem(&exec_start, &pid);
	u64 dur = start ? bpf_ktime_get_ns() - *start : 0;
	if (min_duration_ns && dur < min_duration_ns)
		return 0;
	bpf_map_delete_elem(&exec_start, &pid);
	struct event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = pid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->exit_code = (BPF_CORE_READ(task, exit_code) >> 8) & 0xff;
	e->stamp_ns = dur;
	e->nstack = 0;
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(do_unlinkat, int dfd, struct filename *name)
{
	pid_t pid = bpf_get_current_pid_tgid() >> 32;
	const char *filename = BPF_CORE_READ(name, name);
	bpf_printk("KPROBE ENTRY pid = %d, filename = %s\n", pid, filename);
	return 0;
}

SEC("kretprobe/do_unlinkat")
int BPF_KRETPROBE(do_unlinkat_exit, long ret)
{
	bpf_printk("KPROBE EXIT: pid = %d, ret = %ld\n", (int)(bpf_get_current_pid_tgid() >> 32), ret);
	return 0;
}

SEC("ksyscall/kill")
int BPF_KSYSCALL(entry_kill, pid_t pid, int sig)
{
	char comm[16];
	bpf_get_current_comm(&comm, sizeof(comm));
	bpf_printk("KILL syscall called by PID %d (%s) for PID %d with sig %d", (int)(bpf_get_current_pid_tgid() >> 32),
		   comm, pid, sig);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(uprobe_add, int a, int b)
{
	bpf_printk("uprobed_add ENTRY: a = %d, b = %d, cookie = %llu", a, b, bpf_get_attach_cookie(ctx));
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(uretprobe_add, int ret)
{
	bpf_printk("uprobed_add EXIT: return = %d", ret);
	return 0;
}

SEC("uprobe//proc/self/exe:uprobe_target_add")
int BPF_KPROBE(uprobe_stack, int a)
{
	struct event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (!e)
		return 0;
	struct bpf_pidns_info ns = {};
	if (bpf_get_ns_current_pid_tgid(pidns_dev, pidns_ino, &ns, sizeof(ns)))
		ns.tgid = bpf_get_current_pid_tgid() >> 32;
	e->pid = ns.tgid;
	e->ppid = a;
	e->exit_code = 0;
	e->stamp_ns = bpf_ktime_get_ns();
	e->nstack = bpf_get_stack(ctx, e->stack, sizeof(e->stack), BPF_F_USER_STACK);
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tc")
int tc_ingress(struct __sk_buff *ctx)
{
	void *data_end = (void *)(__u64)ctx->data_end;
	void *data = (void *)(__u64)ctx->data;
	struct ethhdr *l2 = data;
	if ((void *)(l2 + 1) > data_end)
		return TC_ACT_OK;
	if (l2->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	struct iphdr *l3 = (struct iphdr *)(l2 + 1);
	if ((void *)(l3 + 1) > data_end)
		return TC_ACT_OK;
	bpf_printk("Got IP packet: tot_len: %d, ttl: %d", bpf_ntohs(l3->tot_len), l3->ttl);
	return TC_ACT_OK;
}

SEC("socket")
int socket_count(struct __sk_buff *skb)
{
	return skb->len > 0 ? -1 : 0;
}

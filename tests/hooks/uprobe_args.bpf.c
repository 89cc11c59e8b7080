/* uprobe_args.bpf.c — uprobe and uretprobe programs of tests/hooks/test_uprobe.c
 * on tests/hooks/uprobe_target.c, written as for the kernel (libbpf's
 * SEC() names, BPF_KPROBE/BPF_KRETPROBE, PT_REGS_PARM via bpf_tracing.h):
 * they count the calls and check each argument against what the target
 * passes (a = i, b = i * 1000, s = "hello"), and sum the return values.
 */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <stdbool.h>
#include <bpf/usdt.bpf.h>

char LICENSE[] SEC("license") = "GPL";

/* 0: entry hits, 1: bad arguments, 2: sum of a, 3: return hits,
 * 4: sum of return values, 5: last pid seen, 6: USDT hits, 7: bad ip */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static void add(__u32 k, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&stats, &k);
	if (p)
		__sync_fetch_and_add(p, v);
}

static void set(__u32 k, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&stats, &k);
	if (p)
		*p = v;
}

SEC("uprobe//proc/self/exe:uprobe_target_add")
int BPF_KPROBE(on_add, int a, long b, const char *s)
{
	char buf[8] = {};
	add(0, 1);
	add(2, (__u64)a);
	bpf_probe_read_user_str(buf, sizeof(buf), s);
	if (b != (long)a * 1000 || buf[0] != 'h' || buf[4] != 'o' || buf[5] != 0)
		add(1, 1);
	if (PT_REGS_IP(ctx) == 0)
		add(7, 1);
	set(5, bpf_get_current_pid_tgid() >> 32);
	return 0;
}

SEC("uretprobe//proc/self/exe:uprobe_target_ret")
int BPF_KRETPROBE(on_ret, int rc)
{
	add(3, 1);
	add(4, (__u64)rc);
	return 0;
}

/* The USDT probe bpfrt_test:tick(int a, long b) (attached by code: the
 * agent's entry names the site), arguments through bpf_usdt_arg. */
SEC("usdt")
int BPF_USDT(on_tick, int a, long b)
{
	add(6, 1);
	if (b != (long)a * 1000 || bpf_usdt_arg_cnt(ctx) != 2 || bpf_usdt_cookie(ctx) != 5)
		add(1, 1);
	return 0;
}

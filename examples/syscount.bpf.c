/* syscount.bpf.c — system call counts and a latency histogram for the
 * traced processes, the way BCC's syscount and funclatency report them:
 * raw_tracepoint/sys_enter stamps the time per thread, sys_exit adds the
 * call's latency (microseconds, log2 buckets) to `hist_usecs` and counts
 * it per syscall number in `counts` (calls, total ns, errors).
 * `bpfrt trace` prints hist_* array maps as bar charts when the command
 * ends; the counts are a map to read:
 *   bpfrt trace examples/syscount.bpf.o pinmaps /run/bpfrt/sc -- make
 *   bpfrt map dump pinned /run/bpfrt/sc/counts
 * set targ_nr=N measures syscall N only (e.g. 0 for read).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define HIST_SLOTS 32

const volatile long targ_nr = -1; /* -1: every syscall */

struct count {
	__u64 calls;
	__u64 total_ns;
	__u64 errors;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, struct count);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HIST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} hist_usecs SEC(".maps");

/* floor(log2(v)) for v >= 1, 0 for 0: slot i holds [2^i, 2^(i+1)). */
static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 r = 0;
#pragma unroll
	for (int s = 32; s > 0; s >>= 1)
		if (v >> s) {
			v >>= s;
			r += s;
		}
	return r;
}

SEC("raw_tracepoint/sys_enter")
int sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	if (targ_nr >= 0 && (long)ctx->args[1] != targ_nr)
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &tid, &ts, BPF_ANY);
	return 0;
}

SEC("raw_tracepoint/sys_exit")
int sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *tsp = bpf_map_lookup_elem(&start, &tid);
	if (!tsp)
		return 0;
	__u64 delta = bpf_ktime_get_ns() - *tsp;
	bpf_map_delete_elem(&start, &tid);
	/* The syscall number is in the saved registers' orig_ax (struct
	 * pt_regs at args[0], offset 120), as raw sys_exit programs find it. */
	__u64 nr64 = 0;
	bpf_probe_read_kernel(&nr64, sizeof(nr64), (const void *)(ctx->args[0] + 120));
	__u32 nr = (__u32)nr64;
	struct count *c = bpf_map_lookup_elem(&counts, &nr);
	if (!c) {
		struct count zero = {};
		bpf_map_update_elem(&counts, &nr, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&counts, &nr);
		if (!c)
			return 0;
	}
	__sync_fetch_and_add(&c->calls, 1);
	__sync_fetch_and_add(&c->total_ns, delta);
	if ((long)ctx->args[1] < 0)
		__sync_fetch_and_add(&c->errors, 1);
	__u32 slot = log2_slot(delta / 1000);
	if (slot >= HIST_SLOTS)
		slot = HIST_SLOTS - 1;
	__u64 *h = bpf_map_lookup_elem(&hist_usecs, &slot);
	if (h)
		__sync_fetch_and_add(h, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

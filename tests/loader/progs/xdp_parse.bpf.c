/* xdp_parse.bpf.c — the loader's main test object: an XDP parser counting
 * packets per IP protocol in a BTF hash map, with global data (.rodata knob
 * set before load, .bss and .data counters, a custom .data.stats section), a
 * static and a global subprogram in .text, and a bpf_loop callback. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} proto_count SEC(".maps");

/* .rodata, set before load (one variable, so it sits at offset 0). */
const volatile struct {
	__u32 drop_proto;
	__u32 loop_n;
} cfg = {0, 4};
__u64 packets = 0;                   /* .bss */
__u32 bias = 7;                      /* .data */
__u64 seen_bytes SEC(".data.stats") = 0;

static __noinline int proto_of(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return -1;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return -1;
	return ip->protocol;
}

__noinline int add_bias(int x)
{
	return x + bias;
}

static int sum_cb(__u32 i, void *ctx)
{
	__u64 *sum = ctx;
	*sum += i;
	return 0;
}

SEC("xdp")
int xdp_parse(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	packets++;
	seen_bytes += data_end - data;
	int proto = proto_of(data, data_end);
	if (proto < 0)
		return XDP_PASS;
	__u32 key = proto;
	__u64 one = 1, *v = bpf_map_lookup_elem(&proto_count, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&proto_count, &key, &one, BPF_ANY);
	if (cfg.drop_proto && proto == (int)cfg.drop_proto)
		return XDP_DROP;
	return XDP_PASS;
}

/* SYSCALL program: returns bias + sum(0..cfg.loop_n-1) through a global
 * subprogram and a bpf_loop callback. */
SEC("syscall")
int sys_sum(void *ctx)
{
	__u64 sum = 0;
	bpf_loop(cfg.loop_n, sum_cb, &sum, 0);
	return add_bias((int)sum);
}

char LICENSE[] SEC("license") = "GPL";

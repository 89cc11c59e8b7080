/* xdp_drop.bpf.c — drops every frame: the floor of a packet path's cost
 * (bench/net, the benchmark's XDP_DROP row). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";

/* maps_in_maps.bpf.c — map-in-map with initial slots (.values relocations
 * in .maps), a prog array with initial programs and a tail call. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = {[0] = &inner_a, [2] = &inner_b},
};

int tail_target(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int(struct xdp_md *));
} jmp SEC(".maps") = {
	.values = {[1] = (void *)&tail_target},
};

/* Write 11 through outer[0] and 22 through outer[2]; return how many of
 * the four slots hold a map. */
SEC("syscall")
int fill_inner(void *ctx)
{
	int n = 0;
	for (__u32 i = 0; i < 4; i++) {
		__u32 k = i;
		void *in = bpf_map_lookup_elem(&outer, &k);
		if (!in)
			continue;
		n++;
		__u32 zero = 0, val = 11 * (i / 2 + 1);
		bpf_map_update_elem(in, &zero, &val, BPF_ANY);
	}
	return n;
}

SEC("xdp")
int tail_target(struct xdp_md *ctx)
{
	return XDP_TX;
}

SEC("xdp")
int tail_caller(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jmp, 1);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";

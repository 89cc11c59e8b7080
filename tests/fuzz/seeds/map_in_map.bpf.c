/* map_in_map.bpf.c — fuzz seed: an array of maps with initial slots, a
 * prog array with an initial program, a tail call and a pinned map. */
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

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shared SEC(".maps");

int target(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int(struct xdp_md *));
} jmp SEC(".maps") = {
	.values = {[1] = (void *)&target},
};

SEC("xdp")
int target(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&shared, &k);
	if (v)
		*v += 1;
	return XDP_DROP;
}

SEC("xdp")
int entry(struct xdp_md *ctx)
{
	__u32 k = 0;
	void *in = bpf_map_lookup_elem(&outer, &k);
	if (in) {
		__u32 *x = bpf_map_lookup_elem(in, &k);
		if (x)
			*x = 1;
	}
	bpf_tail_call(ctx, &jmp, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

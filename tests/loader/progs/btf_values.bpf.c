/* btf_values.bpf.c — a hash map of structs, filled by a SYSCALL program:
 * `bpfrt map dump` prints its elements by field name from the map's BTF. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct point {
	__u32 x;
	__s16 dy[3];
	char tag[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct point);
} points SEC(".maps");

SEC("syscall")
int fill(void *ctx)
{
	struct point p = {.x = 7, .dy = {-1, 2, 3}, .tag = "abc"};
	__u32 k = 1;
	bpf_map_update_elem(&points, &k, &p, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

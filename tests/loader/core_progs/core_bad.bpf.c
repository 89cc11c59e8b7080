/* core_bad.bpf.c — a CO-RE field bpfrt's xdp_md lacks, read without an
 * existence check: loading must fail naming the program, the instruction,
 * the field and the relocation (tests/loader/test_core.c). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct xdp_md___future {
	__u32 data;
	__u32 rx_hash_type;
} __attribute__((preserve_access_index));

SEC("xdp")
int future_field(struct xdp_md *ctx)
{
	struct xdp_md___future *m = (void *)ctx;
	return m->rx_hash_type == 3 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

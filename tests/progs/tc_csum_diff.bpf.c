/* tc_csum_diff.bpf.c — bpf_csum_diff over packet and stack buffers of
 * several sizes (the helper's running sum), results in an ARRAY; verifies
 * the IPv4 header checksum and returns 1 if it is valid. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __s64);
} sums SEC(".maps");

SEC("tc")
int tc_csum_diff(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	if ((void *)(ip + 1) > end)
		return 0;
	__s64 s = bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0);
	__u32 k = 0;
	bpf_map_update_elem(&sums, &k, &s, BPF_ANY);
	__u32 a[2] = {0x01020304, 0xa0b0c0d0}, b[3] = {0x11111111, 0x22222222, 0xffffffff};
	__s64 s2 = bpf_csum_diff(a, sizeof(a), b, sizeof(b), 0x1234);
	k = 1;
	bpf_map_update_elem(&sums, &k, &s2, BPF_ANY);
	__s64 s3 = bpf_csum_diff(b, sizeof(b), 0, 0, 0);
	k = 2;
	bpf_map_update_elem(&sums, &k, &s3, BPF_ANY);
	return csum_fold32((__u32)s) == 0;
}

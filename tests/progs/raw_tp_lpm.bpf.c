/* raw_tp_lpm.bpf.c — LPM_TRIE with IPv6-sized keys: insert nested
 * prefixes, delete one, look up addresses built from the ctx arguments;
 * matched prefix lengths go to .bss. */
#include "common.h"

struct key6 {
	__u32 prefixlen;
	__u8 addr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct key6);
	__type(value, __u32);
} t6 SEC(".maps");

__u32 matched[4];
__s64 del_ret[2];

static __always_inline void put(__u32 plen, __u8 b0, __u8 b1, __u8 b15)
{
	struct key6 k = {.prefixlen = plen};
	k.addr[0] = b0;
	k.addr[1] = b1;
	k.addr[15] = b15;
	bpf_map_update_elem(&t6, &k, &plen, BPF_ANY);
}

SEC("raw_tp/sys_enter")
int raw_tp_lpm(struct bpf_raw_tracepoint_args *ctx)
{
	put(8, 0x20, 0, 0);
	put(16, 0x20, 0x01, 0);
	put(12, 0x20, 0x00, 0);
	put(128, 0x20, 0x01, 0x05);
	put(64, 0xfe, 0x80, 0);
	struct key6 d = {.prefixlen = 12};
	d.addr[0] = 0x20;
	del_ret[0] = bpf_map_delete_elem(&t6, &d);
	del_ret[1] = bpf_map_delete_elem(&t6, &d);
	for (int i = 0; i < 4; i++) {
		__u64 a = ctx->args[i];
		struct key6 k = {.prefixlen = 128};
		k.addr[0] = a >> 16;
		k.addr[1] = a >> 8;
		k.addr[15] = a;
		__u32 *v = bpf_map_lookup_elem(&t6, &k);
		matched[i] = v ? *v : 0xffff;
	}
	return matched[0];
}

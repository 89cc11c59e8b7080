/* sock_ld_abs.bpf.c — a socket filter in the classic style: LD_ABS and
 * LD_IND loads (clang's __builtin_bpf_load_*), offsets relative to the
 * network header as a socket filter sees it.  Accepts TCP/UDP to ports
 * below 1024 (returns the bytes to keep), drops the rest (0). */
#include "common.h"

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

SEC("socket")
int sock_ld_abs(struct __sk_buff *skb)
{
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	__u64 vihl = load_byte(skb, 0);
	if ((vihl >> 4) != 4)
		return 0;
	__u64 proto = load_byte(skb, offsetof(struct iphdr, protocol));
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return 1;
	__u64 hlen = (vihl & 0xf) * 4;
	__u64 dport = load_half(skb, hlen + 2); /* an LD_IND: variable offset */
	__u64 saddr = load_word(skb, offsetof(struct iphdr, saddr));
	if (saddr == 0x0a000001 && dport < 1024)
		return 0xffff;
	return dport < 1024 ? 64 : 0;
}

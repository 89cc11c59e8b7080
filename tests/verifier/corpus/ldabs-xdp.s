# type: xdp
# expect: reject
# error: BPF_LD_[ABS|IND] instructions not allowed for this program type
# why: LD_ABS is not available to xdp
r6 = r1
r0 = *(u16 *)skb[12]
exit

# type: socket_filter
# expect: reject
# error: at the time of BPF_LD_ABS|IND R6 != pointer to skb
# why: LD_ABS needs r6 = skb
r6 = 0
r0 = *(u16 *)skb[12]
exit

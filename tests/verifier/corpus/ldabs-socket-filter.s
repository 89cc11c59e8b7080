# type: socket_filter
# expect: accept
# why: LD_ABS in a socket filter (r6 = skb)
r6 = r1
r0 = *(u16 *)skb[12]
exit

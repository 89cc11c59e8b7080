# type: socket_filter
# expect: accept
# why: LD_IND in a socket filter
r6 = r1
r7 = 14
r0 = *(u8 *)skb[r7 + 9]
exit

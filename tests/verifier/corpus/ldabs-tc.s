# type: sched_cls
# expect: accept
# why: LD_ABS in a tc program
r6 = r1
r0 = *(u32 *)skb[26]
exit

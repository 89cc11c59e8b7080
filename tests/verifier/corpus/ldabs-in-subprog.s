# type: socket_filter
# expect: reject
# error: LD_ABS is not allowed in subprogs without BTF
# why: LD_ABS in a subprogram without BTF
r6 = r1
call f
exit
f:
r0 = *(u8 *)skb[0]
exit

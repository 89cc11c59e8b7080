# type: xdp
# expect: reject
# error: BPF_ATOMIC stores into R1 ctx is not allowed
# why: atomic add on the xdp ctx
r2 = 1
lock *(u32 *)(r1 + 12) += r2
r0 = 0
exit

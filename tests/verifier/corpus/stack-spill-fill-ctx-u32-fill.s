# type: xdp
# expect: reject
# error: invalid size of register fill
# why: filling half of a spilled pointer
*(u64 *)(r10 - 8) = r1
r2 = *(u32 *)(r10 - 8)
r0 = 0
exit

# type: xdp
# expect: accept
# why: a copy of r10 with a constant offset is a stack pointer
r1 = r10
r1 += -8
*(u64 *)(r1 + 0) = 0
r0 = *(u64 *)(r10 - 8)
exit

# type: xdp
# expect: accept
# why: privileged: a pointer as the atomic operand (xchg of a pointer into the stack)
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 = xchg_64(r10 - 8, r1)
r0 = 0
exit

# type: xdp
# expect: reject
# error: R2 bitwise operator &= on pointer prohibited
# why: bitwise and on a stack pointer
r2 = r10
r2 &= -8
*(u64 *)(r2 - 8) = 0
r0 = 0
exit

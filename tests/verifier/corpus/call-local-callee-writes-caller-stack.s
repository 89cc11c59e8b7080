# type: xdp
# expect: accept
# why: the callee writes through a caller stack pointer
r1 = r10
r1 += -8
call f
r0 = *(u64 *)(r10 - 8)
exit
f:
*(u64 *)(r1 + 0) = 1
r0 = 0
exit

# type: xdp
# expect: accept
# why: a pointer to the caller's stack passed to the callee
*(u64 *)(r10 - 8) = 3
r1 = r10
r1 += -8
call f
exit
f:
r0 = *(u64 *)(r1 + 0)
exit

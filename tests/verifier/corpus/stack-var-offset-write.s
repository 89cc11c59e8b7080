# type: xdp
# expect: accept
# why: privileged programs may write the stack at a bounded variable offset
call 7
r0 &= 7
r1 = r10
r1 += -16
r1 += r0
*(u8 *)(r1 + 0) = 1
r0 = 0
exit

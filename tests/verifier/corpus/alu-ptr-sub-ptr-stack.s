# type: xdp
# expect: accept
# why: privileged: stack pointer minus stack pointer is a scalar
r2 = r10
r3 = r10
r3 += -16
r2 -= r3
r0 = r2
exit

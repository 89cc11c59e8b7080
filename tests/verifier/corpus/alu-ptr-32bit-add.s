# type: xdp
# expect: reject
# error: R2 32-bit pointer arithmetic prohibited
# why: 32-bit arithmetic on a pointer
r2 = r10
w2 += -8
r0 = 0
exit

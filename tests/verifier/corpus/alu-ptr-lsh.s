# type: xdp
# expect: reject
# error: R2 pointer arithmetic with <<= operator prohibited
# why: shifting a pointer
r2 = r10
r2 <<= 1
r0 = 0
exit

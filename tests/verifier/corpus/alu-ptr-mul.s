# type: xdp
# expect: reject
# error: R1 pointer arithmetic with *= operator prohibited
# why: multiplying a pointer
r1 *= 2
r0 = 0
exit

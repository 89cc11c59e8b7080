# type: xdp
# expect: accept
# why: privileged: w2 = w1 of a pointer gives a scalar
w2 = w1
r0 = r2
exit

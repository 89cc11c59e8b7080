# type: xdp
# expect: reject
# error: frame pointer is read only
# why: r10 cannot be modified by ALU
r10 += -8
r0 = 0
exit

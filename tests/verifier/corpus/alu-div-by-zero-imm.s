# type: xdp
# expect: reject
# error: div by zero
# why: division by the constant 0
r0 = 1
r0 /= 0
exit

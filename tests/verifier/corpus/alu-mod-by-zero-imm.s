# type: xdp
# expect: reject
# error: div by zero
# why: modulo by the constant 0
r0 = 1
r0 %= 0
exit

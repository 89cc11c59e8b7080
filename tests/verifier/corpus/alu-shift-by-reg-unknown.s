# type: xdp
# expect: accept
# why: shift by an unknown register amount is allowed
call 7
r1 = 1
r1 <<= r0
r0 = 0
exit

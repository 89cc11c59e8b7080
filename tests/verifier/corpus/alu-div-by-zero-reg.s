# type: xdp
# expect: accept
# why: division by a register that is 0 is defined (result 0)
r0 = 1
r1 = 0
r0 /= r1
exit

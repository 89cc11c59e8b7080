# type: xdp
# expect: accept
# why: shift by 63 is fine
r0 = 1
r0 <<= 63
r0 = 0
exit

# type: xdp
# expect: accept
# why: the 32-bit-offset goto (gotol, v4)
r0 = 0
if r1 == 0 goto b
gotol +1
b:
r0 = 1
exit

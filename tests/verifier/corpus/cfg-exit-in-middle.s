# type: xdp
# expect: accept
# why: several exits
r0 = 0
if r1 == 0 goto a
exit
a:
r0 = 1
exit

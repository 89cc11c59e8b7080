# type: xdp
# expect: accept
# why: a loop counting down from 100
r0 = 0
r1 = 100
l:
r0 += 1
r1 += -1
if r1 != 0 goto l
exit

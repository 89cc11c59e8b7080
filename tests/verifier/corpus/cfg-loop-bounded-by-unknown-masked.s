# type: xdp
# expect: accept
# why: a loop bounded by a masked unknown (<= 15)
call 7
r0 &= 15
r1 = 0
l:
r1 += 1
if r1 < r0 goto l
r0 = 0
exit

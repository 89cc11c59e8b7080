# type: xdp
# expect: accept
# why: a loop of 100,000 iterations of 2 insns stays under the 1M limit
r0 = 0
r1 = 0
l:
r1 += 1
if r1 < 100000 goto l
exit

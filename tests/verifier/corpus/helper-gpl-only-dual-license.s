# type: kprobe
# expect: accept
# license: Dual BSD/GPL
# why: Dual BSD/GPL counts as GPL
r1 = r10
r1 += -8
r2 = 8
r3 = 0
call 4
r0 = 0
exit

# type: kprobe
# expect: accept
# why: a size bounded by a mask to the buffer
call 7
r2 = r0
r2 &= 7
r1 = r10
r1 += -8
r3 = 0
call 113
r0 = 0
exit

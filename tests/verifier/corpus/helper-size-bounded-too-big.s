# type: kprobe
# expect: reject
# error: invalid write to stack R1 off=-8 size=15
# why: a size bounded to 15 for an 8-byte buffer
call 7
r2 = r0
r2 &= 15
r1 = r10
r1 += -8
r3 = 0
call 113
r0 = 0
exit

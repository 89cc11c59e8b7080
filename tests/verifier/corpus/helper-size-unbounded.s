# type: kprobe
# expect: reject
# error: R2 min value is negative, either use unsigned or 'var &= const'
# why: an unbounded size for a stack buffer
call 7
r2 = r0
r1 = r10
r1 += -8
r3 = 0
call 113
r0 = 0
exit

# type: kprobe
# expect: reject
# error: R2 min value is negative, either use unsigned or 'var &= const'
# why: a possibly negative size
call 7
r2 = r0
r2 <<= 32
r2 s>>= 32
if r2 s> 8 goto out
r1 = r10
r1 += -8
r3 = 0
call 113
out:
r0 = 0
exit

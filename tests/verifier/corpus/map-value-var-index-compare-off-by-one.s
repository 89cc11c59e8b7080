# type: xdp
# maps: array 4 48 1
# expect: reject
# error: R6 max value is outside of the allowed memory range
# why: variable offset <= 41 + 8-byte read overruns 48
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r6 = r0
call 7
if r0 > 41 goto out
r6 += r0
r0 = *(u64 *)(r6 + 0)
exit
out:
r0 = 0
exit

# type: xdp
# maps: array 4 48 1
# expect: reject
# error: R0 min value is outside of the allowed memory range
# why: an 8-byte read at 44 of a 48-byte value
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r0 = *(u64 *)(r0 + 44)
exit
out:
r0 = 0
exit

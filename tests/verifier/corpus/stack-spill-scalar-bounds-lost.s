# type: xdp
# maps: array 4 48 1
# expect: reject
# error: math between map_value pointer and register with unbounded min value is not allowed
# why: a scalar spilled then partly overwritten loses its bounds
r6 = r1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r7 = r0
call 7
r0 &= 31
*(u64 *)(r10 - 16) = r0
*(u8 *)(r10 - 13) = 1
r1 = *(u64 *)(r10 - 16)
r7 += r1
r0 = *(u64 *)(r7 + 0)
r0 = 0
exit
out:
r0 = 0
exit

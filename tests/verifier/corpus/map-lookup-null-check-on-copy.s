# type: xdp
# maps: array 4 48 1
# expect: accept
# why: a NULL check on a copy marks the original too (same id)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
r6 = r0
if r6 == 0 goto out
r0 = *(u32 *)(r0 + 0)
exit
out:
r0 = 0
exit

# type: xdp
# maps: array 4 48 1
# expect: accept
# why: atomic compare-exchange on a map value
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r1 = r0
r0 = 0
r2 = 1
r0 = cmpxchg_64(r1 + 0, r0, r2)
out:
r0 = 0
exit

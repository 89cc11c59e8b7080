# type: xdp
# expect: accept
# why: a bounds check through a copy (same id) covers the original
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r5 = r2
r4 = r5
r4 += 4
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 0)
out:
r0 = 2
exit

# type: xdp
# expect: accept
# why: a checked packet pointer spilled and filled keeps its range
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r4 > r3 goto out
*(u64 *)(r10 - 8) = r2
r5 = *(u64 *)(r10 - 8)
r0 = *(u32 *)(r5 + 0)
out:
r0 = 2
exit

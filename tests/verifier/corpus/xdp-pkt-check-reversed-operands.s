# type: xdp
# expect: accept
# why: data_end < p written the other way round
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r3 < r4 goto out
r0 = *(u32 *)(r2 + 0)
out:
r0 = 2
exit

# type: xdp
# expect: reject
# error: R2 offset is outside of the packet
# why: the read in the branch where p + 4 > data_end
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r4 > r3 goto bad
r0 = 1
exit
bad:
r0 = *(u32 *)(r2 + 0)
exit

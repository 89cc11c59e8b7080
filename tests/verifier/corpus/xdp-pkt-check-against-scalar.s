# type: xdp
# expect: reject
# error: R2 offset is outside of the packet
# why: comparing p with a number does not bound it
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r4 > 100 goto out
r0 = *(u32 *)(r2 + 0)
out:
r0 = 2
exit

# type: xdp
# expect: reject
# error: R2 offset is outside of the packet
# why: a 32-bit unknown added to a packet pointer
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r4 > r3 goto out
r5 = *(u32 *)(r2 + 0)
r2 += r5
r4 = r2
r4 += 1
if r4 > r3 goto out
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit

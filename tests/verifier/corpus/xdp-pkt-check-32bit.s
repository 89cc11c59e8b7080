# type: xdp
# expect: reject
# error: R2 offset is outside of the packet
# why: a 32-bit comparison of packet pointers gives no range
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if w4 > w3 goto out
r0 = *(u32 *)(r2 + 0)
out:
r0 = 2
exit

# type: xdp
# expect: reject
# error: R2 offset is outside of the packet
# why: packet + variable offset read without a new check
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 32
if r4 > r3 goto out
r5 = *(u8 *)(r2 + 0)
r5 &= 15
r2 += r5
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit

# type: xdp
# expect: accept
# why: a constant offset of 0xffff into the packet, checked
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 65535
if r4 > r3 goto out
r2 += 65534
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit

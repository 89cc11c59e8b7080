# type: xdp
# expect: reject
# error: R2 offset is outside of the packet
# why: a constant packet offset beyond MAX_PACKET_OFF
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r2 += 70000
r4 = r2
r4 += 1
if r4 > r3 goto out
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit

# type: xdp
# expect: reject
# error: R2 offset is outside of the packet
# why: packet write without a bounds check
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
*(u8 *)(r2 + 0) = 0
r0 = 2
exit

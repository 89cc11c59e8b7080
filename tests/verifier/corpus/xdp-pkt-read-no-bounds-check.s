# type: xdp
# expect: reject
# error: R2 offset is outside of the packet
# why: packet read without comparing against data_end
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r0 = *(u8 *)(r2 + 0)
exit

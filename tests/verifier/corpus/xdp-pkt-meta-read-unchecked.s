# type: xdp
# expect: reject
# error: R2 offset is outside of the packet
# why: data_meta read without a check against data
r2 = *(u32 *)(r1 + 8)
r0 = *(u32 *)(r2 + 0)
exit

# type: xdp
# expect: accept
# why: xdp_md.data_end read with a 4-byte load
r0 = *(u32 *)(r1 + 4)
r0 = 0
exit

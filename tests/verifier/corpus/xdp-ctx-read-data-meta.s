# type: xdp
# expect: accept
# why: xdp_md.data_meta read with a 4-byte load
r0 = *(u32 *)(r1 + 8)
r0 = 0
exit

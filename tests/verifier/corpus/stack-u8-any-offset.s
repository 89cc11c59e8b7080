# type: xdp
# expect: accept
# why: byte accesses are always aligned
*(u8 *)(r10 - 7) = 1
r0 = *(u8 *)(r10 - 7)
exit

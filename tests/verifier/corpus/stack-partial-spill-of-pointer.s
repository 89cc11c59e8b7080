# type: xdp
# expect: reject
# error: invalid size of register spill
# why: a pointer stored to the stack in 4 bytes (a partial spill) is refused
*(u32 *)(r10 - 0x40) = r1
r0 = 0
exit

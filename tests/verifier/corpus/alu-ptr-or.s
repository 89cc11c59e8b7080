# type: xdp
# expect: reject
# error: R1 bitwise operator |= on pointer prohibited
# why: bitwise or on a ctx pointer, then deref
r1 |= 1
r0 = *(u32 *)(r1 + 0)
exit

# type: xdp
# expect: reject
# error: R2 pointer += pointer prohibited
# why: pointer + pointer
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r2 += r3
r0 = 2
exit

# type: xdp
# maps: array 4 48 1
# expect: accept
# why: array lookup with a constant in-bounds key cannot return NULL (no check needed)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
r0 = *(u32 *)(r0 + 0)
exit

# type: xdp
# expect: reject
# error: misaligned stack access off 0+0+-10 size 4
# why: atomic add on a misaligned stack address
*(u64 *)(r10 - 16) = 0
r1 = 1
lock *(u32 *)(r10 - 10) += r1
r0 = 0
exit

# type: xdp
# expect: reject
# error: misaligned stack access off 0+0+-7 size 2
# why: misaligned stack reads are rejected too
*(u64 *)(r10 - 8) = 0
r0 = *(u16 *)(r10 - 7)
exit

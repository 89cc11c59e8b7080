# type: xdp
# expect: reject
# error: misaligned stack access off 0+0+-12 size 8
# why: spilling a pointer to a misaligned slot
*(u64 *)(r10 - 12) = r1
r0 = 0
exit

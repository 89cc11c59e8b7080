# type: xdp
# expect: reject
# error: misaligned stack access
# why: spilling a pointer to a misaligned slot
*(u64 *)(r10 - 12) = r1
r0 = 0
exit

# type: xdp
# expect: reject
# error: misaligned stack access
# why: stack accesses must be aligned to their size
*(u32 *)(r10 - 6) = 0
r0 = 0
exit

# type: xdp
# expect: accept
# why: -512 is the lowest valid stack slot
*(u64 *)(r10 - 512) = 0
r0 = *(u64 *)(r10 - 512)
exit

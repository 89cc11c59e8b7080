# type: xdp
# expect: reject
# error: invalid read from stack
# why: stack reads below -512 are out of bounds
r0 = *(u64 *)(r10 - 520)
exit

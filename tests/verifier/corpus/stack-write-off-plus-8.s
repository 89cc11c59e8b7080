# type: xdp
# expect: reject
# error: invalid write to stack R10 off=8 size=8
# why: stack writes above the frame pointer are out of bounds
*(u64 *)(r10 + 8) = 0
r0 = 0
exit

# type: xdp
# expect: reject
# error: invalid write to stack
# why: stack writes below -512 are out of bounds
*(u64 *)(r10 - 520) = 0
r0 = 0
exit

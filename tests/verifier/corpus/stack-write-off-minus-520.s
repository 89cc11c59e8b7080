# type: xdp
# expect: reject
# error: invalid write to stack R10 off=-520 size=8
# why: stack writes below -512 are out of bounds
*(u64 *)(r10 - 520) = 0
r0 = 0
exit

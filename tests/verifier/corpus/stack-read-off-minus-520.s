# type: xdp
# expect: reject
# error: invalid read from stack R10 off=-520 size=8
# why: stack reads below -512 are out of bounds
r0 = *(u64 *)(r10 - 520)
exit

# type: xdp
# expect: accept
# why: a sign-extending load from the stack
*(u64 *)(r10 - 8) = -1
r0 = *(s8 *)(r10 - 8)
r0 = *(s32 *)(r10 - 8)
r0 = 0
exit

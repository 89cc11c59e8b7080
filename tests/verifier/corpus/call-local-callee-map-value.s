# type: xdp
# maps: hash 4 48 16
# expect: accept
# why: the callee returns a map value pointer checked by the caller
call f
if r0 == 0 goto out
r0 = *(u32 *)(r0 + 0)
exit
out:
r0 = 0
exit
f:
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
exit

# type: xdp
# maps: array 4 48 1
# expect: accept
# why: 32-bit atomic exchange on a map value
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
w1 = 1
w1 = xchg32_32(r0 + 4, w1)
out:
r0 = 0
exit

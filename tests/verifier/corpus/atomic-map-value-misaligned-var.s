# type: xdp
# maps: array 4 48 1
# expect: reject
# unsafe: yes
# why: atomic on a map value at a variable, possibly misaligned offset
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r1 = *(u16 *)(r0 + 24)
r1 &= 31
r0 += r1
lock *(u32 *)(r0 + 0) += w1
out:
r0 = 0
exit

# type: xdp
# maps: array 4 48 1
# expect: reject
# error: value -2147483648 makes map_value pointer be out of bounds
# why: signed index only bounded above (s<= 40) may be negative
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r6 = r0
call 7
r0 <<= 32
r0 s>>= 32
if r0 s> 40 goto out
r6 += r0
r0 = *(u8 *)(r6 + 0)
exit
out:
r0 = 0
exit

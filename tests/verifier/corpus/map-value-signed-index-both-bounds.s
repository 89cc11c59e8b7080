# type: xdp
# maps: array 4 48 1
# expect: accept
# why: signed index bounded on both sides (0 <= i <= 40)
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
if r0 s< 0 goto out
r6 += r0
r0 = *(u8 *)(r6 + 0)
exit
out:
r0 = 0
exit

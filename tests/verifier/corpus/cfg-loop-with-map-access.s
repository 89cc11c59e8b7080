# type: xdp
# maps: array 4 48 1
# expect: accept
# why: a bounded loop walking a map value
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r1 = 0
l:
r2 = r0
r2 += r1
*(u8 *)(r2 + 0) = 1
r1 += 1
if r1 < 48 goto l
out:
r0 = 0
exit

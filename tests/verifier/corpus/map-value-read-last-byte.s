# type: xdp
# maps: array 4 48 1
# expect: accept
# why: value_size 48: byte 47 is in bounds
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r0 = *(u8 *)(r0 + 47)
exit
out:
r0 = 0
exit

# type: xdp
# maps: array 4 48 1
# expect: reject
# error: R0 min value is outside of the allowed memory range
# why: value_size 48: byte 48 is out of bounds
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
if r0 == 0 goto out
r0 = *(u8 *)(r0 + 48)
exit
out:
r0 = 0
exit

# type: xdp
# maps: array 4 48 1
# expect: accept
# why: map_delete_elem on an array verifies (fails at run time with -EINVAL)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 3
r0 = 0
exit

# type: xdp
# maps: array 4 48 1
# expect: reject
# error: R0 invalid mem access 'map_value_or_null'
# why: array lookup with an unknown key may return NULL
call 7
*(u32 *)(r10 - 4) = r0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
r0 = *(u32 *)(r0 + 0)
exit

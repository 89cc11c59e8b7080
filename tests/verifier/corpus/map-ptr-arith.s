# type: xdp
# maps: array 4 48 1
# expect: reject
# error: R1 pointer arithmetic on map_ptr prohibited
# why: arithmetic on a map pointer (CONST_PTR_TO_MAP)
ld_pseudo r1, 5, 0
r1 += 8
r0 = 0
exit

# type: xdp
# maps: array 4 48 1
# expect: accept
# why: privileged programs may pass an uninitialised stack key
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
r0 = 0
exit

# type: xdp
# expect: reject
# error: R2 type=scalar expected=func
# why: a scalar as the callback
r1 = 3
r2 = 0
r3 = 0
r4 = 0
call 181
r0 = 0
exit

# type: xdp
# expect: reject
# error: math between fp pointer and register with unbounded min value is not allowed
# why: an unbounded variable stack offset
call 7
r1 = r10
r1 += r0
*(u8 *)(r1 + 0) = 1
r0 = 0
exit

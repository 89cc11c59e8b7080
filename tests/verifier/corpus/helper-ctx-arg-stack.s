# type: xdp
# expect: reject
# error: R1 type=fp expected=ctx
# why: a stack pointer where the helper wants ctx (xdp_adjust_head)
r1 = r10
r1 += -8
r2 = 0
call 44
r0 = 0
exit

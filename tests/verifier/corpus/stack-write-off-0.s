# type: xdp
# expect: reject
# error: invalid write to stack R10 off=0 size=1
# why: the frame pointer itself is one past the stack
*(u8 *)(r10 + 0) = 0
r0 = 0
exit

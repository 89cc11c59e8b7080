# type: xdp
# expect: reject
# error: the call stack of 9 frames is too deep
# why: a function calling itself
call f
exit
f:
call f
r0 = 0
exit

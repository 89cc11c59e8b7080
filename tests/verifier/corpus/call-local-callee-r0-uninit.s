# type: xdp
# expect: reject
# error: R0 !read_ok
# why: the callee exits without setting r0
call f
exit
f:
exit

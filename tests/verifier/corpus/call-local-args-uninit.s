# type: xdp
# expect: reject
# error: R2 !read_ok
# why: the callee reads r2 the caller never set
call f
exit
f:
r0 = r2
exit

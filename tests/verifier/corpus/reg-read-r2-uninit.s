# type: xdp
# expect: reject
# error: R2 !read_ok
# why: reading a register never written (r2) is rejected
r0 = r2
exit

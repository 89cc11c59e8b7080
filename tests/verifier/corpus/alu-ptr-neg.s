# type: xdp
# expect: accept
# why: privileged: negating a pointer turns it into a scalar (allow_ptr_leaks)
r2 = r10
r2 = -r2
r0 = 0
exit

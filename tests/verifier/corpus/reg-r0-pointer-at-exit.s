# type: xdp
# expect: accept
# why: privileged programs (allow_ptr_leaks) may return a pointer in r0
r0 = r1
exit

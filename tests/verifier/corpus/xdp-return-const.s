# type: xdp
# expect: accept
# why: the smallest valid program: r0 set, then exit
r0 = 2
exit

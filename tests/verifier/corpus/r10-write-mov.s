# type: xdp
# expect: reject
# error: frame pointer is read only
# why: r10 (frame pointer) is read-only
r10 = 0
r0 = 0
exit

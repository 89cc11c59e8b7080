# type: socket_filter
# expect: accept
# why: socket filters may write cb[]
*(u32 *)(r1 + 48) = 1
r0 = 0
exit

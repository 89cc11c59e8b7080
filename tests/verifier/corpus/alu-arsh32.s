# type: xdp
# expect: accept
# why: 32-bit arithmetic shift
w0 = -8
w0 s>>= 2
r0 = 0
exit

# type: xdp
# expect: reject
# error: invalid shift 32
# why: 32-bit shift by the constant 32
w0 = 1
w0 >>= 32
exit

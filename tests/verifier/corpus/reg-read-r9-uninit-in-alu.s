# type: xdp
# expect: reject
# error: R9 !read_ok
# why: an uninitialised register as an ALU source
r0 = 0
r0 += r9
exit

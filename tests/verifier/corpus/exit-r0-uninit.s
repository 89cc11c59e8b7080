# type: xdp
# expect: reject
# error: R0 !read_ok
# why: r0 must be initialised before exit
exit

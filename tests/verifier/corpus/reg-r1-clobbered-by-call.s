# type: xdp
# expect: reject
# error: R1 !read_ok
# why: r1-r5 are scratch after a helper call
call 5
r0 = r1
exit

# type: xdp
# expect: reject
# error: R1 !read_ok
# why: r1-r5 are scratch after a local call
r1 = 5
call f
r0 = r1
exit
f:
r0 = 0
exit

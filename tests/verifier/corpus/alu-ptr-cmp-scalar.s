# type: xdp
# expect: accept
# why: privileged: comparing a pointer with a scalar
r0 = 0
if r1 > 5 goto out
r0 = 1
out:
exit

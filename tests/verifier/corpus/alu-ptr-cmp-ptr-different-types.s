# type: xdp
# expect: accept
# why: privileged: comparing ctx with the frame pointer
r0 = 0
if r1 == r10 goto out
r0 = 1
out:
exit

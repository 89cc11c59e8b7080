# type: xdp
# expect: accept
# why: code skipped by a branch on a constant is not an error (dead, but reachable in the CFG)
r0 = 0
if r0 == 0 goto ok
r0 = r5
ok:
exit

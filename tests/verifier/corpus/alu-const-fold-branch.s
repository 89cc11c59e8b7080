# type: xdp
# expect: accept
# why: a branch on a known constant: only the taken side is explored (dead store to r10-600 skipped)
r1 = 5
if r1 == 5 goto ok
*(u64 *)(r10 - 600) = 0
ok:
r0 = 0
exit

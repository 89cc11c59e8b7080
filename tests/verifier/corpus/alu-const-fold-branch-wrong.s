# type: xdp
# expect: reject
# error: invalid write to stack R10 off=-600 size=8
# why: the reachable side of a known branch holds the bad store
r1 = 5
if r1 != 5 goto ok
*(u64 *)(r10 - 600) = 0
ok:
r0 = 0
exit

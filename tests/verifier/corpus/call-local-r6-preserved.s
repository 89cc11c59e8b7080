# type: xdp
# expect: accept
# why: r6-r9 survive a local call
r6 = 5
call f
r0 = r6
exit
f:
r6 = 1
r0 = 0
exit

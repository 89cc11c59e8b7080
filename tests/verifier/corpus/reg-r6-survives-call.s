# type: xdp
# expect: accept
# why: r6-r9 are callee-saved across a helper call
r6 = 7
call 5
r0 = r6
exit

# type: xdp
# expect: reject
# error: infinite loop detected
# why: a loop whose counter is never bounded
call 7
l:
r0 += 1
if r0 != 0 goto l
exit

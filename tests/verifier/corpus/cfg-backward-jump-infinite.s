# type: xdp
# expect: reject
# error: infinite loop detected
# why: goto -1: an infinite loop
r0 = 0
if r1 == 0 goto e
l:
goto l
e:
exit

# type: xdp
# expect: reject
# error: invalid func unknown#999
# why: helper id 999 does not exist
call 999
r0 = 0
exit

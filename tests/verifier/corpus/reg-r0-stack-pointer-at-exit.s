# type: socket_filter
# expect: accept
# why: privileged programs may even return the frame pointer (a leak, allowed as root)
r0 = r10
exit

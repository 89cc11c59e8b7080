# type: socket_filter
# expect: reject
# error: program of this type cannot use helper bpf_redirect#23
# why: bpf_redirect is not available to socket filters
r1 = 1
r2 = 0
call 23
r0 = 0
exit

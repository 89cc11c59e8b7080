# type: sched_cls
# expect: reject
# error: program of this type cannot use helper bpf_xdp_adjust_head#44
# why: bpf_xdp_adjust_head is not available to tc
r2 = 0
call 44
r0 = 0
exit

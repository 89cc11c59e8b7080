# type: xdp
# expect: accept
# license: Proprietary
# why: bpf_ktime_get_ns is fine for non-GPL programs
call 5
r0 = 0
exit

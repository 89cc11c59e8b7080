# type: xdp
# expect: reject
# error: R2 invalid zero-sized read: u64=[0,0]
# why: bpf_csum_diff's to_size... trace_printk fmt_size is ARG_CONST_SIZE: 0 rejected
r1 = r10
r1 += -8
r2 = 0
call 6
r0 = 0
exit

# type: xdp
# expect: reject
# error: program of this type cannot use helper bpf_skb_load_bytes#26
# why: bpf_skb_load_bytes is not available to xdp
r2 = 0
r3 = r10
r3 += -8
r4 = 4
call 26
r0 = 0
exit

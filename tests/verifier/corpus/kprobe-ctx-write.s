# type: kprobe
# expect: reject
# error: invalid bpf_context access off=0 size=8
# why: kprobe ctx is read-only
*(u64 *)(r1 + 0) = 0
r0 = 0
exit

# type: kprobe
# expect: reject
# error: invalid bpf_context access off=168 size=8
# why: kprobe ctx past sizeof(struct pt_regs)
r0 = *(u64 *)(r1 + 168)
r0 = 0
exit

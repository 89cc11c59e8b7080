# type: xdp
# expect: reject
# error: BPF program is too large. Processed 1000001 insn
# why: a loop of 1,000,000 iterations exceeds the 1M processed-instruction limit
r0 = 0
r1 = 0
l:
r1 += 1
if r1 < 1000000 goto l
exit

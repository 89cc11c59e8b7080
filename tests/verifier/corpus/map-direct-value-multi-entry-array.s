# type: raw_tracepoint
# maps: array 4 48 4
# expect: reject
# unsafe: yes
# why: direct value access (BPF_PSEUDO_MAP_IDX_VALUE) is only for single-element arrays; the soundness fuzzer found bpfrt accepting it on a 4-entry array (escape, seed 202)
ld_pseudo r2, 6, 0, 7
r0 = *(u8 *)(r2 - 3)
r0 = 0
exit

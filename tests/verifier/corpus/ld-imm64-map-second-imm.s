# type: xdp
# maps: array 4 48 4
# expect: reject
# error: unrecognized bpf_ld_imm64 insn
# why: a map reference (not a direct value) must have 0 in the second slot's imm
ld_pseudo r1, 5, 0, 0x400
r0 = 0
exit

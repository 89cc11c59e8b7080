# checksum.s — the Internet checksum (RFC 1071) of the input bytes.
# r1 = data, r2 = length (bpfrt's convention for raw programs).
# Written in the LLVM/kernel syntax that llvm-objdump and verifier logs use.
r0 = 0
r3 = r1
r3 += r2
loop:
r4 = r1
r4 += 2
if r4 > r3 goto tail
r5 = *(u16 *)(r1 + 0)
r5 = be16 r5
r0 += r5
r1 += 2
goto loop
tail:
if r1 >= r3 goto fold
r5 = *(u8 *)(r1 + 0)
r5 <<= 8
r0 += r5
fold:
r4 = r0
r4 >>= 16
if r4 == 0 goto done
r0 &= 0xffff
r0 += r4
goto fold
done:
r0 ^= 0xffff
exit

# type: xdp
# expect: accept
# why: 64 levels of TLV records, each with a branch whose arms join again: 2^64 paths unless the joins are pruned (with precision tracking at once: the accumulator decides nothing; without it only after its range saturates)
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r7 = 0
r6 = r2
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b0
r7 += r8
goto j0
b0:
r7 ^= r8
j0:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b1
r7 += r8
goto j1
b1:
r7 ^= r8
j1:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b2
r7 += r8
goto j2
b2:
r7 ^= r8
j2:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b3
r7 += r8
goto j3
b3:
r7 ^= r8
j3:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b4
r7 += r8
goto j4
b4:
r7 ^= r8
j4:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b5
r7 += r8
goto j5
b5:
r7 ^= r8
j5:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b6
r7 += r8
goto j6
b6:
r7 ^= r8
j6:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b7
r7 += r8
goto j7
b7:
r7 ^= r8
j7:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b8
r7 += r8
goto j8
b8:
r7 ^= r8
j8:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b9
r7 += r8
goto j9
b9:
r7 ^= r8
j9:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b10
r7 += r8
goto j10
b10:
r7 ^= r8
j10:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b11
r7 += r8
goto j11
b11:
r7 ^= r8
j11:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b12
r7 += r8
goto j12
b12:
r7 ^= r8
j12:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b13
r7 += r8
goto j13
b13:
r7 ^= r8
j13:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b14
r7 += r8
goto j14
b14:
r7 ^= r8
j14:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b15
r7 += r8
goto j15
b15:
r7 ^= r8
j15:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b16
r7 += r8
goto j16
b16:
r7 ^= r8
j16:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b17
r7 += r8
goto j17
b17:
r7 ^= r8
j17:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b18
r7 += r8
goto j18
b18:
r7 ^= r8
j18:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b19
r7 += r8
goto j19
b19:
r7 ^= r8
j19:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b20
r7 += r8
goto j20
b20:
r7 ^= r8
j20:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b21
r7 += r8
goto j21
b21:
r7 ^= r8
j21:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b22
r7 += r8
goto j22
b22:
r7 ^= r8
j22:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b23
r7 += r8
goto j23
b23:
r7 ^= r8
j23:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b24
r7 += r8
goto j24
b24:
r7 ^= r8
j24:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b25
r7 += r8
goto j25
b25:
r7 ^= r8
j25:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b26
r7 += r8
goto j26
b26:
r7 ^= r8
j26:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b27
r7 += r8
goto j27
b27:
r7 ^= r8
j27:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b28
r7 += r8
goto j28
b28:
r7 ^= r8
j28:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b29
r7 += r8
goto j29
b29:
r7 ^= r8
j29:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b30
r7 += r8
goto j30
b30:
r7 ^= r8
j30:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b31
r7 += r8
goto j31
b31:
r7 ^= r8
j31:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b32
r7 += r8
goto j32
b32:
r7 ^= r8
j32:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b33
r7 += r8
goto j33
b33:
r7 ^= r8
j33:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b34
r7 += r8
goto j34
b34:
r7 ^= r8
j34:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b35
r7 += r8
goto j35
b35:
r7 ^= r8
j35:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b36
r7 += r8
goto j36
b36:
r7 ^= r8
j36:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b37
r7 += r8
goto j37
b37:
r7 ^= r8
j37:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b38
r7 += r8
goto j38
b38:
r7 ^= r8
j38:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b39
r7 += r8
goto j39
b39:
r7 ^= r8
j39:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b40
r7 += r8
goto j40
b40:
r7 ^= r8
j40:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b41
r7 += r8
goto j41
b41:
r7 ^= r8
j41:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b42
r7 += r8
goto j42
b42:
r7 ^= r8
j42:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b43
r7 += r8
goto j43
b43:
r7 ^= r8
j43:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b44
r7 += r8
goto j44
b44:
r7 ^= r8
j44:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b45
r7 += r8
goto j45
b45:
r7 ^= r8
j45:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b46
r7 += r8
goto j46
b46:
r7 ^= r8
j46:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b47
r7 += r8
goto j47
b47:
r7 ^= r8
j47:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b48
r7 += r8
goto j48
b48:
r7 ^= r8
j48:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b49
r7 += r8
goto j49
b49:
r7 ^= r8
j49:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b50
r7 += r8
goto j50
b50:
r7 ^= r8
j50:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b51
r7 += r8
goto j51
b51:
r7 ^= r8
j51:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b52
r7 += r8
goto j52
b52:
r7 ^= r8
j52:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b53
r7 += r8
goto j53
b53:
r7 ^= r8
j53:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b54
r7 += r8
goto j54
b54:
r7 ^= r8
j54:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b55
r7 += r8
goto j55
b55:
r7 ^= r8
j55:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b56
r7 += r8
goto j56
b56:
r7 ^= r8
j56:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b57
r7 += r8
goto j57
b57:
r7 ^= r8
j57:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b58
r7 += r8
goto j58
b58:
r7 ^= r8
j58:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b59
r7 += r8
goto j59
b59:
r7 ^= r8
j59:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b60
r7 += r8
goto j60
b60:
r7 ^= r8
j60:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b61
r7 += r8
goto j61
b61:
r7 ^= r8
j61:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b62
r7 += r8
goto j62
b62:
r7 ^= r8
j62:
r6 += 8
r4 = r6
r4 += 8
if r4 > r3 goto pass
r5 = *(u8 *)(r6 + 0)
if r5 == 0 goto done
r8 = *(u16 *)(r6 + 2)
if r5 > 127 goto b63
r7 += r8
goto j63
b63:
r7 ^= r8
j63:
r6 += 8
done:
r0 = r7
r0 &= 1
r0 += 1
exit
pass:
r0 = 2
exit

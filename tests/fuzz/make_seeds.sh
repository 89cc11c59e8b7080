#!/bin/sh
# make_seeds.sh — rebuild the seed corpora from seeds/*.bpf.c (run by hand
# after changing a seed; the outputs are committed, CI does not run this).
#   corpus/loader/NAME.o      clang-19 -O2 -g -target bpf -mcpu=v3
#   corpus/loader/NAME.nog.o  the same without -g (no BTF)
#   corpus/btf/NAME           fuzz_btf's input: u32 LE length of .BTF,
#                             .BTF, then .BTF.ext
# Regression inputs (crash-*, leak-*, ...) in the corpora are kept as is.
set -e
cd "$(dirname "$0")"
CLANG=${CLANG:-clang-19}
OBJCOPY=${OBJCOPY:-llvm-objcopy-19}
ARCH=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p corpus/loader corpus/btf
for src in seeds/*.bpf.c; do
  name=$(basename "$src" .bpf.c)
  $CLANG -O2 -g -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/$ARCH -c "$src" -o "corpus/loader/$name.o"
  $CLANG -O2 -target bpf -mcpu=v3 -Wall -Werror -I/usr/include/$ARCH -c "$src" -o "corpus/loader/$name.nog.o"
  $OBJCOPY --dump-section .BTF="$tmp/btf" --dump-section .BTF.ext="$tmp/ext" "corpus/loader/$name.o"
  n=$(stat -c %s "$tmp/btf")
  printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((n & 255)) $((n >> 8 & 255)) $((n >> 16 & 255)) $((n >> 24 & 255)))" >"corpus/btf/$name"
  cat "$tmp/btf" "$tmp/ext" >>"corpus/btf/$name"
done

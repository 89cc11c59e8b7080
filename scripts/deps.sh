#!/bin/sh
# deps.sh — make sure the build and test dependencies are installed.
# As root: installs what is missing (apt-get update + install).  Otherwise:
# prints the one sudo line to run and fails.
set -e
PKGS="build-essential cmake pkg-config libelf-dev zlib1g-dev libpcap-dev libbpf-dev clang-19 llvm-19 lld-19 linux-libc-dev bpftool libclang-rt-19-dev tcpdump iproute2 iputils-ping"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "deps: installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "deps: missing packages. Run:"
  echo "  sudo apt-get install -y$missing"
  exit 1
fi

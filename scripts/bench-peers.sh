#!/usr/bin/env bash
# Installs the peers of lsconf bench from Debian: python3-torch (the
# PyTorch train and encode peer), python3-numpy (the numpy search peer) and
# python3-faiss (the FAISS search peer). Not part of make test or make
# setup: PyTorch alone is several hundred MiB. Idempotent.
set -euo pipefail
missing=()
for pkg in python3-numpy:numpy python3-torch:torch python3-faiss:faiss; do
  mod=${pkg#*:}
  if ! /usr/bin/python3 -c "import $mod" >/dev/null 2>&1; then
    missing+=("${pkg%%:*}")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "bench-peers: torch, numpy and faiss import; nothing to install"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
  echo "bench-peers: ${missing[*]} missing; install them as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "bench-peers: installing ${missing[*]} from Debian" >&2
apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}"

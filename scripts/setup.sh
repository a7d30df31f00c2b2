#!/usr/bin/env bash
# One-time set-up on a Debian/Ubuntu host: the tools the tests drive (tshark to cross-check
# packets, scapy to generate golden vectors, iproute2 for network namespaces) and the npm
# packages pinned by package-lock.json. Needs root for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v tshark >/dev/null 2>&1 || need+=(tshark)
/usr/bin/python3 -c 'import scapy' >/dev/null 2>&1 || need+=(python3-scapy)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
# End-to-end tests and the benchmark against TAYGA: real hosts in network namespaces.
command -v tayga >/dev/null 2>&1 || need+=(tayga)
command -v iperf3 >/dev/null 2>&1 || need+=(iperf3)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
command -v traceroute6 >/dev/null 2>&1 || need+=(traceroute)
command -v ethtool >/dev/null 2>&1 || need+=(ethtool)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
npm ci --no-audit --no-fund

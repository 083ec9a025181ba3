#!/usr/bin/env bash
# Installs Debian's redis-server when missing: @pyramids/queue's tests start one on loopback.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "install-redis: redis-server is missing; run as root or: sudo apt-get install -y redis-server" >&2
  exit 1
fi
echo "setup: installing redis-server with apt-get"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
# Debian starts the service on install; the tests start their own servers on free ports.
(command -v service >/dev/null 2>&1 && service redis-server stop >/dev/null 2>&1) || true

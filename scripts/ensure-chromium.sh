#!/usr/bin/env bash
# The canvas end-to-end tests drive Debian's Chromium through playwright-core (no browser download).
# Installs it when missing and when this machine can (root with apt); otherwise says what to do.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium for the canvas end-to-end tests (apt-get install chromium)..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The canvas end-to-end tests need Chromium at /usr/bin/chromium: on Debian or Ubuntu run 'sudo apt-get install -y chromium'." >&2
exit 1

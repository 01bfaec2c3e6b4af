#!/usr/bin/env bash
# Headless Chromium for tests/e2e/test_browser.py: Debian's package, installed when missing (CI runs as root
# on a fresh machine). The test's own fixture does the same; this keeps the first test run from waiting on it.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium is missing and this is not root: the browser tests will try apt-get themselves or skip." >&2
  exit 0
fi
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium || \
  echo "apt-get could not install chromium: the browser tests will skip." >&2

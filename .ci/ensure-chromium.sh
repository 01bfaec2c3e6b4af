#!/usr/bin/env bash
# Headless Chromium for tests/e2e/test_browser.py: Debian's package, installed when missing (CI runs as root
# on a fresh machine). A failed install fails CI loudly: the browser tests must never be skipped there
# (with CI=true they fail rather than skip, see tests/e2e/test_browser.py).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ERROR: chromium is missing and this is not root, so it cannot be installed; install the 'chromium'" \
       "package (Debian) and run again." >&2
  exit 1
fi
if ! apt-get update -q; then
  echo "ERROR: apt-get update failed: chromium cannot be installed, so the browser tests cannot run." >&2
  exit 1
fi
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; then
  echo "ERROR: apt-get could not install chromium: the browser tests cannot run." >&2
  exit 1
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "ERROR: chromium was installed but /usr/bin/chromium is missing." >&2
  exit 1
fi

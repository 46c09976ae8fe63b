#!/usr/bin/env bash
# Installs the Debian packages ksoc-audit needs, only when one is missing (fast no-op otherwise).
set -euo pipefail
PKGS=(tesseract-ocr tesseract-ocr-kor tesseract-ocr-script-hang tesseract-ocr-osd tesseract-ocr-eng
      fonts-nanum poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0
      fontconfig)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "ksoc-audit: installing system packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "ksoc-audit: need root to run: apt-get install -y ${missing[*]}" >&2; exit 69; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true

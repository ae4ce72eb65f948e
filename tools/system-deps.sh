#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages jixiao needs, only those missing; elsewhere says what to install.
#   tools/system-deps.sh runtime   Python venv, Pango, HarfBuzz subsetter, Noto CJK fonts (make pdf, make site)
#   tools/system-deps.sh test      runtime + pdftotext and Chromium for the tests
set -euo pipefail

runtime=(python3-venv fontconfig libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk git)
testing=(poppler-utils chromium chromium-driver libreoffice-calc-nogui libreoffice-draw-nogui fonts-dejavu-core)
# Java runs the W3C HTML checker and npm fetches it with axe-core; only installed when absent.
command -v java >/dev/null 2>&1 || testing+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || testing+=(nodejs npm)

case "${1:-runtime}" in
  runtime) wanted=("${runtime[@]}") ;;
  test) wanted=("${runtime[@]}" "${testing[@]}") ;;
  *) echo "usage: $0 [runtime|test]" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  cat >&2 <<'MSG'
jixiao: this is not a Debian/Ubuntu machine, so system packages are not installed automatically.
  Install by hand: Python 3.11+ with venv, Pango >= 1.44, HarfBuzz with its subset library
  (libharfbuzz-subset), the Noto Serif CJK SC and Noto Sans CJK SC fonts; for the tests also
  pdftotext (poppler), Chromium, LibreOffice Calc and DejaVu fonts. See README.md.
MSG
  exit 0
fi

missing=()
for package in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$package")
done
((${#missing[@]})) || exit 0

echo "jixiao: installing system packages: ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "jixiao: not root and no sudo; run as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

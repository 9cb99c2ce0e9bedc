#!/bin/sh
# Install the Debian 12 packages referrald needs to build, run and test.
# Does nothing when they are all present.
set -eu

PACKAGES="meson ninja-build pkg-config gcc clang libclang-rt-14-dev
libglib2.0-dev libgmime-3.0-dev libjson-glib-dev libtesseract-dev libleptonica-dev
tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd libpq-dev libcurl4-openssl-dev
libsystemd-dev libseccomp-dev libpoppler-glib-dev libcairo2-dev libsoup-3.0-dev libsodium-dev
postgresql-15 postgresql-client-15 dovecot-imapd python3 python3-aiosmtpd
poppler-utils systemd openssl util-linux procps fontconfig fonts-dejavu-core
python3-pil python3-reportlab python3-numpy chromium"

missing=""
for p in $PACKAGES; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
                missing="$missing $p"
        fi
done
[ -z "$missing" ] && exit 0

echo "installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing

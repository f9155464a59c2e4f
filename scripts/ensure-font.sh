#!/bin/sh
# Install a CJK TrueType font (and pdftotext for the tests) when none is present.
# Debian/Ubuntu only, and only as root; elsewhere set INVOICE_FONT to a .ttf/.ttc file.
set -u
have_font() {
  for f in /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc /usr/share/fonts/truetype/arphic/uming.ttc \
           /usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf; do
    [ -f "$f" ] && return 0
  done
  [ -n "${INVOICE_FONT:-}" ] && [ -f "${INVOICE_FONT}" ]
}
need=""
have_font || need="fonts-wqy-zenhei"
command -v pdftotext >/dev/null 2>&1 || need="$need poppler-utils"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing:$need"
  (apt-get install -y -qq $need >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $need >/dev/null 2>&1; }) \
    || echo "warning: could not install$need; invoice PDFs need INVOICE_FONT" >&2
else
  echo "warning: no CJK font found and cannot apt-get install$need; set INVOICE_FONT for invoice PDFs" >&2
fi
exit 0

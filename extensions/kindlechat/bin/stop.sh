#!/bin/sh
# KUAL "Stop": end the KindleChat server by its pid, close the firewall port of Wi-Fi
# mode and let the screensaver come back. Safe to run when nothing runs.
EXT=$(cd "$(dirname "$0")/.." && pwd -P)
. "$EXT/bin/common.sh"

if [ ! -d "$DATA" ]; then
    say "KindleChat is not running."
    lipc com.lab126.powerd preventScreenSaver 0
    exit 0
fi
stop_server
case $? in
    0) say "KindleChat stopped."; status=0 ;;
    1) say "KindleChat was not running."; status=0 ;;
    *) status=1 ;;
esac
firewall_close
lipc com.lab126.powerd preventScreenSaver 0
exit "$status"

#!/bin/sh
# KUAL "Start": start the KindleChat server and open the chat in the Kindle's browser.
#
#   start.sh [local]   serve on 127.0.0.1 (the browser of most firmware)
#   start.sh wifi      serve on the Wi-Fi address, for a browser that refuses 127.0.0.1:
#                      every request must carry a token made for this run, and the
#                      port is opened in the firewall until stop.sh
#
# Starting while a server runs in the same mode starts nothing: it opens the page again.
EXT=$(cd "$(dirname "$0")/.." && pwd -P)
. "$EXT/bin/common.sh"

MODE=${1:-local}
case $MODE in
    local|wifi) ;;
    *) say "KindleChat: unknown mode '$MODE' (local or wifi)"; exit 2 ;;
esac

prepare_dirs || exit 1

# One start at a time (a second tap while Python is still starting). The lock holds
# the pid of its shell, so a lock left by a start that died is taken over.
if ! mkdir "$RUN/lock" 2>/dev/null; then
    lock_pid=$(cat "$RUN/lock/pid" 2>/dev/null)
    if [ -n "$lock_pid" ] && kill -s 0 "$lock_pid" 2>/dev/null; then
        say "KindleChat is starting already..."
        exit 0
    fi
    rm -rf "$RUN/lock"
    mkdir "$RUN/lock" || exit 1
fi
echo $$ >"$RUN/lock/pid"
trap 'rm -rf "$RUN/lock"' EXIT
trap 'exit 1' INT TERM HUP

open_page() {
    lipc com.lab126.appmgrd start "app://com.lab126.browser?view=$1"
}

# same_run: true when the running server serves what this start asks for (in Wi-Fi
# mode: on the address the Kindle has now; it changes with the network).
same_run() {
    [ "$(cat "$RUN/mode" 2>/dev/null)" = "$MODE" ] && [ -s "$RUN/url" ] || return 1
    [ "$MODE" = wifi ] || return 0
    sr_host=$(sed -n 's|^http://\([^:/]*\).*|\1|p' "$RUN/url")
    [ -n "$sr_host" ] && [ "$sr_host" = "$(wifi_address)" ]
}

if server_pid >/dev/null; then
    if same_run; then
        say "KindleChat is already running."
        open_page "$(cat "$RUN/url")"
        exit 0
    fi
    say "KindleChat: restarting in $MODE mode..."
    stop_server || exit 1
fi
# Whatever a crashed run left behind: a server killed mid-reply (kill -9, a crash)
# could not give the screensaver back.
rm -f "$PIDFILE" "$RUN/mode" "$RUN/url"
firewall_close
rotate_log
lipc com.lab126.powerd preventScreenSaver 0

if ! find_python; then
    if [ -n "$PY_BROKEN" ]; then
        say "KindleChat: Python is there but does not start:"
        say_wrapped "${PY_BROKEN#"$ROOT"/python3/bin/}"
        say "Reinstall the Python package for your Kindle"
        say "(see the KindleChat README), then start again."
        exit 1
    fi
    say "KindleChat needs Python 3, and found none."
    say "Install NiLuJe's Python 3 package (or pithon"
    say "(HF) on firmware 5.16.3+) so that a python3.N"
    say "is in /mnt/us/python3/bin (see the KindleChat"
    say "README), then start again."
    exit 1
fi

# Gemini is on the internet; in Wi-Fi mode we also need the address.
lipc com.lab126.cmd wirelessEnable 1

TOKEN=
if [ "$MODE" = wifi ]; then
    say "KindleChat: waiting for Wi-Fi..."
    HOST=
    n=0
    while [ "$n" -lt 30 ]; do
        HOST=$(wifi_address)
        [ -n "$HOST" ] && break
        n=$((n + 1))
        sleep 1
    done
    if [ -z "$HOST" ]; then
        say "KindleChat: no Wi-Fi address after 30 s."
        say "Connect to Wi-Fi, then start again."
        exit 1
    fi
    TOKEN=$(py "$LAUNCHER" token 2>>"$LOG")
    if [ -z "$TOKEN" ]; then
        say "KindleChat: Python does not run (see the log)."
        exit 1
    fi
    URL="http://$HOST:$PORT/?token=$TOKEN"
    HEALTH="http://$HOST:$PORT/api/health?token=$TOKEN"
    firewall_open "$PORT"
else
    HOST=127.0.0.1
    URL="http://$HOST:$PORT/"
    HEALTH="http://$HOST:$PORT/api/health"
fi

say "KindleChat: starting (this takes a while)..."
log_line "starting: $PY, $MODE mode, $HOST:$PORT, data in $DATA"
(
    # The token goes through the environment, not the command line that ps shows.
    if [ -n "$TOKEN" ]; then
        KINDLECHAT_TOKEN=$TOKEN
        export KINDLECHAT_TOKEN
    else
        unset KINDLECHAT_TOKEN
    fi
    unset KINDLECHAT_MNT_US
    py_env
    exec env LD_LIBRARY_PATH="$py_ld" REQUESTS_CA_BUNDLE="$CA_BUNDLE" SSL_CERT_FILE="$CA_BUNDLE" \
        "$PY" -I "$LAUNCHER" serve --log "$LOG" --pid-file "$PIDFILE" -- \
        --host "$HOST" --port "$PORT" --data-dir "$DATA" --library-dir "$ROOT"
) </dev/null >>"$LOG" 2>&1 &
starter=$!

if ! py "$LAUNCHER" wait "$HEALTH" --pid-file "$PIDFILE" --starter-pid "$starter" \
        --timeout "$START_TIMEOUT" >>"$LOG" 2>&1; then
    # The server's last words, not ours or the launcher's, say why.
    reason=$(server_log | grep -v '^launcher: the server' | tail -n 2)
    say "KindleChat did not start. The log ends:"
    printf '%s\n' "$reason" | while IFS= read -r line; do
        say "$line"
    done
    stop_server >/dev/null 2>&1
    firewall_close
    exit 1
fi

echo "$MODE" >"$RUN/mode"
echo "$URL" >"$RUN/url"
# The screensaver comes as usual: the server keeps it away only while a reply streams
# (src/kindlechat/screensaver.py); a reply cut by sleep continues after the wake.
say "KindleChat is running: opening the browser..."
open_page "$URL"
exit 0

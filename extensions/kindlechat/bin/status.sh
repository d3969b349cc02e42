#!/bin/sh
# KUAL "Status and log": whether the server runs, where, and the end of its log, on screen.
EXT=$(cd "$(dirname "$0")/.." && pwd -P)
. "$EXT/bin/common.sh"
SAY_LOG=0   # what this shows is no news for the log

if pid=$(server_pid); then
    say "KindleChat $(version): running, pid $pid"
    say "Open: $(cat "$RUN/url" 2>/dev/null)"
else
    say "KindleChat $(version): not running"
fi
if find_python; then
    say "Python: $PY"
    [ -z "$PY_BROKEN" ] || say_wrapped "Skipped (does not start): ${PY_BROKEN#"$ROOT"/python3/bin/}"
else
    say "Python: not found (see the README)"
fi
say "Chats and log: $DATA"
say "The log ends:"
if [ -f "$LOG" ]; then
    server_log | tail -n 12 | while IFS= read -r line; do
        say "$line"
    done
else
    say "(no log yet)"
fi
exit 0

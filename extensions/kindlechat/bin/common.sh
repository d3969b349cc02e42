#!/bin/sh
# Shared by start.sh, stop.sh and status.sh; sourced with EXT set to the extension folder.
# POSIX sh for the Kindle's busybox ash: no bashisms (tests/kindle/test_kual_extension.py checks).

# The root of the Kindle's user storage. Only the desktop emulation sets this variable;
# every other path below derives from it.
ROOT=${KINDLECHAT_MNT_US:-/mnt/us}

# Chats, settings and the log live outside the extension folder, so unzipping a new
# version over the old one (or deleting the extension folder) never touches them.
DATA=$ROOT/kindlechat
LOG=$DATA/kindlechat.log
RUN=$DATA/run                 # the running server: pid, mode, url, firewall rule, lock
PIDFILE=$RUN/server.pid
LAUNCHER=$EXT/bin/launcher.py
CA_BUNDLE=$EXT/vendor/certifi/cacert.pem
PORT=${KINDLECHAT_PORT:-8642}
WIFI_IF=wlan0
START_TIMEOUT=90              # seconds for the server to answer; Python starts slowly on a Kindle
SAY_ROW=${SAY_ROW:-3}

# say TEXT...: one line on the Kindle's screen, in the log, and on stdout.
say() {
    say_text=$(printf '%s' "$*" | tr -c ' -~' '?')
    printf '%s\n' "$say_text"
    [ "${SAY_LOG:-1}" = 0 ] || log_line "$say_text"
    if command -v eips >/dev/null 2>&1; then
        # Cut and padded to 48 columns (what one eips line holds on the narrowest
        # Kindle), so it covers what was drawn on that row before; the leading
        # space keeps eips from reading a "-" as an option.
        eips 0 "$SAY_ROW" "$(printf ' %-48.48s' "$say_text")" >/dev/null 2>&1
        SAY_ROW=$((SAY_ROW + 1))
    fi
}

# say_wrapped TEXT: say TEXT in lines of at most 48 columns, cut between words: for
# messages of others (an error of Python's) that are often longer than one line.
say_wrapped() {
    sw_line=
    set -f   # the words are split, never globbed
    for sw_word in $*; do
        if [ -n "$sw_line" ] && [ $((${#sw_line} + 1 + ${#sw_word})) -gt 48 ]; then
            say "$sw_line"
            sw_line=$sw_word
        else
            sw_line=${sw_line:+$sw_line }$sw_word
        fi
    done
    set +f
    [ -z "$sw_line" ] || say "$sw_line"
}

log_line() {
    [ -d "$DATA" ] && printf '%s kual: %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$*" >>"$LOG" 2>/dev/null
    return 0
}

# lipc NAME VALUE...: lipc-set-prop, logged; a missing tool is logged, not fatal.
lipc() {
    # (The log is on the user's storage: no access token in it.)
    log_line "lipc-set-prop $(printf '%s' "$*" | sed 's/token=[0-9A-Za-z]*/token=.../g')"
    lipc-set-prop "$@" >/dev/null 2>&1 || log_line "lipc-set-prop $1 $2 failed"
}

prepare_dirs() {
    mkdir -p "$RUN" 2>/dev/null && return 0
    say "KindleChat: cannot write $DATA"
    say "Is the Kindle connected to a computer over USB?"
    return 1
}

# find_python: sets PY to the newest Python in $ROOT/python3/bin that runs, else to
# python3 there, else to python3 on PATH. NiLuJe's package has python3.9, "pithon (HF)"
# (firmware 5.16.3+) python3.14, with no plain python3; both may be there at once, so
# the minor version is compared as a number (3.14 > 3.10 > 3.9). The name decides, not
# the exec bit: /mnt/us is FAT, where every file looks executable. A candidate that
# does not start (a hard-float build on a soft-float Kindle, a half copy) is skipped,
# and PY_BROKEN says which and why. (The check costs one bare Python start, ~1 s.)
find_python() {
    PY=
    PY_BROKEN=
    fp_list=$(python_candidates)
    fp_ifs=$IFS
    IFS='
'
    for fp_candidate in $fp_list "$ROOT/python3/bin/python3"; do
        [ -f "$fp_candidate" ] || continue
        if python_runs "$fp_candidate"; then
            PY=$fp_candidate
            break
        fi
    done
    IFS=$fp_ifs
    [ -n "$PY" ] || PY=$(command -v python3 2>/dev/null) || PY=
    [ -n "$PY" ]
}

# python_candidates: $ROOT/python3/bin/python3.N, newest first, one a line.
python_candidates() {
    for pc_path in "$ROOT"/python3/bin/python3.*; do
        pc_minor=${pc_path##*/python3.}
        case $pc_minor in
            [0-9]|[0-9][0-9]|[0-9][0-9][0-9]) printf '%s %s\n' "$pc_minor" "$pc_path" ;;
            *) ;;   # python3.9-config, python3.14t and the like
        esac
    done | sort -n -r | cut -d ' ' -f 2-   # (plain -n: no -k needed, which a small busybox lacks)
}

# python_runs PATH: true when that Python starts (with its libraries); else PY_BROKEN
# and the log say why.
python_runs() {
    py_env "$1"
    pr_out=$(env LD_LIBRARY_PATH="$py_ld" "$1" -I -S -c '' 2>&1 </dev/null) && return 0
    # The error without folder names (they fill a Kindle's screen line on their own).
    PY_BROKEN="$1: $(printf '%s' "$pr_out" | tail -n 1 | sed 's|[^ :]*/||g')"
    log_line "does not run: $PY_BROKEN"
    return 1
}

# py_env [PYTHON]: sets py_ld, the LD_LIBRARY_PATH for PYTHON (default $PY): the
# lib folder of $ROOT/python3 when it is from there. NiLuJe's libpython3.9.so and
# friends are in it; pithon's python3.14 has libpython built in and only its own
# lib/python3.14 there, so the same path does no harm. A Python from PATH gets the
# path unchanged.
py_env() {
    py_ld=${LD_LIBRARY_PATH:-}
    case ${1:-$PY} in
        "$ROOT"/python3/bin/*) [ -d "$ROOT/python3/lib" ] && py_ld=$ROOT/python3/lib${py_ld:+:$py_ld} ;;
        *) ;;
    esac
    return 0
}

# py ARGS...: run Python the way the server runs: isolated (-I: no user site, no
# PYTHON* variables, no script folder on sys.path; the launcher sets the path itself),
# with its library path and our CA bundle. Set here, for Python alone: exported
# globally, NiLuJe's libraries break the system's own tools (sqlite3).
py() {
    py_env
    env LD_LIBRARY_PATH="$py_ld" REQUESTS_CA_BUNDLE="$CA_BUNDLE" SSL_CERT_FILE="$CA_BUNDLE" \
        "$PY" -I "$@"
}

# server_pid: prints the pid of our running server; fails when there is none.
server_pid() {
    [ -f "$PIDFILE" ] || return 1
    sp_pid=$(cat "$PIDFILE" 2>/dev/null)
    case $sp_pid in ''|*[!0-9]*) return 1 ;; esac
    # A pid file can outlive its process (a crash, a reboot), and the number may since
    # belong to another program: only a process running our launcher counts as ours.
    # (An ended process not yet reaped has an empty cmdline, so it counts as gone.)
    [ -r "/proc/$sp_pid/cmdline" ] || return 1
    tr '\000' '\n' <"/proc/$sp_pid/cmdline" 2>/dev/null | grep -qxF "$LAUNCHER" || return 1
    echo "$sp_pid"
}

# stop_server: ends our server by its pid (TERM, then KILL), never by name.
stop_server() {
    ss_pid=$(server_pid) || { rm -f "$PIDFILE"; return 1; }
    log_line "stopping the server, pid $ss_pid"
    kill -s TERM "$ss_pid" 2>/dev/null
    ss_n=0
    while server_pid >/dev/null; do
        ss_n=$((ss_n + 1))
        if [ "$ss_n" -eq 10 ]; then
            log_line "pid $ss_pid ignored TERM for 10 s: KILL"
            kill -s KILL "$ss_pid" 2>/dev/null
        elif [ "$ss_n" -gt 15 ]; then
            say "KindleChat: process $ss_pid does not end."
            return 2
        fi
        sleep 1
    done
    rm -f "$PIDFILE" "$RUN/mode" "$RUN/url"
    return 0
}

# The iptables rule of Wi-Fi mode: added at start, removed at stop. $RUN/firewall
# remembers the port, so a rule left by a crashed run is removed at the next start.
firewall_open() {
    log_line "iptables -A INPUT -p tcp --dport $1 -j ACCEPT"
    if iptables -A INPUT -p tcp --dport "$1" -j ACCEPT >>"$LOG" 2>&1; then
        echo "$1" >"$RUN/firewall"
    else
        log_line "iptables failed: other devices may not reach port $1"
    fi
}

firewall_close() {
    [ -f "$RUN/firewall" ] || return 0
    fc_port=$(cat "$RUN/firewall")
    case $fc_port in ''|*[!0-9]*) rm -f "$RUN/firewall"; return 0 ;; esac
    log_line "iptables -D INPUT -p tcp --dport $fc_port -j ACCEPT"
    iptables -D INPUT -p tcp --dport "$fc_port" -j ACCEPT >>"$LOG" 2>&1 ||
        log_line "iptables -D failed (the rule may be gone already)"
    rm -f "$RUN/firewall"
}

# wifi_address: prints the IPv4 address of the Wi-Fi interface (busybox ifconfig
# says "inet addr:A.B.C.D", newer tools "inet A.B.C.D").
wifi_address() {
    {
        ifconfig "$WIFI_IF" 2>/dev/null || ip -4 addr show dev "$WIFI_IF" 2>/dev/null
    } | sed -n 's/.*inet \(addr:\)\{0,1\}\([0-9][0-9.]*\).*/\2/p' | head -n 1
}

# rotate_log: the scripts write to the log too, also while no server (which caps it
# itself) runs: past 256 KiB it moves to LOG.1, as the server's own output does.
rotate_log() {
    [ -f "$LOG" ] || return 0
    rl_size=$(($(wc -c <"$LOG") + 0))
    [ "$rl_size" -gt 262144 ] && mv -f "$LOG" "$LOG.1"
    return 0
}

# server_log: the log without the scripts' own "kual:" lines: the server's lines are
# the ones that explain.
server_log() {
    grep -v '^[0-9-]* [0-9:]* kual: ' "$LOG" 2>/dev/null
}

version() {
    cat "$EXT/VERSION" 2>/dev/null || echo "?"
}

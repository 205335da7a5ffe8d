# tap.sh - a small TAP library for mtk's end-to-end tests
# SPDX-License-Identifier: MIT
#
# Source it from a test script:
#
#	test_description='what this script checks'
#	. "${0%/*}/tap.sh"
#	test_expect_success 'title' 'commands && chained'
#	test_done
#
# Each test runs in a fresh shell, inside the script's own scratch
# directory (removed at exit unless MTK_TEST_KEEP is set).  PATH starts
# with the binaries under test: $MTK_BIN if set (installed binaries),
# else build/bin of this tree ($MTK_BUILD/bin for SAN=1 builds).
# With VALGRIND=1 the binaries run under valgrind, and any error it finds
# fails the test.

LC_ALL=C
TZ=UTC
export LC_ALL TZ
unset MTK_STORE XDG_DATA_HOME

TEST_DIR=$(cd "${0%/*}" && pwd)
SRC_DIR=${TEST_DIR%/*}
FIXTURES=$TEST_DIR/fixtures
MTK_BUILD=${MTK_BUILD:-build}
case $MTK_BUILD in /*) ;; *) MTK_BUILD=$SRC_DIR/$MTK_BUILD ;; esac
if [ -n "${MTK_BIN:-}" ]; then
	BIN_DIR=$MTK_BIN
else
	BIN_DIR=$MTK_BUILD/bin
fi
export FIXTURES SRC_DIR BIN_DIR MTK_BUILD

TRASH=$(mktemp -d "${TMPDIR:-/tmp}/mtk-test.XXXXXX") || exit 1
test_cleanup() {
	[ -n "${MTK_TEST_KEEP:-}" ] || rm -rf "$TRASH"
}
trap 'test_cleanup' EXIT
trap 'exit 130' INT TERM

if [ "${VALGRIND:-}" = 1 ]; then
	# Wrap every binary in a directory of small scripts that run it
	# under valgrind; an error makes the binary exit 126.
	mkdir -p "$TRASH/.vg"
	for b in "$BIN_DIR"/*; do
		[ -x "$b" ] || continue
		cat >"$TRASH/.vg/${b##*/}" <<VG
#!/bin/sh
exec valgrind -q --error-exitcode=126 --leak-check=full --errors-for-leak-kinds=definite "$b" "\$@"
VG
		chmod +x "$TRASH/.vg/${b##*/}"
	done
	PATH=$TRASH/.vg:$PATH
else
	PATH=$BIN_DIR:$PATH
fi
# Test helpers built from bench/ (the stream generator).
PATH=$PATH:$MTK_BUILD/bench
export PATH

mkdir -p "$TRASH/work"
cd "$TRASH/work" || exit 1

test_count=0
test_failed=0
test_skipped=0

say() {
	printf '# %s\n' "$*"
}

test_ok_() {
	test_count=$((test_count + 1))
	printf 'ok %d - %s\n' "$test_count" "$1"
}

test_not_ok_() {
	test_count=$((test_count + 1))
	test_failed=$((test_failed + 1))
	printf 'not ok %d - %s\n' "$test_count" "$1"
}

# test_expect_success TITLE SCRIPT
test_expect_success() {
	if (eval "$2") >"$TRASH/out" 2>&1 </dev/null; then
		test_ok_ "$1"
	else
		test_not_ok_ "$1"
		sed 's/^/#   /' "$TRASH/out"
		printf '#   failed script:\n'
		printf '%s\n' "$2" | sed 's/^/#   /'
	fi
}

# test_expect_failure TITLE SCRIPT: a known breakage, reported as TAP
# "TODO" (which does not fail the run) while SCRIPT fails.
test_expect_failure() {
	if (eval "$2") >"$TRASH/out" 2>&1 </dev/null; then
		test_ok_ "$1 # TODO known breakage vanished"
	else
		test_count=$((test_count + 1))
		printf 'not ok %d - %s # TODO known breakage\n' "$test_count" "$1"
	fi
}

# test_skip TITLE REASON
test_skip() {
	test_count=$((test_count + 1))
	test_skipped=$((test_skipped + 1))
	printf 'ok %d - %s # SKIP %s\n' "$test_count" "$1" "$2"
}

# test_skip_all REASON: no test in this script can run here.
test_skip_all() {
	printf '1..0 # SKIP %s\n' "$1"
	exit 0
}

# test_expect_code N COMMAND...: COMMAND must exit with status N.
test_expect_code() {
	want=$1
	shift
	"$@"
	got=$?
	if [ "$got" -eq "$want" ]; then
		return 0
	fi
	echo "test_expect_code: '$*' exited $got, expected $want" >&2
	return 1
}

# test_cmp EXPECTED ACTUAL: the files must be identical.
test_cmp() {
	diff -u "$1" "$2"
}

# test_must_be_empty FILE
test_must_be_empty() {
	if [ -s "$1" ]; then
		echo "'$1' is not empty:" >&2
		cat "$1" >&2
		return 1
	fi
}

# test_have_prog NAME: whether NAME is on PATH.
test_have_prog() {
	command -v "$1" >/dev/null 2>&1
}

# test_serve PROGRAM ARG...: start a server of the test on 127.0.0.1,
# each '@PORT@' in its arguments a free port, and wait (10 s at most)
# until http://127.0.0.1:PORT/ answers.  Sets SERVE_PID and SERVE_URL;
# returns 1 with its log on stderr when it does not come up.  The
# caller stops it by PID (kill "$SERVE_PID").
test_serve() {
	_port=$(perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(Listen => 1,
		    LocalAddr => "127.0.0.1:0") or exit 1;
		print $s->sockport') || return 1
	_prog=$1
	shift
	# Each argument once round, '@PORT@' replaced.
	_n=$#
	while [ "$_n" -gt 0 ]; do
		_a=$1
		shift
		case $_a in
		*@PORT@*) _a=$(printf '%s' "$_a" | sed "s/@PORT@/$_port/g") ;;
		esac
		set -- "$@" "$_a"
		_n=$((_n - 1))
	done
	"$_prog" "$@" >"$TRASH/serve.$_port.log" 2>&1 &
	SERVE_PID=$!
	SERVE_URL=http://127.0.0.1:$_port
	_i=0
	until curl -s -o /dev/null "$SERVE_URL/"; do
		_i=$((_i + 1))
		if [ $_i -gt 100 ] || ! kill -0 "$SERVE_PID" 2>/dev/null; then
			cat "$TRASH/serve.$_port.log" >&2
			return 1
		fi
		sleep 0.1
	done
}

# test_wait_grep FILE PATTERN [SECONDS]: until a line of FILE matches
# PATTERN (grep), SECONDS (default 10) at most: a server's log says it
# is up, a stream has reached a point.
test_wait_grep() {
	_i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		_i=$((_i + 1))
		if [ $_i -ge $((${3:-10} * 10)) ]; then
			echo "test_wait_grep: no '$2' in $1" >&2
			return 1
		fi
		sleep 0.1
	done
}

# test_writer_start DIR [OPTION...]: "mstore -d DIR OPTION..." in the
# background, reading the FIFO "in" that this shell holds open on
# descriptor 9 until test_writer_end: a writer still running while the
# tests read, as users run one.  Call it at the top level of a script:
# each test runs in a subshell, and a descriptor opened there would
# close with it (the writer ending at once).  Its PID goes to wpid,
# what it says to werr; the script's exit stops it whatever happened.
test_writer_start() {
	_dir=$1
	shift
	mkfifo in || return 1
	mstore -d "$_dir" "$@" <in 2>werr &
	echo $! >wpid
	exec 9>in
	trap 'exec 9>&- 2>/dev/null; [ -f "$TRASH/work/wpid" ] && kill "$(cat "$TRASH/work/wpid")" 2>/dev/null; test_cleanup' EXIT
}

# test_writer_end: close the writer's input and wait for it to end; its
# exit status goes to wstatus.
test_writer_end() {
	exec 9>&-
	wait "$(cat wpid)"
	echo $? >wstatus
	rm -f wpid
}

# test_writer_end_clean: the writer is still running, then, its input
# closed, ends with status 0 having said nothing: two tests.
test_writer_end_clean() {
	test_expect_success 'the writer was running all along' '
		kill -0 "$(cat wpid)"
	'
	test_writer_end
	test_expect_success 'the writer ends cleanly' '
		echo 0 >expect && test_cmp expect wstatus &&
		test_must_be_empty werr
	'
}

# test_kill_pids FILE: stop the processes whose PIDs FILE lists (the
# servers a test started) and wait (5 s at most) until they are gone, so
# that none is still writing into the trash while it is removed.
test_kill_pids() {
	_pids=$(cat "$1" 2>/dev/null) || return 0
	kill $_pids 2>/dev/null
	_i=0
	for _p in $_pids; do
		while [ $_i -lt 50 ] && kill -0 "$_p" 2>/dev/null; do
			_i=$((_i + 1))
			sleep 0.1
		done
	done
	return 0
}

test_done() {
	printf '1..%d\n' "$test_count"
	[ "$test_failed" -eq 0 ]
}

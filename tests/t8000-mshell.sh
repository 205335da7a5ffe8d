#!/bin/sh
test_description='mshell: scripts, commands, and a real terminal (tmux): completion, Ctrl-C, history'
. "${0%/*}/tap.sh"

# Two hours of x{job=a|b} (a: i, b: 2i at minute i) and y, up to T,
# the last whole hour.
T=$(( $(date +%s) / 3600 * 3600 ))
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
awk -v t0=$((T - 7200)) 'BEGIN {
	for (i = 0; i <= 120; i++) {
		t = t0 + i * 60
		printf "{\"name\":\"x_total\",\"type\":\"counter\",\"value\":%d,\"ts\":%d000,\"labels\":{\"job\":\"a\",\"mode\":\"idle\"}}\n", i, t
		printf "{\"name\":\"x_total\",\"type\":\"counter\",\"value\":%d,\"ts\":%d000,\"labels\":{\"job\":\"b\",\"mode\":\"say \\\"hi\\\"\"}}\n", 2 * i, t
		printf "{\"name\":\"y\",\"value\":%d,\"ts\":%d000,\"labels\":{\"job\":\"a\"}}\n", i % 7, t
	}
}' >s.jsonl
mstore init -d st >/dev/null && mstore -d st <s.jsonl || exit 1

test_expect_success 'expressions in a script answer as mquery does' '
	printf "%s\n" "\\at $T" "\\format csv" "x_total" "rate(x_total[5m])" \
	    "\\instant" "sum by (job) (x_total)" "\\format jsonl" "y" |
	    mshell -d st >actual 2>err &&
	test_must_be_empty err &&
	{
		mquery -d st -o csv --end $T x_total &&
		mquery -d st -o csv --end $T --since 1h "rate(x_total[5m])" &&
		mquery -d st -o csv --time $T "sum by (job) (x_total)" &&
		mquery -d st -o jsonl --time $T y
	} >expect &&
	test_cmp expect actual
'

test_expect_success '\range and \step make the range query' '
	printf "%s\n" "\\at $T" "\\range 30m" "\\step 10m" "\\format csv" \
	    "sum(x_total)" | mshell -d st >actual &&
	mquery -d st -o csv --end $T --since 30m --step 10m "sum(x_total)" >expect &&
	test_cmp expect actual &&
	test $(grep -c "^{}" actual) = 4
'

test_expect_success 'an expression may span lines; comments and blank lines are skipped' '
	cat >q <<-EOF &&
	# the sum, by job
	\\at $T
	\\instant

	sum by (job) (
	  x_total   # every mode
	)
	EOF
	mshell -d st -f s.jsonl <q >actual 2>err ||
	mshell -d st <q >actual 2>err &&
	test_must_be_empty err &&
	grep "{job=\"a\"}.*120" actual &&
	grep "{job=\"b\"}.*240" actual
'

test_expect_success 'bad inputs are told by line, the good ones still answered, exit 1' '
	printf "%s\n" "\\at $T" "\\instant" "sum(rate(x_total[5m])" "" "\\nope" \
	    "rate(y)" "count(y)" "\\range -1h" "\\format pdf" "\\step 0" |
	    test_expect_code 1 mshell -d st >actual 2>err &&
	cat err &&
	grep "^mshell: <stdin>:3: 1:22: parse error: unclosed left parenthesis" err &&
	grep "^mshell: <stdin>:5: unknown command .\\\\nope." err &&
	grep "^mshell: <stdin>:6: 1:6: parse error: expected type range vector" err &&
	grep "^mshell: <stdin>:8: " err &&
	grep "^mshell: <stdin>:9: unknown format .pdf. (one of: auto, table" err &&
	grep "^mshell: <stdin>:10: " err &&
	test $(wc -l <err) = 6 &&
	grep "^{}  *.* 1$" actual
'

test_expect_success '\q stops; nothing after it is read' '
	printf "%s\n" "\\metrics" "\\q" "\\nope" | mshell -d st >actual 2>err &&
	test_must_be_empty err &&
	printf "x_total\ny\n" >expect &&
	test_cmp expect actual
'

test_expect_success '\metrics, \labels and \series list the store' '
	printf "%s\n" "\\metrics" "\\metrics x" "\\metrics ?" "\\metrics *_total" \
	    "\\labels x_total" "\\labels" "\\series y" | mshell -d st >actual &&
	cat >expect <<-\EOF &&
	x_total
	y
	x_total
	y
	x_total
	job              2 values: a b
	mode             2 values: idle say "hi"
	job              2 values: a b
	mode             2 values: idle say "hi"
	y{job="a"}
	EOF
	test_cmp expect actual
'

test_expect_success '\explain: the tree, the times and the tiers' '
	printf "%s\n" "\\at $T" "\\explain sum by (job) (rate(x_total[5m]))" |
	    mshell -d st >actual &&
	grep "^query     sum by (job) (rate(x_total\\[5m\\]))$" actual &&
	grep "^answer    a range query, $(iso $((T - 3600))) to $(iso $T), step 14s (258 points)$" actual &&
	grep "^reads     tier raw  $(iso $((T - 3900))) to $(iso $T)$" actual &&
	grep "^  aggregation sum by (job)  : instant vector$" actual &&
	grep "^    call rate()  : instant vector$" actual &&
	grep "^      range selector x_total\\[5m\\]  : range vector$" actual &&
	printf "%s\n" "\\explain y" | mshell -f s.jsonl >stream &&
	grep "^reads     a stream, in memory$" stream &&
	grep "^answer    the stored samples of the selector" stream
'

test_expect_success '\tenant and \store change what is read' '
	awk "{ sub(/\"labels\":\\{/, \"\\\"labels\\\":{\\\"tenant\\\":\\\"t\" NR % 2 \"\\\",\"); print }" s.jsonl >t.jsonl &&
	mstore init -d st2 >/dev/null && mstore -d st2 <t.jsonl &&
	printf "%s\n" "\\store st2" "\\tenant t1" "\\at $T" "\\instant" "\\format csv" \
	    "count(x_total)" "\\tenant" "count(x_total)" "\\store nowhere" "count(y)" |
	    test_expect_code 1 mshell -d st >actual 2>err &&
	grep "no store in .nowhere." err &&
	mquery -d st2 --tenant t1 -o csv --time $T "count(x_total)" >one &&
	mquery -d st2 -o csv --time $T "count(x_total)" >all &&
	mquery -d st2 -o csv --time $T "count(y)" >y &&
	! cmp -s one all &&
	grep -F -x -f one actual && grep -F -x -f all actual &&
	tail -n 1 y >ylast && tail -n 1 actual >alast && test_cmp ylast alast
'

test_expect_success 'a bad record of a stream is told, the rest answered, exit 1' '
	{ head -n 3 s.jsonl; echo "not json"; tail -n 3 s.jsonl; } >bad.jsonl &&
	printf "%s\n" "\\metrics" | test_expect_code 1 mshell -f bad.jsonl >actual 2>err &&
	grep "^mshell: bad.jsonl:4: invalid JSON" err &&
	printf "x_total\ny\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a damaged block is told once, the rest answered, exit 1' '
	w0=$(( ($(date +%s) / 7200 - 6) * 7200 )) &&
	mstore init -d dmg --retention raw=30d >/dev/null &&
	for k in 0 1 2; do
		gen -H 2 -n 3000 -i 10s -t $(( (w0 + k * 7200) * 1000 )) |
		mstore -d dmg || return 1
	done &&
	b=$(ls dmg/raw/*.blk | sed -n 2p) && size=$(wc -c <"$b") &&
	printf X | dd of="$b" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null &&
	printf "%s\n" "\\at $((w0 + 3 * 7200))" "\\range 6h" "\\format csv" \
	    "count(node_load1)" "count(node_load1)" |
	    test_expect_code 1 mshell -d dmg >actual 2>err &&
	cat err &&
	test $(grep -c "left out of the answer" err) = 1 &&
	grep -F "$b" err &&
	test $(grep -c ",2$" actual) -gt 10
'

test_expect_success 'answers into a pipe carry no escape sequences' '
	printf "%s\n" "\\at $T" "\\format chart" "x_total" "\\help" |
	    NO_COLOR= TERM=xterm mshell -d st >actual &&
	grep "⠀\\|┤" actual &&
	! grep -q "$(printf "\\033")" actual
'

test_expect_success '\help tells of commands, functions, operators' '
	printf "%s\n" "\\help" "\\help range" "\\help \\watch" "\\help nosuch" \
	    "\\help rate" "\\help quant" "\\help and" "\\help functions" |
	    test_expect_code 1 mshell -d st >actual 2>err &&
	grep "^  \\\\watch    DURATION EXPR" actual &&
	grep "^\\\\range DURATION$" actual &&
	grep "^\\\\watch DURATION EXPR$" actual &&
	grep "no help on .nosuch. (\\\\help functions lists" err &&
	grep "^rate(v range-vector) instant-vector  (function)$" actual &&
	grep "^  example: rate(node_network_receive_bytes_total\[5m\])$" actual &&
	grep "no help on .quant. (but on: histogram_quantile, quantile, quantile_over_time)" err &&
	grep "^and: v1 and \[on|ignoring (label, ...)\] v2  (operator)$" actual &&
	test $(grep -c "^[a-z_0-9]*(.*) [a-z -]*$" actual) -ge 70 &&
	test $(wc -l <err) = 2
'

# --- A real terminal: tmux types, its screen is read. ---
if ! test_have_prog tmux; then
	test_skip 'a terminal' 'tmux is not installed'
	test_done
	exit
fi

# Each terminal its own tmux server: one being killed cannot take the
# next one's socket with it.
echo 0 >"$TRASH/tmux.n"
tmux_() { tmux -S "$TRASH/tmux.$(cat "$TRASH/tmux.n").sock" "$@"; }
trap 'tmux_ kill-server 2>/dev/null; test_cleanup' EXIT
export XDG_STATE_HOME=$TRASH/state

# start CMD: a new terminal of 100x40 running CMD.
start() {
	tmux_ kill-server 2>/dev/null
	echo $(($(cat "$TRASH/tmux.n") + 1)) >"$TRASH/tmux.n"
	tmux_ -f /dev/null new-session -d -x 100 -y 40 "$1; echo EXITED \$?; sleep 60"
}

# screen: what the terminal shows now, without trailing blanks.
screen() {
	tmux_ capture-pane -p -J | sed "s/ *\$//"
}

# wait_for PATTERN [SECONDS]: until the screen shows PATTERN (grep -E).
wait_for() {
	_i=0
	while ! screen | grep -E -q -- "$1"; do
		_i=$((_i + 1))
		if [ $_i -gt $((${2:-10} * 10)) ]; then
			echo "wait_for: no '$1' on the screen:" >&2
			screen >&2
			return 1
		fi
		sleep 0.1
	done
}

# prompt_line: the last line that starts with the prompt.
prompt_line() {
	screen | grep "^mshell" | tail -n 1
}

test_expect_success 'Tab completes commands, metric names, labels and values' '
	start "mshell -d st" &&
	wait_for "^mshell 1h>$" &&
	tmux_ send-keys "\\ra" Tab &&
	wait_for "^mshell 1h> \\\\range$" &&
	tmux_ send-keys C-u "x_t" Tab &&
	wait_for "^mshell 1h> x_total$" &&
	tmux_ send-keys "{m" Tab &&
	wait_for "^mshell 1h> x_total\\{mode$" &&
	tmux_ send-keys "=\"s" Tab &&
	wait_for "^mshell 1h> x_total\\{mode=\"say \\\\\"hi\\\\\"\"$" &&
	tmux_ send-keys C-u "sum by (j" Tab &&
	wait_for "^mshell 1h> sum by \\(job$" &&
	tmux_ send-keys C-u "histogram_qu" Tab &&
	wait_for "^mshell 1h> histogram_quantile\\($" &&
	tmux_ send-keys C-u "\\format c" Tab Tab &&
	wait_for "chart +csv" &&
	tmux_ send-keys C-u "\\q" Enter &&
	wait_for "^EXITED 0"
'

test_expect_success 'a range is a chart; a syntax error points at its column' '
	start "mshell -d st" &&
	wait_for "^mshell 1h>$" &&
	tmux_ send-keys "\\at $T" Enter "rate(x_total[5m])" Enter &&
	wait_for "series +min +avg +max +last" &&
	screen | grep "{job=\"a\",mode=\"idle\"} *0.0167 *0.0167 *0.0167 *0.0167" &&
	tmux_ send-keys "sum(rate(x_total))" Enter &&
	wait_for "parse error" &&
	screen | grep -B2 "parse error: expected type range vector" >err &&
	cat err &&
	sed -n 1p err | grep "^  sum(rate(x_total))$" &&
	sed -n 2p err | grep "^           \\^$" &&
	tmux_ send-keys C-d &&
	wait_for "^EXITED 0"
'

test_expect_success 'colours on a terminal, none with NO_COLOR' '
	start "mshell -d st" &&
	wait_for "^mshell 1h>$" &&
	tmux_ send-keys "\\at $T" Enter "x_total" Enter &&
	wait_for "series +min" &&
	tmux_ capture-pane -p -e | grep -q "$(printf "\\033")\\[3" &&
	start "NO_COLOR=1 mshell -d st" &&
	wait_for "^mshell 1h>$" &&
	tmux_ send-keys "\\at $T" Enter "x_total" Enter &&
	wait_for "series +min" &&
	! tmux_ capture-pane -p -e | grep -q "$(printf "\\033")\\[3[0-9]m"
'

test_expect_success 'an expression over lines gets a continuation prompt' '
	start "mshell -d st" &&
	wait_for "^mshell 1h>$" &&
	tmux_ send-keys "\\instant" Enter "\\at $T" Enter "count(" Enter &&
	wait_for "^ +\\.\\.\\.>$" &&
	tmux_ send-keys "x_total)" Enter &&
	wait_for "^\\{\\} .* 2$"
'

test_expect_success 'Ctrl-C cancels a running query, not the shell' '
	start "mshell -d st" &&
	wait_for "^mshell 1h>$" &&
	tmux_ send-keys "\\format table" Enter \
	    "count_over_time(sum_over_time(vector(1)[3d:1s])[3d:1s])" Enter &&
	sleep 1 &&
	tmux_ send-keys C-c &&
	wait_for "^mshell: cancelled$" 5 &&
	tmux_ send-keys "\\instant" Enter "vector(42)" Enter &&
	wait_for "^\\{\\} .* 42$" &&
	tmux_ send-keys "count(foo" &&
	wait_for "^mshell @now> count\\(foo$" &&
	tmux_ send-keys C-c &&
	wait_for "^mshell @now> count\\(foo\\^C$" &&
	test "$(prompt_line)" = "mshell @now>" &&
	tmux_ send-keys "\\q" Enter &&
	wait_for "^EXITED 0"
'

test_expect_success '\watch redraws until Ctrl-C' '
	start "mshell -d st" &&
	wait_for "^mshell 1h>$" &&
	tmux_ send-keys "\\instant" Enter "\\watch 1s time()" Enter &&
	wait_for "^every 1s: time\\(\\)" &&
	wait_for "^scalar" &&
	a=$(screen | grep "^scalar") &&
	# Drawn again, with a later time, within ten seconds however busy.
	i=0 && while [ "$(screen | grep "^scalar")" = "$a" ]; do
		i=$((i + 1)) && [ $i -lt 100 ] || return 1
		sleep 0.1
	done &&
	tmux_ send-keys C-c &&
	wait_for "^mshell @now>$" &&
	tmux_ send-keys "\\q" Enter &&
	wait_for "^EXITED 0"
'

test_expect_success 'the history is kept across sessions' '
	start "mshell -d st" &&
	wait_for "^mshell 1h>$" &&
	tmux_ send-keys "\\step 5m" Enter "count(y)" Enter "\\q" Enter &&
	wait_for "^EXITED 0" &&
	grep -x "count(y)" "$XDG_STATE_HOME/mtk/mshell_history" &&
	start "mshell -d st" &&
	wait_for "^mshell 1h>$" &&
	tmux_ send-keys Up &&
	wait_for "^mshell 1h> \\\\q$" &&
	tmux_ send-keys Up &&
	wait_for "^mshell 1h> count\\(y\\)$" &&
	tmux_ send-keys C-u "\\q" Enter &&
	wait_for "^EXITED 0" &&
	start "mshell --no-history -d st" &&
	wait_for "^mshell 1h>$" &&
	tmux_ send-keys Up &&
	sleep 0.3 &&
	test "$(prompt_line)" = "mshell 1h>"
'

test_done

#!/bin/sh
test_description='mquery serve: /api/v1/stream (Server-Sent Events), /chart, the page at / in a browser'
. "${0%/*}/tap.sh"

test_have_prog curl || test_skip_all 'curl not installed'
test_have_prog jq || test_skip_all 'jq not installed'
test -d /proc/self/task || test_skip_all 'no /proc/PID/task to count threads'
trap 'test_kill_pids "$TRASH/pids"; test_cleanup' EXIT

# The connections process $1 (a server) has: each has a thread of
# libmicrohttpd's, named so.
connections() {
	cat /proc/$1/task/*/comm | grep -c "^MHD-connection" || :
}

# feed LABELS...: samples of w, one a tenth of a second for each series
# LABELS gives (as k="a"), value i (the second series 2i, ...), into a
# writer of the store st, in the background until the script ends.
feed() {
	{
		i=0
		while :; do
			m=1
			for l; do
				echo "{\"name\":\"w\",\"value\":$((i * m)),\"labels\":{$l}}" ||
				exit 0
				m=$((m + 1))
			done
			i=$((i + 1))
			sleep 0.1
		done | mstore -d st &
	}
	echo $! >>"$TRASH/pids"
}

test_expect_success 'setup: a writer appending w{k="a"} and w{k="b"}, the server' '
	mstore init -d st &&
	feed "\"k\":\"a\"" "\"k\":\"b\"" &&
	i=0 && until test "$(mquery -d st --series w | wc -l)" = 2; do
		i=$((i + 1)); test $i -lt 100 || return 1; sleep 0.1
	done &&
	test_serve mquery serve -d st --listen 127.0.0.1:@PORT@ &&
	echo $SERVE_PID >>"$TRASH/pids" && echo $SERVE_PID >pid &&
	echo $SERVE_URL >url
'
URL=$(cat url 2>/dev/null)
PID=$(cat pid 2>/dev/null)

test_expect_success 'a stream: an event a step, each what /api/v1/query says then' '
	curl -sN -D head -o events --max-time 30 \
		"$URL/api/v1/stream?query=sum(w)&step=1s" &
	c=$! &&
	i=0 && until test "$(grep -c "^data: " events 2>/dev/null)" -ge 3; do
		i=$((i + 1)); test $i -lt 100 || return 1; sleep 0.1
	done &&
	kill $c && { wait $c || :; } &&
	grep -i "^Content-Type: text/event-stream" head &&
	grep -i "^Cache-Control: no-cache" head &&
	# Events are "data: JSON" and a blank line.
	test "$(sed -n 2p events)" = "" &&
	sed -n "s/^data: //p" events | head -3 >json &&
	jq -e -s "length == 3 and all(.status == \"success\" and
	    .data.resultType == \"vector\")" json &&
	jq -s -r ".[].data.result[0].value[0]" json >times &&
	jq -s -r ".[].data.result[0].value[1]" json >values &&
	# A second apart, and the writer was seen going on.
	awk "NR > 1 { d = \$1 - p; if (d < 0.9 || d > 1.5) exit 1 } { p = \$1 }" times &&
	awk "NR > 1 && \$1 <= p { exit 1 } { p = \$1 }" values
'

test_expect_success 'a stream ends when its client goes away' '
	# The connection of the test before is gone first.
	i=0 && while test $(connections $PID) != 0; do
		i=$((i + 1)); test $i -lt 50 || return 1; sleep 0.1
	done &&
	curl -sN -o ev2 --max-time 30 "$URL/api/v1/stream?query=w&step=1s" &
	c=$! &&
	i=0 && until grep -q "^data: " ev2 2>/dev/null; do
		i=$((i + 1)); test $i -lt 100 || return 1; sleep 0.1
	done &&
	test $(connections $PID) = 1 &&
	kill $c && { wait $c || :; } &&
	# It is gone at its next event or the one after (the first write
	# to a closed connection may go through).
	i=0 && while test $(connections $PID) != 0; do
		i=$((i + 1)); test $i -lt 50 || return 1; sleep 0.1
	done
'

test_expect_success 'a stream of a bad query or step is refused at once' '
	curl -s -o body -w "%{http_code}" "$URL/api/v1/stream?query=sum(" >code &&
	printf 400 >want && test_cmp want code &&
	jq -e ".error | test(\"parse error\")" body &&
	curl -s -o body -w "%{http_code}" "$URL/api/v1/stream?query=w&step=10ms" >code &&
	test_cmp want code &&
	curl -s -o body -w "%{http_code}" "$URL/api/v1/stream" >code &&
	test_cmp want code
'

test_expect_success '/chart: the last range of an answer as SVG, a path a series' '
	curl -s -D head -o chart.svg "$URL/chart?query=w&range=5m&width=600&height=300" &&
	grep -i "^Content-Type: image/svg+xml" head &&
	grep -q "<svg .*width=\"600\"" chart.svg &&
	test $(grep -c "<path fill=\"none\"" chart.svg) = 2 &&
	if test_have_prog xmllint; then xmllint --noout chart.svg; fi &&
	curl -s -o body -w "%{http_code}" "$URL/chart?query=w&width=5" >code &&
	printf 400 >want && test_cmp want code
'

test_expect_success '/: the page, whole, with nothing from elsewhere' '
	curl -s -D head -o page.html "$URL/" &&
	grep -i "^Content-Type: text/html" head &&
	grep -q "get(.api/v1/stream" page.html &&
	! grep -E "(src|href)=\"?(https?:)?//" page.html
'

# Why the browser tests cannot run here, or nothing.
if ! test_have_prog chromium; then
	chrome_why='chromium not installed'
elif ! perl "$SRC_DIR/scripts/cdp.pl" -t 20 "data:text/html,<body></body>" \
    "document.readyState == \"complete\"" blank.html blank.png 2>cdp.err; then
	chrome_why="chromium cannot run here: $(tail -1 cdp.err)"
else
	chrome_why=
fi

if test -n "$chrome_why"; then
	test_skip 'the page in chromium: a live chart' "$chrome_why"
else
	test_expect_success 'the page in chromium: a live chart' '
		v0=$(curl -s "$URL/api/v1/query?query=w%7Bk%3D%22a%22%7D" |
			jq -r ".data.result[0].value[1]") &&
		perl "$SRC_DIR/scripts/cdp.pl" -t 30 \
			"$URL/?query=w&range=5m&step=1s" \
			"document.getElementById(\"events\").textContent >= 3" \
			dom.html shot.png &&
		# The third event drew the chart: a path a series, and the
		# table of values newer than before the page was opened.
		sed -n "/<div id=\"chart\">/,/<\/svg>/p" dom.html >svg &&
		test $(grep -o "<path fill=\"none\"" svg | wc -l) = 2 &&
		grep -o "<td>[0-9][0-9]*</td>" dom.html | sed "s/<[^>]*>//g" >v &&
		test $(wc -l <v) = 2 && test $(head -1 v) -gt $v0 &&
		# The screenshot is not a blank page.
		test $(wc -c <shot.png) -gt $(($(wc -c <blank.png) * 3))
	'
fi

if test -n "$chrome_why"; then
	test_skip 'the page in chromium: a query refused says why' "$chrome_why"
else
	test_expect_success 'the page in chromium: a query refused says why' '
		perl "$SRC_DIR/scripts/cdp.pl" -t 30 "$URL/?query=sum(w" \
			"/parse error/.test(document.getElementById(\"said\").textContent)" \
			bad.html bad.png &&
		grep -q "<span id=\"said\">1:6: parse error: unclosed left parenthesis" bad.html
	'
fi

# The same store served with tokens: w{k="a"} is tenant t1's.
TOK=0123456789abcdef0123456789abcdef
test_expect_success 'with --auth: the page is given without a token, nothing else' '
	feed "\"k\":\"t\",\"tenant\":\"t1\"" &&
	printf "t1 %s\n" $TOK >tokens && chmod 600 tokens &&
	test_serve mquery serve -d st --auth tokens --listen 127.0.0.1:@PORT@ &&
	echo $SERVE_PID >>"$TRASH/pids" && echo $SERVE_URL >aurl &&
	curl -s -o page.html -w "%{http_code}" "$SERVE_URL/" >code &&
	printf 200 >want && test_cmp want code &&
	grep -q "name=\"token\" type=\"password\"" page.html &&
	curl -s -o body -w "%{http_code}" "$SERVE_URL/?query=w" >code &&
	test_cmp want code &&
	curl -s -o body -w "%{http_code}" -X POST "$SERVE_URL/" >code &&
	printf 401 >want && test_cmp want code &&
	curl -s -o body -w "%{http_code}" "$SERVE_URL/chart?query=w" >code &&
	test_cmp want code &&
	curl -s -o body -w "%{http_code}" "$SERVE_URL/api/v1/stream?query=w" >code &&
	test_cmp want code
'
AURL=$(cat aurl 2>/dev/null)

if test -n "$chrome_why"; then
	test_skip 'the page in chromium with --auth: asks for the token, then draws' "$chrome_why"
else
	# The first look finds the token asked for, types it and sends the
	# form; then the chart is the tenant's series alone.
	test_expect_success 'the page in chromium with --auth: asks for the token, then draws' '
		perl "$SRC_DIR/scripts/cdp.pl" -t 30 "$AURL/?query=w&range=5m&step=1s" \
			"(function (f) {
				if (!window.typed && !f.elements.token.hidden) {
					window.typed = 1;
					f.elements.token.value = \"$TOK\";
					f.requestSubmit();
				}
				return window.typed && document.getElementById(\"events\").textContent >= 3;
			})(document.getElementById(\"form\"))" \
			adom.html ashot.png &&
		sed -n "/<div id=\"chart\">/,/<\/svg>/p" adom.html >svg &&
		test $(grep -o "<path fill=\"none\"" svg | wc -l) = 1 &&
		grep -q "tenant=\"t1\"" adom.html &&
		! grep -q "k=\"a\"" adom.html &&
		! grep -q "$TOK" adom.html &&
		# The token is not in the address either.
		! grep -q "$TOK" cdp-browser.log
	'
fi

test_expect_success 'SIGTERM ends the streams under way, and the server, status 0' '
	curl -sN -o ev3 --max-time 30 "$URL/api/v1/stream?query=w&step=1h" &
	c=$! &&
	i=0 && until grep -q "^data: " ev3 2>/dev/null; do
		i=$((i + 1)); test $i -lt 100 || return 1; sleep 0.1
	done &&
	kill $PID &&
	wait $c &&
	i=0 && while kill -0 $PID 2>/dev/null; do
		i=$((i + 1)); test $i -lt 50 || return 1; sleep 0.1
	done
'

test_done

#!/bin/sh
test_description='mquery -o chart: lines, bars, legend, width, colours'
. "${0%/*}/tap.sh"

# An hour of x{s=a} rising 0..60, x{s=b} falling 60..0, x{s=c} a square
# wave 10/40, one sample a minute.
awk 'BEGIN {
	for (i = 0; i <= 60; i++) {
		t = 1700000000 + i * 60
		printf "{\"name\":\"x\",\"value\":%d,\"ts\":%d000,\"labels\":{\"job\":\"j\",\"s\":\"a\"}}\n", i, t
		printf "{\"name\":\"x\",\"value\":%d,\"ts\":%d000,\"labels\":{\"job\":\"j\",\"s\":\"b\"}}\n", 60 - i, t
		printf "{\"name\":\"x\",\"value\":%d,\"ts\":%d000,\"labels\":{\"job\":\"j\",\"s\":\"c\"}}\n", (i % 20 < 10) ? 10 : 40, t
	}
}' >s.jsonl
RANGE="--start 1700000000 --end 1700003600"

# Twelve series y{s=01..12}, s * 10 + i at minute i (0..10).
awk 'BEGIN {
	for (i = 0; i <= 10; i++)
		for (s = 1; s <= 12; s++)
			printf "{\"name\":\"y\",\"value\":%d,\"ts\":%d000,\"labels\":{\"s\":\"%02d\"}}\n", s * 10 + i, 1700000000 + i * 60, s
}' >many.jsonl

# z: 0..29, a minute apart, over the last half hour.
awk -v now="$(date +%s)" 'BEGIN {
	for (i = 0; i < 30; i++)
		printf "{\"name\":\"z\",\"value\":%d,\"ts\":%.0f}\n", i, (now - 1800 + i * 60) * 1000
}' >recent.jsonl

# width FILE: the widest line of FILE, in characters (not bytes).
width() {
	perl -CS -ne 'chomp; $w = length if length > $w; END { print $w + 0, "\n" }' <"$1"
}

test_expect_success 'a range: lines, axes and a legend, as drawn' '
	COLUMNS=72 LINES=20 mquery -f s.jsonl -o chart $RANGE --step 60 x >actual &&
	cat >expect <<-\EOF &&
	x  2023-11-14 22:13:20 to 23:13:20 UTC
	60 ┤⠲⠤⠤⣄⣀⡀                                                       ⣀⣀⡤⠤⠴ 1
	   │     ⠉⠓⠒⠦⠤⢤⣀                                          ⢀⣠⠤⠤⠖⠒⠋⠁
	   │           ⠈⠉⠙⠒⠒⠦⣄⣀⡀                           ⣀⣀⡤⠖⠒⠚⠉⠉
	40 ┤           ⡖⠒⠒⠒⠒⠒⠒⠒⠛⠛⡟⠲⠤⢤⣀⣀⡀     ⡖⠒⠒⠒⠒⠒⣒⣒⣲⠶⡶⠚⠉⠉⠁      ⢰⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⡆
	   │           ⡇         ⣇     ⠉⠓⠒⠦⠤⢤⣇⡤⠤⠖⠒⠋⠁   ⡇          ⢸          ⡇
	   │          ⢠⠇         ⢸   ⣀⣀⡤⠴⠒⠚⠉⢹⠈⠉⠙⠒⠲⠤⣄⣀⡀ ⢧          ⡼          ⢧
	20 ┤          ⢸      ⢀⣀⣠⠤⠼⡖⠋⠉⠁      ⡞        ⠉⠉⢻⠲⠤⢤⣀⣀     ⡇          ⢸
	   │⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣸⣀⡤⠤⠖⠒⠚⠉    ⣇⣀⣀⣀⣀⣀⣀⣀⣀⣀⡇          ⢸⣀⣀⣀⣀⣈⣙⣒⣒⣦⣤⣇⡀         ⢸ 3
	   │   ⣀⣀⣠⠴⠒⠚⠉⠉⠁                                           ⠉⠉⠙⠒⠲⢤⣀⣀⡀
	 0 ┤⠒⠋⠉⠁                                                           ⠉⠉⠓ 2
	   └───────┬──────────┬──────────┬──────────┬──────────┬─────────┬────
	           22:20      22:30      22:40      22:50      23:00     23:10
	  x{job="j"}
	      series    min   avg   max  last
	  1 ■ {s="a"}     0  30.0  60.0  60.0
	  2 ■ {s="b"}     0  30.0  60.0     0
	  3 ■ {s="c"}  10.0  24.8  40.0  10.0
	EOF
	test_cmp expect actual
'

test_expect_success 'the legend: min, avg, max, last of what was evaluated' '
	COLUMNS=100 mquery -f s.jsonl -o chart $RANGE "x * 1.5" >chart &&
	mquery -f s.jsonl -o jsonl $RANGE "x * 1.5" |
	jq -r "[.labels.s, .value] | @tsv" | awk -F "\t" "
		function f(v,  d) {
			if (v == 0) return \"0\"
			d = 2 - int(log(v < 0 ? -v : v) / log(10) + 100) + 100
			if (d < 0) d = 0
			return sprintf(\"%.\" d \"f\", v)
		}
		!(\$1 in n) { min[\$1] = \$2; max[\$1] = \$2; order[++k] = \$1 }
		{ n[\$1]++; s[\$1] += \$2; last[\$1] = \$2
		  if (\$2 < min[\$1]) min[\$1] = \$2; if (\$2 > max[\$1]) max[\$1] = \$2 }
		END { for (i = 1; i <= k; i++) { x = order[i]
			print \"{s=\\\"\" x \"\\\"}\", f(min[x]), f(s[x] / n[x]), f(max[x]), f(last[x]) } }" >expect &&
	test $(wc -l <expect) = 3 &&
	sed -n "s/^ *[0-9] ■ //p" chart | tr -s " " >actual &&
	test_cmp expect actual
'

test_expect_success 'fitted to COLUMNS, into a pipe without colours' '
	for c in 40 60 100 160; do
		COLUMNS=$c mquery -f s.jsonl -o chart $RANGE x >out &&
		test $(width out) -le $c &&
		test $(width out) -ge $((c - 4)) || return 1
	done &&
	! grep -q "$(printf "\033")" out
'

if script -qec true /dev/null >/dev/null 2>&1; then
test_expect_success 'on a terminal: a colour a line, none with NO_COLOR' '
	script -qec "mquery -f s.jsonl -o chart $RANGE x" /dev/null >tty &&
	grep -q "$(printf "\033")\[32m" tty &&
	grep -q "$(printf "\033")\[33m" tty &&
	NO_COLOR=1 script -qec "mquery -f s.jsonl -o chart $RANGE x" /dev/null >tty &&
	! grep -q "$(printf "\033")" tty &&
	grep -q "■ {s=\"c\"}" tty
'
else
	test_skip 'on a terminal: a colour a line' 'no pseudo-terminal here (script(1) fails)'
fi

test_expect_success 'at an instant: a bar a series, its length the value' '
	COLUMNS=80 mquery -f s.jsonl -o chart --time 1700001800 x >bars &&
	cat bars &&
	grep "^x{job=\"j\"}\$" bars &&
	# a 30, b 30, c 40 (i = 30: 30 % 20 >= 10): bars 3/4 and all of it.
	a=$(grep "^{s=\"a\"}" bars | perl -CS -ne "print tr/█//") &&
	c=$(grep "^{s=\"c\"}" bars | perl -CS -ne "print tr/█//") &&
	test $((a * 4)) -ge $((c * 3 - 4)) && test $((a * 4)) -le $((c * 3 + 4)) &&
	grep -q "^{s=\"c\"}.* 40.0\$" bars
'

test_expect_success 'past eight series: the top eight, the others summed' '
	COLUMNS=90 mquery -f many.jsonl -o chart --start 1700000000 --end 1700000600 --step 60 y >chart &&
	test $(grep -c "■" chart) = 9 &&
	for s in 05 06 07 08 09 10 11 12; do
		grep -q "■ {s=\"$s\"}" chart || return 1
	done &&
	# s 01..04 summed: 10+20+30+40 = 100 at minute 0, 140 at minute 10.
	grep -q "■ other 4 series (sum) *100 *120 *140 *140\$" chart
'

test_expect_success 'units from the name: bytes in IEC, ratios in percent' '
	sed "s/\"x\"/\"mem_used_bytes\"/; s/\"value\":\([0-9]*\)/\"value\":\1e9/" s.jsonl >bytes.jsonl &&
	COLUMNS=80 mquery -f bytes.jsonl -o chart $RANGE --step 60 mem_used_bytes >chart &&
	grep -q "^ *[0-9.]* GiB ┤" chart &&
	grep -q "■ {s=\"a\"} *0 B *27.9 GiB *55.9 GiB *55.9 GiB" chart &&
	sed "s/\"x\"/\"busy_ratio\"/" s.jsonl >ratio.jsonl &&
	COLUMNS=80 mquery -f ratio.jsonl -o chart $RANGE "busy_ratio / 100" >chart &&
	grep -q "^ *60% ┤" chart
'

test_expect_success 'times in TZ with --local' '
	TZ=IST-5:30 COLUMNS=80 mquery -f s.jsonl -o chart --local $RANGE --step 60 x >chart &&
	head -1 chart | grep -q "2023-11-15 03:43:20 to 04:43:20 IST"
'

test_expect_success 'a chart is of an answer: not with --latest or --series' '
	test_expect_code 2 mquery -f s.jsonl -o chart --latest x 2>err &&
	grep "chart and -o svg draw an answer" err &&
	test_expect_code 2 mquery -f s.jsonl -o chart --series x 2>err
'

test_expect_success 'from a store, the last hour by default' '
	mstore -d st <recent.jsonl &&
	COLUMNS=80 mquery -d st -o chart z >chart &&
	grep -q "■ z *0 *[0-9.]* *29.0 *29.0\$" chart
'

test_expect_success 'svg: valid XML, a path a series, its name and figures' '
	test_have_prog xmllint || { echo "# no xmllint"; return 1; }
	sed "s/\"s\":\"c\"/\"s\":\"<c\&d>\"/" s.jsonl >esc.jsonl &&
	mquery -f esc.jsonl -o svg $RANGE --step 60 --size 640x240 x >x.svg &&
	xmllint --noout x.svg &&
	grep -q "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\"" x.svg &&
	test $(grep -c "<path fill=\"none\"" x.svg) = 3 &&
	grep -q ">{s=&quot;a&quot;}</text>" x.svg &&
	grep -q ">{s=&quot;&lt;c&amp;d&gt;&quot;}</text>" x.svg &&
	grep -q ">x{job=&quot;j&quot;}</text>" x.svg &&
	grep -q "text-anchor=\"end\">60.0</text>" x.svg &&
	grep -q "text-anchor=\"middle\">22:30</text>" x.svg
'

test_expect_success 'svg --stack: an area a series, closed; the axis to the sum' '
	mquery -f s.jsonl -o svg --stack $RANGE --step 60 --title "T & U" x >st.svg &&
	xmllint --noout st.svg &&
	test $(grep -c "<path fill=\"#[0-9a-f]*\" fill-opacity" st.svg) = 3 &&
	test $(grep -c "Z\"/>" st.svg) = 3 &&
	grep -q ">T &amp; U</text>" st.svg &&
	# a + b = 60 always, c on top: 100 at most.
	grep -q "text-anchor=\"end\">100</text>" st.svg
'

test_expect_success 'svg: a range only; a bad --size' '
	test_expect_code 2 mquery -f s.jsonl -o svg --time 1700001800 x 2>err &&
	grep "svg draws a range" err &&
	test_expect_code 2 mquery -f s.jsonl -o svg --size 10 x 2>err &&
	grep "size" err
'

test_done

#!/bin/sh
test_description='malert -r: Prometheus rules from cron, with state between runs; malert lint'
. "${0%/*}/tap.sh"

FIXTURES=$SRC_DIR/tests/fixtures/rules

# lint gives promtool's verdict on every file of the corpus.
if test_have_prog promtool; then
	for f in "$FIXTURES"/*.yml; do
		name=${f##*/}
		test_expect_success "lint: $name: the verdict of promtool check rules" "
			promtool check rules '$f' >/dev/null 2>&1; want=\$?
			malert lint '$f' >out 2>err; got=\$?
			test \$got = \$want &&
			{ [ \$got = 0 ] || test -s err; }
		"
	done
else
	test_skip 'lint against promtool' 'promtool not installed'
fi

test_expect_success 'lint: errors say file:line:column and why' '
	test_expect_code 1 malert lint "$FIXTURES/bad-unknown-field.yml" 2>err &&
	grep "bad-unknown-field.yml:6:9: field severity not found" err &&
	test_expect_code 1 malert lint "$FIXTURES/bad-template-func.yml" 2>err &&
	grep "function \"nosuchfunction\" is not defined" err
'

test_expect_success 'lint: a template function malert lacks is an error, not an empty string' '
	cat >q.yml <<-\EOF &&
	groups:
	  - name: g
	    rules:
	      - alert: A
	        expr: up
	        annotations:
	          top: "{{ range query \"up\" }}{{ end }}"
	EOF
	test_expect_code 1 malert lint q.yml 2>err &&
	grep "is not supported" err
'

# Samples every 30 s from T - 1m to T + 20m: x is 5 until T + 3m, then 0;
# y is 5 throughout; z is 5 until T + 1m, then missing.
T=1700000000
test_expect_success 'setup: a store with x, y and z around T' '
	mstore init -d store --retention raw=100000d &&
	i=-2
	while [ $i -le 40 ]; do
		t=$(( (T + i * 30) * 1000 ))
		x=5; [ $i -gt 6 ] && x=0
		printf "{\"name\":\"x\",\"value\":%s,\"ts\":%s,\"labels\":{\"host\":\"a\"}}\n" $x $t
		printf "{\"name\":\"y\",\"value\":5,\"ts\":%s,\"labels\":{\"host\":\"a\"}}\n" $t
		[ $i -le 2 ] &&
			printf "{\"name\":\"z\",\"value\":5,\"ts\":%s,\"labels\":{\"host\":\"a\"}}\n" $t
		i=$((i + 1))
	done | mstore -d store &&
	cat >rules.yml <<-\EOF
	groups:
	  - name: g
	    rules:
	      - alert: ForTwo
	        expr: x > 1
	        for: 2m
	        labels:
	          severity: "{{ if gt $value 4.0 }}page{{ else }}ticket{{ end }}"
	        annotations:
	          summary: "x on {{ $labels.host }} is {{ $value | humanize }}"
	      - alert: Keep
	        expr: x > 1
	        keep_firing_for: 2m
	EOF
'

# at MINUTES: one run of rules.yml at T + MINUTES, events in ev.MINUTES.
at() {
	malert -r rules.yml -d store --state state.json --interval 1m \
		--lookback 1m --time $(( T + $1 * 60 )) >ev.$1
}

test_expect_success 'for: pending for two runs, firing at the third' '
	at 0 && ! grep ForTwo ev.0 &&
	grep "\"pending\"" state.json &&
	at 1 && test_must_be_empty ev.1 &&
	at 2 && grep -c "\"status\":\"firing\"" ev.2 >n && echo 1 >one && test_cmp one n &&
	grep "\"alertname\":\"ForTwo\",\"host\":\"a\",\"severity\":\"page\"" ev.2 &&
	grep "\"summary\":\"x on a is 5\"" ev.2 &&
	grep "\"startsAt\":\"2023-11-14T22:15:20Z\"" ev.2
'

test_expect_success 'keep_firing_for: firing at once, kept two minutes past the condition' '
	grep "\"alertname\":\"Keep\"" ev.0 &&
	at 3 && test_must_be_empty ev.3 &&
	at 4 && grep "\"status\":\"resolved\".*ForTwo" ev.4 &&
	! grep Keep ev.4 &&
	at 5 && test_must_be_empty ev.5 &&
	at 6 && grep "\"status\":\"resolved\".*\"Keep\"" ev.6 &&
	grep "\"endsAt\":\"2023-11-14T22:19:20Z\"" ev.6
'

test_expect_success 'a gap (a machine that slept) neither fires nor resolves by itself' '
	cat >gap.yml <<-\EOF &&
	groups:
	  - name: gap
	    rules:
	      - alert: Y
	        expr: y > 1
	        for: 2m
	      - alert: Z
	        expr: z > 1
	EOF
	g() { malert -r gap.yml -d store --state gap.json --interval 1m \
		--lookback 1m --time $(( T + $1 * 60 )) >gev.$1; } &&
	g 0 && grep "\"Z\"" gev.0 && ! grep "\"Y\"" gev.0 &&
	g 10 && test_must_be_empty gev.10 &&
	g 11 && ! grep "\"Y\"" gev.11 &&
	grep "\"status\":\"resolved\".*\"Z\"" gev.11 &&
	g 12 && grep "\"status\":\"firing\".*\"Y\"" gev.12
'

test_expect_success 'recording rules: --record writes into the store, visible to the next rule' '
	cat >rec.yml <<-\EOF &&
	groups:
	  - name: rec
	    rules:
	      - record: host:x:sum
	        expr: sum by (host) (x)
	        labels:
	          source: rule
	      - alert: Recorded
	        expr: host:x:sum > 1
	EOF
	malert -r rec.yml -d store --state rec.json --lookback 1m --record \
		--time $((T + 60)) >rev &&
	grep "\"alertname\":\"Recorded\",\"host\":\"a\",\"source\":\"rule\"" rev &&
	mquery -d store --time $((T + 60)) "host:x:sum" -o csv >out &&
	grep "host:x:sum{host=\"\"a\"\",source=\"\"rule\"\"}\",$(( (T + 60) * 1000 )),5\$" out
'

test_expect_success 'a rule that fails is reported, the others still run (exit 1)' '
	cat >fail.yml <<-\EOF &&
	groups:
	  - name: f
	    rules:
	      - alert: Dup
	        expr: "{__name__=~\"x|y\"}"
	      - alert: Fine
	        expr: y > 1
	EOF
	test_expect_code 1 malert -r fail.yml -d store --state fail.json \
		--lookback 1m --time $((T + 60)) >fev 2>err &&
	grep "rule \"Dup\": vector contains metrics with the same labelset" err &&
	grep "\"Fine\"" fev
'

test_expect_success 'two runs at once: one state, each event once' '
	cat >once.yml <<-\EOF &&
	groups:
	  - name: once
	    rules:
	      - alert: Now
	        expr: y > 1
	EOF
	{ malert -r once.yml -d store --state once.json --lookback 1m --time $((T + 60)) >o1 & } &&
	malert -r once.yml -d store --state once.json --lookback 1m --time $((T + 60)) >o2 &&
	wait &&
	cat o1 o2 | grep -c firing >n && echo 1 >one && test_cmp one n &&
	grep "\"firing\"" once.json
'

test_expect_success 'bad rules stop the run before anything is evaluated' '
	test_expect_code 1 malert -r "$FIXTURES/bad-expr.yml" -d store --state x.json 2>err &&
	grep "could not parse expression" err &&
	test ! -e x.json
'

test_expect_success 'usage: rules or a command are needed' '
	test_expect_code 3 malert -d store 2>err &&
	grep "rules (-r FILE) or a command" err
'

test_done

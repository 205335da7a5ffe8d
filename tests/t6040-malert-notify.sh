#!/bin/sh
test_description='malert --routes: a routing tree, groups, receivers run without a shell, retries'
. "${0%/*}/tap.sh"

T=1700000000
test_expect_success 'setup: series, rules, receivers that keep what they get' '
	mstore init -d store --retention raw=100000d &&
	i=0 &&
	while [ $i -le 40 ]; do
		t=$(( (T + i * 60) * 1000 ))
		a=5; [ $i -gt 10 ] && a=0
		printf "{\"name\":\"load\",\"value\":%s,\"ts\":%s,\"labels\":{\"host\":\"a\",\"team\":\"db\"}}\n" $a $t
		printf "{\"name\":\"load\",\"value\":5,\"ts\":%s,\"labels\":{\"host\":\"b\",\"team\":\"web\"}}\n" $t
		i=$((i + 1))
	done | mstore -d store &&
	cat >rules.yml <<-\EOF &&
	groups:
	  - name: g
	    rules:
	      - alert: HighLoad
	        expr: load > 2
	        labels:
	          severity: page
	        annotations:
	          summary: "load on {{ $labels.host }}"
	EOF
	cat >keep.sh <<-\EOF &&
	#!/bin/sh
	# keep.sh NAME: the notice on stdin into NAME.N, the environment too.
	n=$(ls "$1".* 2>/dev/null | grep -vc env)
	cat >"$1.$n"
	env | grep "^MALERT_" | sort >"$1.$n.env"
	[ ! -e fail."$1" ]
	EOF
	chmod +x keep.sh &&
	cat >routes.yml <<-EOF
	route:
	  receiver: all
	  group_by: [alertname]
	  repeat_interval: 10m
	  routes:
	    - matchers: ['"'"'team="db"'"'"']
	      receiver: dba
	      group_by: [host]
	      continue: true
	    - match: {team: web}
	      receiver: web
	receivers:
	  - name: all
	    command: ["$PWD/keep.sh", "all"]
	  - name: dba
	    command: ["$PWD/keep.sh", "dba", "; touch injected"]
	  - name: web
	    command: ["$PWD/keep.sh", "web"]
	EOF
'

run() {
	malert -r rules.yml -d store --state st.json --routes routes.yml \
		--interval 1m --lookback 1m --time $(( T + $1 * 60 )) >ev.$1
}

test_expect_success 'each alert goes down the tree: db continues to the next match, web stops' '
	run 1 &&
	ls dba.* web.* >got 2>/dev/null; cat got &&
	test -s dba.0 && test -s web.0 && ! test -e all.0 &&
	grep "\"receiver\":\"dba\"" dba.0 && grep "\"host\":\"a\"" dba.0 &&
	! grep "\"host\":\"b\"" dba.0 &&
	grep "\"receiver\":\"web\"" web.0 && grep "\"host\":\"b\"" web.0
'

test_expect_success 'the notice is Alertmanager'"'"'s webhook body; the environment says the rest' '
	grep "^{\"version\":\"4\",\"groupKey\":" dba.0 &&
	grep "\"status\":\"firing\"" dba.0 &&
	grep "\"groupLabels\":{\"host\":\"a\"}" dba.0 &&
	grep "\"commonAnnotations\":{\"summary\":\"load on a\"}" dba.0 &&
	grep "\"endsAt\":\"0001-01-01T00:00:00Z\"" dba.0 &&
	grep "^MALERT_RECEIVER=dba\$" dba.0.env &&
	grep "^MALERT_FIRING=1\$" dba.0.env &&
	grep "^MALERT_STATUS=firing\$" dba.0.env
'

test_expect_success 'no shell: an argument with a semicolon is an argument' '
	! test -e injected
'

test_expect_success 'no notice again until something changes or repeat_interval passes' '
	run 2 && run 5 && run 10 &&
	! test -e dba.1 && ! test -e web.1
'

test_expect_success 'repeat_interval passed: told again; resolved: told once, as resolved' '
	run 11 &&
	grep "\"status\":\"firing\"" web.1 &&
	grep "\"status\":\"resolved\"" dba.1 &&
	grep "^MALERT_STATUS=resolved\$" dba.1.env &&
	run 12 && ! test -e dba.2 && ! test -e web.2
'

test_expect_success 'a receiver that fails: reported, exit 1, told again at the next run past the backoff' '
	touch fail.web &&
	test_expect_code 1 run 22 2>err &&
	grep "receiver .web.*exit status 1; again in 60s" err &&
	rm fail.web &&
	n=$(ls web.* | grep -vc env) &&
	run 23 &&
	test $(ls web.* | grep -vc env) -gt $n
'

test_expect_success 'a silence mutes what it matches until it ends; expire ends it' '
	cat >one.yml <<-EOF &&
	route:
	  receiver: one
	  group_by: [host]
	receivers:
	  - name: one
	    command: ["$PWD/keep.sh", "one"]
	EOF
	id=$(malert silence add --state si.json --for 2h --comment "db work" \
		--time $T "host=\"b\"" "alertname=~\"High.*\"") &&
	test -n "$id" &&
	malert silence list --state si.json --time $T >list &&
	grep "^$id	.*	host=\"b\",alertname=~\"High.*\"	db work\$" list &&
	malert -r rules.yml -d store --state si.json --routes one.yml \
		--lookback 1m --time $((T + 60)) >/dev/null &&
	! grep "\"host\":\"b\"" one.* &&
	malert silence expire --state si.json --time $((T + 90)) "$(echo $id | cut -c1-6)" &&
	malert silence list --state si.json --time $((T + 90)) >list &&
	test_must_be_empty list &&
	malert silence list --all --state si.json | grep "^$id" &&
	malert -r rules.yml -d store --state si.json --routes one.yml \
		--lookback 1m --time $((T + 120)) >/dev/null &&
	grep -l "\"host\":\"b\"" one.* &&
	test_expect_code 1 malert silence add --state si.json "sum(" 2>err &&
	grep "silence: " err
'

test_expect_success 'an inhibit rule: a critical alert mutes the warnings of its host' '
	cat >inhibit-rules.yml <<-\EOF &&
	groups:
	  - name: g
	    rules:
	      - alert: Down
	        expr: load > 2
	        labels: {severity: critical}
	      - alert: Slow
	        expr: load > 1
	        labels: {severity: warning}
	EOF
	cat >inhibit.yml <<-EOF &&
	route:
	  receiver: inh
	  group_by: [alertname, host]
	receivers:
	  - name: inh
	    command: ["$PWD/keep.sh", "inh"]
	inhibit_rules:
	  - source_matchers: ['"'"'severity="critical"'"'"']
	    target_matchers: ['"'"'severity="warning"'"'"']
	    equal: [host]
	EOF
	malert -r inhibit-rules.yml -d store --state in.json --routes inhibit.yml \
		--lookback 1m --time $((T + 60)) >/dev/null &&
	grep -l "\"alertname\":\"Down\"" inh.* &&
	! grep "\"alertname\":\"Slow\"" inh.*
'

test_expect_success 'escalation: a second receiver for what fires past escalate_after' '
	cat >esc.yml <<-EOF &&
	route:
	  receiver: first
	  group_by: [host]
	  escalate_to: boss
	  escalate_after: 5m
	receivers:
	  - name: first
	    command: ["$PWD/keep.sh", "first"]
	  - name: boss
	    command: ["$PWD/keep.sh", "boss"]
	EOF
	e() { malert -r rules.yml -d store --state esc.json --routes esc.yml \
		--interval 1m --lookback 1m --time $(( T + $1 * 60 )) >/dev/null; } &&
	e 1 && e 3 && test -e first.0 && ! test -e boss.0 &&
	e 7 && grep -l "\"receiver\":\"boss\"" boss.0 boss.1 &&
	e 8 && ! test -e boss.2 &&
	e 11 && e 12 && grep "\"status\":\"resolved\".*\"host\":\"a\"" boss.2
'

test_expect_success 'a receiver that hangs is killed at its timeout' '
	cat >slow.yml <<-EOF &&
	route:
	  receiver: slow
	receivers:
	  - name: slow
	    command: ["sleep", "30"]
	    timeout: 1s
	EOF
	start=$(date +%s) &&
	test_expect_code 1 malert -r rules.yml -d store --state slow.json --routes slow.yml \
		--lookback 1m --time $(( T + 60 )) >/dev/null 2>err &&
	grep "timed out" err &&
	test $(( $(date +%s) - start )) -lt 10
'

test_expect_success 'a bad routes file is said with its place' '
	printf "route:\n  receiver: nobody\nreceivers: []\n" >bad.yml &&
	test_expect_code 1 malert -r rules.yml -d store --state b.json --routes bad.yml 2>err &&
	grep "bad.yml:2:13: no receiver named nobody" err
'

test_done

#!/bin/sh
test_description='malert receivers: mail, Slack and PagerDuty formats; acknowledgements; group_wait; self-metrics'
. "${0%/*}/tap.sh"

command -v curl >/dev/null || test_skip_all 'curl not installed'

cleanup_sink() {
	[ -s "$TRASH/work/sink.pid" ] && kill "$(cat "$TRASH/work/sink.pid")" 2>/dev/null
	true
}
trap 'cleanup_sink; test_cleanup' EXIT

T=1700000000
test_expect_success 'setup: a store, rules, a sendmail that keeps what it gets, an HTTP sink' '
	mstore init -d store --retention raw=100000d &&
	i=0 &&
	while [ $i -le 40 ]; do
		t=$(( (T + i * 60) * 1000 ))
		a=5; [ $i -gt 10 ] && a=0
		printf "{\"name\":\"load\",\"value\":%s,\"ts\":%s,\"labels\":{\"host\":\"a\\\\nBcc: evil@example.org\",\"team\":\"db\"}}\n" $a $t
		printf "{\"name\":\"load\",\"value\":5,\"ts\":%s,\"labels\":{\"host\":\"b\\u00e9\",\"team\":\"web\"}}\n" $t
		i=$((i + 1))
	done | mstore -d store &&
	cat >rules.yml <<-\EOF &&
	groups:
	  - name: g
	    rules:
	      - alert: HighLoad
	        expr: load > 2
	        labels:
	          severity: critical
	        annotations:
	          summary: "load <{{ $value }}> on {{ $labels.team }}"
	EOF
	mkdir bin &&
	cat >bin/sendmail <<-\EOF &&
	#!/bin/sh
	n=$(ls mail.* 2>/dev/null | grep -vc args)
	echo "$@" >mail.$n.args
	cat >mail.$n
	EOF
	chmod +x bin/sendmail &&
	{ perl "$SRC_DIR/tests/httpsink.pl" port hook & echo $! >sink.pid; } &&
	i=0 && while ! test -s port; do
		i=$((i + 1)); test $i -lt 100 || exit 1; sleep 0.1
	done
'

url="http://127.0.0.1:$(cat port 2>/dev/null)"
run() {
	PATH=$PWD/bin:$PATH malert -r rules.yml -d store --state "$1.json" \
		--routes "$1.yml" --interval 1m --lookback 1m \
		--external-url http://mtk.example --time $(( T + $2 * 60 )) >/dev/null
}

test_expect_success 'mail: a message for sendmail -t, no header from a label' '
	cat >m.yml <<-EOF &&
	route:
	  receiver: ops
	  group_by: [team]
	  routes:
	    - match: {team: db}
	      receiver: ops
	receivers:
	  - name: ops
	    command: [sendmail, -t]
	    format: mail
	    to: ops@example.org
	    from: malert@example.org
	EOF
	run m 1 &&
	grep -l "^Subject: \[FIRING:1\] db (HighLoad" mail.* >db &&
	f=$(cat db) && cat "$f" &&
	test "$(cat $f.args)" = "-t" &&
	grep "^From: malert@example.org\$" $f &&
	grep "^To: ops@example.org\$" $f &&
	grep -E "^Date: [A-Z][a-z]{2}, [0-9]{2} Nov 2023 [0-9:]{8} \+0000\$" $f &&
	grep "^Content-Type: text/plain; charset=utf-8\$" $f &&
	grep "^\[FIRING\] HighLoad\$" $f &&
	grep "^  summary: load <5> on db\$" $f &&
	grep "^Source: http://mtk.example\$" $f &&
	! grep "Bcc:" $f.args &&
	sed "/^\$/q" $f >head && ! grep "^Bcc:" head && ! grep "^Bcc:" $f &&
	sed "/^\$/q" $f | grep -c "^[A-Za-z-]*:" >nh && echo 8 >eight && test_cmp eight nh
'

test_expect_success 'mail: a subject past ASCII is encoded (RFC 2047)' '
	grep -l "^Subject: =?UTF-8?B?" mail.* >web &&
	f=$(cat web) &&
	sed -n "s/^Subject: =?UTF-8?B?\([^?]*\)?=\$/\1/p" $f | base64 -d >subj &&
	grep "^\[FIRING:1\] web (HighLoad b" subj
'

test_expect_success 'slack: a webhook body for curl, text in its markup' '
	cat >s.yml <<-EOF &&
	route:
	  receiver: chat
	  group_by: [team]
	receivers:
	  - name: chat
	    command: [curl, -sSf, -H, "Content-Type: application/json", --data-binary, "@-", "$url/slack"]
	    format: slack
	EOF
	run s 1 &&
	grep -l "POST /slack" hook.*.req >reqs &&
	test $(wc -l <reqs) = 2 &&
	cat hook.0 hook.1 >both &&
	grep "^{\"text\":\"\*\[FIRING:1\] db (HighLoad" both &&
	grep "load &lt;5&gt; on db" both &&
	grep "<http://mtk.example|source>" both
'

test_expect_success 'pagerduty: an Events v2 trigger, then its resolve with the same dedup_key' '
	cat >p.yml <<-EOF &&
	route:
	  receiver: pd
	  group_by: [team]
	receivers:
	  - name: pd
	    command: [curl, -sSf, -H, "Content-Type: application/json", --data-binary, "@-", "$url/v2/enqueue"]
	    format: pagerduty
	    routing_key: R0UT1NGKEY
	EOF
	rm -f hook.* &&
	run p 1 && run p 12 && run p 13 &&
	ls hook.*.req | wc -l >n && echo 3 >three && test_cmp three n &&
	grep -l "event_action\":\"trigger.*team=db" hook.[0-9]* >trig &&
	grep -l "event_action\":\"resolve" hook.[0-9]* >res &&
	test $(wc -l <trig) = 1 && test $(wc -l <res) = 1 &&
	t=$(cat trig) && r=$(cat res) &&
	grep "^{\"routing_key\":\"R0UT1NGKEY\",\"event_action\":\"trigger\",\"dedup_key\":\"malert-[0-9a-f]\{16\}\"" $t &&
	grep "\"severity\":\"critical\"" $t &&
	grep "\"source\":\"http://mtk.example\"" $t &&
	grep "\"num_firing\":1,\"num_resolved\":0" $t &&
	grep "\"num_firing\":0,\"num_resolved\":1" $r &&
	test "$(grep -o "malert-[0-9a-f]*" $t)" = "$(grep -o "malert-[0-9a-f]*" $r)"
'

test_expect_success 'a receiver format needs its fields: said with the place' '
	printf "route:\n  receiver: x\nreceivers:\n  - name: x\n    format: mail\n" >bad.yml &&
	test_expect_code 1 malert -r rules.yml -d store --state b.json --routes bad.yml 2>err &&
	grep "bad.yml:4:5: receiver x: format mail needs to" err &&
	printf "route:\n  receiver: x\nreceivers:\n  - name: x\n    format: telex\n" >bad.yml &&
	test_expect_code 1 malert -r rules.yml -d store --state b.json --routes bad.yml 2>err &&
	grep "bad.yml:5:13: format: webhook, mail, slack or pagerduty, not telex" err
'

test_expect_success 'an acknowledgement stops escalation of what fires now, not of what fires later' '
	cat >keep.sh <<-\EOF &&
	#!/bin/sh
	n=$(ls "$1".* 2>/dev/null | wc -l)
	cat >"$1.$n"
	EOF
	chmod +x keep.sh &&
	cat >e.yml <<-EOF &&
	route:
	  receiver: first
	  group_by: [team]
	  escalate_to: boss
	  escalate_after: 5m
	receivers:
	  - name: first
	    command: ["$PWD/keep.sh", "first"]
	  - name: boss
	    command: ["$PWD/keep.sh", "boss"]
	EOF
	run e 1 &&
	id=$(malert ack add --state e.json --time $((T + 120)) --comment "on it" "team=\"db\"") &&
	malert ack list --state e.json --time $((T + 120)) >acks &&
	grep "^$id	.*	team=\"db\"	on it\$" acks &&
	malert silence list --state e.json --time $((T + 120)) >sil &&
	test_must_be_empty sil &&
	run e 7 &&
	grep -l "\"team\":\"web\"" boss.* &&
	! grep "\"team\":\"db\"" boss.* &&
	malert ack expire --state e.json --time $((T + 480)) $id &&
	run e 9 &&
	grep -l "\"team\":\"db\"" boss.*
'

test_expect_success 'group_wait: a new group waits for its first notice' '
	cat >w.yml <<-EOF &&
	route:
	  receiver: wait
	  group_by: [team]
	  group_wait: 2m
	receivers:
	  - name: wait
	    command: ["$PWD/keep.sh", "wait"]
	EOF
	run w 1 && ! test -e wait.0 &&
	run w 2 && ! test -e wait.0 &&
	run w 3 && test -e wait.0 && test -e wait.1 && ! test -e wait.2
'

test_expect_success 'self-metrics: the notices counted by receiver across runs, in the store' '
	cat >f.yml <<-EOF &&
	route:
	  receiver: down
	  group_by: [team]
	  repeat_interval: 1m
	receivers:
	  - name: down
	    command: ["false"]
	EOF
	test_expect_code 1 run f 1 2>err &&
	test_expect_code 1 run f 3 2>err &&
	mquery -d store -o jsonl --time $((T + 180)) \
		"mtk_malert_notifications_failed_total" >m &&
	grep "\"receiver\":\"down\"" m | grep "\"value\":4," &&
	mquery -d store -o jsonl --time $((T + 180)) "mtk_malert_alerts" >m &&
	grep "\"state\":\"firing\"" m | grep "\"value\":2," &&
	mquery -d store -o jsonl --time $((T + 180)) "mtk_malert_rules" >m &&
	grep "\"type\":\"alerting\"" m | grep "\"value\":1," &&
	malert -r rules.yml -d store --state n.json --no-self-metrics --time $((T + 2400)) >/dev/null &&
	mquery -d store -o jsonl --time $((T + 2400)) --lookback 1m "mtk_malert_rules" >m &&
	test_must_be_empty m
'

# Root writes whatever the modes say: the case needs another user.
if [ "$(id -u)" -ne 0 ]; then
	test_expect_success 'a store this user cannot write: no self-metrics, no error' '
		cp -r store ro &&
		chmod -R a-w ro &&
		malert -r rules.yml -d ro --state ro.json --time $((T + 60)) >ev 2>err;
		rc=$? && chmod -R u+w ro && test $rc = 0 &&
		test_must_be_empty err && grep firing ev
	'
else
	test_skip 'a store this user cannot write: no self-metrics, no error' \
		'root can write any store'
fi

test_expect_success 'recording rules as a stream (--record-to), events into a file (--events)' '
	cat >rec.yml <<-\EOF &&
	groups:
	  - name: r
	    rules:
	      - record: team:load:max
	        expr: max by (team) (load)
	      - alert: HighLoad
	        expr: load > 2
	EOF
	malert -r rec.yml -d store --state r.json --lookback 1m --time $((T + 60)) \
		--record-to - --events ev.log >rec &&
	test $(wc -l <rec) = 2 &&
	grep "^{\"name\":\"team:load:max\",\"type\":\"gauge\",\"value\":5,\"ts\":$(( (T + 60) * 1000 )),\"labels\":{\"team\":\"db\"}}\$" rec &&
	test $(grep -c "\"status\":\"firing\"" ev.log) = 2 &&
	# Two runs a minute apart: one after a gap resolves nothing (malert(1)).
	for m in 14 15; do
		malert -r rec.yml -d store --state r.json --lookback 1m \
			--time $((T + m * 60)) --record-to - --events ev.log >rec || exit 1
	done &&
	test $(grep -c "\"status\":\"resolved\"" ev.log) = 1 &&
	test_expect_code 3 malert -r rec.yml -d store --record-to - 2>err &&
	grep "give --events FILE" err
'

test_expect_success '--every: a run each second until SIGTERM, then exit 0' '
	{ malert -r rules.yml -d store --state every.json --every 1s \
		--events every.log 2>every.err & echo $! >every.pid; } &&
	sleep 2.5 && kill -TERM $(cat every.pid) &&
	wait $(cat every.pid) &&
	test_must_be_empty every.err &&
	mquery -d store -o jsonl \
		"count_over_time(mtk_malert_last_run_timestamp_seconds[1m])" >n &&
	grep -E "\"value\":[2-4]," n
'

test_done

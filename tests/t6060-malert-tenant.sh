#!/bin/sh
test_description='malert --tenant: a tenant'"'"'s rules see, record and keep state as its own'
. "${0%/*}/tap.sh"

# Two tenants and an operator's series in one store, as mgather listen
# --auth writes them, with a writer still running (test_writer_start).
T=$(( $(date +%s) / 60 * 60 - 600 ))
mstore init -d store || exit 1
test_writer_start store

test_expect_success 'setup: two tenants'"'"' series, a writer running' '
	for t in $T $((T + 60)); do
		printf "%s\n" \
		"{\"name\":\"up\",\"value\":0,\"ts\":${t}000,\"labels\":{\"job\":\"web\",\"instance\":\"a1\",\"tenant\":\"a\"}}" \
		"{\"name\":\"up\",\"value\":1,\"ts\":${t}000,\"labels\":{\"job\":\"web\",\"instance\":\"a2\",\"tenant\":\"a\"}}" \
		"{\"name\":\"up\",\"value\":0,\"ts\":${t}000,\"labels\":{\"job\":\"web\",\"instance\":\"b1\",\"tenant\":\"b\"}}" \
		"{\"name\":\"up\",\"value\":0,\"ts\":${t}000,\"labels\":{\"job\":\"web\",\"instance\":\"op\"}}" \
		"{\"name\":\"load\",\"value\":1.5,\"ts\":${t}000,\"labels\":{\"job\":\"web\",\"tenant\":\"a\"}}" \
		"{\"name\":\"load\",\"value\":2,\"ts\":${t}000,\"labels\":{\"job\":\"web\",\"tenant\":\"a\",\"instance\":\"a2\"}}" \
		"{\"name\":\"load\",\"value\":40,\"ts\":${t}000,\"labels\":{\"job\":\"web\",\"tenant\":\"b\"}}" \
		"{\"name\":\"load\",\"value\":100,\"ts\":${t}000,\"labels\":{\"job\":\"web\"}}" >&9
	done &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		mquery -d store --time $((T + 60)) -o csv "count(up)" >seen 2>/dev/null
		grep -q ",4\$" seen && break
		sleep 0.5
	done &&
	grep ",4\$" seen &&
	cat >rules.yml <<-\EOF
	groups:
	  - name: g
	    rules:
	      - alert: Down
	        expr: up == 0
	      - alert: Loaded
	        expr: sum(load) > 1
	        labels:
	          tenant: b
	      - record: job:load:sum
	        expr: sum by (job) (load)
	      - record: everything:count
	        expr: count({__name__=~".+"})
	        labels:
	          tenant: b
	EOF
'

XDG_STATE_HOME=$TRASH/state
export XDG_STATE_HOME

test_expect_success 'a tenant'"'"'s rules see only its series; its alerts carry it' '
	malert -d store -r rules.yml --tenant a --record --time $((T + 60)) >ev.a &&
	grep -c "\"alertname\":\"Down\"" ev.a >n && echo 1 >one && test_cmp one n &&
	grep "\"alertname\":\"Down\",\"instance\":\"a1\",\"job\":\"web\",\"tenant\":\"a\"" ev.a &&
	! grep "\"b1\"\\|\"op\"" ev.a &&
	grep "\"alertname\":\"Loaded\",\"tenant\":\"a\"" ev.a &&
	grep "\"value\":\"3.5\"\\|\"value\":3.5" ev.a
'

test_expect_success 'what it records is in its view, labelled, and in no other' '
	mquery -d store --tenant a --time $((T + 60)) -o csv job:load:sum >out &&
	grep "^\"job:load:sum{job=\"\"web\"\",tenant=\"\"a\"\"}\",.*,3.5\$" out &&
	# Its four series, and what the rule before recorded (as Prometheus,
	# a group'"'"'s rules see what those before them wrote).
	mquery -d store --tenant a --time $((T + 60)) -o csv everything:count >out &&
	grep "^\"everything:count{tenant=\"\"a\"\"}\",.*,5\$" out &&
	mquery -d store --tenant b --time $((T + 60)) -o csv "count(job:load:sum) or vector(0)" >out &&
	grep ",0\$" out &&
	mquery -d store --time $((T + 60)) -o csv "count by (tenant) ({__name__=~\"job:load:sum|everything:count\"})" >out &&
	grep "^\"{tenant=\"\"a\"\"}\",.*,2\$" out && test $(wc -l <out) = 2
'

test_expect_success 'its own metrics are labelled with it' '
	mquery -d store --tenant a --time $((T + 60)) -o csv "mtk_malert_rules" >out &&
	grep "^\"mtk_malert_rules{.*tenant=\"\"a\"\",type=\"\"alerting\"\"}\",.*,2\$" out
'

test_expect_success 'each tenant has its state file; the default one is untouched' '
	S=$XDG_STATE_HOME/mtk &&
	test -f $S/malert-a.state &&
	! test -e $S/malert.state &&
	malert -d store -r rules.yml --tenant b --no-self-metrics --time $((T + 60)) >ev.b &&
	grep "\"instance\":\"b1\",\"job\":\"web\",\"tenant\":\"b\"" ev.b &&
	grep "\"alertname\":\"Loaded\",\"tenant\":\"b\"" ev.b &&
	test -f $S/malert-b.state &&
	grep "a1" $S/malert-a.state && ! grep "a1" $S/malert-b.state &&
	malert -d store -r rules.yml --tenant "x/y z" --no-self-metrics --time $((T + 60)) >ev.x &&
	test_must_be_empty ev.x &&
	test -f "$S/malert-x%2Fy%20z.state"
'

test_expect_success 'a second run of the same tenant: nothing new fires' '
	malert -d store -r rules.yml --tenant a --no-self-metrics --time $((T + 90)) >ev.a2 &&
	test_must_be_empty ev.a2
'

test_expect_success 'silences are the tenant'"'"'s, beside its state' '
	id=$(malert silence --tenant a --time $((T + 60)) add "alertname=\"Down\"") &&
	malert silence --tenant a --time $((T + 60)) list >out &&
	grep "$id" out &&
	malert silence --tenant b --time $((T + 60)) list >out &&
	! grep "$id" out &&
	test -f "$XDG_STATE_HOME/mtk/malert-a.state.silences"
'

test_expect_success 'check --tenant: the tenant'"'"'s series only' '
	malert check -d store --tenant b --time $((T + 60)) "sum(load)" -c 50 >out &&
	grep "^CHECK OK - value=40 " out &&
	test_expect_code 2 malert check -d store --tenant a --time $((T + 60)) \
		"count(up == 0)" -c 0:0 >out &&
	grep "value=1 " out
'

test_expect_success '--tenant: an empty name is a usage error' '
	test_expect_code 3 malert check -d store --tenant "" up 2>err &&
	grep "tenant: an empty name" err &&
	test_expect_code 3 malert -d store -r rules.yml --tenant "" 2>err &&
	grep "tenant: an empty name" err
'

test_writer_end_clean

test_done

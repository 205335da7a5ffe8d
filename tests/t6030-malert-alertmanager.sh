#!/bin/sh
test_description='malert --alertmanager: alerts pushed to the real Alertmanager, and resolved there'
. "${0%/*}/tap.sh"

am=$(command -v prometheus-alertmanager || command -v alertmanager || true)
[ -n "$am" ] || test_skip_all 'prometheus-alertmanager not installed'
command -v curl >/dev/null || test_skip_all 'curl not installed'

port=$(( 20000 + $$ % 20000 ))
url=http://127.0.0.1:$port
cleanup_am() {
	[ -s am.pid ] && kill "$(cat am.pid)" 2>/dev/null
	true
}
trap 'cleanup_am; test_cleanup' EXIT

test_expect_success 'setup: an Alertmanager on 127.0.0.1, a store with load' '
	cat >am.yml <<-\EOF &&
	route:
	  receiver: none
	  group_wait: 0s
	receivers:
	  - name: none
	EOF
	{ "$am" --config.file=am.yml --storage.path=amdata \
		--web.listen-address=127.0.0.1:$port --cluster.listen-address= \
		>am.log 2>&1 & echo $! >am.pid; } &&
	i=0 &&
	until curl -sf "$url/-/ready" >/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || { cat am.log; false; } || exit 1
		sleep 0.1
	done &&
	mstore init -d store &&
	printf "{\"name\":\"load\",\"value\":9,\"labels\":{\"host\":\"a\"}}\n" | mstore -d store &&
	cat >rules.yml <<-\EOF
	groups:
	  - name: g
	    rules:
	      - alert: HighLoad
	        expr: load > 2
	        labels:
	          severity: page
	        annotations:
	          summary: "load {{ $value }} on {{ $labels.host }}"
	EOF
'

test_expect_success 'a firing alert appears in the Alertmanager, with its labels and annotations' '
	malert -r rules.yml -d store --state st.json --alertmanager "$url" \
		--external-url http://mtk.example >ev &&
	grep "\"status\":\"firing\"" ev &&
	curl -sf "$url/api/v2/alerts" >got &&
	grep "\"alertname\":\"HighLoad\"" got &&
	grep "\"severity\":\"page\"" got &&
	grep "\"summary\":\"load 9 on a\"" got &&
	grep "\"generatorURL\":\"http://mtk.example\"" got &&
	grep "\"state\":\"active\"" got
'

test_expect_success 'resolved in malert, resolved in the Alertmanager' '
	printf "{\"name\":\"load\",\"value\":1,\"labels\":{\"host\":\"a\"}}\n" | mstore -d store &&
	malert -r rules.yml -d store --state st.json --alertmanager "$url" >ev &&
	grep "\"status\":\"resolved\"" ev &&
	curl -sf "$url/api/v2/alerts?active=true" >got &&
	! grep HighLoad got
'

test_expect_success 'an Alertmanager that is down: said, exit 1, the state kept' '
	kill "$(cat am.pid)" && rm -f am.pid && sleep 0.3 &&
	printf "{\"name\":\"load\",\"value\":9,\"labels\":{\"host\":\"a\"}}\n" | mstore -d store &&
	test_expect_code 1 malert -r rules.yml -d store --state st.json \
		--alertmanager "$url" >ev 2>err &&
	grep "/api/v2/alerts" err &&
	grep "\"status\":\"firing\"" ev &&
	grep firing st.json
'

test_done

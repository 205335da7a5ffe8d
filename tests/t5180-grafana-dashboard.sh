#!/bin/sh
test_description='contrib/grafana: every panel of the dashboard answered by mquery serve'
. "${0%/*}/tap.sh"

test_have_prog jq || test_skip_all 'jq not installed'
test_have_prog curl || test_skip_all 'curl not installed'
trap 'test_kill_pids "$TRASH/pids"; test_cleanup' EXIT
DASH=$SRC_DIR/contrib/grafana/mtk-node.json
jq -r ".panels[].targets[].expr" "$DASH" >exprs

test_expect_success 'setup: this machine gathered, the store served' '
	mgather -n 4 -i 1s -l host=here | mstore -d st &&
	test_serve mquery serve -d st --listen 127.0.0.1:@PORT@ &&
	echo $SERVE_PID >>"$TRASH/pids" && echo $SERVE_URL >url
'
URL=$(cat url 2>/dev/null)

test_expect_success 'the dashboard: JSON, its panels each with a query' '
	jq -e ".panels | length >= 10" "$DASH" &&
	jq -e "[.panels[] | .targets | length > 0] | all" "$DASH" &&
	test $(wc -l <exprs) -ge 10
'

test_expect_success 'the host variable: its values, as Grafana asks them' '
	now=$(date +%s) &&
	curl -s -G "$URL/api/v1/label/host/values" \
		--data-urlencode "match[]=node_load1" \
		--data-urlencode "start=$((now - 3600))" --data-urlencode "end=$now" >got &&
	jq -e ".status == \"success\" and .data == [\"here\"]" got
'

# Grafana replaces its variables before it asks: the host variable's
# "All" is its allValue, the rate interval at least four scrapes.
n=0
while IFS= read -r expr; do
	n=$((n + 1))
	q=$(printf "%s" "$expr" | sed "s/\\\$__rate_interval/1m/g; s/\\\$host/.*/g")
	test_expect_success "panel query $n evaluates: $expr" '
		now=$(date +%s) &&
		curl -s "$URL/api/v1/query_range" --data-urlencode "query=$q" \
			--data-urlencode "start=$((now - 120))" \
			--data-urlencode "end=$now" --data-urlencode "step=2" >got &&
		jq -e ".status == \"success\" and .data.resultType == \"matrix\"" got &&
		# Where this machine has every metric it reads, some answer.
		for m in $(printf "%s" "$q" | grep -o "node_[A-Za-z0-9_]*" | sort -u); do
			test -n "$(mquery -d st --series "$m")" || exit 0
		done &&
		jq -e ".data.result | length > 0" got
	'
done <exprs

test_done

#!/bin/sh
test_description='mroll rolls raw data into exact 1m, 5m and 1h aggregates'
. "${0%/*}/tap.sh"

ALL='{__name__=~".+"}'
NOW=2026-01-03T00:00:00Z
# rolled TIER AGG: every row of a tier as stream lines.
rolled() {
	mquery -d s --tier "$1" --agg "$2" -o jsonl --start 0 --end 4102444800 "$ALL"
}
# check AGG...: every tier against the aggregates of the raw input.  The
# 1m tier has every window up to now; 5m and 1h the days before today.
check() {
	day=$(( $(date -d "$NOW" +%s) * 1000 - 86400000 )) &&
	set -- $(for a in "$@"; do
		rolled 1m $a >got.1m.$a && rolled 5m $a >got.5m.$a &&
		rolled 1h $a >got.1h.$a || exit 1
		echo 60:$a:$((day + 86400000)):got.1m.$a 300:$a:$day:got.5m.$a \
		    3600:$a:$day:got.1h.$a
	done) &&
	perl "$SRC_DIR/tests/rollcheck.pl" in.jsonl "$@"
}
# tiers: a listing of the rolled blocks with their checksums.
tiers() {
	(cd s && find 1m 5m 1h -name '*.blk' | sort | xargs md5sum)
}

test_expect_success 'a day and a half of gauges, counters and observations' '
	gen -H 1 -i 60s -n 170000 -t 1767225600000 |
	grep -E "\"name\":\"(node_load1|node_network_receive_bytes_total|http_request_duration_seconds|node_memory_MemAvailable_bytes)\"" >gen.jsonl &&
	# A counter that resets on window edges (every 5 minutes) and in
	# between, sampled every 15 s, with a NaN now and then.
	awk "BEGIN {
		for (t = 1767225600; t < 1767330000; t += 15) {
			v = (t % 300 == 0) ? 2 : (t % 1000 < 15 ? 1 : v + 7 + t % 5);
			printf \"{\\\"name\\\":\\\"edge_resets_total\\\",\\\"type\\\":\\\"counter\\\",\\\"value\\\":%s,\\\"ts\\\":%d000}\\n\", (t % 7777 < 15) ? \"\\\"NaN\\\"\" : v, t
		}
	}" >resets.jsonl &&
	cat gen.jsonl resets.jsonl >in.jsonl &&
	grep -c NaN resets.jsonl >nans && test $(cat nans) -gt 0 &&
	mstore init -d s --retention raw=100000d,1m=100000d,5m=100000d,1h=100000d &&
	mstore -d s <in.jsonl
'

test_expect_success 'mroll rolls every closed window' '
	mroll -d s --now $NOW --no-self-metrics --json >actions &&
	grep -c "\"action\":\"rolled\",\"tier\":\"1m\"" actions >n1m &&
	grep -c "\"action\":\"rolled\",\"tier\":\"5m\"" actions >n5m &&
	grep -c "\"action\":\"rolled\",\"tier\":\"1h\"" actions >n1h &&
	# 1m: the two-hour windows up to noon of the 2nd; 5m and 1h: the 1st.
	echo 18 >expect && test_cmp expect n1m &&
	echo 1 >expect && test_cmp expect n5m &&
	echo 1 >expect && test_cmp expect n1h
'

test_expect_success 'count, sum, min, max, last, avg equal the raw data'"'"'s' '
	check count sum min max last avg
'

test_expect_success 'counters: the rebuilt counter adds up the reset-aware increases' '
	check counter
'

test_expect_success 'observations: p50, p95, p99 within 1% at every tier' '
	check p50 p95 p99
'

test_expect_success 'PromQL over 5m and 1h rows: the same hourly increases' '
	for t in 5m 1h; do
		mquery -d s --tier $t --start 2026-01-01T03:00:00Z \
		    --end 2026-01-01T20:00:00Z --step 1h -o csv \
		    "increase(edge_resets_total[1h])" >inc.$t || return 1
	done &&
	test_cmp inc.5m inc.1h &&
	test $(wc -l <inc.1h) -eq 19
'

test_expect_success 'a second pass changes nothing' '
	tiers >before &&
	mroll -d s --now $NOW --no-self-metrics --json >actions2 &&
	test_must_be_empty actions2 &&
	tiers >after && test_cmp before after
'

test_expect_success 'late samples mark their windows dirty; the next pass rolls them' '
	echo "{\"name\":\"node_load1\",\"value\":1000,\"ts\":1767240030000,\"labels\":{\"host\":\"host-000\"}}" >late.jsonl &&
	mstore -d s <late.jsonl &&
	mroll -d s --now $NOW --no-self-metrics --json >actions3 &&
	grep -c "\"action\":\"rolled\"" actions3 >n && echo 3 >expect && test_cmp expect n &&
	cat late.jsonl >>in.jsonl &&
	check max count avg
'

test_expect_success 'mroll -n reports and changes nothing; --now decides what is closed' '
	tiers >before &&
	mroll -d s -n --now 2026-01-04T00:00:00Z --no-self-metrics --json >dry &&
	grep "\"action\":\"rolled\",\"tier\":\"5m\",\"start\":\"2026-01-02T00:00:00Z\"" dry &&
	tiers >after && test_cmp before after
'

test_expect_success 'mroll -v prints a summary; its own metrics land in the store' '
	mroll -d s --now $NOW -v >out &&
	grep "^1m: 0 windows rolled" out && grep "^took " out &&
	mquery -d s --series --start 0 --end 4102444800 "{__name__=~\"mtk_mroll_.*\"}" >series &&
	grep "\"mtk_mroll_windows_rolled\",\"host\":.*,\"tier\":\"5m\"" series &&
	grep "\"mtk_mroll_duration_seconds\"" series
'

test_expect_success 'mquery picks the tier from the step' '
	mquery -d s --start 2026-01-01T06:00:00Z --end 2026-01-01T12:00:00Z \
	    --step 1h -o csv "node_load1" >auto &&
	mquery -d s --tier 1h --start 2026-01-01T06:00:00Z --end 2026-01-01T12:00:00Z \
	    --step 1h -o csv "node_load1" >forced &&
	test_cmp forced auto &&
	mquery -d s --tier raw --start 2026-01-01T06:00:00Z --end 2026-01-01T12:00:00Z \
	    --step 1h -o csv "node_load1" >raw &&
	! test_cmp raw auto >/dev/null
'

test_expect_success 'the store checks out' '
	mstore check -d s >out
'

test_expect_success 'usage errors' '
	test_expect_code 2 mroll -d s extra 2>err && grep "unexpected argument" err &&
	test_expect_code 2 mroll --now yesterday-ish 2>err &&
	test_expect_code 2 mquery -d s --tier 2m x 2>err && grep "unknown tier .2m. (one of: auto, exact, raw, 1m, 5m, 1h)" err &&
	test_expect_code 2 mquery -d s --agg median x 2>err && grep "unknown aggregate" err &&
	test_expect_code 1 mroll -d nowhere 2>err && grep "no store" err
'

test_done

#!/bin/sh
test_description='mpush to real engines: remote_write to Prometheus and VictoriaMetrics, Influx and Graphite to VictoriaMetrics'
. "${0%/*}/tap.sh"

test_have_prog curl || test_skip_all 'curl not installed'
test_have_prog victoria-metrics || test_skip_all 'victoria-metrics not installed'
test_have_prog prometheus || test_skip_all 'prometheus not installed'
trap 'test_kill_pids "$TRASH/pids"; test_cleanup' EXIT

XDG_STATE_HOME=$TRASH/state
export XDG_STATE_HOME

# Samples of a few minutes ago, whole seconds (Graphite keeps seconds).
T0=$(( ($(date +%s) - 300) * 1000 ))

free_port() {
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(Listen => 1,
		    LocalAddr => "127.0.0.1:0") or exit 1;
		print $s->sockport'
}

# The stream sent everywhere: a counter and a gauge of two series each,
# three samples each, labels that need escaping in some format.
cat >in.jsonl <<EOF
{"name":"req_total","type":"counter","value":1,"ts":$T0,"labels":{"path":"/a b","code":"200"}}
{"name":"req_total","type":"counter","value":4,"ts":$((T0 + 1000)),"labels":{"path":"/a b","code":"200"}}
{"name":"req_total","type":"counter","value":9,"ts":$((T0 + 2000)),"labels":{"path":"/a b","code":"200"}}
{"name":"req_total","type":"counter","value":2,"ts":$T0,"labels":{"path":"/c","code":"500"}}
{"name":"req_total","type":"counter","value":3,"ts":$((T0 + 1000)),"labels":{"path":"/c","code":"500"}}
{"name":"req_total","type":"counter","value":5,"ts":$((T0 + 2000)),"labels":{"path":"/c","code":"500"}}
{"name":"temp_celsius","value":-1.5,"ts":$T0,"labels":{"room":"x=y,z"}}
{"name":"temp_celsius","value":0.25,"ts":$((T0 + 1000)),"labels":{"room":"x=y,z"}}
{"name":"temp_celsius","value":1e3,"ts":$((T0 + 2000)),"labels":{"room":"x=y,z"}}
EOF

# What was sent, one line a sample: name, labels (sorted), time (ms), value.
jq -r '[.name, (.labels | to_entries | sort_by(.key) | map("\(.key)=\(.value)") | join(",")),
	(.ts | tostring), (.value | tostring)] | join(" ")' in.jsonl | sort >expect

# vm_export MATCH [N]: what VictoriaMetrics holds, in the same shape;
# asked again (5 s at most) until it gives N lines (default: as many as
# expect has): a new series takes VictoriaMetrics a moment to index.
vm_export() {
	_want=${2:-$(wc -l <expect)}
	_i=0
	while :; do
		curl -sf "$VM/internal/force_flush" >/dev/null &&
		curl -sf "$VM/api/v1/export" --data-urlencode "match[]=$1" |
			jq -r '.metric as $m | ($m | del(.__name__) | to_entries |
				sort_by(.key) | map("\(.key)=\(.value)") | join(",")) as $l |
				range(.timestamps | length) as $i |
				[$m.__name__, $l, (.timestamps[$i] | tostring),
				 (.values[$i] | tostring)] | join(" ")' | sort >vm.out
		if [ "$(wc -l <vm.out)" -ge "$_want" ] || [ $_i -ge 25 ]; then
			cat vm.out
			return 0
		fi
		_i=$((_i + 1))
		sleep 0.2
	done
}

test_expect_success 'setup: VictoriaMetrics with Influx and Graphite listeners' '
	GP=$(free_port) &&
	test_serve victoria-metrics -httpListenAddr=127.0.0.1:@PORT@ \
		-storageDataPath=vmdata -graphiteListenAddr=127.0.0.1:$GP \
		-influxSkipSingleField -loggerLevel=ERROR &&
	echo $SERVE_PID >>../pids &&
	echo $SERVE_URL >vm && echo $GP >gport
'

test_expect_success 'remote_write to VictoriaMetrics: names, labels, times, values' '
	VM=$(cat vm) &&
	mpush --to remote-write+$VM/api/v1/write <in.jsonl 2>err &&
	test_must_be_empty err &&
	vm_export "{__name__=~\"req_total|temp_celsius\"}" >got &&
	test_cmp expect got
'

test_expect_success 'the line protocol to VictoriaMetrics (influx+http)' '
	VM=$(cat vm) &&
	sed "s/req_total/influx_req_total/; s/temp_celsius/influx_temp_celsius/" in.jsonl |
		mpush --to "influx+$VM/write?db=mtk" 2>err &&
	test_must_be_empty err &&
	vm_export "{__name__=~\"influx_.*\"}" | sed "s/^influx_//; s/db=mtk,//; s/,db=mtk//; s/ db=mtk / /" >got &&
	test_cmp expect got
'

# Graphite takes no blank in a tag value: it becomes "_" (encode.h).
test_expect_success 'Graphite with tags, and dotted, to VictoriaMetrics' '
	VM=$(cat vm) && GP=$(cat gport) &&
	sed "s/req_total/gr_req_total/; s/temp_celsius/gr_temp_celsius/" in.jsonl |
		mpush --to graphite://127.0.0.1:$GP 2>err &&
	test_must_be_empty err &&
	sleep 1 &&
	vm_export "{__name__=~\"gr_.*\"}" | sed "s/^gr_//" >got &&
	sed "s|/a b|/a_b|" expect >expect.graphite &&
	test_cmp expect.graphite got &&
	printf "{\"name\":\"dot\",\"value\":7,\"ts\":%s,\"labels\":{\"b\":\"2\",\"a\":\"x.y\"}}\n" $T0 |
		mpush --to graphite://127.0.0.1:$GP --graphite-dotted &&
	sleep 1 &&
	vm_export "{__name__=~\"dot.*\"}" 1 >got &&
	echo "dot.x_y.2  $T0 7" >want && test_cmp want got
'

test_expect_success 'remote_write to Prometheus and its receiver' '
	printf "global:\n  scrape_interval: 1h\n" >prom.yml &&
	test_serve prometheus --config.file=prom.yml --storage.tsdb.path=pdb \
		--web.listen-address=127.0.0.1:@PORT@ \
		--web.enable-remote-write-receiver --log.level=error &&
	echo $SERVE_PID >>../pids &&
	mpush --to remote-write+$SERVE_URL/api/v1/write <in.jsonl 2>err &&
	test_must_be_empty err &&
	for m in req_total temp_celsius; do
		curl -sf "$SERVE_URL/api/v1/query" --data-urlencode "query=$m[10m]" \
			--data-urlencode "time=$((T0 / 1000 + 10))" |
		jq -r ".data.result[] | .metric as \$m |
			(\$m | del(.__name__) | to_entries | sort_by(.key) |
			 map(\"\(.key)=\(.value)\") | join(\",\")) as \$l |
			.values[] | [\$m.__name__, \$l,
			 ((.[0] * 1000) | floor | tostring),
			 (.[1] | tonumber | tostring)] | join(\" \")"
	done | sort >got &&
	test_cmp expect got
'

test_expect_success 'https and basic auth: VictoriaMetrics with TLS and a password' '
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt \
		-days 2 -subj "/CN=mtk test CA" 2>/dev/null &&
	openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
		-subj "/CN=vm.test" 2>/dev/null &&
	echo "subjectAltName=DNS:vm.test,IP:127.0.0.1" >server.ext &&
	openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
		-days 2 -extfile server.ext -out server.crt 2>/dev/null &&
	P=$(free_port) &&
	{ victoria-metrics -httpListenAddr=127.0.0.1:$P -storageDataPath=vmtls \
		-tls -tlsCertFile=server.crt -tlsKeyFile=server.key \
		-httpAuth.username=mtk -httpAuth.password=s3cret \
		-loggerLevel=ERROR >vmtls.log 2>&1 & echo $! >>../pids; } &&
	i=0 && until curl -s -o /dev/null --cacert ca.crt -u mtk:s3cret \
		"https://127.0.0.1:$P/health"; do
		i=$((i + 1)); test $i -lt 100 || exit 1; sleep 0.1
	done &&
	printf "s3cret\n" >pw && printf "wrong\n" >bad &&
	U="remote-write+https://127.0.0.1:$P/api/v1/write" &&
	sed "s/req_total/tls_req_total/; s/temp_celsius/tls_temp_celsius/" in.jsonl >tls.jsonl &&
	mpush --to "$U" --user mtk --password-file pw <tls.jsonl 2>err &&
	grep -i "certificate" err && grep "kept in" err &&
	mpush --to "$U" --user mtk --password-file bad --ca-file ca.crt \
		</dev/null 2>err;
	grep "HTTP 401" err && grep "given up" err &&
	mpush --to "$U" --user mtk --password-file pw --ca-file ca.crt <tls.jsonl 2>err &&
	test_must_be_empty err &&
	mpush gauge --to "$U" --user mtk --password-file pw \
		--insecure-skip-verify tls_insecure 1 &&
	echo 10 >expect &&
	i=0 && while :; do
		curl -sf --cacert ca.crt -u mtk:s3cret \
			"https://127.0.0.1:$P/internal/force_flush" &&
		curl -sf --cacert ca.crt -u mtk:s3cret \
			"https://127.0.0.1:$P/api/v1/export" \
			--data-urlencode "match[]={__name__=~\"tls_.*\"}" |
			jq -r ".values | length" |
			awk "{ n += \$1 } END { print n + 0 }" >got &&
		{ cmp -s expect got || test $i -ge 50; } && break
		i=$((i + 1)); sleep 0.2
	done &&
	test_cmp expect got
'

test_done

#!/bin/sh
test_description='mgather scrape: targets scraped as Prometheus scrapes them, beside the real Prometheus'
. "${0%/*}/tap.sh"

test_have_prog curl || test_skip_all 'curl not installed'
NE=prometheus-node-exporter PG=prometheus-pushgateway
test_have_prog $NE && test_have_prog $PG ||
	test_skip_all "$NE or $PG not installed"

# Every server a test starts, stopped at the end whatever happened.
trap 'test_kill_pids "$TRASH/pids"; test_cleanup' EXIT

test_expect_success 'setup: a node_exporter, a Pushgateway with pushed metrics' '
	test_serve $NE --web.listen-address=127.0.0.1:@PORT@ &&
	echo "$SERVE_PID" >>../pids && echo "$SERVE_URL" >ne.url &&
	test_serve $PG --web.listen-address=127.0.0.1:@PORT@ --persistence.file= &&
	echo "$SERVE_PID" >>../pids && echo "$SERVE_URL" >pg.url &&
	cat >push.prom <<-\EOF &&
	# TYPE jobs_done counter
	jobs_done{queue="a"} 42
	# TYPE temp gauge
	temp{room="kitchen",instance="in-the-push"} -21.5
	EOF
	curl -sf --data-binary @push.prom "$(cat pg.url)/metrics/job/batch"
'
NE_URL=$(cat ne.url)/metrics
PG_URL=$(cat pg.url)/metrics

test_expect_success 'every sample of a target with job and instance; up and scrape_* after it' '
	mgather scrape -n 1 --job node "$NE_URL" >out 2>err &&
	test_must_be_empty err &&
	inst=${NE_URL#http://} && inst=${inst%/metrics} &&
	! grep -v "\"instance\":\"$inst\"" out && ! grep -v "\"job\":\"node\"" out &&
	grep "^{\"name\":\"up\",\"type\":\"gauge\",\"value\":1," out &&
	n=$(grep "\"name\":\"scrape_samples_scraped\"" out | sed "s/.*\"value\":\([0-9]*\),.*/\1/") &&
	test $(grep -vc "\"name\":\"\(up\|scrape_[a-z_]*\)\"" out) = $n &&
	grep "\"name\":\"node_cpu_seconds_total\",\"type\":\"counter\"" out &&
	test $(cut -d, -f4 out | sort -u | wc -l) = 1
'

test_expect_success 'a dead target and one that hangs: up 0, said once, the others on time' '
	perl -MIO::Socket::INET -e "
		my \$s = IO::Socket::INET->new(Listen => 5, LocalAddr => \"127.0.0.1:0\") or die;
		open(my \$f, \">\", \"hang.port\"); print \$f \$s->sockport; close \$f;
		while (my \$c = \$s->accept) { sleep 30; }" &
	echo $! >hang.pid && echo $! >>../pids &&
	i=0 && while ! test -s hang.port; do i=$((i + 1)); test $i -lt 50 || exit 1; sleep 0.1; done &&
	start=$(date +%s) &&
	mgather scrape -i 1s -n 2 --timeout 1s "$NE_URL" http://127.0.0.1:1/metrics \
		"http://127.0.0.1:$(cat hang.port)/metrics" >out 2>err;
	kill $(cat hang.pid);
	test $(( $(date +%s) - start )) -lt 6 &&
	test $(grep -c "\"name\":\"up\",\"type\":\"gauge\",\"value\":1," out) = 2 &&
	test $(grep -c "\"name\":\"up\",\"type\":\"gauge\",\"value\":0," out) = 4 &&
	test $(grep -c "127.0.0.1:1/metrics: " err) = 1 &&
	grep "$(cat hang.port)/metrics: .*timed out" err
'

test_expect_success 'a sample limit: the target fails whole, as in Prometheus' '
	mgather scrape -n 1 --sample-limit 5 "$NE_URL" >out 2>err &&
	grep "samples, more than the limit of 5" err &&
	test $(wc -l <out) = 4 &&
	grep "\"name\":\"up\",\"type\":\"gauge\",\"value\":0," out
'

test_expect_success 'a bearer token from a file, sent, and never on the command line' '
	{ perl "$SRC_DIR/tests/httpsink.pl" sink.port hook & echo $! >sink.pid; } &&
	cat sink.pid >>../pids &&
	i=0 && while ! test -s sink.port; do i=$((i + 1)); test $i -lt 50 || exit 1; sleep 0.1; done &&
	echo s3cret >token &&
	mgather scrape -n 1 --bearer-token-file token \
		"http://127.0.0.1:$(cat sink.port)/metrics" >out 2>err;
	kill $(cat sink.pid);
	grep "^Authorization: Bearer s3cret" hook.0.req &&
	grep "^Accept: application/openmetrics-text;version=1.0.0" hook.0.req &&
	grep "\"name\":\"up\",\"type\":\"gauge\",\"value\":1," out
'

# Prometheus scraping the Pushgateway, with and without honor_labels:
# the same series, labels and values as mgather's.
if test_have_prog prometheus && perl -MJSON::PP -e 1 2>/dev/null; then
	test_expect_success 'the labels Prometheus gives, honor_labels or not' '
		pg=${PG_URL#http://} && pg=${pg%/metrics} &&
		cat >prom.yml <<-EOF &&
		global:
		  scrape_interval: 1s
		scrape_configs:
		  - job_name: plain
		    static_configs: [{targets: ["$pg"]}]
		  - job_name: honored
		    honor_labels: true
		    static_configs: [{targets: ["$pg"]}]
		EOF
		test_serve prometheus --config.file=prom.yml --storage.tsdb.path=pdb \
			--web.listen-address=127.0.0.1:@PORT@ &&
		echo $SERVE_PID >prom.pid && echo $SERVE_PID >>../pids &&
		i=0 && until curl -sf "$SERVE_URL/api/v1/query?query=count(temp)" |
			grep -q "\"value\":\[[0-9.]*,\"2\"\]"; do
			i=$((i + 1)); test $i -lt 100 || { echo no scrape; exit 1; }
			sleep 0.2
		done &&
		curl -sfG "$SERVE_URL/api/v1/query" \
			--data-urlencode "query={__name__=~\"temp|jobs_done\"}" >prom.json &&
		kill $(cat prom.pid) &&
		perl -MJSON::PP -e "
			my \$r = decode_json(join q(), <STDIN>);
			for my \$s (@{\$r->{data}{result}}) {
				my %m = %{\$s->{metric}};
				my \$n = delete \$m{__name__};
				print \$n, q({), join(q(,), map { qq(\$_=\$m{\$_}) } sort keys %m),
				    q(} ), \$s->{value}[1], qq(\n);
			}" <prom.json | sort >want &&
		{ mgather scrape -n 1 --job plain "$PG_URL" &&
		  mgather scrape -n 1 --job honored --honor-labels "$PG_URL"; } >out &&
		grep "\"name\":\"\(temp\|jobs_done\)\"" out | perl -MJSON::PP -ne "
			my \$s = decode_json(\$_); my %m = %{\$s->{labels}};
			print \$s->{name}, q({), join(q(,), map { qq(\$_=\$m{\$_}) } sort keys %m),
			    q(} ), \$s->{value}, qq(\n);" | sort >got &&
		test_cmp want got
	'
else
	test_skip 'the labels Prometheus gives' 'prometheus or JSON::PP missing'
fi

test_expect_success 'a targets file (file_sd): its labels on its targets, read again when it changes' '
	ne=${NE_URL#http://} && ne=${ne%/metrics} &&
	pg=${PG_URL#http://} && pg=${pg%/metrics} &&
	printf "[{\"targets\": [\"%s\"], \"labels\": {\"team\": \"db\"}}]\n" "$ne" >sd.json &&
	{ mgather scrape -i 1s --targets sd.json >sd.out 2>sd.err & echo $! >sd.pid; } &&
	cat sd.pid >>../pids &&
	sleep 1.5 &&
	grep "^{\"name\":\"up\",\"type\":\"gauge\",\"value\":1,\"ts\":[0-9]*,\"labels\":{\"instance\":\"$ne\",\"job\":\"scrape\",\"team\":\"db\"}}\$" sd.out &&
	cat >sd.json.new <<-EOF &&
	- targets: [$pg]
	  labels:
	    team: web
	    __metrics_path__: /metrics
	EOF
	mv sd.json.new sd.json &&
	sleep 2.5 &&
	kill $(cat sd.pid) &&
	tail -n 8 sd.out | grep "\"name\":\"up\",.*\"instance\":\"$pg\",\"job\":\"scrape\",\"team\":\"web\"" &&
	test_must_be_empty sd.err
'

test_expect_success 'a bad targets file: said with its place' '
	printf "[{\"labels\": {}}]\n" >bad.json &&
	test_expect_code 1 mgather scrape -n 1 --targets bad.json 2>err &&
	grep "bad.json:1: a group needs \"targets\", a list" err &&
	printf "[{\"targets\": [\"h:1\"], \"labels\": {\"9x\": \"y\"}}]\n" >bad.json &&
	test_expect_code 1 mgather scrape -n 1 --targets bad.json 2>err &&
	grep "bad.json:1: .9x. is no label name" err
'

# A server giving one body to every request, as a target whose clock is
# wrong would: a{k="2"} comes with a time of 1970.
test_expect_success 'setup: a target with a sample too old for a store' '
	cat >body.prom <<-\EOF &&
	# TYPE a gauge
	a{k="1"} 1
	a{k="2"} 2 1000
	b 3
	EOF
	perl -MIO::Socket::INET -e "
		my \$s = IO::Socket::INET->new(Listen => 5, LocalAddr => \"127.0.0.1:0\",
		    ReuseAddr => 1) or die;
		open(my \$f, \">\", \"srv.port.tmp\"); print \$f \$s->sockport; close \$f;
		rename(\"srv.port.tmp\", \"srv.port\");
		open(my \$b, \"<\", \"body.prom\");
		my \$body = do { local \$/; <\$b> };
		while (my \$c = \$s->accept) {
			while (<\$c>) { last if /^\\r?\$/ }
			print \$c \"HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n\" .
			    \"Content-Length: \" . length(\$body) . \"\\r\\n\\r\\n\" . \$body;
			close \$c;
		}" &
	echo $! >>../pids &&
	i=0 && while ! test -s srv.port; do i=$((i + 1)); test $i -lt 50 || exit 1; sleep 0.1; done &&
	mgather scrape -n 1 "http://127.0.0.1:$(cat srv.port)/metrics" >out &&
	grep "\"name\":\"a\".*\"ts\":1000," out
'
SRV_URL=http://127.0.0.1:$(cat srv.port 2>/dev/null)/metrics

test_expect_success '--store: into a store, nothing on standard output' '
	mstore init -d st &&
	mgather scrape -i 1s -n 2 --job j --store st "$NE_URL" "$SRV_URL" >out 2>err &&
	test_must_be_empty out &&
	mquery -d st -o csv "count by (instance) (up == 1)" >up &&
	test $(grep -c ",1\$" up) = 2 &&
	mquery -d st -o csv "count(node_cpu_seconds_total{job=\"j\"}) > 0" >cpu &&
	test $(wc -l <cpu) = 2 &&
	mquery -d st -o csv "sum_over_time(b[1m])" >b &&
	grep ",6\$" b
'

test_expect_success '--store: a sample the store refuses is left out and said, once' '
	mquery -d st -o csv "a" >a &&
	grep "k=\"\"1\"\"" a && ! grep "k=\"\"2\"\"" a &&
	test $(grep -c "refused" err) = 1 &&
	grep "^mgather: $SRV_URL: 1 sample refused (a: sample older than the raw retention)\$" err &&
	# The scrape stands: up, and its three samples counted as given.
	i=${SRV_URL#http://} && i=${i%/metrics} &&
	mquery -d st -o csv "up{instance=\"$i\"} + scrape_samples_post_metric_relabeling{instance=\"$i\"}" >n &&
	grep ",4\$" n
'

test_expect_success '--fsync goes with --store' '
	test_expect_code 2 mgather scrape -n 1 --fsync never "$SRV_URL" 2>err &&
	grep "fsync goes with --store" err
'

test_expect_success 'usage: no URL, not a URL' '
	test_expect_code 2 mgather scrape 2>err &&
	test_expect_code 1 mgather scrape -n 1 ftp://x/metrics 2>err &&
	grep "not an http or https URL" err
'

test_done

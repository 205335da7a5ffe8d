#!/bin/sh
test_description='mgather scrape: --relabel beside the real Prometheus, TLS to the real node_exporter'
. "${0%/*}/tap.sh"

NE=prometheus-node-exporter
test_have_prog $NE || test_skip_all "$NE not installed"
test_have_prog curl || test_skip_all 'curl not installed'
R=$FIXTURES/relabel

# Every server a test starts, stopped at the end whatever happened.
trap 'test_kill_pids "$TRASH/pids"; test_cleanup' EXIT

test_expect_success 'setup: a node_exporter that also serves a textfile' '
	mkdir tf && cp "$R/textfile.prom" tf/app.prom &&
	test_serve $NE --web.listen-address=127.0.0.1:@PORT@ \
		--collector.textfile.directory=tf &&
	echo "$SERVE_PID" >>../pids && echo "$SERVE_URL" >ne.url
'
NE_URL=$(cat ne.url)/metrics
INST=${NE_URL#http://}
INST=${INST%/metrics}

# up FILE N: the output has up N.
up() {
	grep "^{\"name\":\"up\",\"type\":\"gauge\",\"value\":$2," "$1"
}

test_expect_success 'rules drop, keep, rename and relabel the samples' '
	mgather scrape -n 1 --job main --relabel "$R/main.yml" "$NE_URL" \
		>out 2>err &&
	test_must_be_empty err && up out 1 &&
	! grep "\"name\":\"\(go\|process\|promhttp\)_" out &&
	grep "\"name\":\"node_load1\"" out &&
	l="\"host\":\"127.0.0.1\",\"instance\":\"$INST\",\"job\":\"main\"" &&
	grep "^{\"name\":\"myapp_requests_total\",.*\"labels\":{\"code\":\"200\",$l,\"method\":\"GET\",\"path\":\"/a\"}" out &&
	grep "^{\"name\":\"myapp_requests_total\",.*\"labels\":{\"code\":\"500\",$l,\"method\":\"POST\"}}$" out &&
	grep "^{\"name\":\"app_temp_celsius\",.*\"labels\":{$l,\"room\":\"cellar\",\"team\":\"web\"}}$" out &&
	grep "^{\"name\":\"app_pair\",.*\"left\":\"x\",\"right\":\"x\"}" out &&
	! grep "\"right\":\"y\"" out &&
	grep "\"exported_instance\":\"in-the-file\",$l,\"origin\":\"in-the-file\"" out &&
	grep "\"cpu\":\"0\",\"cpu_0\":\"on\",$l,\"mode\":\"idle\"" out &&
	! grep "\"mode\":\"system\"" out && ! grep "\"device\":\"lo\"" out &&
	grep "\"name\":\"node_exporter_build_info\"" out &&
	! grep "\"revision\":" out &&
	n=$(grep "\"name\":\"scrape_samples_post_metric_relabeling\"" out |
		sed "s/.*\"value\":\([0-9]*\),.*/\1/") &&
	all=$(grep "\"name\":\"scrape_samples_scraped\"" out |
		sed "s/.*\"value\":\([0-9]*\),.*/\1/") &&
	test $(grep -vc "\"name\":\"\(up\|scrape_[a-z_]*\)\"" out) = $n &&
	test $n -lt $all
'

test_expect_success 'rules that leave a sample nameless fail the scrape, as in Prometheus' '
	mgather scrape -n 1 --relabel "$R/broken.yml" "$NE_URL" >out 2>err &&
	grep "metrics: line [0-9]*: no metric name after relabelling$" err &&
	test $(wc -l <out) = 4 && up out 0 &&
	grep "\"name\":\"scrape_samples_scraped\",\"type\":\"gauge\",\"value\":1," out
'

test_expect_success 'the sample limit counts the samples the rules kept' '
	mgather scrape -n 1 --sample-limit 3 --relabel "$R/keep.yml" "$NE_URL" \
		>out 2>err &&
	test_must_be_empty err && up out 1 &&
	grep "^{\"name\":\"node_load1\",.*\"labels\":{\"job\":\"scrape\"}" out &&
	grep "\"name\":\"scrape_samples_post_metric_relabeling\",\"type\":\"gauge\",\"value\":3," out &&
	mgather scrape -n 1 --sample-limit 2 --relabel "$R/keep.yml" "$NE_URL" \
		>out 2>err &&
	grep "3 samples, more than the limit of 2" err && up out 0 &&
	test $(wc -l <out) = 4
'

test_expect_success 'a bad rule file: refused at the start, the rule named' '
	printf -- "- source_labels: [a]\n  action: drop\n- action: hashmod\n" >bad.yml &&
	test_expect_code 1 mgather scrape -n 1 --relabel bad.yml "$NE_URL" 2>err &&
	grep "^mgather: bad.yml: rule 2: action .hashmod. is not supported$" err &&
	printf -- "- source_labels: [a]\n  regex: \"(\"\n  action: drop\n" >bad.yml &&
	test_expect_code 1 mgather scrape -n 1 --relabel bad.yml "$NE_URL" 2>err &&
	grep "^mgather: bad.yml: rule 1: invalid regex .(.: missing closing parenthesis" err &&
	test_expect_code 1 mgather scrape -n 1 --relabel nope.yml "$NE_URL" 2>err &&
	grep "^mgather: nope.yml: cannot open: " err
'

# Prometheus scraping the same node_exporter with the same rules, as
# three jobs: the same series, and the same up and counts where they do
# not change from scrape to scrape.
if test_have_prog prometheus && perl -MJSON::PP -e 1 2>/dev/null; then
	# job NAME RULES [LINE]: a scrape config of prom.yml.
	job() {
		printf '  - job_name: %s\n    static_configs: [{targets: ["%s"]}]\n' \
			"$1" "$INST"
		[ -z "${3:-}" ] || printf '    %s\n' "$3"
		printf '    metric_relabel_configs:\n'
		sed 's/^/      /' "$2"
	}
	# series: "name{a=x,b=y}" from a query's answer (stdin), with the
	# value of up and of the counts of the jobs keep and broken.
	series_prom() {
		perl -MJSON::PP -e '
			my $r = decode_json(join "", <STDIN>);
			for my $s (@{$r->{data}{result}}) {
				my %m = %{$s->{metric}};
				my $n = delete $m{__name__};
				next if $n =~ /^scrape_(duration_seconds|series_added)$/;
				my $v = $n eq "up" || ($n eq "scrape_samples_post_metric_relabeling" &&
				    $m{job} ne "main") ? " $s->{value}[1]" : "";
				print $n, "{", join(",", map { "$_=$m{$_}" } sort keys %m), "}$v\n";
			}'
	}
	series_mgather() {
		perl -MJSON::PP -ne '
			my $s = decode_json($_); my %m = %{$s->{labels} || {}};
			my $n = $s->{name};
			next if $n eq "scrape_duration_seconds";
			my $v = $n eq "up" || ($n eq "scrape_samples_post_metric_relabeling" &&
			    $m{job} ne "main") ? " $s->{value}" : "";
			print $n, "{", join(",", map { "$_=$m{$_}" } sort keys %m), "}$v\n";'
	}
	test_expect_success 'the series Prometheus keeps given the same rules' '
		{
			printf "global:\n  scrape_interval: 1s\nscrape_configs:\n" &&
			job main "$R/main.yml" &&
			job keep "$R/keep.yml" "sample_limit: 3" &&
			job broken "$R/broken.yml"
		} >prom.yml &&
		test_serve prometheus --config.file=prom.yml --storage.tsdb.path=pdb \
			--web.listen-address=127.0.0.1:@PORT@ &&
		echo $SERVE_PID >prom.pid && echo $SERVE_PID >>../pids &&
		i=0 && until curl -sf "$SERVE_URL/api/v1/query?query=count(scrape_samples_scraped)" |
			grep -q "\"value\":\[[0-9.]*,\"3\"\]"; do
			i=$((i + 1)); test $i -lt 100 || { echo no scrape; exit 1; }
			sleep 0.2
		done &&
		mgather scrape -n 1 --job main --relabel "$R/main.yml" "$NE_URL" >out &&
		mgather scrape -n 1 --job keep --sample-limit 3 --relabel "$R/keep.yml" \
			"$NE_URL" >>out &&
		mgather scrape -n 1 --job broken --relabel "$R/broken.yml" \
			"$NE_URL" >>out 2>/dev/null &&
		curl -sfG "$SERVE_URL/api/v1/query" \
			--data-urlencode "query={__name__=~\".+\"}" >prom.json &&
		kill $(cat prom.pid) &&
		series_prom <prom.json | sort >want &&
		series_mgather <out | sort >got &&
		grep "^up{instance=$INST,job=broken} 0$" want &&
		grep "^scrape_samples_post_metric_relabeling{instance=$INST,job=keep} 3$" want &&
		test $(wc -l <want) -gt 100 &&
		test_cmp want got
	'
else
	test_skip 'the series Prometheus keeps' 'prometheus or JSON::PP missing'
fi

if ! test_have_prog openssl; then
	test_skip 'TLS' 'openssl missing'
	test_done
	exit
fi

test_expect_success 'setup: a CA, certificates, node_exporters over TLS' '
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt \
		-days 2 -subj "/CN=mtk test CA" 2>/dev/null &&
	openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
		-subj "/CN=node.test" 2>/dev/null &&
	echo "subjectAltName=DNS:node.test,IP:127.0.0.1" >server.ext &&
	openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
		-days 2 -extfile server.ext -out server.crt 2>/dev/null &&
	openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr \
		-subj "/CN=mgather" 2>/dev/null &&
	echo "extendedKeyUsage=clientAuth" >client.ext &&
	openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
		-days 2 -extfile client.ext -out client.crt 2>/dev/null &&
	printf "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n" \
		>web.yml &&
	{ cat web.yml &&
	  printf "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n"
	} >web-mtls.yml &&
	test_serve $NE --web.listen-address=127.0.0.1:@PORT@ --web.config.file=web.yml &&
	echo "$SERVE_PID" >>../pids && echo "https://${SERVE_URL#http://}/metrics" >tls.url &&
	test_serve $NE --web.listen-address=127.0.0.1:@PORT@ \
		--web.config.file=web-mtls.yml &&
	echo "$SERVE_PID" >>../pids && echo "https://${SERVE_URL#http://}/metrics" >mtls.url &&
	curl -sf --cacert ca.crt "$(cat tls.url)" >/dev/null
'
TLS_URL=$(cat tls.url)
MTLS_URL=$(cat mtls.url)

test_expect_success 'TLS: the CA of --ca-file trusted' '
	mgather scrape -n 1 --ca-file ca.crt "$TLS_URL" >out 2>err &&
	test_must_be_empty err && up out 1 && grep "\"name\":\"node_load1\"" out
'

test_expect_success 'TLS: without it the certificate is not trusted: up 0, said' '
	mgather scrape -n 1 "$TLS_URL" >out 2>err &&
	up out 0 && grep "^mgather: $TLS_URL: .*certificate" err
'

test_expect_success 'TLS: --insecure-skip-verify trusts any certificate' '
	mgather scrape -n 1 --insecure-skip-verify "$TLS_URL" >out 2>err &&
	test_must_be_empty err && up out 1
'

test_expect_success 'TLS: --server-name is the name verified, not the address' '
	inst=${TLS_URL#https://} && inst=${inst%/metrics} &&
	mgather scrape -n 1 --ca-file ca.crt --server-name node.test "$TLS_URL" \
		>out 2>err &&
	test_must_be_empty err && up out 1 &&
	grep "\"name\":\"node_load1\".*\"instance\":\"$inst\"" out &&
	mgather scrape -n 1 --ca-file ca.crt --server-name other.test "$TLS_URL" \
		>out 2>err &&
	up out 0 && grep "^mgather: $TLS_URL: .*other.test" err
'

# s_server NAME: an openssl s_server that wants NAME as SNI (refusing
# any other), writing what it is sent to sni.NAME; its URL in sni.url.
s_server() {
	port=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1,
		LocalAddr => "127.0.0.1:0")->sockport') &&
	{ sleep 10 | openssl s_server -accept 127.0.0.1:$port -quiet \
		-cert server.crt -key server.key -cert2 server.crt -key2 server.key \
		-servername "$1" -servername_fatal >"sni.$1" 2>/dev/null &
	  echo $! >>../pids; } &&
	i=0 && until perl -MIO::Socket::INET \
		-e "exit !IO::Socket::INET->new(\"127.0.0.1:$port\")"; do
		i=$((i + 1)); test $i -lt 50 || return 1; sleep 0.1
	done &&
	echo "https://127.0.0.1:$port/metrics" >sni.url
}

test_expect_success 'TLS: --server-name is sent as SNI, the Host header stays' '
	s_server node.test && url=$(cat sni.url) && host=${url#https://} &&
	mgather scrape -n 1 --timeout 1s --ca-file ca.crt --server-name node.test \
		"$url" >out 2>err;
	grep "^GET /metrics HTTP/1.1" sni.node.test &&
	grep "^Host: ${host%/metrics}" sni.node.test &&
	s_server other.test && url=$(cat sni.url) &&
	mgather scrape -n 1 --timeout 1s --ca-file ca.crt --server-name node.test \
		"$url" >out 2>err;
	grep "unrecognized name" err && test_must_be_empty sni.other.test
'

test_expect_success 'TLS: a client certificate where the server asks for one' '
	mgather scrape -n 1 --ca-file ca.crt "$MTLS_URL" >out 2>err &&
	up out 0 && grep "^mgather: $MTLS_URL: " err &&
	mgather scrape -n 1 --ca-file ca.crt --cert-file client.crt \
		--key-file client.key "$MTLS_URL" >out 2>err &&
	test_must_be_empty err && up out 1
'

test_expect_success 'TLS: a certificate without its key, a file that is not there' '
	test_expect_code 2 mgather scrape -n 1 --cert-file client.crt "$TLS_URL" 2>err &&
	grep "cert-file and --key-file go together" err &&
	test_expect_code 1 mgather scrape -n 1 --ca-file nope.crt "$TLS_URL" 2>err &&
	grep "^mgather: cannot read .nope.crt.: No such file or directory$" err
'

test_done

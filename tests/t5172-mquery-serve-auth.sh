#!/bin/sh
test_description='mquery serve --auth: bearer tokens, each seeing its tenant only'
. "${0%/*}/tap.sh"

test_have_prog curl || test_skip_all 'curl not installed'
test_have_prog jq || test_skip_all 'jq not installed'
trap 'test_kill_pids "$TRASH/pids"; test_cleanup' EXIT

TOKA=token-of-team-a-0123456789
TOKB=token-of-team-b-9876543210

# get TOKEN PATH: GET PATH of the server with the token ('-' for none);
# the status line and headers in head, the body in body.
get() {
	if [ "$1" = - ]; then
		curl -s -D head -o body "$URL$2"
	else
		curl -s -D head -o body -H "Authorization: Bearer $1" "$URL$2"
	fi
}

test_expect_success 'a tokens file others may read is refused, as mgather refuses it' '
	cat >tokens <<-EOF &&
	# tenant  token
	team-a  $TOKA  rate=1000
	team-b  $TOKB
	EOF
	chmod 644 tokens &&
	mstore init -d st &&
	test_expect_code 1 mquery serve -d st --auth tokens --listen 127.0.0.1:0 2>err &&
	grep "tokens: others may read or change it (mode 644)" err &&
	chmod 600 tokens
'

test_expect_success 'usage: --auth is of a store, not with -f or --tenant' '
	test_expect_code 2 mquery serve -d st --auth tokens --tenant team-a 2>err &&
	grep "auth serves a store" err &&
	test_expect_code 2 mquery serve -f /dev/null --auth tokens 2>err &&
	grep "auth serves a store" err
'

test_expect_success 'setup: mgather listen --auth writes two tenants, mquery serve --auth reads them' '
	{ mgather listen --http 127.0.0.1:0 --auth tokens --store st >out 2>err &
		echo $! >>"$TRASH/pids"; } &&
	test_wait_grep err "http on" &&
	push=$(sed -n "s/.*http on \(127.0.0.1:[0-9]*\)\$/http:\/\/\1/p" err) &&
	echo $push >push &&
	printf "cpu{host=\"x\",tenant=\"team-b\"} 1\nshared 10\n" |
	curl -sf --data-binary @- -H "Authorization: Bearer $TOKA" \
		-H "Content-Type: text/plain" "$push/api/v1/push" &&
	printf "cpu{host=\"y\"} 2\nshared 20\n" |
	curl -sf --data-binary @- -H "Authorization: Bearer $TOKB" \
		-H "Content-Type: text/plain" "$push/api/v1/push" &&
	test $(mquery -d st --series | wc -l) = 4 &&
	test_serve mquery serve -d st --auth tokens --listen 127.0.0.1:@PORT@ &&
	echo $SERVE_PID >>"$TRASH/pids" && echo $SERVE_URL >url
'
URL=$(cat url 2>/dev/null)

test_expect_success 'no token, a wrong one, or not a bearer: 401, nothing told' '
	for p in "/api/v1/query?query=shared" /api/v1/labels \
	    "/api/v1/series?match[]=shared" /api/v1/label/tenant/values \
	    "/api/v1/query_range?query=shared&start=1&end=2&step=1" \
	    /api/v1/status/buildinfo /api/v1/nothing; do
		get - "$p" &&
		grep "^HTTP/1.1 401" head && grep "^WWW-Authenticate: Bearer" head &&
		jq -e ".status == \"error\" and (.error | test(\"a token is needed\"))" body &&
		get token-nobody-has-0123 "$p" && grep "^HTTP/1.1 401" head &&
		jq -e ".error | test(\"not known here\")" body &&
		curl -s -D head -o body -H "Authorization: Basic $TOKA" "$URL$p" &&
		grep "^HTTP/1.1 401" head || return 1
	done
'

# what TOKEN PATH JQ: what jq -c JQ makes of the answer to PATH.
what() {
	get "$1" "$2" && grep -q "^HTTP/1.1 200" head && jq -c "$3" body
}

test_expect_success 'each token sees its tenant only: query, query_range' '
	all=$(printf %s "{__name__=~\".+\"}" | jq -sRr @uri) &&
	what $TOKA "/api/v1/query?query=$all" "[.data.result[].metric] | sort" >got &&
	echo "[{\"__name__\":\"cpu\",\"host\":\"x\",\"tenant\":\"team-a\"},{\"__name__\":\"shared\",\"tenant\":\"team-a\"}]" >want &&
	test_cmp want got &&
	what $TOKB "/api/v1/query?query=$all" "[.data.result[].metric] | sort" >got &&
	echo "[{\"__name__\":\"cpu\",\"host\":\"y\",\"tenant\":\"team-b\"},{\"__name__\":\"shared\",\"tenant\":\"team-b\"}]" >want &&
	test_cmp want got &&
	what $TOKA "/api/v1/query?query=sum(shared)" ".data.result[0].value[1]" >got &&
	echo "\"10\"" >want && test_cmp want got &&
	q=$(printf %s "sum({tenant=\"team-b\"})" | jq -sRr @uri) &&
	what $TOKA "/api/v1/query?query=$q" ".data.result" >got &&
	echo "[]" >want && test_cmp want got &&
	now=$(date +%s) &&
	what $TOKB "/api/v1/query_range?query=sum(shared)&start=$((now - 60))&end=$now&step=15" \
		"[.data.result[].values[][1]] | unique" >got &&
	echo "[\"20\"]" >want && test_cmp want got
'

test_expect_success 'each token sees its tenant only: series, labels, label values' '
	what $TOKA "/api/v1/series?match[]=cpu&match[]=shared" ".data" >got &&
	mquery -d st --tenant team-a --series | jq -sc . >want &&
	test_cmp want got &&
	what $TOKB "/api/v1/series?match[]=%7Btenant%3D~%22.%2B%22%7D" ".data" >got &&
	mquery -d st --tenant team-b --series | jq -sc . >want &&
	test_cmp want got &&
	what $TOKA /api/v1/labels ".data" >got &&
	echo "[\"__name__\",\"host\",\"tenant\"]" >want && test_cmp want got &&
	what $TOKA /api/v1/label/tenant/values ".data" >got &&
	echo "[\"team-a\"]" >want && test_cmp want got &&
	what $TOKB /api/v1/label/host/values ".data" >got &&
	echo "[\"y\"]" >want && test_cmp want got &&
	what $TOKB /api/v1/label/__name__/values ".data" >got &&
	echo "[\"cpu\",\"shared\"]" >want && test_cmp want got
'

test_expect_success 'each token sees its tenant only: metadata' '
	printf "# HELP only_b Of team-b.\n# TYPE only_b counter\nonly_b 1\n" |
	curl -sf --data-binary @- -H "Authorization: Bearer $TOKB" \
		-H "Content-Type: text/plain" "$(cat push)/api/v1/push" &&
	i=0 && until what $TOKB /api/v1/metadata ".data | keys" >got &&
	    grep -q only_b got; do
		i=$((i + 1)); test $i -lt 50 || return 1; sleep 0.1
	done &&
	echo "[\"cpu\",\"only_b\",\"shared\"]" >want && test_cmp want got &&
	what $TOKB "/api/v1/metadata?metric=only_b" ".data.only_b" >got &&
	echo "[{\"type\":\"counter\",\"help\":\"Of team-b.\",\"unit\":\"\"}]" >want &&
	test_cmp want got &&
	what $TOKA /api/v1/metadata ".data | keys" >got &&
	echo "[\"cpu\",\"shared\"]" >want && test_cmp want got
'

test_expect_success 'samples a tenant pushes now are answered at once, to it alone' '
	printf "late 5\n" |
	curl -sf --data-binary @- -H "Authorization: Bearer $TOKB" \
		-H "Content-Type: text/plain" "$(cat push)/api/v1/push" &&
	i=0 && until what $TOKB "/api/v1/query?query=late" ".data.result[0].value[1]" >got &&
	    test -s got && test "$(cat got)" != null; do
		i=$((i + 1)); test $i -lt 50 || return 1; sleep 0.1
	done &&
	echo "\"5\"" >want && test_cmp want got &&
	what $TOKA "/api/v1/query?query=late" ".data.result" >got &&
	echo "[]" >want && test_cmp want got
'

test_done

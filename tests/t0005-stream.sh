#!/bin/sh
test_description='every program reads the stream alike (mtk-stream(5))'
. "${0%/*}/tap.sh"

T=1700000060

test_expect_success 'an empty label value is no label: one series' '
	cat >empty.jsonl <<-\EOT &&
	{"name":"e","value":1,"ts":1700000000000,"labels":{"a":""}}
	{"name":"e","value":2,"ts":1700000030000}
	{"name":"e","value":3,"ts":1700000000000,"labels":{"a":"","b":"x"}}
	{"labels" : {"b":"x", "a" : ""}, "name":"e","value":4,"ts":1700000030000}
	EOT
	mquery -f empty.jsonl --time $T -o jsonl --name e "e + 0" >actual &&
	cat >expect <<-\EOT &&
	{"name":"e","type":"gauge","value":2,"ts":1700000060000}
	{"name":"e","type":"gauge","value":4,"ts":1700000060000,"labels":{"b":"x"}}
	EOT
	test_cmp expect actual &&
	mquery -f empty.jsonl --time $T -o jsonl --name n "count(e)" >actual &&
	echo "{\"name\":\"n\",\"type\":\"gauge\",\"value\":2,\"ts\":1700000060000}" >expect &&
	test_cmp expect actual
'

test_expect_success 'a selector for the empty value finds the series without it' '
	mquery -f empty.jsonl --time $T -o jsonl "e{a=\"\"}" >actual &&
	cat >expect <<-\EOT &&
	{"name":"e","type":"gauge","value":2,"ts":1700000060000}
	{"name":"e","type":"gauge","value":4,"ts":1700000060000,"labels":{"b":"x"}}
	EOT
	test_cmp expect actual
'

test_expect_success 'mstore stores it without the label' '
	mstore init -d store --retention raw=100000d &&
	mstore -d store <empty.jsonl &&
	mquery -d store --series --start 1699999000 --end 1700001000 -o jsonl e >actual &&
	cat >expect <<-\EOT &&
	{"__name__":"e"}
	{"__name__":"e","b":"x"}
	EOT
	test_cmp expect actual
'

test_expect_success 'mquery writes valid UTF-8 for a PromQL string that is not' '
	mquery -f /dev/null --time $T -o jsonl --name v \
	    "label_replace(vector(1), \"a\", \"x\\xffy\", \"\", \"\")" >out &&
	printf "{\"name\":\"v\",\"type\":\"gauge\",\"value\":1,\"ts\":1700000060000,\"labels\":{\"a\":\"x\357\277\275y\"}}\n" >expect &&
	test_cmp expect out &&
	mstore -d store <out 2>err &&
	test_must_be_empty err
'

test_expect_success 'errors speak of lines and the stream, not of files or jansson flags' '
	cat >bad.jsonl <<-\EOT &&
	{"name":"c","value":1
	{"name":"n\u0000","value":1,"ts":1700000000000}
	EOT
	test_expect_code 1 mstore -d store bad.jsonl 2>err &&
	cat >expect <<-\EOT &&
	mstore: bad.jsonl:1: invalid JSON: '"'"'}'"'"' expected, but the line ends (column 21)
	mstore: bad.jsonl:2: \u0000 in a string, which the stream refuses (column 17)
	mstore: 2 bad lines, 0 samples rejected
	EOT
	test_cmp expect err
'

test_done

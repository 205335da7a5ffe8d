#!/bin/sh
test_description='mgather read --format csv: a sample a line or a sample a cell, from mquery and spreadsheets'
. "${0%/*}/tap.sh"

test_expect_success 'what mquery -o csv writes reads back as the same stream' '
	cat >in.jsonl <<-\EOF &&
	{"name":"up","type":"gauge","value":1,"ts":1700000000000,"labels":{"job":"a","x":"q,\"z\\n"}}
	{"name":"up","type":"gauge","value":0,"ts":1700000015000,"labels":{"job":"a","x":"q,\"z\\n"}}
	{"name":"weird.name","type":"gauge","value":"NaN","ts":1700000000000,"labels":{"job":"b"}}
	{"name":"temp","type":"gauge","value":-21.5,"ts":1700000005000,"labels":{"path":"C:\\x","room":"kitchen \"north\"","tab":"a\tb"}}
	{"name":"big","type":"gauge","value":1.7976931348623157e+308,"ts":1700000010000}
	{"name":"tiny","type":"gauge","value":5e-324,"ts":1700000010000,"labels":{"u":"é😀"}}
	{"name":"old","type":"gauge","value":"-Inf","ts":-1000}
	EOF
	mquery -f in.jsonl -o csv "{__name__=~\".+\"}" --start -1 --end 1700000020 >in.csv &&
	head -n 1 in.csv >head &&
	echo series,timestamp,value >want && test_cmp want head &&
	mgather read --format csv in.csv >out 2>err &&
	test_must_be_empty err &&
	sort in.jsonl >want && sort out >have && test_cmp want have
'

test_expect_success 'long format: labels as columns, an empty cell none, CRLF' '
	printf "name,job,instance,value,time\r\nup,a,,1,1700000000\r\nup,,\"h,1\", 2.5 ,2023-11-14T22:13:20.25Z\r\n" >long.csv &&
	mgather read --format csv long.csv >out &&
	cat >expect <<-\EOF &&
	{"name":"up","type":"gauge","value":1,"ts":1700000000000,"labels":{"job":"a"}}
	{"name":"up","type":"gauge","value":2.5,"ts":1700000000250,"labels":{"instance":"h,1"}}
	EOF
	test_cmp expect out
'

test_expect_success 'wide format: a sample a cell, into a store and out of mquery' '
	cat >temps.csv <<-\EOF &&
	time,cpu_temp_celsius,fan_rpm
	2023-11-14T22:13:20Z,41.5,1200
	1700000015,,1210
	1700000030.5,43,
	EOF
	mgather read --format csv temps.csv >out &&
	cat >expect <<-\EOF &&
	{"name":"cpu_temp_celsius","type":"gauge","value":41.5,"ts":1700000000000}
	{"name":"fan_rpm","type":"gauge","value":1200,"ts":1700000000000}
	{"name":"fan_rpm","type":"gauge","value":1210,"ts":1700000015000}
	{"name":"cpu_temp_celsius","type":"gauge","value":43,"ts":1700000030500}
	EOF
	test_cmp expect out &&
	mstore init -d s --retention raw=100000d &&
	mstore -d s <out &&
	mquery -d s -o csv --start 1699999999 --end 1700000031 fan_rpm >got &&
	cat >expect <<-\EOF &&
	series,timestamp,value
	fan_rpm,1700000000000,1200
	fan_rpm,1700000015000,1210
	EOF
	test_cmp expect got &&
	mquery -d s -o jsonl --time 1700000031 "max_over_time(cpu_temp_celsius[1m])" >got &&
	grep "\"value\":43," got
'

test_expect_success 'no time column: the time they were read, one for a line' '
	printf "a,b\n1,2\n" >nots.csv &&
	before=$(date +%s) &&
	mgather read --format csv nots.csv >out &&
	after=$(date +%s) &&
	ts=$(sed -n "s/.*\"ts\":\([0-9]*\)}\$/\1/p" out | sort -u) &&
	test $(echo "$ts" | wc -l) = 1 &&
	test "$ts" -ge $((before * 1000)) && test "$ts" -lt $(((after + 1) * 1000)) &&
	sed "s/,\"ts\":[0-9]*//" out >got &&
	cat >expect <<-\EOF &&
	{"name":"a","type":"gauge","value":1}
	{"name":"b","type":"gauge","value":2}
	EOF
	test_cmp expect got
'

test_expect_success 'bad lines: file:line: why, the good ones kept, exit 1; --strict stops' '
	cat >bad.csv <<-\EOF &&
	series,timestamp,value
	up{job="a"},1700000000000,1
	up,1700000000000
	up,1700000000000,x
	"up{job=""a}",1700000000000,1
	up,1700000000000,4
	"up{x=""a
	b""}",1700000000000,5
	up,1700000000000,6
	EOF
	test_expect_code 1 mgather read --format csv bad.csv >out 2>err &&
	cat >expect <<-\EOF &&
	mgather: bad.csv:2: field 1: a quote inside a field that is not quoted
	mgather: bad.csv:3: 2 fields, not 3 as in the header
	mgather: bad.csv:4: a value that is not a number: '"'"'x'"'"'
	mgather: bad.csv:5: series: a string without its closing quote
	mgather: bad.csv:7: a quoted field that spans lines, which is not read
	mgather: bad.csv:8: inside a quoted field that spans lines, which is not read
	mgather: 6 bad lines, 0 samples rejected
	EOF
	test_cmp expect err &&
	cat >expect <<-\EOF &&
	{"name":"up","type":"gauge","value":4,"ts":1700000000000}
	{"name":"up","type":"gauge","value":6,"ts":1700000000000}
	EOF
	test_cmp expect out &&
	test_expect_code 1 mgather read --format csv --strict bad.csv >out 2>err &&
	test_must_be_empty out &&
	cat >expect <<-\EOF &&
	mgather: bad.csv:2: field 1: a quote inside a field that is not quoted
	mgather: 1 bad line, 0 samples rejected
	EOF
	test_cmp expect err
'

test_expect_success 'a bad header refuses its file, the next file is read' '
	printf "name,value,job,job\nup,1,a,b\nup,2,a,b\n" >dup.csv &&
	printf "\357\273\277time,cpu.temp\n1,2\n" >dot.csv &&
	test_expect_code 1 mgather read --format csv dup.csv dot.csv long.csv >out 2>err &&
	cat >expect <<-\EOF &&
	mgather: dup.csv:1: bad header, file not read: duplicate column '"'"'job'"'"'
	mgather: dot.csv:1: bad header, file not read: column '"'"'cpu.temp'"'"': not a metric name
	mgather: 2 bad lines, 0 samples rejected
	EOF
	test_cmp expect err &&
	test $(wc -l <out) = 2 &&
	test_expect_code 1 mgather read --format csv --strict dup.csv long.csv >out 2>err &&
	test_must_be_empty out
'

test_expect_success 'standard input, and the header of no value and no metric' '
	printf "time,timestamp,value,name\n" |
		test_expect_code 1 mgather read --format csv >out 2>err &&
	grep "^mgather: <stdin>:1: bad header, file not read: both .time. and .timestamp. columns\$" err &&
	printf "time\n1\n" | test_expect_code 1 mgather read --format csv - 2>err &&
	grep "^mgather: <stdin>:1: bad header, file not read: no .value. column and no metric columns\$" err
'

test_done

#!/bin/sh
test_description='the PromQL help (lib/promql/promql_help.c): every example evaluates over what mgather gathers'
. "${0%/*}/tap.sh"

# The examples, "name<TAB>expression", from the unit test's helper mode
# (built by make tools, as make check does).
HELP=$MTK_BUILD/tests/t_promql_help

test_expect_success 'setup: this machine gathered, the examples listed' '
	mgather -n 3 -i 1s -l host=here >gathered.jsonl &&
	"$HELP" --examples >examples &&
	test $(wc -l <examples) -gt 100 &&
	grep "^rate	rate(" examples
'

# Comparisons and the set operators filter: what they keep depends on
# the machine's values.  absent_over_time() answers only for a missing
# series, offset a day ago only a day later, the histogram functions only
# for histograms, which mgather does not gather.
may_be_empty='!= < <= == > >= and or unless absent_over_time offset
	histogram_count histogram_fraction histogram_quantile histogram_sum'

while IFS='	' read -r name expr; do
	answers=1
	for n in $may_be_empty; do
		test "$n" = "$name" && answers=0
	done
	test_expect_success "$name: $expr" '
		mquery -f gathered.jsonl -o jsonl "$expr" >instant 2>err &&
		test_must_be_empty err &&
		mquery -f gathered.jsonl -o jsonl --since 2s --step 1s "$expr" \
			>range 2>err &&
		test_must_be_empty err &&
		# Where this machine has every metric it reads, it answers.
		for m in $(printf "%s" "$expr" |
		    grep -o "\(node\|mtk\)_[A-Za-z0-9_]*" | sort -u); do
			grep -q "\"name\":\"$m\"" gathered.jsonl || exit 0
		done &&
		if test $answers = 1; then test -s instant && test -s range; fi
	'
done <examples

test_done

#!/bin/sh
test_description='malert test: rule unit tests in promtool'"'"'s format, the same verdicts'
. "${0%/*}/tap.sh"

FIXTURES=$SRC_DIR/tests/fixtures/ruletests

# Each file gives the verdict its name says, and promtool's.
for f in "$FIXTURES"/pass-*.yml "$FIXTURES"/fail-*.yml; do
	name=${f##*/}
	case $name in
	pass-*) want=0 ;;
	*) want=1 ;;
	esac
	test_expect_success "$name: exit $want" "
		test_expect_code $want malert test '$f' >out &&
		head -n 1 out | grep '^Unit Testing:  ' &&
		if [ $want = 0 ]; then grep '^  SUCCESS\$' out; else grep '^  FAILED:\$' out; fi
	"
	if test_have_prog promtool; then
		test_expect_success "$name: the verdict of promtool test rules" "
			promtool test rules '$f' >/dev/null 2>&1; p=\$?
			malert test '$f' >/dev/null 2>&1; m=\$?
			test \$p = \$m
		"
	fi
done

# The alert kinds malert(1) shows, each tested (tests/fixtures/recipes).
RECIPES=$SRC_DIR/tests/fixtures/recipes
test_expect_success 'the recipes of malert(1) pass their tests' '
	malert test "$RECIPES/recipes.test.yml" "$RECIPES/recipes-mtk.test.yml" >out &&
	test $(grep -c "^  SUCCESS" out) = 2
'
if test_have_prog promtool; then
	test_expect_success 'and promtool passes those Prometheus 2.42 can read' '
		promtool test rules "$RECIPES/recipes.test.yml" >out 2>&1
	'
fi

test_expect_success 'a failure names the alert, the time, what was expected and what came' '
	test_expect_code 1 malert test "$FIXTURES/fail-instance-down-early.yml" >out &&
	grep "alertname: InstanceDown, time: 240s" out &&
	grep "exp: \[{alertname=InstanceDown,instance=localhost:9090,job=prometheus,severity=page}" out &&
	grep "got: \[\]" out
'

test_expect_success 'several files: each reported, exit 1 if any fails' '
	test_expect_code 1 malert test "$FIXTURES/pass-recording.yml" \
		"$FIXTURES/fail-expr.yml" >out &&
	grep -c "^Unit Testing:" out >n && echo 2 >two && test_cmp two n
'

test_expect_success 'a bad value in the notation is named' '
	cat >t.yml <<-EOF &&
	rule_files: ["$FIXTURES/rules.yml"]
	tests:
	  - interval: 1m
	    input_series:
	      - series: "up{job=\"a\"}"
	        values: "1 2 3+x"
	    promql_expr_test:
	      - expr: up
	        eval_time: 1m
	        exp_samples: []
	EOF
	test_expect_code 1 malert test t.yml >out &&
	grep "bad value .3+x." out
'

test_expect_success 'an eval_time past a million evaluations is refused, not run' '
	cat >t.yml <<-EOF &&
	rule_files: ["$FIXTURES/rules.yml"]
	evaluation_interval: 1m
	tests:
	  - interval: 1m
	    input_series:
	      - series: "up{job=\"a\"}"
	        values: "1 2 3"
	    promql_expr_test:
	      - expr: up
	        eval_time: 700d
	        exp_samples: []
	      - expr: up
	        eval_time: 1m
	        exp_samples:
	          - labels: "up{job=\"a\"}"
	            value: 2
	  - interval: 1m
	    input_series:
	      - series: "up{job=\"a\"}"
	        values: "1 2 3"
	    promql_expr_test:
	      - expr: up
	        eval_time: 1d
	        exp_samples: []
	EOF
	test_expect_code 1 malert test t.yml >out &&
	grep "eval_time 100w needs 1008001 evaluations of the rules, more than the 1000000 allowed" out &&
	test $(grep -c "needs.*evaluations" out) = 1
'

test_done

/* t_relabel.c - metric_relabel_configs: each action, defaults, errors at load */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/buf.h"
#include "stream/relabel.h"
#include "tap.h"

/*
 * Each case: a rule file, a sample written "name{a=1,b=2}" (values
 * without ',' or '}'; an empty value is a label that came empty), and
 * what relabelling gives: the sample with its labels sorted, "drop", or
 * "error: " and the message.  The outputs are those of Prometheus 2.42
 * given the same rules.
 */
static const struct {
	const char *title, *rules, *in, *want;
} cases[] = {
	{ "no rules", "[]", "up{job=a}", "up{job=a}" },
	{ "replace with every default copies a label",
	    "- source_labels: [job]\n  target_label: team\n",
	    "up{job=a}", "up{job=a,team=a}" },
	{ "a missing source label is the empty string: the target goes",
	    "- source_labels: [nope]\n  target_label: job\n",
	    "up{job=a}", "up" },
	{ "no match, no replacement",
	    "- source_labels: [job]\n  regex: b\n  target_label: x\n"
	    "  replacement: y\n", "up{job=a}", "up{job=a}" },
	{ "the regex is anchored at both ends",
	    "- source_labels: [job]\n  regex: od\n  target_label: x\n"
	    "  replacement: y\n", "up{job=node}", "up{job=node}" },
	{ "... and matches whole",
	    "- source_labels: [job]\n  regex: no.e\n  target_label: x\n"
	    "  replacement: y\n", "up{job=node}", "up{job=node,x=y}" },
	{ "an alternation is anchored as a whole",
	    "- source_labels: [job]\n  regex: a|b\n  action: keep\n",
	    "up{job=ab}", "drop" },
	{ "pasted as Prometheus pastes it: a)|(b is half anchored",
	    "- source_labels: [job]\n  regex: 'a)|(b'\n  action: keep\n",
	    "up{job=xb}", "up{job=xb}" },
	{ "$1 and ${2}, in a replacement",
	    "- source_labels: [instance]\n  regex: '(.*):(\\d+)'\n"
	    "  target_label: hp\n  replacement: '${2}@$1'\n",
	    "up{instance=db1:9100}", "up{hp=9100@db1,instance=db1:9100}" },
	{ "$1x names group 1x, which is none: empty, the target goes",
	    "- source_labels: [job]\n  regex: '(.*)'\n  target_label: job\n"
	    "  replacement: '$1x'\n", "up{job=a}", "up" },
	{ "${1}x",
	    "- source_labels: [job]\n  regex: '(.*)'\n  target_label: job\n"
	    "  replacement: '${1}x'\n", "up{job=a}", "up{job=ax}" },
	{ "named groups, $0, $$ and a bare $",
	    "- source_labels: [job]\n  regex: '(?P<first>.)(?P<rest>.*)'\n"
	    "  target_label: x\n  replacement: '$rest-${first}-$0-$$-$-${'\n",
	    "up{job=abc}", "up{job=abc,x=bc-a-abc-$-$-${}" },
	{ "a group that did not take part is empty",
	    "- source_labels: [job]\n  regex: '(a)|(b)'\n  target_label: x\n"
	    "  replacement: '[$1][$2]'\n", "up{job=b}", "up{job=b,x=[][b]}" },
	{ "a leading zero names no group",
	    "- source_labels: [job]\n  regex: '(a)'\n  target_label: x\n"
	    "  replacement: '[$01]'\n", "up{job=a}", "up{job=a,x=[]}" },
	{ "an empty replacement removes the target",
	    "- source_labels: [job]\n  target_label: instance\n"
	    "  replacement: ''\n", "up{instance=h:1,job=a}", "up{job=a}" },
	{ "references in target_label",
	    "- source_labels: [kind, v]\n  regex: '(\\w+);(.*)'\n"
	    "  target_label: 'k_$1'\n  replacement: '$2'\n",
	    "up{kind=disk,v=sda}", "up{k_disk=sda,kind=disk,v=sda}" },
	{ "a target that expands to nothing: nothing",
	    "- source_labels: [code]\n  regex: 2..\n  target_label: $path\n",
	    "up{code=200}", "up{code=200}" },
	{ "a target that expands to no label name: nothing",
	    "- source_labels: [v]\n  regex: '(.*)'\n  target_label: '${1}'\n",
	    "up{v=9x}", "up{v=9x}" },
	{ "the separator joins the sources, missing ones as empty",
	    "- source_labels: [a, nope, b]\n  separator: /\n  regex: 'x//y'\n"
	    "  action: drop\n", "up{a=x,b=y}", "drop" },
	{ "the default separator is ;",
	    "- source_labels: [a, b]\n  target_label: ab\n",
	    "up{a=x,b=y}", "up{a=x,ab=x;y,b=y}" },
	{ "keep by name",
	    "- source_labels: [__name__]\n  regex: 'node_.*'\n  action: keep\n",
	    "go_goroutines{job=a}", "drop" },
	{ "keep by name, kept",
	    "- source_labels: [__name__]\n  regex: 'node_.*'\n  action: keep\n",
	    "node_load1{job=a}", "node_load1{job=a}" },
	{ "drop, any case of action",
	    "- source_labels: [__name__]\n  regex: 'go_.*'\n  action: DROP\n",
	    "go_goroutines", "drop" },
	{ "rules run in order: a drop sees what a replace made",
	    "- source_labels: [job]\n  target_label: x\n"
	    "- source_labels: [x]\n  regex: a\n  action: drop\n",
	    "up{job=a}", "drop" },
	{ "(.*) does not cross a newline",
	    "- source_labels: [v]\n  target_label: w\n",
	    "up{v=a\nb}", "up{v=a\nb}" },
	{ "replace renames the metric",
	    "- source_labels: [__name__]\n  regex: 'node_(.*)'\n"
	    "  target_label: __name__\n  replacement: 'host_$1'\n",
	    "node_load1{job=a}", "host_load1{job=a}" },
	{ "a metric name that is not one is an error",
	    "- source_labels: [__name__]\n  target_label: __name__\n"
	    "  replacement: '1$1'\n", "up{job=a}",
	    "error: invalid metric name '1up' after relabelling" },
	{ "labeldrop",
	    "- regex: 'a|b'\n  action: labeldrop\n",
	    "up{a=1,b=2,c=3}", "up{c=3}" },
	{ "labeldrop matches the whole name",
	    "- regex: 'a'\n  action: labeldrop\n",
	    "up{a=1,ab=2}", "up{ab=2}" },
	{ "labelkeep keeps __name__ when told",
	    "- regex: '__name__|job'\n  action: labelkeep\n",
	    "up{a=1,job=j}", "up{job=j}" },
	{ "labelkeep that forgets __name__: the sample has no name",
	    "- regex: 'job'\n  action: labelkeep\n",
	    "up{a=1,job=j}", "error: no metric name after relabelling" },
	{ "labeldrop of __name__ too",
	    "- regex: '__.*'\n  action: labeldrop\n",
	    "up{a=1}", "error: no metric name after relabelling" },
	{ "labelmap copies labels under new names",
	    "- regex: 'meta_(.+)'\n  action: labelmap\n",
	    "up{meta_team=db,meta_x=1,job=j}",
	    "up{job=j,meta_team=db,meta_x=1,team=db,x=1}" },
	{ "labelmap sees the set as it was, in name order",
	    "- regex: '(a|b)'\n  replacement: c\n  action: labelmap\n",
	    "up{b=2,a=1}", "up{a=1,b=2,c=2}" },
	{ "labelmap passes over empty labels",
	    "- regex: 'e'\n  replacement: c\n  action: labelmap\n",
	    "up{e=,c=1}", "up{c=1,e=}" },
	{ "lowercase",
	    "- source_labels: [v]\n  target_label: v\n  action: lowercase\n",
	    "up{v=AbC-\xc3\x89T\xc3\x89}", "up{v=abc-\xc3\xa9t\xc3\xa9}" },
	{ "uppercase into another label",
	    "- source_labels: [v, w]\n  target_label: u\n  action: uppercase\n",
	    "up{v=ab,w=\xc3\xa9}", "up{u=AB;\xc3\x89,v=ab,w=\xc3\xa9}" },
	{ "lowercase of nothing removes the target",
	    "- source_labels: [nope]\n  target_label: v\n  action: lowercase\n",
	    "up{v=x}", "up" },
	{ "keepequal",
	    "- source_labels: [a]\n  target_label: b\n  action: keepequal\n",
	    "up{a=1,b=2}", "drop" },
	{ "keepequal, equal",
	    "- source_labels: [a]\n  target_label: b\n  action: keepequal\n",
	    "up{a=1,b=1}", "up{a=1,b=1}" },
	{ "dropequal: two missing labels are equal",
	    "- source_labels: [x]\n  target_label: y\n  action: dropequal\n",
	    "up{a=1}", "drop" },
	{ "labels starting __ left by the rules are removed",
	    "- source_labels: [job]\n  target_label: __tmp\n"
	    "- source_labels: [__tmp]\n  target_label: t\n",
	    "up{job=a}", "up{job=a,t=a}" },
	{ "an empty label counts as missing",
	    "- source_labels: [e]\n  regex: ''\n  target_label: was_empty\n"
	    "  replacement: y1\n", "up{e=}", "up{e=,was_empty=y1}" },
	{ "a scraped label named __name__ is refused",
	    "- source_labels: [a]\n  action: drop\n",
	    "up{__name__=x}", "error: reserved label name '__name__'" },
	{ "a scraped __ label goes through the rules, then away",
	    "- source_labels: [__x]\n  target_label: x\n",
	    "up{__x=1}", "up{x=1}" },
	{ "JSON is YAML",
	    "[{\"source_labels\": [\"job\"], \"regex\": \"a\","
	    " \"action\": \"drop\"}]", "up{job=a}", "drop" },
	{ "a null regex is the empty regex",
	    "- source_labels: [job]\n  regex:\n  action: keep\n",
	    "up{job=a}", "drop" },
	{ "a literal regex",
	    "- source_labels: [__name__]\n  regex: up\n  target_label: x\n"
	    "  replacement: '[$0|$1]'\n", "up", "up{x=[up|]}" },
	{ "a regex case-insensitive",
	    "- source_labels: [v]\n  regex: '(?i)get'\n  action: keep\n",
	    "up{v=GeT}", "up{v=GeT}" },
};

static const struct {
	const char *title, *rules, *msg;
} bad[] = {
	{ "not a list", "source_labels: [a]\n", ": a list of rules is needed" },
	{ "a rule not a mapping", "- []\n", ": rule 1: a mapping of fields is needed" },
	{ "an unknown action", "- action: replace\n  target_label: a\n"
	    "- action: frobnicate\n", ": rule 2: unknown action 'frobnicate'" },
	{ "hashmod", "- source_labels: [a]\n  target_label: b\n  modulus: 4\n"
	    "  action: hashmod\n", ": rule 1: action 'hashmod' is not supported" },
	{ "an empty action", "- action: ''\n", ": rule 1: the action is empty" },
	{ "an unknown field", "- target_label: a\n  regexp: x\n",
	    ": rule 1: unknown field 'regexp'" },
	{ "a field twice", "- target_label: a\n  target_label: b\n",
	    ": rule 1: field 'target_label' given twice" },
	{ "replace without a target", "- source_labels: [a]\n",
	    ": rule 1: action 'replace' needs a 'target_label'" },
	{ "an invalid target", "- target_label: 'a-b'\n",
	    ": rule 1: 'a-b' is not a valid 'target_label' for action 'replace'" },
	{ "an invalid target with a reference", "- target_label: '$$a'\n",
	    ": rule 1: '$$a' is not a valid 'target_label' for action 'replace'" },
	{ "a target starting with a digit", "- target_label: '1$a'\n",
	    ": rule 1: '1$a' is not a valid 'target_label' for action 'replace'" },
	{ "an invalid source label", "- source_labels: [a.b]\n  target_label: c\n",
	    ": rule 1: 'a.b' is not a valid label name" },
	{ "source_labels not a list", "- source_labels: a\n  target_label: c\n",
	    ": rule 1: 'source_labels' must be a list" },
	{ "a regex that does not compile", "- target_label: c\n  regex: 'x('\n",
	    ": rule 1: invalid regex 'x(': missing closing parenthesis" },
	{ "a regex that is a list", "- target_label: c\n  regex: [a]\n",
	    ": rule 1: 'regex' must be a string" },
	{ "labeldrop with a source", "- source_labels: [a]\n  action: labeldrop\n",
	    ": rule 1: action 'labeldrop' takes only 'regex'" },
	{ "labelkeep with a target", "- target_label: a\n  action: labelkeep\n",
	    ": rule 1: action 'labelkeep' takes only 'regex'" },
	{ "keepequal with a regex", "- source_labels: [a]\n  target_label: b\n"
	    "  regex: x\n  action: keepequal\n",
	    ": rule 1: action 'keepequal' takes only 'source_labels' and 'target_label'" },
	{ "lowercase with a replacement", "- source_labels: [a]\n  target_label: b\n"
	    "  replacement: x\n  action: lowercase\n",
	    ": rule 1: action 'lowercase' takes no 'replacement'" },
	{ "uppercase into an invalid label", "- source_labels: [a]\n"
	    "  target_label: $1\n  action: uppercase\n",
	    ": rule 1: '$1' is not a valid 'target_label' for action 'uppercase'" },
	{ "labelmap to no label name", "- regex: (.*)\n  replacement: '-$1'\n"
	    "  action: labelmap\n",
	    ": rule 1: '-$1' is not a valid 'replacement' for action 'labelmap'" },
	{ "a modulus that is no number", "- target_label: a\n  modulus: x\n",
	    ": rule 1: 'modulus' must be a number" },
	{ "YAML that does not parse", "- [a\n", ": 2:1: yaml: " },
};

/* A file of 'text', in memory: its path. */
static int
memfile(const char *text, char path[32])
{
	int fd = memfd_create("t_relabel", 0);

	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	snprintf(path, 32, "/proc/self/fd/%d", fd);
	return fd;
}

/* Sample "name{a=1,b=2}" into 's', its strings in 'store'. */
static void
parse_sample(const char *in, struct sample *s, struct label *l, char *store)
{
	char *p = store, *e;

	strcpy(store, in);
	memset(s, 0, sizeof(*s));
	s->name = p;
	s->labels = l;
	if ((e = strchr(p, '{')) == NULL) {
		s->name_len = strlen(p);
		return;
	}
	*e++ = '\0';
	s->name_len = strlen(p);
	while (*e && *e != '}') {
		char *eq = strchr(e, '='), *end = e + strcspn(e, ",}");
		*eq = '\0';
		l[s->nlabels].name = e;
		l[s->nlabels].name_len = (uint32_t)strlen(e);
		l[s->nlabels].value = eq + 1;
		l[s->nlabels].value_len = (uint32_t)(end - eq - 1);
		s->nlabels++;
		e = *end ? end + 1 : end;
		*end = '\0';
	}
}

static int
cmp_label(const void *a, const void *b)
{
	return strcmp(((const struct label *)a)->name,
	    ((const struct label *)b)->name);
}

/* Sample 's' written back as "name{a=1,b=2}", its labels sorted. */
static void
format_sample(struct buf *b, struct sample *s)
{
	size_t i;

	buf_add(b, s->name, s->name_len);
	qsort(s->labels, s->nlabels, sizeof(*s->labels), cmp_label);
	for (i = 0; i < s->nlabels; i++) {
		buf_addch(b, i ? ',' : '{');
		buf_add(b, s->labels[i].name, s->labels[i].name_len);
		buf_addch(b, '=');
		buf_add(b, s->labels[i].value, s->labels[i].value_len);
	}
	if (s->nlabels)
		buf_addch(b, '}');
}

static void
test_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct errbuf eb = ERRBUF_INIT;
		struct relabel_rules *r;
		struct label l[16];
		struct sample s;
		struct buf got = BUF_INIT;
		char path[32], store[256];
		int fd = memfile(cases[i].rules, path), k, pass;

		if ((r = relabel_load(path, &eb)) == NULL) {
			ok(0, "%s: %s", cases[i].title, eb.msg);
			close(fd);
			continue;
		}
		/* Twice: the scratch space of one call must not leak into the next. */
		for (pass = 0; pass < 2; pass++) {
			buf_reset(&got);
			parse_sample(cases[i].in, &s, l, store);
			k = relabel_apply(r, &s, &eb);
			if (k == 1)
				format_sample(&got, &s);
			else if (k == 0)
				buf_adds(&got, "drop");
			else
				buf_addf(&got, "error: %s", eb.msg);
		}
		is_str(got.p, cases[i].want, "%s", cases[i].title);
		relabel_free(r);
		buf_release(&got);
		close(fd);
	}
}

static void
test_bad(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct errbuf eb = ERRBUF_INIT;
		struct relabel_rules *r;
		char path[32];
		int fd = memfile(bad[i].rules, path);
		size_t pl = strlen(path);

		r = relabel_load(path, &eb);
		ok(r == NULL && strncmp(eb.msg, path, pl) == 0 &&
		    strncmp(eb.msg + pl, bad[i].msg, strlen(bad[i].msg)) == 0,
		    "refused: %s", bad[i].title);
		if (r != NULL || strncmp(eb.msg + pl, bad[i].msg,
		    strlen(bad[i].msg)) != 0)
			printf("#   got '%s'\n#  want '%s%s'\n", eb.msg, path,
			    bad[i].msg);
		relabel_free(r);
		close(fd);
	}
}

static void
test_misc(void)
{
	struct errbuf eb = ERRBUF_INIT;
	struct relabel_rules *r;
	char path[32];
	int fd;

	fd = memfile("", path);
	r = relabel_load(path, &eb);
	ok(r != NULL && relabel_count(r) == 0, "an empty file is no rules");
	relabel_free(r);
	close(fd);

	fd = memfile("- {source_labels: [a], action: keep}\n"
	    "- {source_labels: [a], target_label: b, action: dropequal}\n", path);
	r = relabel_load(path, &eb);
	ok(r != NULL && relabel_count(r) == 2, "two rules in flow style");
	relabel_free(r);
	close(fd);

	r = relabel_load("/nonexistent/rules.yml", &eb);
	ok(r == NULL && strcmp(eb.msg, "/nonexistent/rules.yml: cannot open: "
	    "No such file or directory") == 0, "a missing file: %s", eb.msg);
	relabel_free(NULL);
}

int
main(void)
{
	test_cases();
	test_bad();
	test_misc();
	return done_testing();
}

/* rules.c - Prometheus rule files: groups of alerting and recording rules */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/rules.h"
#include "base/yamldoc.h"
#include "base/xalloc.h"
#include "promql/promql_parse.h"
#include "stream/metric.h"
#include "stream/utf8.h"

/* Reading one file: its name, its YAML document, where errors go. */
struct reader {
	struct rule_set *rs;
	const char *path;
	struct yamldoc *doc;
	size_t errors;
};

static void __attribute__((format(printf, 3, 4)))
error_at(struct reader *rd, const yaml_node_t *at, const char *fmt, ...)
{
	char msg[1024], *line;
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (at)
		n = asprintf(&line, "%s:%lu:%lu: %s", rd->path,
		    (unsigned long)at->start_mark.line + 1,
		    (unsigned long)at->start_mark.column + 1, msg);
	else
		n = asprintf(&line, "%s: %s", rd->path, msg);
	if (n < 0)
		abort();
	rd->rs->errors = xreallocarray(rd->rs->errors, rd->rs->nerrors + 1,
	    sizeof(*rd->rs->errors));
	rd->rs->errors[rd->rs->nerrors++] = line;
	rd->errors++;
}

static yaml_node_t *
node(struct reader *rd, int i)
{
	return yamldoc_node(rd->doc, i);
}

/* A scalar's text, or NULL (an error said) for another node. */
static const char *
scalar(struct reader *rd, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE) {
		error_at(rd, n, "%s must be a string", what);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

static int
is_null(const yaml_node_t *n)
{
	return yamldoc_is_null(n);
}

int
rules_duration(const char *s, int64_t *ms)
{
	/* Prometheus: [0-9]+ followed by y w d h m s ms, largest first. */
	static const struct { const char *unit; int64_t ms; } units[] = {
		{ "y", 365LL * 86400000 }, { "w", 7LL * 86400000 },
		{ "d", 86400000 }, { "h", 3600000 }, { "m", 60000 },
		{ "s", 1000 }, { "ms", 1 },
	};
	size_t next = 0, i;
	int64_t total = 0;
	const char *p = s;

	if (strcmp(s, "0") == 0) {
		*ms = 0;
		return 0;
	}
	if (*p == '\0')
		return -1;
	while (*p) {
		int64_t n = 0;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9') {
			if (n > (INT64_MAX - 9) / 10)
				return -1;
			n = n * 10 + (*p++ - '0');
		}
		/* "ms" before "m": the longest unit that matches. */
		for (i = next; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t ul = strlen(units[i].unit);
			if (strncmp(p, units[i].unit, ul) == 0 &&
			    !(ul == 1 && units[i].unit[0] == 'm' && p[1] == 's'))
				break;
		}
		if (i == sizeof(units) / sizeof(units[0]))
			return -1;
		if (n > INT64_MAX / units[i].ms ||
		    total > INT64_MAX - n * units[i].ms)
			return -1;
		total += n * units[i].ms;
		p += strlen(units[i].unit);
		next = i + 1;
	}
	*ms = total;
	return 0;
}

static int
cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct rule_kv *)a)->name,
	    ((const struct rule_kv *)b)->name);
}

static void
kv_free(struct rule_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(kv[i].name);
		free(kv[i].value);
		tmpl_free(kv[i].t);
	}
	free(kv);
}

/* A mapping of strings (labels, annotations) into '*out'. */
static void
read_map(struct reader *rd, yaml_node_t *m, const char *what,
    struct rule_kv **out, size_t *n)
{
	yaml_node_pair_t *pr;

	if (is_null(m))
		return;
	if (m->type != YAML_MAPPING_NODE) {
		error_at(rd, m, "%s must be a mapping of names to strings", what);
		return;
	}
	for (pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
	    pr++) {
		yaml_node_t *k = node(rd, pr->key), *v = node(rd, pr->value);
		const char *ks = scalar(rd, k, what), *vs;
		size_t i;
		if (ks == NULL)
			continue;
		vs = is_null(v) ? "" : scalar(rd, v, what);
		if (vs == NULL)
			continue;
		for (i = 0; i < *n; i++)
			if (strcmp((*out)[i].name, ks) == 0)
				break;
		if (i < *n) {
			error_at(rd, k, "mapping key \"%s\" already defined", ks);
			continue;
		}
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[*n].name = xstrdup(ks);
		(*out)[*n].value = xstrdup(vs);
		(*out)[*n].t = NULL;
		(*n)++;
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_kv);
}

/* Look up key 'name' in mapping 'm' (NULL: absent). */
static yaml_node_t *
field(struct reader *rd, yaml_node_t *m, const char *name)
{
	return yamldoc_field(rd->doc, m, name);
}

/* Every key of 'm' must be one of 'known' (NULL-ended) and not repeated. */
static void
known_fields(struct reader *rd, yaml_node_t *m, const char *const *known,
    const char *type)
{
	yaml_node_pair_t *pr, *q;

	for (pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
	    pr++) {
		yaml_node_t *k = node(rd, pr->key);
		const char *ks;
		size_t i;
		if (k->type != YAML_SCALAR_NODE) {
			error_at(rd, k, "a key of %s must be a string", type);
			continue;
		}
		ks = (const char *)k->data.scalar.value;
		for (i = 0; known[i]; i++)
			if (strcmp(known[i], ks) == 0)
				break;
		if (known[i] == NULL)
			error_at(rd, k, "field %s not found in type %s", ks, type);
		for (q = m->data.mapping.pairs.start; q < pr; q++) {
			yaml_node_t *k2 = node(rd, q->key);
			if (k2->type == YAML_SCALAR_NODE &&
			    strcmp((const char *)k2->data.scalar.value, ks) == 0) {
				error_at(rd, k, "mapping key \"%s\" already "
				    "defined at line %lu", ks,
				    (unsigned long)k2->start_mark.line + 1);
				break;
			}
		}
	}
}

/* A duration field; absent or null is 0. */
static void
read_duration(struct reader *rd, yaml_node_t *m, const char *name,
    int64_t *ms)
{
	yaml_node_t *v = field(rd, m, name);
	const char *s;

	*ms = 0;
	if (v == NULL || is_null(v) || (s = scalar(rd, v, name)) == NULL)
		return;
	if (rules_duration(s, ms) == -1)
		error_at(rd, v, "not a valid duration string: \"%s\"", s);
}

static const char *
str_field(struct reader *rd, yaml_node_t *m, const char *name,
    yaml_node_t **at)
{
	yaml_node_t *v = field(rd, m, name);

	*at = v;
	if (v == NULL || is_null(v))
		return "";
	return scalar(rd, v, name);
}

static void
read_rule(struct reader *rd, struct rule_group *g, yaml_node_t *m, size_t idx)
{
	static const char *const known[] = { "record", "alert", "expr", "for",
		"keep_firing_for", "labels", "annotations", NULL };
	struct rule r;
	yaml_node_t *at_record, *at_alert, *at_expr, *v;
	const char *record, *alert, *expr, *what;
	struct promql_node *tree = NULL;
	struct errbuf eb = ERRBUF_INIT;
	size_t i;

	if (m->type != YAML_MAPPING_NODE) {
		error_at(rd, m, "group \"%s\", rule %zu: a rule must be a mapping",
		    g->name, idx + 1);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.line = (int)m->start_mark.line + 1;
	known_fields(rd, m, known, "rulefmt.Rule");
	record = str_field(rd, m, "record", &at_record);
	alert = str_field(rd, m, "alert", &at_alert);
	expr = str_field(rd, m, "expr", &at_expr);
	if (record == NULL || alert == NULL || expr == NULL)
		return;
	what = *alert ? alert : record;
#define RULE_ERR(at, ...) do { \
	char m_[512]; \
	snprintf(m_, sizeof(m_), __VA_ARGS__); \
	error_at(rd, (at) ? (at) : m, "group \"%s\", rule %zu, \"%s\": %s", \
	    g->name, idx + 1, what, m_); \
} while (0)
	if (*record && *alert)
		RULE_ERR(at_record, "only one of 'record' and 'alert' must be set");
	if (!*record && !*alert)
		RULE_ERR(m, "one of 'record' or 'alert' must be set");
	if (!*expr)
		RULE_ERR(at_expr, "field 'expr' must be set in rule");
	else if (promql_parse(expr, &tree, &eb) == -1)
		RULE_ERR(at_expr, "could not parse expression: %s", eb.msg);
	promql_free(tree);
	read_duration(rd, m, "for", &r.for_ms);
	read_duration(rd, m, "keep_firing_for", &r.keep_firing_ms);
	if ((v = field(rd, m, "labels")) != NULL)
		read_map(rd, v, "labels", &r.labels, &r.nlabels);
	if ((v = field(rd, m, "annotations")) != NULL)
		read_map(rd, v, "annotations", &r.annotations, &r.nannotations);
	if (*record) {
		if (r.nannotations)
			RULE_ERR(field(rd, m, "annotations"),
			    "invalid field 'annotations' in recording rule");
		if (r.for_ms)
			RULE_ERR(field(rd, m, "for"),
			    "invalid field 'for' in recording rule");
		if (r.keep_firing_ms)
			RULE_ERR(field(rd, m, "keep_firing_for"),
			    "invalid field 'keep_firing_for' in recording rule");
		if (!metric_name_is_prom(record, strlen(record)))
			RULE_ERR(at_record, "invalid recording rule name: %s",
			    record);
	}
	for (i = 0; i < r.nlabels; i++) {
		const char *k = r.labels[i].name, *val = r.labels[i].value;
		if (!metric_label_name_valid(k, strlen(k)) ||
		    strcmp(k, "__name__") == 0)
			RULE_ERR(field(rd, m, "labels"), "invalid label name: %s", k);
		if (utf8_invalid_count(val, strlen(val)) > 0)
			RULE_ERR(field(rd, m, "labels"), "invalid label value: %s",
			    val);
	}
	for (i = 0; i < r.nannotations; i++) {
		const char *k = r.annotations[i].name;
		if (!metric_label_name_valid(k, strlen(k)))
			RULE_ERR(field(rd, m, "annotations"),
			    "invalid annotation name: %s", k);
	}
	/* An alerting rule's labels and annotations are templates. */
	for (i = 0; *alert && i < r.nlabels + r.nannotations; i++) {
		struct rule_kv *kv = i < r.nlabels ? &r.labels[i] :
		    &r.annotations[i - r.nlabels];
		if (tmpl_parse(kv->value, strlen(kv->value), &kv->t, &eb) == -1)
			RULE_ERR(field(rd, m, i < r.nlabels ? "labels" :
			    "annotations"), "%s \"%s\": template: %s",
			    i < r.nlabels ? "label" : "annotation", kv->name,
			    eb.msg);
	}
#undef RULE_ERR
	r.kind = *alert ? RULE_ALERT : RULE_RECORD;
	r.name = xstrdup(what);
	r.expr = xstrdup(expr);
	g->rules = xreallocarray(g->rules, g->nrules + 1, sizeof(*g->rules));
	g->rules[g->nrules++] = r;
}

static void
rule_release(struct rule *r)
{
	free(r->name);
	free(r->expr);
	kv_free(r->labels, r->nlabels);
	kv_free(r->annotations, r->nannotations);
}

static void
read_group(struct reader *rd, yaml_node_t *m, size_t first)
{
	static const char *const known[] = { "name", "interval", "limit",
		"rules", NULL };
	struct rule_group g;
	yaml_node_t *v, *at;
	yaml_node_item_t *it;
	const char *name;
	size_t i;

	if (m->type != YAML_MAPPING_NODE) {
		error_at(rd, m, "a group must be a mapping");
		return;
	}
	memset(&g, 0, sizeof(g));
	known_fields(rd, m, known, "rulefmt.RuleGroup");
	if ((name = str_field(rd, m, "name", &at)) == NULL)
		return;
	if (*name == '\0')
		error_at(rd, m, "Groupname must not be empty");
	for (i = first; i < rd->rs->ngroups; i++)
		if (strcmp(rd->rs->groups[i].name, name) == 0)
			error_at(rd, at, "groupname: \"%s\" is repeated in the "
			    "same file", name);
	g.name = xstrdup(name);
	g.file = xstrdup(rd->path);
	read_duration(rd, m, "interval", &g.interval_ms);
	if ((v = field(rd, m, "limit")) != NULL && !is_null(v)) {
		const char *s = scalar(rd, v, "limit");
		char *e;
		if (s) {
			errno = 0;
			g.limit = strtoull(s, &e, 10);
			if (*s == '\0' || *s == '-' || *e != '\0' || errno)
				error_at(rd, v, "cannot unmarshal %s into int", s);
		}
	}
	if ((v = field(rd, m, "rules")) != NULL && !is_null(v)) {
		if (v->type != YAML_SEQUENCE_NODE)
			error_at(rd, v, "rules must be a list");
		else
			for (it = v->data.sequence.items.start, i = 0;
			    it < v->data.sequence.items.top; it++, i++)
				read_rule(rd, &g, node(rd, *it), i);
	}
	rd->rs->groups = xreallocarray(rd->rs->groups, rd->rs->ngroups + 1,
	    sizeof(*rd->rs->groups));
	rd->rs->groups[rd->rs->ngroups++] = g;
}

size_t
rules_load(struct rule_set *rs, const char *path)
{
	struct reader rd = { rs, path, NULL, 0 };
	struct yamldoc doc;
	yaml_node_t *root, *groups;
	yaml_node_item_t *it;
	size_t first = rs->ngroups;
	char msg[512];

	if (yamldoc_load(&doc, path, msg, sizeof(msg)) == -1) {
		error_at(&rd, NULL, "%s", msg);
		return rd.errors;
	}
	rd.doc = &doc;
	root = doc.root;
	/* An empty file has no groups, and no errors. */
	if (root != NULL && !is_null(root)) {
		static const char *const known[] = { "groups", NULL };
		if (root->type != YAML_MAPPING_NODE) {
			error_at(&rd, root, "cannot unmarshal the file into "
			    "rulefmt.RuleGroups: a mapping with 'groups' is needed");
		} else {
			known_fields(&rd, root, known, "rulefmt.RuleGroups");
			groups = field(&rd, root, "groups");
			if (groups && !is_null(groups) &&
			    groups->type != YAML_SEQUENCE_NODE)
				error_at(&rd, groups, "groups must be a list");
			else if (groups && !is_null(groups))
				for (it = groups->data.sequence.items.start;
				    it < groups->data.sequence.items.top; it++)
					read_group(&rd, node(&rd, *it), first);
		}
	}
	yamldoc_free(&doc);
	return rd.errors;
}

size_t
rules_count(const struct rule_set *rs)
{
	size_t i, n = 0;

	for (i = 0; i < rs->ngroups; i++)
		n += rs->groups[i].nrules;
	return n;
}

void
rules_free(struct rule_set *rs)
{
	size_t i, j;

	for (i = 0; i < rs->ngroups; i++) {
		for (j = 0; j < rs->groups[i].nrules; j++)
			rule_release(&rs->groups[i].rules[j]);
		free(rs->groups[i].rules);
		free(rs->groups[i].name);
		free(rs->groups[i].file);
	}
	free(rs->groups);
	for (i = 0; i < rs->nerrors; i++)
		free(rs->errors[i]);
	free(rs->errors);
	memset(rs, 0, sizeof(*rs));
}

/* relabel.c - samples relabelled as Prometheus' metric_relabel_configs do */
/* SPDX-License-Identifier: MIT */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <locale.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "base/yamldoc.h"
#include "stream/matcher.h"
#include "stream/regex_expand.h"
#include "stream/relabel.h"
#include "stream/utf8.h"

enum relabel_action {
	RELABEL_REPLACE, RELABEL_KEEP, RELABEL_DROP, RELABEL_KEEPEQUAL,
	RELABEL_DROPEQUAL, RELABEL_LOWERCASE, RELABEL_UPPERCASE,
	RELABEL_LABELMAP, RELABEL_LABELDROP, RELABEL_LABELKEEP
};

static const char *const action_names[] = {
	"replace", "keep", "drop", "keepequal", "dropequal", "lowercase",
	"uppercase", "labelmap", "labeldrop", "labelkeep", NULL
};

/*
 * How a regex is matched.  Most are run by PCRE2; two common kinds
 * need not be, with the same result: the default "(.*)", which
 * matches every value without a newline whole, and a regex without
 * metacharacters, which matches only itself.
 */
enum relabel_re { RELABEL_RE_PCRE, RELABEL_RE_ANY, RELABEL_RE_LITERAL };

struct rule {
	enum relabel_action action;
	char **src;		/* source label names */
	size_t *src_len;
	size_t nsrc;
	char *sep;
	size_t sep_len;
	enum relabel_re kind;
	char *lit;		/* the regex, for RELABEL_RE_LITERAL */
	size_t lit_len;
	pcre2_code *re;
	pcre2_match_data *md;
	int jit;		/* 're' compiled to machine code */
	char *target;
	size_t target_len;
	int target_refs;	/* 'target' holds '$': expanded */
	char *repl;
	size_t repl_len;
	struct regex_template t_target, t_repl;	/* compiled */
};

/*
 * A string of the label set being relabelled: borrowed (from the
 * sample, a rule or a constant), or at 'off' in the arena, whose bytes
 * move as it grows.
 */
struct sref {
	const char *p;		/* NULL: in the arena */
	size_t off;
	size_t len;
};

struct wl {
	struct sref name, value;
};

struct relabel_rules {
	struct rule *r;
	size_t n;
	locale_t loc;		/* C.UTF-8 for lowercase and uppercase, or 0 */
	/* The scratch space of relabel_apply(), kept between calls. */
	struct wl *w;		/* the label set, '__name__' one of them */
	size_t nw, wcap;
	struct wl *snap;	/* labelmap's view of the set */
	size_t snapcap;
	struct label *out;
	size_t outcap;
	struct buf arena;	/* strings made by rules, each NUL-ended */
	struct buf val;		/* the joined source values */
	size_t arena_clean, val_clean;	/* bytes ever written: clean_tail() */
};

static const char name_label[] = "__name__";

static int
is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Whether target 's' (holding '$') is what Prometheus accepts: word
 * characters and references ($name or ${name}), the first of them no
 * digit.
 */
static int
target_pattern_ok(const char *s, size_t len)
{
	size_t i = 0, k;

	if (len == 0)
		return 0;
	while (i < len) {
		if (s[i] == '$') {
			int brace = i + 1 < len && s[i + 1] == '{';
			for (k = i + 1 + brace; k < len && is_word((unsigned char)s[k]); )
				k++;
			if (k == i + 1 + brace || (brace && (k == len || s[k] != '}')))
				return 0;
			i = k + brace;
		} else if (is_word((unsigned char)s[i]) &&
		    !(i == 0 && is_digit((unsigned char)s[i]))) {
			i++;
		} else {
			return 0;
		}
	}
	return 1;
}

static void
rule_release(struct rule *ru)
{
	size_t i;

	for (i = 0; i < ru->nsrc; i++)
		free(ru->src[i]);
	free(ru->src);
	free(ru->src_len);
	free(ru->sep);
	free(ru->lit);
	pcre2_match_data_free(ru->md);
	pcre2_code_free(ru->re);
	free(ru->target);
	free(ru->repl);
	regex_template_free(&ru->t_target);
	regex_template_free(&ru->t_repl);
}

void
relabel_free(struct relabel_rules *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		rule_release(&r->r[i]);
	free(r->r);
	if (r->loc)
		freelocale(r->loc);
	free(r->w);
	free(r->snap);
	free(r->out);
	buf_release(&r->arena);
	buf_release(&r->val);
	free(r);
}

size_t
relabel_count(const struct relabel_rules *r)
{
	return r ? r->n : 0;
}

/*
 * Compile 're' as Prometheus does, "^(?:RE)$", with RE2's meanings of
 * '$' and '.'.  0, or -1 with why in 'msg'.
 */
static int
rule_regex(struct rule *ru, const char *re, size_t len, char *msg,
    size_t size)
{
	const uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF |
	    PCRE2_DOLLAR_ENDONLY;
	struct buf src = BUF_INIT;
	pcre2_compile_context *cc;
	PCRE2_UCHAR why[120];
	PCRE2_SIZE off;
	int rc;

	buf_adds(&src, "^(?:");
	buf_add(&src, re, len);
	buf_adds(&src, ")$");
	if ((cc = pcre2_compile_context_create(NULL)) == NULL)
		abort();
	/* RE2's '.' excludes exactly "\n", whatever PCRE2's build says. */
	pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
	ru->re = pcre2_compile((PCRE2_SPTR)src.p, src.len, opts, &rc, &off, cc);
	pcre2_compile_context_free(cc);
	buf_release(&src);
	if (ru->re == NULL) {
		char q[80];
		pcre2_get_error_message(rc, why, sizeof(why));
		snprintf(msg, size, "invalid regex '%s': %s",
		    errbuf_quote(q, sizeof(q), re, len), (char *)why);
		return -1;
	}
	/* The JIT is optional: without it, PCRE2's interpreter. */
	ru->jit = pcre2_jit_compile(ru->re, PCRE2_JIT_COMPLETE) == 0;
	if ((ru->md = pcre2_match_data_create_from_pattern(ru->re, NULL)) == NULL)
		abort();	/* out of memory, as xmalloc would */
	if (len == 4 && memcmp(re, "(.*)", 4) == 0) {
		ru->kind = RELABEL_RE_ANY;
	} else if (matcher_re_is_literal(re, len)) {
		ru->kind = RELABEL_RE_LITERAL;
		ru->lit = xmemdup(re, len + 1);
		ru->lit[len] = '\0';
		ru->lit_len = len;
	}
	return 0;
}

/* The fields of a rule, a bit each for "given twice". */
static const char *const field_names[] = {
	"source_labels", "separator", "regex", "modulus", "target_label",
	"replacement", "action", NULL
};
enum { F_SOURCE, F_SEP, F_REGEX, F_MODULUS, F_TARGET, F_REPL, F_ACTION };

/* The text of string field 'v': "" for null.  0, or -1 when no string. */
static int
str_field(const yaml_node_t *v, const char **s, size_t *len)
{
	if (yamldoc_is_null(v)) {
		*s = "";
		*len = 0;
		return 0;
	}
	if (v->type != YAML_SCALAR_NODE)
		return -1;
	*s = (const char *)v->data.scalar.value;
	*len = v->data.scalar.length;
	return 0;
}

/*
 * A copy of 's', NUL-ended, and with written room after it for the JIT
 * (clean_tail()): the target of a rule is a label name, matched too.
 */
static char *
dup_len(const char *s, size_t len)
{
	char *p = xcalloc(len + 16, 1);

	memcpy(p, s, len);
	return p;
}

/*
 * Rule 'ru' from mapping 'm', as Prometheus' relabel.Config reads and
 * validates one.  0, or -1 with why in 'msg'.
 */
static int
rule_load(struct relabel_rules *rs, struct rule *ru, struct yamldoc *d,
    yaml_node_t *m, char *msg, size_t size)
{
	const char *sep = ";", *re = "(.*)", *target = "", *repl = "$1";
	const char *act = "replace", *s, *aname;
	size_t sep_len = 1, re_len = 4, target_len = 0, repl_len = 2, len, i;
	size_t act_len = 7;
	unsigned seen = 0;
	unsigned long long modulus = 0;
	yaml_node_t *srcs = NULL;
	yaml_node_pair_t *pr;
	char q[80];
	int a;

	if (m->type != YAML_MAPPING_NODE) {
		snprintf(msg, size, "a mapping of fields is needed");
		return -1;
	}
	for (pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
	    pr++) {
		yaml_node_t *k = yamldoc_node(d, pr->key);
		yaml_node_t *v = yamldoc_node(d, pr->value);
		const char *key = yamldoc_scalar(k);
		int f;
		if (key == NULL) {
			snprintf(msg, size, "a field name must be a string");
			return -1;
		}
		for (f = 0; field_names[f] && strcmp(field_names[f], key) != 0; f++)
			;
		if (field_names[f] == NULL) {
			snprintf(msg, size, "unknown field '%s'", errbuf_quote(q,
			    sizeof(q), key, strlen(key)));
			return -1;
		}
		if (seen & (1u << f)) {
			snprintf(msg, size, "field '%s' given twice", key);
			return -1;
		}
		seen |= 1u << f;
		if (f == F_SOURCE) {
			if (!yamldoc_is_null(v) && v->type != YAML_SEQUENCE_NODE) {
				snprintf(msg, size, "'source_labels' must be a list");
				return -1;
			}
			srcs = yamldoc_is_null(v) ? NULL : v;	/* null: none */
			continue;
		}
		if (str_field(v, &s, &len) == -1) {
			snprintf(msg, size, "'%s' must be a string", key);
			return -1;
		}
		switch (f) {
		case F_SEP: sep = s; sep_len = len; break;
		case F_REGEX: re = s; re_len = len; break;
		case F_TARGET: target = s; target_len = len; break;
		case F_REPL: repl = s; repl_len = len; break;
		case F_ACTION: act = s; act_len = len; break;
		case F_MODULUS:
			modulus = 0;
			for (i = 0; i < len && is_digit((unsigned char)s[i]) &&
			    modulus < UINT64_MAX / 10; i++)
				modulus = modulus * 10 + (unsigned)(s[i] - '0');
			if (i < len) {
				snprintf(msg, size, "'modulus' must be a number");
				return -1;
			}
			break;
		}
	}
	if (srcs) {
		yaml_node_item_t *it;
		size_t n = (size_t)(srcs->data.sequence.items.top -
		    srcs->data.sequence.items.start);
		ru->src = xcalloc(n + 1, sizeof(*ru->src));
		ru->src_len = xcalloc(n + 1, sizeof(*ru->src_len));
		for (it = srcs->data.sequence.items.start;
		    it < srcs->data.sequence.items.top; it++) {
			yaml_node_t *v = yamldoc_node(d, *it);
			if (str_field(v, &s, &len) == -1 || yamldoc_is_null(v)) {
				snprintf(msg, size, "a source label must be a "
				    "label name");
				return -1;
			}
			if (!metric_label_name_valid(s, len)) {
				snprintf(msg, size, "'%s' is not a valid label name",
				    errbuf_quote(q, sizeof(q), s, len));
				return -1;
			}
			ru->src[ru->nsrc] = dup_len(s, len);
			ru->src_len[ru->nsrc++] = len;
		}
	}
	if (act_len == 0) {
		snprintf(msg, size, "the action is empty");
		return -1;
	}
	for (a = 0; action_names[a] && !(strlen(action_names[a]) == act_len &&
	    strncasecmp(action_names[a], act, act_len) == 0); a++)
		;
	if (action_names[a] == NULL) {
		if (act_len == 7 && strncasecmp(act, "hashmod", 7) == 0)
			snprintf(msg, size, "action 'hashmod' is not supported");
		else
			snprintf(msg, size, "unknown action '%s'",
			    errbuf_quote(q, sizeof(q), act, act_len));
		return -1;
	}
	ru->action = (enum relabel_action)a;
	aname = action_names[a];
	switch (ru->action) {
	case RELABEL_REPLACE:
	case RELABEL_LOWERCASE:
	case RELABEL_UPPERCASE:
	case RELABEL_KEEPEQUAL:
	case RELABEL_DROPEQUAL:
		if (target_len == 0) {
			snprintf(msg, size, "action '%s' needs a 'target_label'",
			    aname);
			return -1;
		}
		ru->target_refs = ru->action == RELABEL_REPLACE &&
		    memchr(target, '$', target_len) != NULL;
		if (ru->target_refs ? !target_pattern_ok(target, target_len) :
		    !metric_label_name_valid(target, target_len)) {
			snprintf(msg, size, "'%s' is not a valid 'target_label' "
			    "for action '%s'", errbuf_quote(q, sizeof(q), target,
			    target_len), aname);
			return -1;
		}
		if (ru->action != RELABEL_REPLACE &&
		    !(repl_len == 2 && memcmp(repl, "$1", 2) == 0)) {
			snprintf(msg, size, "action '%s' takes no 'replacement'",
			    aname);
			return -1;
		}
		break;
	case RELABEL_LABELMAP:
		if (!target_pattern_ok(repl, repl_len)) {
			snprintf(msg, size, "'%s' is not a valid 'replacement' for "
			    "action 'labelmap'", errbuf_quote(q, sizeof(q), repl,
			    repl_len));
			return -1;
		}
		break;
	default:
		break;
	}
	if ((ru->action == RELABEL_KEEPEQUAL || ru->action == RELABEL_DROPEQUAL) &&
	    ((seen & (1u << F_REGEX)) || modulus ||
	    !(sep_len == 1 && sep[0] == ';'))) {
		snprintf(msg, size, "action '%s' takes only 'source_labels' and "
		    "'target_label'", aname);
		return -1;
	}
	if ((ru->action == RELABEL_LABELDROP || ru->action == RELABEL_LABELKEEP) &&
	    (srcs || target_len || modulus ||
	    !(sep_len == 1 && sep[0] == ';') ||
	    !(repl_len == 2 && memcmp(repl, "$1", 2) == 0))) {
		snprintf(msg, size, "action '%s' takes only 'regex'", aname);
		return -1;
	}
	if (ru->action == RELABEL_LOWERCASE || ru->action == RELABEL_UPPERCASE) {
		if (rs->loc == (locale_t)0)
			rs->loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	ru->sep = dup_len(sep, sep_len);
	ru->sep_len = sep_len;
	ru->target = dup_len(target, target_len);
	ru->target_len = target_len;
	ru->repl = dup_len(repl, repl_len);
	ru->repl_len = repl_len;
	/* A null regex is "", as in Prometheus. */
	if (rule_regex(ru, re, re_len, msg, size) == -1)
		return -1;
	if (ru->target_refs)
		regex_template_compile(&ru->t_target, ru->target,
		    ru->target_len, ru->re);
	regex_template_compile(&ru->t_repl, ru->repl, ru->repl_len, ru->re);
	return 0;
}

struct relabel_rules *
relabel_load(const char *path, struct errbuf *eb)
{
	struct relabel_rules *r;
	struct yamldoc d;
	yaml_node_item_t *it;
	char msg[400];
	size_t n;

	if (yamldoc_load(&d, path, msg, sizeof(msg)) == -1) {
		errbuf_set(eb, "%s: %s", path, msg);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	if (d.root && !yamldoc_is_null(d.root)) {
		if (d.root->type != YAML_SEQUENCE_NODE) {
			errbuf_set(eb, "%s: a list of rules is needed", path);
			goto fail;
		}
		n = (size_t)(d.root->data.sequence.items.top -
		    d.root->data.sequence.items.start);
		r->r = xcalloc(n + 1, sizeof(*r->r));
		for (it = d.root->data.sequence.items.start;
		    it < d.root->data.sequence.items.top; it++) {
			/* Counted first: a rule half made is freed with the rest. */
			struct rule *ru = &r->r[r->n++];
			if (rule_load(r, ru, &d, yamldoc_node(&d, *it), msg,
			    sizeof(msg)) == -1) {
				errbuf_set(eb, "%s: rule %zu: %s", path, r->n, msg);
				goto fail;
			}
		}
	}
	yamldoc_free(&d);
	return r;
fail:
	yamldoc_free(&d);
	relabel_free(r);
	return NULL;
}

/*
 * Applying.  The label set is an array of (name, value) string
 * references in no order; a rule's new strings go to the arena, so that
 * nothing is allocated once the buffers have grown.
 */

static const char *
sp(const struct relabel_rules *r, const struct sref *s)
{
	return s->p ? s->p : r->arena.p + s->off;
}

/* End the string begun at 'start' in the arena: its reference. */
static struct sref
arena_end(struct relabel_rules *r, size_t start)
{
	struct sref s = { NULL, start, r->arena.len - start };

	buf_addch(&r->arena, '\0');
	return s;
}

static long
lookup(const struct relabel_rules *r, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < r->nw; i++)
		if (r->w[i].name.len == len &&
		    memcmp(sp(r, &r->w[i].name), name, len) == 0)
			return (long)i;
	return -1;
}

static void
push(struct relabel_rules *r, struct sref name, struct sref value)
{
	if (r->nw == r->wcap)
		r->w = xgrow(r->w, &r->wcap, r->nw + 1, sizeof(*r->w));
	r->w[r->nw].name = name;
	r->w[r->nw++].value = value;
}

/* Set label 'name' to 'value'; an empty value removes it. */
static void
set(struct relabel_rules *r, struct sref name, struct sref value)
{
	long i = lookup(r, sp(r, &name), name.len);

	if (value.len == 0) {
		if (i >= 0)
			r->w[i] = r->w[--r->nw];
	} else if (i >= 0) {
		r->w[i].value = value;
	} else {
		push(r, name, value);
	}
}

/*
 * PCRE2's JIT may read a subject a word at a time, past its end but
 * within its allocation: harmless, but valgrind reports the use of
 * bytes never written.  Write the room past the end of 'b' that was
 * never written; '*clean' is how much of 'b' has been.
 */
static void
clean_tail(struct buf *b, size_t *clean)
{
	size_t from = *clean > b->len + 1 ? *clean : b->len + 1;

	if (b->p && b->cap > from)
		memset(b->p + from, 0, b->cap - from);
	if (b->p)
		*clean = b->cap;
}

/*
 * The value the rule acts on: its source labels' values joined.  A
 * lone label's value is used in place unless it is in the arena, which
 * moves while a replacement is written.
 */
static const char *
join(struct relabel_rules *r, const struct rule *ru, size_t *len)
{
	size_t k;
	long i;

	if (ru->nsrc == 1) {
		if ((i = lookup(r, ru->src[0], ru->src_len[0])) < 0) {
			*len = 0;
			return "";
		}
		if (r->w[i].value.p) {
			*len = r->w[i].value.len;
			return r->w[i].value.p;
		}
	}
	buf_reset(&r->val);
	for (k = 0; k < ru->nsrc; k++) {
		if (k > 0)
			buf_add(&r->val, ru->sep, ru->sep_len);
		if ((i = lookup(r, ru->src[k], ru->src_len[k])) >= 0)
			buf_add(&r->val, sp(r, &r->w[i].value), r->w[i].value.len);
	}
	*len = r->val.len;
	clean_tail(&r->val, &r->val_clean);
	return r->val.p ? r->val.p : "";
}

/*
 * Search 's' from 'start' for the rule's regex.  Returns the number of
 * offset pairs in '*ov' (the match and its groups), or 0 for no match.
 * 'fast' is room for the pairs of the kinds PCRE2 does not run.
 */
static uint32_t
match(struct rule *ru, const char *s, size_t len, size_t start,
    PCRE2_SIZE fast[4], const PCRE2_SIZE **ov)
{
	int rc;

	switch (ru->kind) {
	case RELABEL_RE_ANY:
		/* "^(?:(.*))$": all of a value without "\n", from 0 only. */
		if (start > 0 || memchr(s, '\n', len) != NULL)
			return 0;
		fast[0] = fast[2] = 0;
		fast[1] = fast[3] = len;
		*ov = fast;
		return 2;
	case RELABEL_RE_LITERAL:
		if (start > 0 || len != ru->lit_len || memcmp(s, ru->lit, len) != 0)
			return 0;
		fast[0] = 0;
		fast[1] = len;
		*ov = fast;
		return 1;
	case RELABEL_RE_PCRE:
		break;
	}
	/*
	 * A failure to run (PCRE2's match limit) counts as no match.  The
	 * JIT's own entry skips checks that cost as much as the match.
	 */
	if (ru->jit)
		rc = pcre2_jit_match(ru->re, (PCRE2_SPTR)s, len, start, 0, ru->md,
		    NULL);
	else
		rc = pcre2_match(ru->re, (PCRE2_SPTR)s, len, start, 0, ru->md,
		    NULL);
	if (rc < 0)
		return 0;
	*ov = pcre2_get_ovector_pointer(ru->md);
	return pcre2_get_ovector_count(ru->md);
}

/*
 * Go's Regexp.ReplaceAllString of 's' with the rule's replacement, to
 * the arena.  Returns the number of matches (none: nothing written).
 */
static size_t
replace_all(struct relabel_rules *r, struct rule *ru, const char *s,
    size_t len)
{
	size_t start = r->arena.len, pos = 0, last = 0, n = 0;
	PCRE2_SIZE fast[4];
	const PCRE2_SIZE *ov;
	uint32_t np;

	while (pos <= len && (np = match(ru, s, len, pos, fast, &ov)) > 0) {
		size_t a0 = ov[0], a1 = ov[1], width = 1;
		n++;
		buf_add(&r->arena, s + last, a0 - last);
		/* No second replacement for an empty match right after one. */
		if (a1 > last || a0 == 0)
			regex_template_expand(&r->arena, &ru->t_repl, s, ov, np);
		last = a1;
		/* Past the match, and at least one character on. */
		if (pos < len && (unsigned char)s[pos] >= 0x80 &&
		    (width = utf8_seq_len((const unsigned char *)s + pos,
		    (const unsigned char *)s + len)) == 0)
			width = 1;
		if (pos + width > a1)
			pos += width;
		else if (pos + 1 > a1)
			pos++;
		else
			pos = a1;
	}
	if (n == 0) {
		r->arena.len = start;
		return 0;
	}
	buf_add(&r->arena, s + last, len - last);
	return n;
}

/* Append code point 'c' as UTF-8. */
static void
put_utf8(struct buf *b, uint32_t c)
{
	char u[4];
	size_t n;

	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	buf_add(b, u, n);
}

/*
 * 's' in lower (or upper) case, to the arena; an invalid byte becomes
 * U+FFFD, as in Go.
 */
static void
case_map(struct relabel_rules *r, const char *s, size_t len, int upper)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		size_t n, i;
		uint32_t c;
		wint_t m;
		if (*p < 0x80) {
			c = *p++;
			if (upper && c >= 'a' && c <= 'z')
				c -= 'a' - 'A';
			else if (!upper && c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			buf_addch(&r->arena, (char)c);
			continue;
		}
		if ((n = utf8_seq_len(p, end)) == 0) {
			buf_adds(&r->arena, UTF8_REPLACEMENT);
			p++;
			continue;
		}
		c = *p & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
		for (i = 1; i < n; i++)
			c = (c << 6) | (p[i] & 0x3f);
		p += n;
		if (r->loc) {
			m = upper ? towupper_l((wint_t)c, r->loc) :
			    towlower_l((wint_t)c, r->loc);
			if (m > 0 && m <= 0x10ffff && !(m >= 0xd800 && m <= 0xdfff))
				c = (uint32_t)m;
		}
		put_utf8(&r->arena, c);
	}
}

/* Insertion sort of labelmap's view by name: it is short. */
static void
sort_snap(const struct relabel_rules *r, struct wl *v, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct wl x = v[i];
		const char *xn = sp(r, &x.name);
		for (j = i; j > 0; j--) {
			const struct wl *y = &v[j - 1];
			size_t m = y->name.len < x.name.len ? y->name.len : x.name.len;
			int c = memcmp(sp(r, &y->name), xn, m);
			if (c < 0 || (c == 0 && y->name.len <= x.name.len))
				break;
			v[j] = v[j - 1];
		}
		v[j] = x;
	}
}

static void
labelmap(struct relabel_rules *r, struct rule *ru)
{
	size_t i, n = r->nw;

	/* Each label as the set was before the rule, in name order. */
	r->snap = xgrow(r->snap, &r->snapcap, n + 1, sizeof(*r->snap));
	memcpy(r->snap, r->w, n * sizeof(*r->w));
	sort_snap(r, r->snap, n);
	for (i = 0; i < n; i++) {
		const struct wl *l = &r->snap[i];
		const char *name = sp(r, &l->name);
		size_t start = r->arena.len;
		/* An empty value is no label; the arena moves: a copy. */
		if (l->value.len == 0)
			continue;
		if (l->name.p == NULL) {
			buf_reset(&r->val);
			buf_add(&r->val, name, l->name.len);
			clean_tail(&r->val, &r->val_clean);
			name = r->val.p;
		}
		if (replace_all(r, ru, name, l->name.len) > 0)
			set(r, arena_end(r, start), l->value);
	}
}

/* Remove the labels whose names match (or, 'keep', do not). */
static void
labelfilter(struct relabel_rules *r, struct rule *ru, int keep)
{
	PCRE2_SIZE fast[4];
	const PCRE2_SIZE *ov;
	size_t i = 0;

	clean_tail(&r->arena, &r->arena_clean);	/* names made by rules */
	while (i < r->nw) {
		const struct wl *l = &r->w[i];
		int m = match(ru, sp(r, &l->name), l->name.len, 0, fast, &ov) > 0;
		if (m != keep)
			r->w[i] = r->w[--r->nw];
		else
			i++;
	}
}

/* Apply rule 'ru': 1, or 0 when it drops the sample. */
static int
rule_apply(struct relabel_rules *r, struct rule *ru)
{
	PCRE2_SIZE fast[4];
	const PCRE2_SIZE *ov;
	const char *v;
	size_t len, start;
	struct sref name = { ru->target, 0, ru->target_len };
	uint32_t np;
	long i;

	switch (ru->action) {
	case RELABEL_KEEP:
	case RELABEL_DROP:
		v = join(r, ru, &len);
		return (match(ru, v, len, 0, fast, &ov) > 0) ==
		    (ru->action == RELABEL_KEEP);
	case RELABEL_KEEPEQUAL:
	case RELABEL_DROPEQUAL:
		v = join(r, ru, &len);
		i = lookup(r, ru->target, ru->target_len);
		return (i >= 0 ? r->w[i].value.len == len &&
		    memcmp(sp(r, &r->w[i].value), v, len) == 0 : len == 0) ==
		    (ru->action == RELABEL_KEEPEQUAL);
	case RELABEL_REPLACE:
		v = join(r, ru, &len);
		if ((np = match(ru, v, len, 0, fast, &ov)) == 0)
			break;
		if (ru->target_refs) {
			start = r->arena.len;
			regex_template_expand(&r->arena, &ru->t_target, v, ov,
			    np);
			/* Nothing written: the arena may have no bytes yet. */
			if (r->arena.len == start ||
			    !metric_label_name_valid(r->arena.p + start,
			    r->arena.len - start)) {
				r->arena.len = start;
				break;		/* no valid target: nothing */
			}
			name = arena_end(r, start);
		}
		start = r->arena.len;
		regex_template_expand(&r->arena, &ru->t_repl, v, ov, np);
		set(r, name, arena_end(r, start));
		break;
	case RELABEL_LOWERCASE:
	case RELABEL_UPPERCASE:
		v = join(r, ru, &len);
		start = r->arena.len;
		case_map(r, v, len, ru->action == RELABEL_UPPERCASE);
		set(r, name, arena_end(r, start));
		break;
	case RELABEL_LABELMAP:
		labelmap(r, ru);
		break;
	case RELABEL_LABELDROP:
	case RELABEL_LABELKEEP:
		labelfilter(r, ru, ru->action == RELABEL_LABELKEEP);
		break;
	}
	return 1;
}

int
relabel_apply(struct relabel_rules *r, struct sample *s, struct errbuf *eb)
{
	struct sref nm = { name_label, 0, sizeof(name_label) - 1 };
	const char *name = NULL;
	size_t i, n = 0, name_len = 0;
	char q[80];

	r->nw = 0;
	buf_reset(&r->arena);
	push(r, nm, (struct sref){ s->name, 0, s->name_len });
	for (i = 0; i < s->nlabels; i++) {
		const struct label *l = &s->labels[i];
		/* One name only: metric_check() would refuse it too. */
		if (l->name_len == nm.len && memcmp(l->name, name_label, nm.len) == 0)
			return errbuf_set(eb, "reserved label name '%s'", name_label);
		push(r, (struct sref){ l->name, 0, l->name_len },
		    (struct sref){ l->value, 0, l->value_len });
	}
	for (i = 0; i < r->n; i++)
		if (!rule_apply(r, &r->r[i]))
			return 0;
	if (r->nw >= r->outcap)
		r->out = xgrow(r->out, &r->outcap, r->nw + 1, sizeof(*r->out));
	for (i = 0; i < r->nw; i++) {
		const struct wl *l = &r->w[i];
		const char *ln = sp(r, &l->name);
		if (l->name.len == nm.len && memcmp(ln, name_label, nm.len) == 0) {
			name = sp(r, &l->value);
			name_len = l->value.len;
			continue;
		}
		/* "__" names are the rules' own: the stream has none. */
		if (l->name.len >= 2 && ln[0] == '_' && ln[1] == '_')
			continue;
		if (l->name.len > UINT32_MAX || l->value.len > UINT32_MAX)
			return errbuf_set(eb, "label '%s' too long after "
			    "relabelling", errbuf_quote(q, sizeof(q), ln,
			    l->name.len));
		r->out[n].name = ln;
		r->out[n].name_len = (uint32_t)l->name.len;
		r->out[n].value = sp(r, &l->value);
		r->out[n++].value_len = (uint32_t)l->value.len;
	}
	if (name == NULL)
		return errbuf_set(eb, "no metric name after relabelling");
	if ((name != s->name || name_len != s->name_len) &&
	    !metric_name_is_prom(name, name_len))
		return errbuf_set(eb, "invalid metric name '%s' after "
		    "relabelling", errbuf_quote(q, sizeof(q), name, name_len));
	s->name = name;
	s->name_len = name_len;
	s->labels = r->out;
	s->nlabels = n;
	s->key = NULL;
	s->key_hash = 0;
	return 1;
}

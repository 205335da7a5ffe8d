/* jsonl_slow.c - the reference stream parser, on jansson */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <jansson.h>

#include "stream/jsonl_int.h"
#include "base/timestamp.h"

/*
 * Room for what a message quotes from the line, escaped by
 * errbuf_quote(): a message stays one line of plain text.
 */
#define QUOTE_MAX 80

/*
 * Copy a jansson string into the arena, so the sample outlives the
 * json_t.  Returns the copy.
 */
static const char *
keep(struct jsonl_parser *ps, json_t *str, size_t *lenp)
{
	size_t len = json_string_length(str);
	char *p = ps->arena + ps->arena_len;

	memcpy(p, json_string_value(str), len);
	p[len] = '\0';
	ps->arena_len += len + 1;
	*lenp = len;
	return p;
}

static int
get_string(struct jsonl_parser *ps, json_t *v, const char *key,
    const char **out, size_t *lenp, struct errbuf *eb)
{
	if (!json_is_string(v))
		return errbuf_set(eb, "member '%s' is not a string", key);
	*out = keep(ps, v, lenp);
	return 0;
}

static int
get_value(json_t *v, double *out, struct errbuf *eb)
{
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	if (json_is_string(v) && jsonl_special_value(json_string_value(v),
	    json_string_length(v), out) == 0)
		return 0;
	return errbuf_set(eb,
	    "member 'value' is not a number, \"NaN\", \"+Inf\" or \"-Inf\"");
}

static int
get_ts(json_t *v, int64_t *out, struct errbuf *eb)
{
	if (json_is_number(v)) {
		if (jsonl_ts_from_double(json_number_value(v), out) == -1)
			return errbuf_set(eb, "member 'ts' is not a whole "
			    "number of milliseconds in years 1 to 9999");
		return 0;
	}
	if (json_is_string(v)) {
		char q[QUOTE_MAX];
		if (ts_parse_rfc3339(json_string_value(v),
		    json_string_length(v), out) == -1)
			return errbuf_set(eb, "member 'ts' is not an RFC 3339 "
			    "date-time: '%s'", errbuf_quote(q, sizeof(q),
			    json_string_value(v), json_string_length(v)));
		return 0;
	}
	return errbuf_set(eb, "member 'ts' is not a number or a string");
}

static int
get_labels(struct jsonl_parser *ps, json_t *obj, struct sample *s,
    struct errbuf *eb)
{
	const char *key;
	json_t *v;
	size_t n = 0, len;

	if (!json_is_object(obj))
		return errbuf_set(eb, "member 'labels' is not an object");
	if (json_object_size(obj) > METRIC_LABELS_MAX)
		return errbuf_set(eb, "more than %d labels", METRIC_LABELS_MAX);
	json_object_foreach(obj, key, v) {
		struct label *l = &ps->labels[n++];
		char q[QUOTE_MAX];
		if (!json_is_string(v))
			return errbuf_set(eb, "label '%s' is not a string",
			    errbuf_quote(q, sizeof(q), key, strlen(key)));
		/*
		 * Keys come from the line, so they fit in the arena too;
		 * jansson refuses keys with NUL bytes in them.
		 */
		len = strlen(key);
		l->name = memcpy(ps->arena + ps->arena_len, key, len + 1);
		ps->arena_len += len + 1;
		l->name_len = (uint32_t)len;
		l->value = keep(ps, v, &len);
		l->value_len = (uint32_t)len;
	}
	s->labels = ps->labels;
	s->nlabels = n;
	return 0;
}

/*
 * Say what is wrong with a line jansson refused, in the words of the
 * stream's rules: jansson speaks of files ("near end of file") and of its
 * own flags ("without JSON_ALLOW_NUL").  Its text is "WHAT near 'TOKEN'"
 * (the token at most 20 bytes, never cut), "WHAT near end of file", or
 * WHAT alone; the code says which kind of error it is.  The column counts
 * characters, as jansson does.  Returns -1.
 */
static int
json_error_say(const json_error_t *je, const char *line, size_t len,
    struct errbuf *eb)
{
	const char *what = je->text, *near = strstr(je->text, " near '");
	const char *eof = strstr(je->text, " near end of file");
	const char *tok = NULL, *obj = "";
	int what_len, tok_len = 0, col = je->column;
	size_t pos = (size_t)je->position, tlen;
	char q[QUOTE_MAX];

	if (near != NULL)
		what_len = (int)(near - what);
	else if (eof != NULL)
		what_len = (int)(eof - what);
	else
		what_len = (int)strlen(what);
	if (near != NULL) {
		tok = near + 7;
		tlen = strlen(tok);
		if (tlen > 0 && tok[tlen - 1] == '\'') {
			/* Raw bytes of the line: a tab, a CR, an escape... */
			tok = errbuf_quote(q, sizeof(q), tok, tlen - 1);
			tok_len = (int)strlen(tok);
		} else {
			tok = NULL;
		}
	}
	/* A record is an object: "'[' or '{' expected" asks too much. */
	if (what_len >= 19 && strncmp(what, "'[' or '{' expected", 19) == 0) {
		what += 10;
		what_len -= 10;
		obj = "'{'";
	}
	switch (json_error_code(je)) {
	case json_error_premature_end_of_input:
		if (what_len >= 9 &&
		    strncmp(what + what_len - 9, " expected", 9) == 0)
			return errbuf_set(eb, "invalid JSON: %s%.*s, but the "
			    "line ends (column %d)", obj, what_len, what, col);
		return errbuf_set(eb, "invalid JSON: the line ends inside "
		    "the record (column %d)", col);
	case json_error_end_of_input_expected:
		if (tok != NULL)
			return errbuf_set(eb, "invalid JSON: '%.*s' after the "
			    "end of the record (column %d)", tok_len, tok, col);
		return errbuf_set(eb, "invalid JSON: text after the end of "
		    "the record (column %d)", col);
	case json_error_invalid_utf8:
		if (pos < len)
			return errbuf_set(eb, "not valid UTF-8: byte 0x%02x "
			    "(column %d)", (unsigned char)line[pos], col + 1);
		return errbuf_set(eb, "not valid UTF-8 (column %d)", col + 1);
	case json_error_null_character:
	case json_error_null_byte_in_key:
		return errbuf_set(eb, "\\u0000 in a string, which the stream "
		    "refuses (column %d)", col);
	case json_error_duplicate_key:
		/* The token is the key as written, quotes and all. */
		if (tok != NULL && tok_len >= 2 && tok[0] == '"')
			return errbuf_set(eb, "member '%.*s' appears twice "
			    "(column %d)", tok_len - 2, tok + 1, col);
		return errbuf_set(eb, "a member appears twice (column %d)",
		    col);
	case json_error_numeric_overflow:
		if (tok != NULL)
			return errbuf_set(eb, "number '%.*s' is out of range "
			    "(column %d)", tok_len, tok, col);
		return errbuf_set(eb, "a number is out of range (column %d)",
		    col);
	case json_error_stack_overflow:
		return errbuf_set(eb, "arrays or objects nested too deep "
		    "(column %d)", col);
	default:
		if (tok != NULL)
			return errbuf_set(eb, "invalid JSON: %s%.*s near '%.*s' "
			    "(column %d)", obj, what_len, what, tok_len, tok,
			    col);
		return errbuf_set(eb, "invalid JSON: %s%.*s (column %d)", obj,
		    what_len, what, col);
	}
}

int
jsonl_parse_slow(struct jsonl_parser *ps, const char *line, size_t len,
    struct sample *s, struct errbuf *eb)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *key, *tname;
	size_t tlen;
	int rc = -1, have_value = 0;

	ps->slow_count++;
	jsonl_arena_reset(ps, len);
	memset(s, 0, sizeof(*s));
	s->labels = ps->labels;
	/*
	 * Every number as a double: counters beyond 2^63 are real, and the
	 * fast path reads numbers the same way.
	 */
	root = json_loadb(line, len,
	    JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &jerr);
	if (root == NULL)
		return json_error_say(&jerr, line, len, eb);
	if (!json_is_object(root)) {
		errbuf_set(eb, "record is not a JSON object");
		goto out;
	}
	json_object_foreach(root, key, v) {
		if (strcmp(key, "name") == 0) {
			if (get_string(ps, v, key, &s->name, &s->name_len,
			    eb) == -1)
				goto out;
		} else if (strcmp(key, "type") == 0) {
			if (get_string(ps, v, key, &tname, &tlen, eb) == -1)
				goto out;
			if (metric_type_parse(tname, tlen, &s->type) == -1) {
				char q[QUOTE_MAX];
				errbuf_set(eb, "unknown type '%s'",
				    errbuf_quote(q, sizeof(q), tname, tlen));
				goto out;
			}
		} else if (strcmp(key, "value") == 0) {
			if (get_value(v, &s->value, eb) == -1)
				goto out;
			have_value = 1;
		} else if (strcmp(key, "ts") == 0) {
			if (get_ts(v, &s->ts, eb) == -1)
				goto out;
			s->has_ts = 1;
		} else if (strcmp(key, "labels") == 0) {
			if (get_labels(ps, v, s, eb) == -1)
				goto out;
		} else if (strcmp(key, "unit") == 0) {
			if (get_string(ps, v, key, &s->unit, &s->unit_len,
			    eb) == -1)
				goto out;
		} else if (strcmp(key, "help") == 0) {
			if (get_string(ps, v, key, &s->help, &s->help_len,
			    eb) == -1)
				goto out;
		}
		/* Other members are ignored (mtk-stream(5)). */
	}
	if (s->name == NULL) {
		errbuf_set(eb, "missing member 'name' (a query result without "
		    "one: give it with mquery --name)");
		goto out;
	}
	if (!have_value) {
		errbuf_set(eb, "missing member 'value'");
		goto out;
	}
	rc = metric_check(s, eb);
out:
	json_decref(root);
	return rc;
}

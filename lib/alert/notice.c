/* notice.c - a group's notice as its receiver takes it on standard input */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <xxhash.h>

#include "alert/notice.h"
#include "base/host.h"
#include "base/number.h"
#include "base/timestamp.h"
#include "stream/jsonl.h"

/* Whether label 'name' of 'l' is 'value'. */
static int
has_pair(const struct tmpl_label *l, size_t n, const char *name,
    const char *value)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (strcmp(l[j].name, name) == 0)
			return strcmp(l[j].value, value) == 0;
	return 0;
}

/*
 * The labels (or annotations) every alert of the notice has, same name
 * and value, into 'out' (at most 'max'); returns how many.
 */
static size_t
common(const struct notice *nt, int annotations, struct tmpl_label *out,
    size_t max)
{
	const struct alert_firing *f = &nt->a[nt->idx[0]];
	const struct tmpl_label *l = annotations ? f->annotations : f->labels;
	size_t nl = annotations ? f->nannotations : f->nlabels, i, k, n = 0;

	for (i = 0; i < nl && n < max; i++) {
		int all = 1;
		for (k = 1; k < nt->n && all; k++) {
			const struct alert_firing *o = &nt->a[nt->idx[k]];
			all = annotations ?
			    has_pair(o->annotations, o->nannotations, l[i].name,
			    l[i].value) :
			    has_pair(o->labels, o->nlabels, l[i].name, l[i].value);
		}
		if (all)
			out[n++] = l[i];
	}
	return n;
}

#define COMMON_MAX 128

static void
put_common(struct buf *b, const struct notice *nt, int annotations)
{
	struct tmpl_label c[COMMON_MAX];

	alert_json_labels(b, c, common(nt, annotations, c, COMMON_MAX));
}

static void
put_rfc3339(struct buf *b, int64_t ms)
{
	char ts[TS_BUFSZ];

	ts_format_rfc3339(ts, ms);
	buf_adds(b, ts);
}

/* Alertmanager's webhook body. */
static void
webhook(struct buf *b, const struct notice *nt)
{
	const char *url = nt->external_url ? nt->external_url : "";
	size_t i;

	buf_adds(b, "{\"version\":\"4\",\"groupKey\":");
	jsonl_quote(b, nt->group_key, strlen(nt->group_key));
	buf_addf(b, ",\"status\":\"%s\",\"receiver\":",
	    nt->nfiring ? "firing" : "resolved");
	jsonl_quote(b, nt->rv->name, strlen(nt->rv->name));
	buf_adds(b, ",\"groupLabels\":");
	alert_json_labels(b, nt->glabels, nt->nglabels);
	buf_adds(b, ",\"commonLabels\":");
	put_common(b, nt, 0);
	buf_adds(b, ",\"commonAnnotations\":");
	put_common(b, nt, 1);
	buf_adds(b, ",\"externalURL\":");
	jsonl_quote(b, url, strlen(url));
	buf_adds(b, ",\"alerts\":[");
	for (i = 0; i < nt->n; i++) {
		const struct alert_firing *f = &nt->a[nt->idx[i]];
		buf_addf(b, "%s{\"status\":\"%s\",\"labels\":", i ? "," : "",
		    f->firing ? "firing" : "resolved");
		alert_json_labels(b, f->labels, f->nlabels);
		buf_adds(b, ",\"annotations\":");
		alert_json_labels(b, f->annotations, f->nannotations);
		buf_adds(b, ",\"startsAt\":\"");
		put_rfc3339(b, f->starts_at);
		buf_adds(b, "\",\"endsAt\":\"");
		if (f->ends_at)
			put_rfc3339(b, f->ends_at);
		else
			buf_adds(b, "0001-01-01T00:00:00Z");
		buf_adds(b, "\"}");
	}
	buf_adds(b, "]}\n");
}

/*
 * The title, as Alertmanager's default subject: "[FIRING:2] " and the
 * group's label values, then in parentheses the values of the labels
 * every alert shares beyond those; "[RESOLVED] ..." when none fires.
 */
static void
title(struct buf *b, const struct notice *nt)
{
	struct tmpl_label c[COMMON_MAX];
	size_t nc = common(nt, 0, c, COMMON_MAX), i, k, extra = 0;
	size_t from = b->len;

	if (nt->nfiring)
		buf_addf(b, "[FIRING:%zu]", nt->nfiring);
	else
		buf_adds(b, "[RESOLVED]");
	for (i = 0; i < nt->nglabels; i++) {
		buf_addch(b, ' ');
		buf_adds(b, nt->glabels[i].value);
	}
	for (i = 0; i < nc; i++) {
		for (k = 0; k < nt->nglabels; k++)
			if (strcmp(nt->glabels[k].name, c[i].name) == 0)
				break;
		if (k < nt->nglabels)
			continue;
		buf_adds(b, extra++ ? " " : " (");
		buf_adds(b, c[i].value);
	}
	if (extra)
		buf_addch(b, ')');
	/* One line, whatever the labels hold. */
	for (i = from; i < b->len; i++)
		if ((unsigned char)b->p[i] < 0x20 || b->p[i] == 0x7f)
			b->p[i] = ' ';
}

/*
 * Text 's' into a line of plain text: control characters of a label
 * value become spaces; an annotation's lines ('indent' set) go on
 * indented under it.
 */
static void
put_text(struct buf *b, const char *s, const char *indent)
{
	for (; *s; s++) {
		if (*s == '\n' && indent) {
			buf_addch(b, '\n');
			buf_adds(b, indent);
			buf_adds(b, "  ");
		} else if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			buf_addch(b, ' ');
		} else {
			buf_addch(b, *s);
		}
	}
}

static const char *
label_value(const struct tmpl_label *l, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(l[i].name, name) == 0)
			return l[i].value;
	return NULL;
}

/* --- mail --- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
base64(struct buf *b, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		buf_addch(b, b64[p[i] >> 2]);
		buf_addch(b, b64[(p[i] & 3) << 4 | p[i + 1] >> 4]);
		buf_addch(b, b64[(p[i + 1] & 15) << 2 | p[i + 2] >> 6]);
		buf_addch(b, b64[p[i + 2] & 63]);
	}
	if (n - i == 1) {
		buf_addch(b, b64[p[i] >> 2]);
		buf_addch(b, b64[(p[i] & 3) << 4]);
		buf_adds(b, "==");
	} else if (n - i == 2) {
		buf_addch(b, b64[p[i] >> 2]);
		buf_addch(b, b64[(p[i] & 3) << 4 | p[i + 1] >> 4]);
		buf_addch(b, b64[(p[i + 1] & 15) << 2]);
		buf_addch(b, '=');
	}
}

/*
 * Header field 'name' with value 's': control characters become spaces
 * (a label value cannot start a header of its own), and a value with
 * bytes past ASCII is written as RFC 2047 encoded words of whole UTF-8
 * characters, folded.
 */
static void
header(struct buf *b, const char *name, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i, at = 0;
	int ascii = 1;
	struct buf v = BUF_INIT;

	for (i = 0; i < n; i++)
		buf_addch(&v, p[i] < 0x20 || p[i] == 0x7f ? ' ' : (char)p[i]);
	for (i = 0; i < v.len; i++)
		ascii &= (unsigned char)v.p[i] < 0x80;
	buf_adds(b, name);
	buf_adds(b, ": ");
	if (ascii) {
		buf_add(b, v.p, v.len);
	} else {
		p = (const unsigned char *)v.p;
		while (at < v.len) {
			size_t end = at + 45 < v.len ? at + 45 : v.len;
			while (end > at + 1 && end < v.len && (p[end] & 0xc0) == 0x80)
				end--;
			buf_adds(b, at ? "\n =?UTF-8?B?" : "=?UTF-8?B?");
			base64(b, p + at, end - at);
			buf_adds(b, "?=");
			at = end;
		}
	}
	buf_addch(b, '\n');
	buf_release(&v);
}

/* RFC 5322's date, in UTC, without the locale's names. */
static void
mail_date(struct buf *b, int64_t ms)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	buf_addf(b, "Date: %.3s, %02d %.3s %d %02d:%02d:%02d +0000\n",
	    days + 3 * tm.tm_wday, tm.tm_mday, months + 3 * tm.tm_mon,
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* An alert in plain text, for a mail or a chat. */
static void
alert_text(struct buf *b, const struct alert_firing *f, const char *indent)
{
	char num[NUMBER_BUFSZ];
	size_t i;

	buf_adds(b, indent);
	for (i = 0; i < f->nlabels; i++) {
		buf_addf(b, "%s%s=", i ? " " : "", f->labels[i].name);
		put_text(b, f->labels[i].value, NULL);
	}
	buf_addch(b, '\n');
	for (i = 0; i < f->nannotations; i++) {
		buf_addf(b, "%s%s: ", indent, f->annotations[i].name);
		put_text(b, f->annotations[i].value, indent);
		buf_addch(b, '\n');
	}
	number_format(num, f->value);
	buf_addf(b, "%svalue %s, since ", indent, num);
	put_rfc3339(b, f->starts_at);
	if (f->ends_at) {
		buf_adds(b, ", until ");
		put_rfc3339(b, f->ends_at);
	}
	buf_addch(b, '\n');
}

static void
mail(struct buf *b, const struct notice *nt)
{
	struct buf t = BUF_INIT;
	char host[HOST_NAME_BUFSZ];
	size_t i;
	int pass;

	if (nt->rv->from) {
		header(b, "From", nt->rv->from);
	} else {
		host_name(host, sizeof(host));
		buf_adds(&t, "malert@");
		buf_adds(&t, host);
		header(b, "From", t.p);
		buf_reset(&t);
	}
	header(b, "To", nt->rv->to);
	title(&t, nt);
	header(b, "Subject", t.p);
	mail_date(b, nt->now);
	buf_adds(b, "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n");
	header(b, "X-Malert-Group-Key", nt->group_key);
	buf_addch(b, '\n');
	buf_addf(b, "%zu firing, %zu resolved.\n", nt->nfiring,
	    nt->n - nt->nfiring);
	/* The firing alerts first. */
	for (pass = 1; pass >= 0; pass--)
		for (i = 0; i < nt->n; i++) {
			const struct alert_firing *f = &nt->a[nt->idx[i]];
			const char *name = label_value(f->labels, f->nlabels,
			    "alertname");
			if (f->firing != pass)
				continue;
			buf_addf(b, "\n[%s] %s\n", f->firing ? "FIRING" :
			    "RESOLVED", name ? name : "");
			alert_text(b, f, "  ");
		}
	if (nt->external_url)
		buf_addf(b, "\nSource: %s\n", nt->external_url);
	buf_release(&t);
}

/* --- slack --- */

/* Slack's markup takes &, < and > as entities. */
static void
slack_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			buf_adds(b, "&amp;");
		else if (*s == '<')
			buf_adds(b, "&lt;");
		else if (*s == '>')
			buf_adds(b, "&gt;");
		else
			buf_addch(b, *s);
	}
}

static void
slack(struct buf *b, const struct notice *nt)
{
	struct buf t = BUF_INIT, x = BUF_INIT;
	size_t i, k;

	title(&t, nt);
	buf_adds(&x, "*");
	slack_escape(&x, t.p);
	buf_adds(&x, "*");
	for (i = 0; i < nt->n; i++) {
		const struct alert_firing *f = &nt->a[nt->idx[i]];
		const char *summary = label_value(f->annotations,
		    f->nannotations, "summary");
		buf_adds(&x, f->firing ? "\n:red_circle: " : "\n:white_check_mark: ");
		if (summary) {
			slack_escape(&x, summary);
			buf_adds(&x, " —");
		}
		for (k = 0; k < f->nlabels; k++) {
			buf_addf(&x, " `%s=", f->labels[k].name);
			slack_escape(&x, f->labels[k].value);
			buf_addch(&x, '`');
		}
	}
	if (nt->external_url) {
		buf_adds(&x, "\n<");
		slack_escape(&x, nt->external_url);
		buf_adds(&x, "|source>");
	}
	buf_adds(b, "{\"text\":");
	jsonl_quote(b, x.p, x.len);
	buf_adds(b, "}\n");
	buf_release(&t);
	buf_release(&x);
}

/* --- pagerduty --- */

static void
pagerduty(struct buf *b, const struct notice *nt)
{
	static const char *const severities[] = { "critical", "error",
		"warning", "info", NULL };
	struct tmpl_label c[COMMON_MAX];
	struct buf t = BUF_INIT, d = BUF_INIT;
	size_t nc = common(nt, 0, c, COMMON_MAX), i;
	const char *sev = label_value(c, nc, "severity"), *source;
	char host[HOST_NAME_BUFSZ];

	for (i = 0; sev && severities[i] && strcmp(severities[i], sev); i++)
		;
	if (sev == NULL || severities[i] == NULL)
		sev = "error";
	host_name(host, sizeof(host));
	source = nt->external_url ? nt->external_url : host;
	title(&t, nt);
	/* PagerDuty keeps 1024 characters of a summary. */
	if (t.len > 1024)
		t.len = 1024;
	for (i = 0; i < nt->n; i++) {
		const struct alert_firing *f = &nt->a[nt->idx[i]];
		buf_adds(&d, f->firing ? "[FIRING]\n" : "[RESOLVED]\n");
		alert_text(&d, f, "  ");
	}
	buf_adds(b, "{\"routing_key\":");
	jsonl_quote(b, nt->rv->routing_key, strlen(nt->rv->routing_key));
	buf_addf(b, ",\"event_action\":\"%s\",\"dedup_key\":\"malert-%016llx\"",
	    nt->nfiring ? "trigger" : "resolve",
	    (unsigned long long)XXH3_64bits(nt->group_key,
	    strlen(nt->group_key)));
	buf_adds(b, ",\"payload\":{\"summary\":");
	jsonl_quote(b, t.p, t.len);
	buf_adds(b, ",\"source\":");
	jsonl_quote(b, source, strlen(source));
	buf_addf(b, ",\"severity\":\"%s\",\"custom_details\":{\"firing\":", sev);
	jsonl_quote(b, d.p ? d.p : "", d.len);
	buf_addf(b, ",\"num_firing\":%zu,\"num_resolved\":%zu}}",
	    nt->nfiring, nt->n - nt->nfiring);
	buf_adds(b, ",\"client\":\"malert\"");
	if (nt->external_url) {
		buf_adds(b, ",\"client_url\":");
		jsonl_quote(b, nt->external_url, strlen(nt->external_url));
	}
	buf_adds(b, "}\n");
	buf_release(&t);
	buf_release(&d);
}

void
notice_format(struct buf *out, const struct notice *nt)
{
	switch (nt->rv->format) {
	case ROUTE_MAIL:
		mail(out, nt);
		break;
	case ROUTE_SLACK:
		slack(out, nt);
		break;
	case ROUTE_PAGERDUTY:
		pagerduty(out, nt);
		break;
	case ROUTE_WEBHOOK:
	default:
		webhook(out, nt);
		break;
	}
}

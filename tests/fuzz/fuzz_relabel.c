/* fuzz_relabel.c - metric_relabel_configs rule files, applied to samples */
/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "base/buf.h"
#include "stream/expo.h"
#include "stream/relabel.h"

/*
 * The input is a rule file, then a NUL byte and a document of the text
 * format whose samples the rules are applied to (a sample of its own
 * when there is none).  Loading never crashes, and what it refuses it
 * says in one line naming the file.  A sample the rules keep has a
 * name, no label named "__...", strings whose lengths are right; one
 * they refuse is said in one line.  The same rules applied again to the same sample give the
 * same result, so that nothing of a call leaks into the next.
 */

/* Sample 's' as text, its labels in their order. */
static void
format(struct buf *b, int k, const struct sample *s)
{
	size_t i;

	buf_reset(b);
	buf_addf(b, "%d ", k);
	if (k != 1)
		return;
	buf_add(b, s->name, s->name_len);
	for (i = 0; i < s->nlabels; i++) {
		buf_addch(b, '\0');
		buf_add(b, s->labels[i].name, s->labels[i].name_len);
		buf_addch(b, '=');
		buf_add(b, s->labels[i].value, s->labels[i].value_len);
	}
}

static void
check(struct relabel_rules *r, const struct sample *in)
{
	struct label copy[METRIC_LABELS_MAX];
	struct errbuf eb = ERRBUF_INIT;
	struct buf first = BUF_INIT, again = BUF_INIT;
	struct sample s;
	size_t i, n = in->nlabels < METRIC_LABELS_MAX ? in->nlabels :
	    METRIC_LABELS_MAX;
	int k, pass;

	for (pass = 0; pass < 2; pass++) {
		s = *in;
		memcpy(copy, in->labels, n * sizeof(*copy));
		s.labels = copy;
		s.nlabels = n;
		k = relabel_apply(r, &s, &eb);
		fuzz_assert(k >= -1 && k <= 1);
		if (k == -1)
			fuzz_check_message(eb.msg);
		if (k == 1) {
			fuzz_assert(s.name_len > 0 && s.name[s.name_len] == '\0');
			fuzz_assert(s.key == NULL);
			fuzz_assert(s.name == in->name ||
			    metric_name_is_prom(s.name, s.name_len));
			for (i = 0; i < s.nlabels; i++) {
				const struct label *l = &s.labels[i];
				fuzz_assert(l->name[l->name_len] == '\0');
				fuzz_assert(l->value[l->value_len] == '\0');
				fuzz_assert(!(l->name_len >= 2 && l->name[0] == '_' &&
				    l->name[1] == '_'));
			}
			/* What the stream would say of it; anything but a crash. */
			(void)metric_check(&s, &eb);
		}
		format(pass ? &again : &first, k, &s);
	}
	fuzz_assert(first.len == again.len &&
	    memcmp(first.p, again.p, first.len) == 0);
	buf_release(&first);
	buf_release(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t rules_len = nul ? (size_t)(nul - data) : size;
	struct errbuf eb = ERRBUF_INIT;
	struct relabel_rules *r;
	struct expo_parser *p;
	struct sample s;
	char path[32];
	int fd;

	if ((fd = fuzz_memfile(data, rules_len, path)) == -1)
		return 0;
	r = relabel_load(path, &eb);
	close(fd);
	if (r == NULL) {
		fuzz_check_message(eb.msg);
		fuzz_assert(strncmp(eb.msg, path, strlen(path)) == 0);
		return 0;
	}
	p = expo_parser_new(EXPO_PROMETHEUS);
	expo_parser_raw(p);
	if (nul == NULL) {
		static const char line[] =
		    "up{job=\"node\",instance=\"db1:9100\",empty=\"\"} 1";
		if (expo_parse(p, line, sizeof(line) - 1, &s, &eb) == 1)
			check(r, &s);
	} else {
		const char *q = (const char *)nul + 1, *end = (const char *)data + size;
		while (q < end) {
			const char *nl = memchr(q, '\n', (size_t)(end - q));
			size_t len = nl ? (size_t)(nl - q) : (size_t)(end - q);
			char *line = malloc(len ? len : 1);
			fuzz_assert(line != NULL);
			memcpy(line, q, len);
			if (expo_parse(p, line, len, &s, &eb) == 1)
				check(r, &s);
			free(line);
			q = nl ? nl + 1 : end;
		}
	}
	expo_parser_free(p);
	relabel_free(r);
	return 0;
}

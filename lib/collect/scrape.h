/* scrape.h - /metrics endpoints scraped as Prometheus scrapes them */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_SCRAPE_H
#define MTK_SCRAPE_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "net/http.h"
#include "stream/ingest.h"
#include "stream/relabel.h"

/*
 * A pass scrapes every target at once (net/http.h), each within the
 * timeout, and gives the samples of each, in the order of the targets,
 * to a sink, as Prometheus 2.42's scrape loop appends them:
 *
 *  - the body is OpenMetrics when the target says so in its
 *    Content-Type, else the text format (stream/expo.h); a sample's own
 *    timestamp is kept, the others get the pass's time;
 *  - every sample gets the target's labels: job, instance (the URL's
 *    host:port) and those of 'labels'.  A scraped label of one of those
 *    names is renamed exported_NAME, unless 'honor_labels', when the
 *    scraped value wins;
 *  - then the 'relabel' rules (stream/relabel.h), Prometheus'
 *    metric_relabel_configs, keep, drop or change it;
 *  - a target that does not answer 200, whose body does not parse, a
 *    sample of which the rules leave without a valid name, or that
 *    gives more than 'sample_limit' samples after the rules gives none
 *    of them: the scrape failed;
 *  - then, for each target, up (1 or 0), scrape_duration_seconds,
 *    scrape_samples_scraped and scrape_samples_post_metric_relabeling
 *    (the samples the rules kept), counted, as in Prometheus, up to
 *    where a failed scrape failed.
 *
 * A failure is told to 'warn' when it is new or its reason changed, and
 * when the target is back.
 *
 * Targets are the URLs given, and those of 'targets_file' as
 * Prometheus' file_sd reads them (JSON or YAML: a list of {targets:
 * [host:port, ...], labels: {...}}, whose labels are the targets' own,
 * __scheme__ and __metrics_path__ making the URL), read again at the
 * first pass after it changes; a file that does not read is said and
 * the targets stay as they were.
 *
 * An https target is spoken to as 'tls' says (net/http.h).
 */
struct scrape_opts {
	const char *job;		/* the job label */
	const char *targets_file;	/* file_sd targets, or NULL */
	int64_t timeout_ms;
	int honor_labels;
	uint64_t sample_limit;		/* 0: none */
	size_t body_limit;		/* bytes; 0: none */
	const char *bearer_token;	/* or NULL */
	const char *user, *password;	/* basic auth, or NULL */
	struct http_tls tls;		/* its files must be readable */
	struct relabel_rules *relabel;	/* or NULL; used by one scraper */
	const char *const *labels;	/* "NAME=VALUE" for every sample */
	size_t nlabels;
	void (*warn)(void *arg, const char *msg);
	void *warn_arg;
};

struct scraper;

/*
 * A scraper of 'urls' (http or https; borrowed, as 'o' is).  NULL with
 * 'eb' for a URL that is not one, a TLS file that cannot be read, or
 * when libcurl cannot be loaded.
 */
struct scraper *scraper_new(const struct scrape_opts *o,
    const char *const *urls, size_t n, struct errbuf *eb);

/*
 * One pass at 'ts' (ms) into 'sink'.  Returns the number of targets that
 * were up, or -1 with 'eb' when the sink failed.
 */
int scraper_pass(struct scraper *s, int64_t ts, const struct ingest_sink *sink,
    struct errbuf *eb);

void scraper_free(struct scraper *s);

#endif

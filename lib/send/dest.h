/* dest.h - where mpush sends: a URL, its format and its transport */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_DEST_H
#define MTK_DEST_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "net/http.h"

/*
 * A destination is named by a URL; its scheme says the format
 * (send/encode.h) and how a batch travels:
 *
 *  http(s)://HOST/api/v1/push       an mtk listener: the stream, gzip
 *                                   (from 4 KiB on)
 *  pushgateway+http(s)://HOST/metrics/job/NAME[/LABEL/VALUE...]
 *                                   a Pushgateway: the text format
 *  influx+http(s)://HOST/write?db=NAME
 *                                   InfluxDB 1.x, VictoriaMetrics
 *  remote-write+http(s)://HOST/api/v1/write
 *                                   Prometheus remote_write 1.0
 *  statsd://HOST:PORT               StatsD lines in UDP datagrams
 *  graphite://HOST:PORT             Graphite's plaintext over TCP
 *
 * An HTTP answer decides a batch's fate: 2xx delivered; from an mtk
 * listener, 400 is delivered too (its good lines were kept; the bad
 * one is said); other 4xx are rejected (said, never sent again), but 408
 * and 429 (whose Retry-After is kept); 5xx, no answer, a refused
 * connection: to be tried again.  UDP datagrams sent are delivered (UDP
 * tells no more); over TCP a batch is delivered once written whole and
 * the connection closed cleanly.
 */
enum dest_result { DEST_DELIVERED, DEST_RETRY, DEST_REJECTED };

struct dest_opts {
	const char *url;
	int64_t timeout_ms;		/* of one attempt */
	size_t mtu;			/* StatsD datagrams, bytes */
	int graphite_dotted;		/* Graphite without tags */
	const char *bearer_token;	/* or NULL */
	const char *user, *password;	/* basic auth, or NULL */
	const struct http_tls *tls;	/* or NULL */
	/*
	 * One request and exit (a single sample): plain http:// goes
	 * without libcurl (net/post.h), whose loading is most of such a run.
	 */
	int one_shot;
};

struct dest;

/* NULL with 'eb' for a URL of no known scheme, or libcurl missing. */
struct dest *dest_open(const struct dest_opts *o, struct errbuf *eb);
void dest_close(struct dest *d);

/* The URL without its user and password, for messages. */
const char *dest_name(const struct dest *d);

/*
 * Send the batch of stream lines 'lines' ('len' bytes, a newline after
 * each); 'now' (ms) stamps the samples without a time.  DEST_RETRY with
 * '*retry_after_ms' (0: the caller's backoff decides) and why in 'eb';
 * DEST_REJECTED with why in 'eb'; DEST_DELIVERED with what the
 * destination said of a partly bad batch in 'eb' (else "").  Lines that
 * do not read as samples are left out; '*left_out' counts them and the
 * samples the format cannot carry.
 */
enum dest_result dest_send(struct dest *d, const char *lines, size_t len,
    int64_t now, int64_t *retry_after_ms, size_t *left_out,
    struct errbuf *eb);

/*
 * Send StatsD lines as they are ('len' bytes, a newline after each), to
 * be added up by the destination: a counter's increments.  Only a
 * StatsD server and an mtk listener (?format=statsd) add them up; any
 * other destination is DEST_REJECTED.
 */
enum dest_result dest_send_statsd(struct dest *d, const char *lines,
    size_t len, int64_t *retry_after_ms, struct errbuf *eb);

#endif

/* encode.h - a batch of samples in the wire format of a destination */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_ENCODE_H
#define MTK_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "stream/metric.h"

/*
 * mpush sends batches of stream lines (what it journals) to other
 * programs, each in its own format.  An encoder takes the samples of one
 * batch, in the order read, and makes the body of one request (or, for
 * StatsD, the lines that datagrams are cut from):
 *
 *  ENCODE_JSONL        the stream itself (mgather listen's /api/v1/push),
 *                      samples without a time given the batch's.
 *  ENCODE_PROMETHEUS   the text format 0.0.4, for a Pushgateway: the
 *                      samples grouped by metric name (a family once,
 *                      its TYPE line first: counter, gauge, or untyped
 *                      for observations), no timestamps (a Pushgateway
 *                      refuses them), label values escaped, names
 *                      outside [a-zA-Z_:][a-zA-Z0-9_:]* with '_' for
 *                      each byte the syntax does not take; for a
 *                      series given twice in a batch, its last value.
 *  ENCODE_INFLUX       InfluxDB's line protocol: measurement = metric
 *                      name, tags = labels, one field "value", time in
 *                      ns (the batch's time for samples without one);
 *                      escapes as the protocol has them.
 *  ENCODE_GRAPHITE     Graphite's plaintext protocol with tags:
 *                      "name;tag=value;... value seconds"; characters
 *                      Graphite does not take in a tag value (';', a
 *                      leading '~', blanks and control characters, and
 *                      '(' ')' in names) become '_'; a label "name"
 *                      (Graphite's tag for the name) is "exported_name".
 *  ENCODE_GRAPHITE_DOTTED  without tags: "name.v1.v2 value seconds",
 *                      the label values in label-name order, each '.',
 *                      '/', ';', blank or control character in them an
 *                      '_'.
 *  ENCODE_STATSD       StatsD lines: gauges "name:v|g" (a negative
 *                      value preceded by "name:0|g", since "-v" alone
 *                      would be a decrement), counters "name:d|c" where
 *                      d is the increase since the last value of that
 *                      series the encoder saw (nothing for the first;
 *                      a drop is a restart: d is the new value),
 *                      observations "name:v|h"; labels as DogStatsD
 *                      tags "|#k:v,...".
 *  ENCODE_REMOTE_WRITE Prometheus remote_write 1.0: a WriteRequest
 *                      (protobuf, protobuf-c), one TimeSeries per series
 *                      of the batch with its samples in time order and
 *                      labels sorted (__name__ among them), the body
 *                      compressed with snappy's block format (libsnappy).
 *                      Samples without a time get the batch's; of
 *                      two of a series at one time, the last given.
 *
 * Samples the format cannot carry (a NaN or ±Inf value for InfluxDB,
 * Graphite and StatsD; a time outside InfluxDB's nanoseconds since 1970
 * in an int64; a negative StatsD counter) are left out and counted.
 */
enum encode_format {
	ENCODE_JSONL, ENCODE_PROMETHEUS, ENCODE_INFLUX, ENCODE_GRAPHITE,
	ENCODE_GRAPHITE_DOTTED, ENCODE_STATSD, ENCODE_REMOTE_WRITE
};

struct encoder;

/*
 * A new encoder; it keeps state across batches (StatsD's counters: the
 * last value of each, to send increases; one not seen while as many
 * new ones came as are kept, and 4,096 at least, is forgotten).
 */
struct encoder *encoder_new(enum encode_format f);
void encoder_free(struct encoder *e);

/* How many series' state the encoder keeps across batches. */
size_t encoder_kept(const struct encoder *e);

/*
 * Why a new encoder cannot encode (REMOTE_WRITE: libsnappy, loaded with
 * dlopen(3), is missing), or NULL.  Such an encoder writes nothing.
 */
const char *encoder_error(const struct encoder *e);

/*
 * A batch: start it ('now', ms, the time of samples without one), add
 * its samples in order (each copied as far as needed: the caller's
 * strings may change after the call), then finish it into 'out'
 * (appended).  encode_add() returns 0, or 1 when the format cannot
 * carry the sample and it was left out.
 */
void encode_start(struct encoder *e, int64_t now);
int encode_add(struct encoder *e, const struct sample *s);
void encode_finish(struct encoder *e, struct buf *out);

/*
 * Cut the StatsD lines of 'lines' ('len' bytes, each ending in '\n')
 * into datagrams of at most 'mtu' bytes, never splitting a line: calls
 * 'fn' with each datagram (without its last newline).  A line longer
 * than 'mtu' goes alone in its datagram.  Returns 0, or the first
 * non-zero value 'fn' returned.
 */
int encode_datagrams(const char *lines, size_t len, size_t mtu,
    int (*fn)(void *arg, const char *p, size_t n), void *arg);

#endif

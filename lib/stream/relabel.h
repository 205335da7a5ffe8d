/* relabel.h - samples relabelled as Prometheus' metric_relabel_configs do */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_RELABEL_H
#define MTK_RELABEL_H

#include <stddef.h>

#include "base/errbuf.h"
#include "stream/metric.h"

/*
 * A rule file is a YAML (or JSON) list of rules in the syntax of
 * Prometheus' metric_relabel_configs, as Prometheus 2.42 reads and
 * applies them:
 *
 *	- source_labels: [__name__]
 *	  regex: go_.*
 *	  action: drop
 *	- source_labels: [instance]
 *	  regex: '([^:]+):\d+'
 *	  target_label: host
 *
 * Fields: 'source_labels' (a list of label names; '__name__' is the
 * metric name), 'separator' (default ";"), 'regex' (default "(.*)"),
 * 'target_label', 'replacement' (default "$1"), 'modulus' (checked
 * only) and 'action' (default replace; any case).  An empty file or []
 * is no rules.  A field of another name, a field given twice, a value
 * of the wrong kind or a rule Prometheus would refuse is an error at
 * load, "FILE: rule N: why".
 *
 * Each rule, in order, joins the values of its source labels with the
 * separator (a missing label is "") and acts on that value:
 *
 *  replace    when the regex matches, 'target_label' (which may hold
 *             $ references too) gets 'replacement' expanded; a target
 *             that expands to no valid label name is left alone, and
 *             an empty result removes the target;
 *  keep       drops the sample unless the regex matches;
 *  drop       drops the sample when the regex matches;
 *  keepequal  drops the sample unless the value equals that of
 *             'target_label'; dropequal: when it does;
 *  lowercase, uppercase  sets 'target_label' to the value in that case
 *             (an empty one removes it);
 *  labelmap   for each label (sorted by name, as they were before the
 *             rule) whose name matches, a label named by the regex's
 *             replacement of the name in 'replacement', same value;
 *  labeldrop  removes every label whose name matches the regex;
 *  labelkeep  removes every label whose name does not.
 *
 * hashmod is refused at load: it needs MD5, which nothing here has.
 *
 * The label set is the sample's labels and its name, as '__name__':
 * labeldrop, labelkeep and labelmap see the name too, so a labelkeep
 * must keep '__name__'.  A label set to "" is removed; labels that
 * came empty are absent ("").
 *
 * Regexes are RE2 syntax, compiled with PCRE2 as "^(?:REGEX)$" (pasted
 * as Prometheus pastes them, so "a)|(b" is accepted and only half
 * anchored there too), in UTF mode, '$' the end only, '.' not "\n";
 * PCRE2 takes a superset of RE2.  A replacement is expanded as Go's
 * Regexp.Expand does: $1, ${1}, $name, ${name}, $$ for '$'; a number
 * or name of no group, or a group that did not take part, is ""; a '$'
 * followed by no name is itself.  A name runs over ASCII letters,
 * digits, '_' and every byte of 0x80 and up (Go: Unicode letters and
 * digits only).  lowercase and uppercase map Unicode letters through
 * the C.UTF-8 locale's towlower/towupper (ASCII only when that locale
 * is missing), Go through its own tables: a rare letter may differ.
 *
 * After the rules, a sample whose '__name__' was removed, or set to no
 * valid Prometheus metric name, is an error (Prometheus fails the
 * scrape).  Labels whose names start with "__" left by the rules are
 * removed: the stream has none (Prometheus would keep them).
 *
 * Not thread-safe: the rules keep their scratch space (so that
 * applying them allocates nothing once warm).
 */
struct relabel_rules;

/*
 * Load the rules of file 'path'.  Returns new rules (free them with
 * relabel_free()), or NULL with "PATH: rule N: why" (or "PATH: why")
 * in 'eb'.
 */
struct relabel_rules *relabel_load(const char *path, struct errbuf *eb);

void relabel_free(struct relabel_rules *r);

/* The number of rules. */
size_t relabel_count(const struct relabel_rules *r);

/*
 * Apply the rules to sample 's' (its labels in any order, empty values
 * allowed).  Returns 1 when the sample is kept, with 's->name' and
 * 's->labels' replaced: strings borrowed from what 's' had or from 'r',
 * and the labels array 'r''s, valid until the next call; 's->key' is
 * NULL.  Returns 0 when a rule dropped it ('s' unchanged), or -1 with
 * 'eb' when it lost its name or got an invalid one, or came with a
 * label named '__name__'.
 */
int relabel_apply(struct relabel_rules *r, struct sample *s,
    struct errbuf *eb);

#endif

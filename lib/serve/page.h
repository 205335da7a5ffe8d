/* page.h - the page mquery serve gives at /: a query and its live chart */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PAGE_H
#define MTK_PAGE_H

/*
 * One HTML page, all of it here (no file, no network: it works
 * offline): a form for an expression, its range and step; then the
 * answer of /api/v1/stream's events, each redrawing the chart (the SVG
 * of /chart, put in the page as it is) and the table of the values.
 * The form's fields come from the page's own query string
 * (/?query=EXPR&range=1h&step=5s), so a chart can be linked to.
 * Elements a test may look for: #chart (the svg), #events (a count of
 * the events), #status.
 */
extern const char page_html[];

#endif

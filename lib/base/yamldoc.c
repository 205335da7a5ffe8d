/* yamldoc.c - reading a libyaml document: nodes, fields, where they are */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/yamldoc.h"

int
yamldoc_load(struct yamldoc *d, const char *path, char *msg, size_t size)
{
	yaml_parser_t parser;
	yaml_document_t more;
	FILE *fp;
	int rc = 0;

	memset(d, 0, sizeof(*d));
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(msg, size, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &d->doc)) {
		snprintf(msg, size, "%lu:%lu: yaml: %s%s%s",
		    (unsigned long)parser.problem_mark.line + 1,
		    (unsigned long)parser.problem_mark.column + 1,
		    parser.problem ? parser.problem : "cannot parse",
		    parser.context ? " " : "",
		    parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		fclose(fp);
		memset(d, 0, sizeof(*d));
		return -1;
	}
	d->root = yaml_document_get_root_node(&d->doc);
	/* One document only. */
	if (yaml_parser_load(&parser, &more)) {
		if (yaml_document_get_root_node(&more) != NULL) {
			snprintf(msg, size, "more than one YAML document");
			rc = -1;
		}
		yaml_document_delete(&more);
	}
	yaml_parser_delete(&parser);
	fclose(fp);
	if (rc == -1)
		yamldoc_free(d);
	return rc;
}

void
yamldoc_free(struct yamldoc *d)
{
	if (d->doc.nodes.start)
		yaml_document_delete(&d->doc);
	memset(d, 0, sizeof(*d));
}

yaml_node_t *
yamldoc_node(struct yamldoc *d, int i)
{
	return yaml_document_get_node(&d->doc, i);
}

yaml_node_t *
yamldoc_field(struct yamldoc *d, yaml_node_t *m, const char *name)
{
	yaml_node_pair_t *pr;

	if (m == NULL || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
	    pr++) {
		yaml_node_t *k = yamldoc_node(d, pr->key);
		if (k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, name) == 0)
			return yamldoc_node(d, pr->value);
	}
	return NULL;
}

int
yamldoc_is_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = (const char *)n->data.scalar.value;
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	    strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

const char *
yamldoc_scalar(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ?
	    (const char *)n->data.scalar.value : NULL;
}

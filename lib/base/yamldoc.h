/* yamldoc.h - reading a libyaml document: nodes, fields, where they are */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_YAMLDOC_H
#define MTK_YAMLDOC_H

#include <yaml.h>

/*
 * What the readers of YAML files (rule files, rule tests, scrape target
 * files; JSON is read as the YAML it is) share: a file
 * loaded whole into a libyaml document, and lookups in it.  Positions
 * are libyaml's marks, from 0; messages add 1.
 */

struct yamldoc {
	yaml_document_t doc;
	yaml_node_t *root;	/* NULL for an empty file */
};

/*
 * Load the first document of 'path'.  Returns 0, or -1 with a message
 * "LINE:COL: yaml: what" (or "cannot open: why") in 'msg'; a second
 * document is an error too.
 */
int yamldoc_load(struct yamldoc *d, const char *path, char *msg, size_t size);
void yamldoc_free(struct yamldoc *d);

/* Node 'i' of the document (from a pair or an item). */
yaml_node_t *yamldoc_node(struct yamldoc *d, int i);

/* The value of key 'name' in mapping 'm', or NULL. */
yaml_node_t *yamldoc_field(struct yamldoc *d, yaml_node_t *m,
    const char *name);

/* Whether 'n' is a plain null: nothing, "~" or "null". */
int yamldoc_is_null(const yaml_node_t *n);

/* The text of scalar 'n', or NULL when it is not one. */
const char *yamldoc_scalar(const yaml_node_t *n);

#endif

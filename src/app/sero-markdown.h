/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SERO_MARKDOWN_PARAGRAPH,
  SERO_MARKDOWN_HEADING,
  SERO_MARKDOWN_LIST,
  SERO_MARKDOWN_CODE,
  SERO_MARKDOWN_QUOTE,
  SERO_MARKDOWN_RULE,
  SERO_MARKDOWN_TABLE,
} SeroMarkdownKind;

/**
 * SeroMarkdownBlock:
 * @kind: what the block is
 * @level: the heading level (1–6), else 0
 * @text: Pango markup, except for %SERO_MARKDOWN_CODE where it is the
 *   code as plain text
 * @language: (nullable): a code block's info string, first word
 *
 * One top-level block of a Markdown document, ready for one widget.
 */
typedef struct
{
  SeroMarkdownKind  kind;
  int               level;
  char             *text;
  char             *language;
} SeroMarkdownBlock;

/**
 * SeroMarkdownSplitter:
 *
 * Where a growing Markdown text can be cut so that what comes before never
 * changes its rendering again: after a blank line, a heading line or a
 * closing fence, and before an opening fence, all outside fenced code.
 * Only whole lines are read, each once.
 */
typedef struct
{
  gsize    scanned;
  gsize    stable;
  gboolean in_fence;
  char     fence_char;
  guint    fence_len;
} SeroMarkdownSplitter;

void       sero_markdown_block_free       (SeroMarkdownBlock    *block);
GPtrArray *sero_markdown_parse            (const char           *text,
                                           gsize                 len);
void       sero_markdown_splitter_advance (SeroMarkdownSplitter *splitter,
                                           const char           *text,
                                           gsize                 len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeroMarkdownBlock, sero_markdown_block_free)

G_END_DECLS

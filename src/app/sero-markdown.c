/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-markdown"

#include "config.h"

#include <string.h>

#include <md4c.h>

#include "sero-markdown.h"

/* Markdown for the chat view: md4c parses, and every top-level block
 * becomes Pango markup for one label (or plain text for a code block).
 * Lists, quotes and tables are flattened into their one label: a chat
 * answer rarely nests deeply, and one label per block keeps the number of
 * widgets, and so the cost of laying out a long answer, small. */

typedef struct
{
  gboolean ordered;
  unsigned next;
} ListLevel;

typedef struct
{
  GPtrArray        *blocks;
  GString          *buf;
  int               depth;
  SeroMarkdownKind  kind;
  int               level;
  char             *language;
  GArray           *lists;
  guint             cell;
  gboolean          top_code;
} Render;

void
sero_markdown_block_free (SeroMarkdownBlock *block)
{
  if (block == NULL)
    return;

  g_free (block->text);
  g_free (block->language);
  g_free (block);
}

static void
separate (Render *r)
{
  if (r->buf->len > 0 && r->buf->str[r->buf->len - 1] != '\n')
    g_string_append_c (r->buf, '\n');
}

static void
append_escaped (GString    *buf,
                const char *text,
                gsize       size)
{
  g_autofree char *escaped = NULL;

  /* md4c hands out slices of the source, which may split no UTF-8
   * sequence but may hold invalid bytes from a broken stream. */
  if (!g_utf8_validate_len (text, size, NULL))
    {
      g_autofree char *valid = g_utf8_make_valid (text, size);
      escaped = g_markup_escape_text (valid, -1);
    }
  else
    escaped = g_markup_escape_text (text, size);

  g_string_append (buf, escaped);
}

static void
append_entity (GString    *buf,
               const char *text,
               gsize       size)
{
  static const struct { const char *name; const char *utf8; } named[] = {
    { "&amp;", "&amp;" }, { "&lt;", "&lt;" }, { "&gt;", "&gt;" },
    { "&quot;", "&quot;" }, { "&apos;", "&apos;" }, { "&nbsp;", "\u00a0" },
    { "&copy;", "©" }, { "&mdash;", "—" }, { "&ndash;", "–" }, { "&hellip;", "…" },
  };

  if (size > 3 && text[1] == '#')
    {
      gunichar c = text[2] == 'x' || text[2] == 'X'
                   ? (gunichar) g_ascii_strtoull (text + 3, NULL, 16)
                   : (gunichar) g_ascii_strtoull (text + 2, NULL, 10);
      char out[7] = { 0 };

      if (c != 0 && g_unichar_validate (c))
        {
          g_unichar_to_utf8 (c, out);
          append_escaped (buf, out, strlen (out));
          return;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (named); i++)
    if (strlen (named[i].name) == size && strncmp (named[i].name, text, size) == 0)
      {
        g_string_append (buf, named[i].utf8);
        return;
      }

  append_escaped (buf, text, size);
}

static void
begin_top (Render           *r,
           SeroMarkdownKind  kind,
           int               level)
{
  g_string_truncate (r->buf, 0);
  r->kind = kind;
  r->level = level;
  g_clear_pointer (&r->language, g_free);
}

static void
end_top (Render *r)
{
  SeroMarkdownBlock *block = g_new0 (SeroMarkdownBlock, 1);

  while (r->buf->len > 0 && r->buf->str[r->buf->len - 1] == '\n')
    g_string_truncate (r->buf, r->buf->len - 1);

  block->kind = r->kind;
  block->level = r->level;
  block->text = g_strndup (r->buf->str, r->buf->len);
  block->language = g_steal_pointer (&r->language);
  g_ptr_array_add (r->blocks, block);
  g_string_truncate (r->buf, 0);
}

static int
enter_block (MD_BLOCKTYPE  type,
             void         *detail,
             void         *user_data)
{
  Render *r = user_data;
  gboolean top = r->depth == 1;

  r->depth++;

  switch (type)
    {
    case MD_BLOCK_DOC:
      break;

    case MD_BLOCK_P:
    case MD_BLOCK_HTML:
      if (top)
        begin_top (r, SERO_MARKDOWN_PARAGRAPH, 0);
      else
        separate (r);
      break;

    case MD_BLOCK_H:
      if (top)
        begin_top (r, SERO_MARKDOWN_HEADING, ((MD_BLOCK_H_DETAIL *) detail)->level);
      else
        {
          separate (r);
          g_string_append (r->buf, "<b>");
        }
      break;

    case MD_BLOCK_QUOTE:
      if (top)
        begin_top (r, SERO_MARKDOWN_QUOTE, 0);
      else
        separate (r);
      break;

    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      {
        ListLevel level = { type == MD_BLOCK_OL, 1 };

        if (type == MD_BLOCK_OL)
          level.next = ((MD_BLOCK_OL_DETAIL *) detail)->start;
        if (top)
          begin_top (r, SERO_MARKDOWN_LIST, 0);
        g_array_append_val (r->lists, level);
      }
      break;

    case MD_BLOCK_LI:
      {
        MD_BLOCK_LI_DETAIL *li = detail;
        ListLevel *level = &g_array_index (r->lists, ListLevel, r->lists->len - 1);

        separate (r);
        for (guint i = 1; i < r->lists->len; i++)
          g_string_append (r->buf, "    ");
        if (li->is_task)
          g_string_append (r->buf, li->task_mark == ' ' ? "☐ " : "☑ ");
        else if (level->ordered)
          g_string_append_printf (r->buf, "%u. ", level->next++);
        else
          g_string_append (r->buf, r->lists->len > 1 ? "◦ " : "• ");
      }
      break;

    case MD_BLOCK_HR:
      if (top)
        begin_top (r, SERO_MARKDOWN_RULE, 0);
      else
        {
          separate (r);
          g_string_append (r->buf, "———");
        }
      break;

    case MD_BLOCK_CODE:
      if (top)
        {
          MD_BLOCK_CODE_DETAIL *code = detail;

          begin_top (r, SERO_MARKDOWN_CODE, 0);
          r->top_code = TRUE;
          if (code->lang.size > 0)
            r->language = g_strndup (code->lang.text, code->lang.size);
        }
      else
        {
          separate (r);
          g_string_append (r->buf, "<tt>");
        }
      break;

    case MD_BLOCK_TABLE:
      if (top)
        begin_top (r, SERO_MARKDOWN_TABLE, 0);
      else
        separate (r);
      break;

    case MD_BLOCK_TR:
      separate (r);
      r->cell = 0;
      break;

    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      if (r->cell++ > 0)
        g_string_append (r->buf, "  │  ");
      if (type == MD_BLOCK_TH)
        g_string_append (r->buf, "<b>");
      break;

    case MD_BLOCK_THEAD:
    case MD_BLOCK_TBODY:
    default:
      break;
    }

  return 0;
}

static int
leave_block (MD_BLOCKTYPE  type,
             void         *detail,
             void         *user_data)
{
  Render *r = user_data;
  gboolean top;

  r->depth--;
  top = r->depth == 1;

  if (type == MD_BLOCK_H && !top)
    g_string_append (r->buf, "</b>");
  else if (type == MD_BLOCK_CODE)
    {
      if (!top)
        {
          while (r->buf->len > 0 && r->buf->str[r->buf->len - 1] == '\n')
            g_string_truncate (r->buf, r->buf->len - 1);
          g_string_append (r->buf, "</tt>");
        }
      r->top_code = FALSE;
    }
  else if (type == MD_BLOCK_UL || type == MD_BLOCK_OL)
    g_array_set_size (r->lists, r->lists->len - 1);
  else if (type == MD_BLOCK_TH)
    g_string_append (r->buf, "</b>");

  if (top && type != MD_BLOCK_DOC)
    end_top (r);

  return 0;
}

static int
enter_span (MD_SPANTYPE  type,
            void        *detail,
            void        *user_data)
{
  Render *r = user_data;

  switch (type)
    {
    case MD_SPAN_EM:
      g_string_append (r->buf, "<i>");
      break;

    case MD_SPAN_STRONG:
      g_string_append (r->buf, "<b>");
      break;

    case MD_SPAN_DEL:
      g_string_append (r->buf, "<s>");
      break;

    case MD_SPAN_U:
      g_string_append (r->buf, "<u>");
      break;

    case MD_SPAN_CODE:
      g_string_append (r->buf, "<span font_family=\"monospace\" background=\"#8080802e\">");
      break;

    case MD_SPAN_A:
      {
        MD_SPAN_A_DETAIL *a = detail;

        g_string_append (r->buf, "<a href=\"");
        append_escaped (r->buf, a->href.text, a->href.size);
        g_string_append (r->buf, "\">");
      }
      break;

    case MD_SPAN_IMG:
    case MD_SPAN_LATEXMATH:
    case MD_SPAN_LATEXMATH_DISPLAY:
    case MD_SPAN_WIKILINK:
    default:
      g_string_append (r->buf, "<span>");
      break;
    }

  return 0;
}

static int
leave_span (MD_SPANTYPE  type,
            void        *detail,
            void        *user_data)
{
  Render *r = user_data;

  switch (type)
    {
    case MD_SPAN_EM:
      g_string_append (r->buf, "</i>");
      break;

    case MD_SPAN_STRONG:
      g_string_append (r->buf, "</b>");
      break;

    case MD_SPAN_DEL:
      g_string_append (r->buf, "</s>");
      break;

    case MD_SPAN_U:
      g_string_append (r->buf, "</u>");
      break;

    case MD_SPAN_A:
      g_string_append (r->buf, "</a>");
      break;

    case MD_SPAN_CODE:
    case MD_SPAN_IMG:
    case MD_SPAN_LATEXMATH:
    case MD_SPAN_LATEXMATH_DISPLAY:
    case MD_SPAN_WIKILINK:
    default:
      g_string_append (r->buf, "</span>");
      break;
    }

  return 0;
}

static int
text (MD_TEXTTYPE    type,
      const MD_CHAR *str,
      MD_SIZE        size,
      void          *user_data)
{
  Render *r = user_data;

  if (r->top_code)
    {
      /* A top-level code block is plain text for a monospace label. */
      if (g_utf8_validate_len (str, size, NULL))
        g_string_append_len (r->buf, str, size);
      else
        {
          g_autofree char *valid = g_utf8_make_valid (str, size);
          g_string_append (r->buf, valid);
        }
      return 0;
    }

  switch (type)
    {
    case MD_TEXT_BR:
      g_string_append_c (r->buf, '\n');
      break;

    case MD_TEXT_SOFTBR:
      g_string_append_c (r->buf, ' ');
      break;

    case MD_TEXT_NULLCHAR:
      g_string_append (r->buf, "\uFFFD");
      break;

    case MD_TEXT_ENTITY:
      append_entity (r->buf, str, size);
      break;

    case MD_TEXT_NORMAL:
    case MD_TEXT_CODE:
    case MD_TEXT_HTML:
    case MD_TEXT_LATEXMATH:
    default:
      append_escaped (r->buf, str, size);
      break;
    }

  return 0;
}

/**
 * sero_markdown_parse:
 *
 * Returns: (transfer full) (element-type SeroMarkdownBlock): the top-level
 *   blocks of @text
 */
GPtrArray *
sero_markdown_parse (const char *source,
                     gsize       len)
{
  MD_PARSER parser = {
    .abi_version = 0,
    .flags = MD_DIALECT_GITHUB | MD_FLAG_NOHTML,
    .enter_block = enter_block,
    .leave_block = leave_block,
    .enter_span = enter_span,
    .leave_span = leave_span,
    .text = text,
  };
  Render r = { 0 };

  r.blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) sero_markdown_block_free);
  r.buf = g_string_new (NULL);
  r.lists = g_array_new (FALSE, FALSE, sizeof (ListLevel));

  if (len > 0 && md_parse (source, (MD_SIZE) len, &parser, &r) != 0)
    {
      /* md4c only fails on memory exhaustion; show the text as it came. */
      g_ptr_array_set_size (r.blocks, 0);
      begin_top (&r, SERO_MARKDOWN_PARAGRAPH, 0);
      append_escaped (r.buf, source, len);
      end_top (&r);
    }

  g_string_free (r.buf, TRUE);
  g_array_unref (r.lists);
  g_free (r.language);

  return r.blocks;
}

static gboolean
is_blank (const char *line,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
      return FALSE;
  return TRUE;
}

/* A fence line: up to three spaces, then three or more ` or ~. */
static gboolean
is_fence (const char *line,
          gsize       len,
          char       *fence_char,
          guint      *fence_len,
          gboolean   *bare)
{
  gsize i = 0;
  guint n = 0;

  while (i < len && i < 3 && line[i] == ' ')
    i++;
  if (i >= len || (line[i] != '`' && line[i] != '~'))
    return FALSE;

  *fence_char = line[i];
  while (i < len && line[i] == *fence_char)
    i++, n++;
  if (n < 3)
    return FALSE;

  *fence_len = n;
  *bare = is_blank (line + i, len - i);
  return TRUE;
}

static gboolean
is_heading (const char *line,
            gsize       len)
{
  gsize i = 0;

  while (i < len && i < 6 && line[i] == '#')
    i++;
  return i > 0 && (i == len || line[i] == ' ' || line[i] == '\t' || line[i] == '\r');
}

void
sero_markdown_splitter_advance (SeroMarkdownSplitter *s,
                                const char           *source,
                                gsize                 len)
{
  while (s->scanned < len)
    {
      const char *line = source + s->scanned;
      const char *newline = memchr (line, '\n', len - s->scanned);
      gsize line_len, end;
      char fence_char;
      guint fence_len;
      gboolean bare;

      if (newline == NULL)
        break;

      line_len = newline - line;
      end = s->scanned + line_len + 1;

      if (s->in_fence)
        {
          if (is_fence (line, line_len, &fence_char, &fence_len, &bare) && bare &&
              fence_char == s->fence_char && fence_len >= s->fence_len)
            {
              s->in_fence = FALSE;
              s->stable = end;
            }
        }
      else if (is_blank (line, line_len))
        s->stable = end;
      else if (line[0] != ' ' && is_fence (line, line_len, &fence_char, &fence_len, &bare) &&
               (fence_char == '~' || memchr (line + fence_len, '`', line_len - fence_len) == NULL))
        {
          /* A fence interrupts a paragraph, so what came before it is done;
           * the code block itself stays open until its closing fence. */
          s->in_fence = TRUE;
          s->fence_char = fence_char;
          s->fence_len = fence_len;
          s->stable = s->scanned;
        }
      else if (is_heading (line, line_len))
        s->stable = end;

      s->scanned = end;
    }
}

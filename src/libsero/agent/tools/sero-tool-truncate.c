/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-tools"

#include "config.h"

#include "sero-toolbox-private.h"

/* pi's truncation (truncate.ts), so a model trained on pi's notes reads ours
 * the same way: whole lines only, the line limit or the byte limit,
 * whichever is hit first. Lines are what split("\n") gives, so "a\n" is two
 * lines, the second empty, as in pi. */

void
_sero_truncation_clear (SeroTruncation *truncation)
{
  g_clear_pointer (&truncation->content, g_free);
  memset (truncation, 0, sizeof *truncation);
}

char *
_sero_format_size (gsize bytes)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (bytes < 1024)
    return g_strdup_printf ("%" G_GSIZE_FORMAT "B", bytes);
  if (bytes < 1024 * 1024)
    return g_strdup_printf ("%sKB", g_ascii_formatd (buf, sizeof buf, "%.1f", bytes / 1024.0));
  return g_strdup_printf ("%sMB", g_ascii_formatd (buf, sizeof buf, "%.1f", bytes / (1024.0 * 1024.0)));
}

static guint
count_lines (const char *text)
{
  guint n = 1;

  for (const char *p = text; (p = strchr (p, '\n')) != NULL; p++)
    n++;
  return n;
}

void
_sero_truncate_head (const char     *text,
                     guint           max_lines,
                     gsize           max_bytes,
                     SeroTruncation *out)
{
  const char *line = text;
  gsize used = 0;
  guint n = 0;

  memset (out, 0, sizeof *out);
  out->total_bytes = strlen (text);
  out->total_lines = count_lines (text);

  if (out->total_lines <= max_lines && out->total_bytes <= max_bytes)
    {
      out->content = g_strdup (text);
      out->output_lines = out->total_lines;
      out->output_bytes = out->total_bytes;
      return;
    }

  out->truncated = TRUE;
  while (n < max_lines)
    {
      const char *end = strchr (line, '\n');
      gsize len = end ? (gsize) (end - line) : strlen (line);
      gsize cost = len + (n > 0 ? 1 : 0);

      if (used + cost > max_bytes)
        {
          out->by_bytes = TRUE;
          if (n == 0)
            out->first_line_too_long = TRUE;
          break;
        }
      used += cost;
      n++;
      if (end == NULL)
        break;
      line = end + 1;
    }

  out->content = g_strndup (text, used);
  out->output_lines = n;
  out->output_bytes = used;
}

void
_sero_truncate_tail (const char     *text,
                     guint           max_lines,
                     gsize           max_bytes,
                     SeroTruncation *out)
{
  gsize len = strlen (text);
  const char *start = text + len;  /* the kept text is [start, text + len) */
  gsize used = 0;
  guint n = 0;

  memset (out, 0, sizeof *out);
  out->total_bytes = len;
  out->total_lines = count_lines (text);

  if (out->total_lines <= max_lines && out->total_bytes <= max_bytes)
    {
      out->content = g_strdup (text);
      out->output_lines = out->total_lines;
      out->output_bytes = out->total_bytes;
      return;
    }

  out->truncated = TRUE;
  while (n < max_lines)
    {
      const char *line_end = start;
      const char *line_start = line_end;
      gsize cost;

      while (line_start > text && line_start[-1] != '\n')
        line_start--;
      cost = (line_end - line_start) + (n > 0 ? 1 : 0);

      if (used + cost > max_bytes)
        {
          out->by_bytes = TRUE;
          if (n == 0)
            {
              /* Only the end of the last line fits: keep whole characters. */
              const char *cut = line_end - max_bytes;

              while (cut < line_end && (*cut & 0xC0) == 0x80)
                cut++;
              start = cut;
              used = line_end - cut;
              n = 1;
              out->last_line_partial = TRUE;
            }
          break;
        }

      used += cost;
      n++;
      start = line_start;
      if (line_start == text)
        break;
      start = line_start - 1;  /* the newline before it, for the next round */
    }

  /* @start may sit on the separating newline; the kept text starts after it. */
  if (!out->last_line_partial && start > text && *start == '\n')
    start++;
  out->content = g_strdup (start);
  out->output_lines = n;
  out->output_bytes = strlen (out->content);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-tools"

#include "config.h"

#include "sero-toolbox-private.h"

/* `grep`: pi's parameters and output (`path:N: text`, context lines as
 * `path-N- text`), done with find and grep in the runtime so it works in a
 * busybox image, where there is no ripgrep and grep has no --include or
 * --exclude-dir. pi's ripgrep reads .gitignore; we skip .git and
 * node_modules, the two folders that matter most. */

static const char grep_script[] =
  "p=$1; shown=$2; pat=$3; mode=$4; glob=$5; max=$6; shift 6\n"
  "if [ ! -e \"$p\" ]; then echo \"Path not found: $shown\" >&2; exit 3; fi\n"
  /* GNU grep skips binary files with -I; busybox has no -I and says
   * \"Binary file x matches\", which the parser drops. */
  "if echo x | grep -I -q -e x 2>/dev/null; then set -- -I \"$@\"; fi\n"
  "if [ -d \"$p\" ]; then\n"
  "  cd \"$p\" || exit 3\n"
  "  case $mode in\n"
  "    name) find . \\( -name .git -o -name node_modules \\) -prune -o -type f -name \"$glob\" -exec grep -nH \"$@\" -e \"$pat\" {} + ;;\n"
  "    path) find . \\( -name .git -o -name node_modules \\) -prune -o -type f -path \"./$glob\" -exec grep -nH \"$@\" -e \"$pat\" {} + ;;\n"
  "    *) find . \\( -name .git -o -name node_modules \\) -prune -o -type f -exec grep -nH \"$@\" -e \"$pat\" {} + ;;\n"
  "  esac\n"
  "else\n"
  "  cd \"$(dirname \"$p\")\" || exit 3\n"
  "  grep -nH \"$@\" -e \"$pat\" \"./$(basename \"$p\")\"\n"
  "fi | head -n \"$max\"\n";

/* Splits `path:N:text` or `path-N-text` at the first separator that
 * encloses a line number. */
static gboolean
parse_line (const char  *line,
            char       **path,
            char       **number,
            const char **text,
            gboolean    *is_match)
{
  for (const char *p = line; *p; p++)
    {
      const char *digits;

      if (*p != ':' && *p != '-')
        continue;
      digits = p + 1;
      while (g_ascii_isdigit (*digits))
        digits++;
      if (digits > p + 1 && *digits == *p)
        {
          const char *start = g_str_has_prefix (line, "./") ? line + 2 : line;

          *path = g_strndup (start, p - start);
          *number = g_strndup (p + 1, digits - (p + 1));
          *text = digits + 1;
          *is_match = *p == ':';
          return TRUE;
        }
    }
  return FALSE;
}

static void
on_grepped (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SeroToolCall *call = g_task_get_task_data (task);
  g_autoptr(SeroProcessResult) process = _sero_tool_exec_finish (task, result);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) notices = g_ptr_array_new_with_free_func (g_free);
  g_auto(SeroTruncation) truncation = { 0 };
  g_auto(GStrv) lines = NULL;
  gboolean limit_reached = FALSE;
  gboolean lines_cut = FALSE;
  guint matches = 0;

  if (process == NULL)
    return;

  lines = g_strsplit (process->stdout_text, "\n", -1);
  for (guint i = 0; lines[i] && !limit_reached; i++)
    {
      g_autofree char *path = NULL;
      g_autofree char *number = NULL;
      const char *line_text;
      gboolean is_match;

      if (!parse_line (lines[i], &path, &number, &line_text, &is_match))
        continue;  /* "--" between groups, "Binary file x matches" */

      if (is_match && ++matches > call->limit)
        {
          limit_reached = TRUE;
          break;
        }

      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, is_match ? "%s:%s: " : "%s-%s- ", path, number);
      if (g_utf8_strlen (line_text, -1) > SERO_TOOL_GREP_MAX_LINE)
        {
          g_autofree char *cut = g_utf8_substring (line_text, 0, SERO_TOOL_GREP_MAX_LINE);

          g_string_append_printf (text, "%s... [truncated]", cut);
          lines_cut = TRUE;
        }
      else
        g_string_append (text, line_text);
    }

  if (matches == 0)
    {
      g_autofree char *err = g_strstrip (g_strdup (process->stderr_text));

      if (err[0] != '\0')
        _sero_tool_return_error (task, "%s", err);
      else
        _sero_tool_return (task, sero_tool_result_new_text ("No matches found", FALSE));
      return;
    }

  _sero_truncate_head (text->str, G_MAXUINT, SERO_TOOL_MAX_BYTES, &truncation);
  g_string_assign (text, truncation.content);

  if (limit_reached)
    g_ptr_array_add (notices, g_strdup_printf ("%u matches limit reached. Use limit=%u for more, or refine pattern",
                                               call->limit, call->limit * 2));
  if (truncation.truncated)
    {
      g_autofree char *size = _sero_format_size (SERO_TOOL_MAX_BYTES);

      g_ptr_array_add (notices, g_strdup_printf ("%s limit reached", size));
    }
  if (lines_cut)
    g_ptr_array_add (notices, g_strdup_printf ("Some lines truncated to %u chars. Use read tool to see full lines",
                                               SERO_TOOL_GREP_MAX_LINE));
  if (notices->len > 0)
    {
      g_autofree char *joined = NULL;

      g_ptr_array_add (notices, NULL);
      joined = g_strjoinv (". ", (char **) notices->pdata);
      g_string_append_printf (text, "\n\n[%s]", joined);
    }

  _sero_tool_return (task, sero_tool_result_new_text (text->str, FALSE));
}

void
_sero_tool_grep_run (GTask *task)
{
  SeroToolCall *call = g_task_get_task_data (task);
  const char *pattern = _sero_tool_arg_string (call->args, "pattern");
  const char *glob = _sero_tool_arg_string (call->args, "glob");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autofree char *max_lines = NULL;
  g_autofree char *context_arg = NULL;
  SeroExecRequest request = { 0 };
  const char *mode = "";
  guint context;
  guint64 lines;

  if (pattern == NULL || pattern[0] == '\0')
    {
      _sero_tool_return_error (task, "Invalid arguments for grep: \"pattern\" must be a non-empty string");
      return;
    }
  if (!_sero_tool_arg_uint (call->args, "limit", SERO_TOOL_GREP_DEFAULT_LIMIT, &call->limit) ||
      !_sero_tool_arg_uint (call->args, "context", 0, &context) || context > 1000)
    {
      _sero_tool_return_error (task, "Invalid arguments for grep: \"limit\" and \"context\" must be whole numbers");
      return;
    }
  call->limit = CLAMP (call->limit, 1, 100000);

  /* find's -name sees only the file's name, -path the whole relative path;
   * "**" means any folders, which -path's "*" already crosses. */
  if (glob != NULL && glob[0] != '\0')
    {
      while (g_str_has_prefix (glob, "**/"))
        glob += 3;
      while (g_str_has_prefix (glob, "./"))
        glob += 2;
      mode = strchr (glob, '/') ? "path" : "name";
    }
  else
    glob = "";

  /* Enough lines for one match past the limit with all its context, so
   * reaching the limit can be told from having exactly that many. */
  lines = ((guint64) call->limit + 1) * (2 * (guint64) context + 2) + 1;
  max_lines = g_strdup_printf ("%" G_GUINT64_FORMAT, lines);

  g_strv_builder_add_many (builder, "sh", "-c", grep_script, "sero-grep", call->path, call->display_path,
                           pattern, mode, glob, max_lines, NULL);
  if (_sero_tool_arg_bool (call->args, "ignoreCase", FALSE))
    g_strv_builder_add (builder, "-i");
  g_strv_builder_add (builder, _sero_tool_arg_bool (call->args, "literal", FALSE) ? "-F" : "-E");
  if (context > 0)
    {
      context_arg = g_strdup_printf ("-C%u", context);
      g_strv_builder_add (builder, context_arg);
    }
  argv = g_strv_builder_end (builder);

  request.argv = (const char * const *) argv;
  _sero_tool_exec (task, &request, on_grepped);
}

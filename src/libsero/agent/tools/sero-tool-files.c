/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-tools"

#include "config.h"

#include "sero-toolbox-private.h"

/* `read`, `write`, `edit` and `ls`, each a few POSIX shell lines run in the
 * runtime (see sero-toolbox.c for why). The scripts take the resolved path
 * as $1 and the path as the model wrote it as $2, for messages; they print
 * what went wrong to stderr and exit non-zero. Only busybox applets are
 * used, so the smallest image works. */

static const char read_script[] =
  "p=$1\n"
  "if [ ! -e \"$p\" ]; then echo \"File not found: $2\" >&2; exit 3; fi\n"
  "if [ -d \"$p\" ]; then echo \"$2 is a directory, not a file; use ls to list it\" >&2; exit 3; fi\n"
  "if [ ! -r \"$p\" ]; then echo \"Permission denied: $2\" >&2; exit 3; fi\n"
  "magic=$(head -c 12 \"$p\" | od -An -tx1 | tr -d ' \\n')\n"
  "case $magic in\n"
  "  89504e470d0a1a0a*) mime=image/png ;;\n"
  "  ffd8ff*) mime=image/jpeg ;;\n"
  "  474946383761*|474946383961*) mime=image/gif ;;\n"
  "  52494646????????57454250*) mime=image/webp ;;\n"
  "  *) mime= ;;\n"
  "esac\n"
  "if [ -n \"$mime\" ]; then\n"
  "  size=$(wc -c < \"$p\")\n"
  "  echo image $mime $size\n"
  "  if [ $size -le $5 ]; then base64 < \"$p\"; fi\n"
  "  exit 0\n"
  "fi\n"
  "total=$(wc -l < \"$p\")\n"
  "last=$(tail -c 1 \"$p\" | od -An -tx1 | tr -d ' \\n')\n"
  "if [ -n \"$last\" ] && [ \"$last\" != 0a ]; then total=$((total + 1)); fi\n"
  "echo text $total\n"
  "end=$(($3 + $4 - 1))\n"
  "if [ $3 -le $total ]; then sed -n \"$3,${end}p;${end}q\" \"$p\"; fi\n";

static const char write_script[] =
  "mkdir -p \"$(dirname \"$1\")\" && cat > \"$1\"\n";

static const char slurp_script[] =
  "if [ ! -e \"$1\" ]; then echo \"File not found: $2\" >&2; exit 3; fi\n"
  "if [ ! -f \"$1\" ]; then echo \"$2 is not a regular file\" >&2; exit 3; fi\n"
  "base64 < \"$1\"\n";

static const char ls_script[] =
  "if [ ! -e \"$1\" ]; then echo \"Path not found: $2\" >&2; exit 3; fi\n"
  "if [ ! -d \"$1\" ]; then echo \"Not a directory: $2\" >&2; exit 3; fi\n"
  "cd \"$1\" || exit 3\n"
  "for f in .[!.]* ..?* *; do\n"
  "  if [ -d \"$f\" ]; then printf '%s/\\n' \"$f\"\n"
  "  elif [ -e \"$f\" ] || [ -L \"$f\" ]; then printf '%s\\n' \"$f\"\n"
  "  fi\n"
  "done\n";

static void
exec_script (GTask               *task,
             const char          *script,
             const char * const  *extra,
             const char          *stdin_text,
             GAsyncReadyCallback  callback)
{
  SeroToolCall *call = g_task_get_task_data (task);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  SeroExecRequest request = { 0 };

  g_strv_builder_add_many (builder, "sh", "-c", script, "sero-tool", call->path, call->display_path, NULL);
  if (extra != NULL)
    g_strv_builder_addv (builder, (const char **) extra);
  argv = g_strv_builder_end (builder);

  request.argv = (const char * const *) argv;
  request.stdin_text = stdin_text;
  _sero_tool_exec (task, &request, callback);
}

/* Returns FALSE, having completed the call, when the script failed. */
static gboolean
script_succeeded (GTask             *task,
                  SeroProcessResult *process)
{
  g_autofree char *message = NULL;

  if (process->exit_status == 0)
    return TRUE;

  message = _sero_tool_process_error (process);
  _sero_tool_return_error (task, "%s", message);
  return FALSE;
}

/* read --------------------------------------------------------------- */

typedef struct
{
  guint offset;
  guint limit;    /* 0: none */
} ReadRange;

static void
read_image (GTask      *task,
            const char *mime,
            guint64     size,
            const char *data)
{
  SeroToolCall *call = g_task_get_task_data (task);
  SeroToolResult *result;
  g_autofree char *base64 = NULL;
  g_autofree char *caption = NULL;
  JsonObject *block;
  char *out;

  if (size > SERO_TOOL_MAX_IMAGE_BYTES)
    {
      g_autofree char *have = _sero_format_size (size);
      g_autofree char *limit = _sero_format_size (SERO_TOOL_MAX_IMAGE_BYTES);

      _sero_tool_return_error (task,
                               "Image file %s [%s] is %s, larger than the %s limit for images. "
                               "Make a smaller copy with bash (for example ImageMagick's "
                               "`convert in.png -resize 1024x1024 out.png`) and read that.",
                               call->display_path, mime, have, limit);
      return;
    }

  /* base64 wraps its lines; the image block wants one string. */
  base64 = g_strdup (data);
  out = base64;
  for (const char *in = base64; *in; in++)
    if (!g_ascii_isspace (*in))
      *out++ = *in;
  *out = '\0';

  caption = g_strdup_printf ("Read image file [%s]", mime);
  result = sero_tool_result_new_text (caption, FALSE);
  block = json_object_new ();
  json_object_set_string_member (block, "type", "image");
  json_object_set_string_member (block, "data", base64);
  json_object_set_string_member (block, "mimeType", mime);
  json_array_add_object_element (result->content, block);
  _sero_tool_return (task, result);
}

static void
read_text (GTask      *task,
           guint       total,
           const char *data,
           gboolean    cut_short)
{
  SeroToolCall *call = g_task_get_task_data (task);
  ReadRange *range = g_object_get_data (G_OBJECT (task), "sero-read-range");
  g_auto(SeroTruncation) truncation = { 0 };
  g_autofree char *lines = NULL;
  g_autoptr(GString) text = NULL;
  g_autofree char *limit_text = _sero_format_size (SERO_TOOL_MAX_BYTES);
  guint start = range->offset;
  guint want, fetched;

  if (start > total && !(total == 0 && start == 1))
    {
      _sero_tool_return_error (task, "Offset %u is beyond end of file (%u lines total)", start, total);
      return;
    }

  want = total - MIN (start, total + 1) + 1;
  if (total == 0)
    want = 0;
  if (range->limit > 0)
    want = MIN (want, range->limit);

  /* sed printed whole lines; the last may lack its newline. */
  lines = g_strdup (data);
  if (g_str_has_suffix (lines, "\n"))
    lines[strlen (lines) - 1] = '\0';
  fetched = MIN (want, SERO_TOOL_MAX_LINES);

  _sero_truncate_head (lines, SERO_TOOL_MAX_LINES, SERO_TOOL_MAX_BYTES, &truncation);

  if (truncation.first_line_too_long)
    {
      const char *newline = strchr (lines, '\n');
      g_autofree char *size = _sero_format_size (newline ? (gsize) (newline - lines) : strlen (lines));
      g_autofree char *message = NULL;

      message = g_strdup_printf ("[Line %u is %s, exceeds %s limit. Use bash: sed -n '%up' %s | head -c %u]",
                                 start, size, limit_text, start, call->display_path, SERO_TOOL_MAX_BYTES);
      _sero_tool_return (task, sero_tool_result_new_text (message, FALSE));
      return;
    }

  text = g_string_new (truncation.content);
  if (truncation.truncated || cut_short)
    {
      guint end = start + truncation.output_lines - 1;

      g_string_append_printf (text, "\n\n[Showing lines %u-%u of %u (%s limit). Use offset=%u to continue.]",
                              start, end, total, limit_text, end + 1);
    }
  else if (want > fetched)
    {
      guint end = start + fetched - 1;

      g_string_append_printf (text, "\n\n[Showing lines %u-%u of %u. Use offset=%u to continue.]",
                              start, end, total, end + 1);
    }
  else if (want > 0 && start + want - 1 < total)
    g_string_append_printf (text, "\n\n[%u more lines in file. Use offset=%u to continue.]",
                            total - (start + want - 1), start + want);

  _sero_tool_return (task, sero_tool_result_new_text (text->str, FALSE));
}

static void
on_read (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SeroProcessResult) process = _sero_tool_exec_finish (task, result);
  const char *newline;
  g_auto(GStrv) header = NULL;

  if (process == NULL || !script_succeeded (task, process))
    return;

  newline = strchr (process->stdout_text, '\n');
  if (newline != NULL)
    {
      g_autofree char *first = g_strndup (process->stdout_text, newline - process->stdout_text);

      header = g_strsplit (first, " ", -1);
    }

  if (header != NULL && g_strv_length (header) == 3 && g_str_equal (header[0], "image"))
    read_image (task, header[1], g_ascii_strtoull (header[2], NULL, 10), newline + 1);
  else if (header != NULL && g_strv_length (header) == 2 && g_str_equal (header[0], "text"))
    read_text (task, (guint) g_ascii_strtoull (header[1], NULL, 10), newline + 1, process->truncated);
  else
    _sero_tool_return_error (task, "Could not read %s: %s", ((SeroToolCall *) g_task_get_task_data (task))->display_path,
                             process->stdout_text);
}

void
_sero_tool_read_run (GTask *task)
{
  SeroToolCall *call = g_task_get_task_data (task);
  ReadRange *range = g_new0 (ReadRange, 1);
  g_autofree char *offset = NULL;
  g_autofree char *count = NULL;
  g_autofree char *image_cap = g_strdup_printf ("%u", SERO_TOOL_MAX_IMAGE_BYTES);

  g_object_set_data_full (G_OBJECT (task), "sero-read-range", range, g_free);

  if (!_sero_tool_arg_uint (call->args, "offset", 1, &range->offset) ||
      !_sero_tool_arg_uint (call->args, "limit", 0, &range->limit))
    {
      _sero_tool_return_error (task, "Invalid arguments for read: \"offset\" and \"limit\" must be whole numbers");
      return;
    }
  /* pi reads offset 0 as the start. */
  range->offset = MAX (range->offset, 1);

  offset = g_strdup_printf ("%u", range->offset);
  count = g_strdup_printf ("%u", range->limit > 0 ? MIN (range->limit, SERO_TOOL_MAX_LINES) : SERO_TOOL_MAX_LINES);
  exec_script (task, read_script, (const char * const []) { offset, count, image_cap, NULL }, NULL, on_read);
}

/* write -------------------------------------------------------------- */

static void
on_written (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SeroToolCall *call = g_task_get_task_data (task);
  g_autoptr(SeroProcessResult) process = _sero_tool_exec_finish (task, result);
  g_autofree char *message = NULL;

  if (process == NULL || !script_succeeded (task, process))
    return;

  if (g_str_equal (call->name, "write"))
    message = g_strdup_printf ("Successfully wrote %zu bytes to %s", strlen (call->text), call->display_path);
  else
    {
      const char *diff = json_object_get_string_member_with_default (call->details, "diff", "");

      message = g_strdup_printf ("Successfully replaced text in %s.\n%s", call->display_path, diff);
    }

  _sero_tool_return (task, sero_tool_result_new_text (message, FALSE));
}

static void
write_content (GTask *task)
{
  SeroToolCall *call = g_task_get_task_data (task);

  exec_script (task, write_script, NULL, call->text, on_written);
}

/* The gate asks before write and edit touch anything outside the
 * workspace, and only there; @then runs when it allows. */
static void
check_path (GTask               *task,
            GAsyncReadyCallback  then)
{
  SeroToolbox *self = g_task_get_source_object (task);
  SeroToolCall *call = g_task_get_task_data (task);
  const char *root = _sero_toolbox_get_root (self);

  sero_bash_gate_check_path_async (_sero_toolbox_get_gate (self), call->name, call->path, root, root,
                                   _sero_toolbox_get_bridge (self), g_task_get_cancellable (task),
                                   then, g_object_ref (task));
}

/* Returns FALSE, having completed the call, unless the gate allowed. */
static gboolean
path_allowed (GTask        *task,
              GObject      *gate,
              GAsyncResult *result)
{
  g_autoptr(SeroGateDecision) decision = NULL;
  g_autoptr(GError) error = NULL;

  decision = sero_bash_gate_check_finish (SERO_BASH_GATE (gate), result, &error);
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      _sero_tool_return_aborted (task);
      return FALSE;
    }
  if (decision == NULL)
    {
      _sero_tool_return_error (task, "The permission gate failed: %s", error->message);
      return FALSE;
    }
  if (decision->verdict != SERO_GATE_ALLOW)
    {
      _sero_tool_return_error (task, "%s", decision->reason);
      return FALSE;
    }
  return TRUE;
}

static void
on_write_allowed (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  if (path_allowed (task, object, result))
    write_content (task);
}

void
_sero_tool_write_run (GTask *task)
{
  SeroToolCall *call = g_task_get_task_data (task);
  const char *content = _sero_tool_arg_string (call->args, "content");

  if (content == NULL)
    {
      _sero_tool_return_error (task, "Invalid arguments for write: \"content\" must be a string");
      return;
    }

  call->text = g_strdup (content);
  check_path (task, on_write_allowed);
}

/* edit --------------------------------------------------------------- */

#define DIFF_MAX_LINES 12

static void
append_side (GString    *diff,
             char        sign,
             const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);

  for (guint i = 0; i < n && i < DIFF_MAX_LINES; i++)
    g_string_append_printf (diff, "%c%s\n", sign, lines[i]);
  if (n > DIFF_MAX_LINES)
    g_string_append_printf (diff, "%c… %u more lines\n", sign, n - DIFF_MAX_LINES);
}

static guint
count_newlines (const char *text,
                gsize       len)
{
  guint n = 0;

  for (gsize i = 0; i < len; i++)
    if (text[i] == '\n')
      n++;
  return n;
}

static char *
replace_all (const char *text,
             const char *from,
             const char *to)
{
  g_auto(GStrv) parts = g_strsplit (text, from, -1);

  return g_strjoinv (to, parts);
}

static void
on_slurped (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SeroToolCall *call = g_task_get_task_data (task);
  g_autoptr(SeroProcessResult) process = _sero_tool_exec_finish (task, result);
  const char *old_text = _sero_tool_arg_string (call->args, "oldText");
  const char *new_text = _sero_tool_arg_string (call->args, "newText");
  g_autofree guchar *bytes = NULL;
  g_autofree char *content = NULL;
  g_autofree char *old_lf = NULL;
  g_autofree char *new_lf = NULL;
  g_autofree char *updated = NULL;
  g_autoptr(GString) diff = NULL;
  const char *body, *match, *after;
  gboolean bom, crlf;
  gsize len = 0;
  guint count = 0;
  guint line;

  if (process == NULL || !script_succeeded (task, process))
    return;

  if (process->truncated)
    {
      _sero_tool_return_error (task, "%s is too large to edit with this tool; use bash (sed, patch) instead",
                               call->display_path);
      return;
    }

  bytes = g_base64_decode (process->stdout_text, &len);
  if (len > 0 && !g_utf8_validate ((const char *) bytes, len, NULL))
    {
      _sero_tool_return_error (task, "%s is not a UTF-8 text file; edit only changes text files", call->display_path);
      return;
    }
  content = g_strndup ((const char *) bytes, len);

  /* Like pi, match against LF text without the byte-order mark and put
   * both back when writing, so a model's "\n" finds a CRLF file's lines. */
  bom = g_str_has_prefix (content, "\xEF\xBB\xBF");
  body = content + (bom ? 3 : 0);
  crlf = strstr (body, "\r\n") != NULL;
  if (crlf)
    {
      char *lf = replace_all (body, "\r\n", "\n");

      g_free (content);
      content = lf;
      body = content;
      old_lf = replace_all (old_text, "\r\n", "\n");
      new_lf = replace_all (new_text, "\r\n", "\n");
    }
  else
    {
      old_lf = g_strdup (old_text);
      new_lf = g_strdup (new_text);
    }

  match = strstr (body, old_lf);
  for (const char *p = match; p != NULL; p = strstr (p + strlen (old_lf), old_lf))
    count++;

  if (count == 0)
    {
      _sero_tool_return_error (task, "Could not find the exact text in %s. The old text must match exactly "
                               "including all whitespace and newlines.", call->display_path);
      return;
    }
  if (count > 1)
    {
      _sero_tool_return_error (task, "Found %u occurrences of the text in %s. The text must be unique. "
                               "Please provide more context to make it unique.", count, call->display_path);
      return;
    }
  if (g_str_equal (old_lf, new_lf))
    {
      _sero_tool_return_error (task, "No changes made to %s. The replacement produced identical content.",
                               call->display_path);
      return;
    }

  after = match + strlen (old_lf);
  updated = g_strdup_printf ("%s%.*s%s%s", bom ? "\xEF\xBB\xBF" : "", (int) (match - body), body, new_lf, after);
  if (crlf)
    {
      char *back = replace_all (updated, "\n", "\r\n");

      g_free (updated);
      updated = back;
    }

  line = count_newlines (body, match - body) + 1;
  diff = g_string_new (NULL);
  g_string_append_printf (diff, "@@ -%u,%u +%u,%u @@\n", line, count_newlines (old_lf, strlen (old_lf)) + 1,
                          line, count_newlines (new_lf, strlen (new_lf)) + 1);
  append_side (diff, '-', old_lf);
  append_side (diff, '+', new_lf);
  g_strchomp (diff->str);

  call->details = json_object_new ();
  json_object_set_string_member (call->details, "diff", diff->str);
  json_object_set_int_member (call->details, "firstChangedLine", line);
  call->text = g_steal_pointer (&updated);
  write_content (task);
}

static void
on_edit_allowed (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  if (path_allowed (task, object, result))
    exec_script (task, slurp_script, NULL, NULL, on_slurped);
}

void
_sero_tool_edit_run (GTask *task)
{
  SeroToolCall *call = g_task_get_task_data (task);
  const char *old_text = _sero_tool_arg_string (call->args, "oldText");
  const char *new_text = _sero_tool_arg_string (call->args, "newText");

  if (old_text == NULL || new_text == NULL)
    {
      _sero_tool_return_error (task, "Invalid arguments for edit: \"oldText\" and \"newText\" must be strings");
      return;
    }
  if (old_text[0] == '\0')
    {
      _sero_tool_return_error (task, "Invalid arguments for edit: \"oldText\" must not be empty; "
                               "use write to create or overwrite a file");
      return;
    }

  check_path (task, on_edit_allowed);
}

/* ls ----------------------------------------------------------------- */

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  g_autofree char *fa = g_utf8_casefold (*(const char * const *) a, -1);
  g_autofree char *fb = g_utf8_casefold (*(const char * const *) b, -1);
  int cmp = g_utf8_collate (fa, fb);

  return cmp != 0 ? cmp : strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
on_listed (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SeroToolCall *call = g_task_get_task_data (task);
  g_autoptr(SeroProcessResult) process = _sero_tool_exec_finish (task, result);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) notices = g_ptr_array_new_with_free_func (g_free);
  g_auto(SeroTruncation) truncation = { 0 };
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  guint limit = call->limit;

  if (process == NULL || !script_succeeded (task, process))
    return;

  lines = g_strsplit (process->stdout_text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (lines[i][0] != '\0')
      g_ptr_array_add (names, lines[i]);

  if (names->len == 0)
    {
      _sero_tool_return (task, sero_tool_result_new_text ("(empty directory)", FALSE));
      return;
    }

  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len && i < limit; i++)
    {
      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, g_ptr_array_index (names, i));
    }

  _sero_truncate_head (text->str, G_MAXUINT, SERO_TOOL_MAX_BYTES, &truncation);
  g_string_assign (text, truncation.content);

  if (names->len > limit)
    g_ptr_array_add (notices, g_strdup_printf ("%u entries limit reached. Use limit=%u for more", limit, limit * 2));
  if (truncation.truncated)
    {
      g_autofree char *size = _sero_format_size (SERO_TOOL_MAX_BYTES);

      g_ptr_array_add (notices, g_strdup_printf ("%s limit reached", size));
    }
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
_sero_tool_ls_run (GTask *task)
{
  SeroToolCall *call = g_task_get_task_data (task);

  if (!_sero_tool_arg_uint (call->args, "limit", SERO_TOOL_LS_DEFAULT_LIMIT, &call->limit))
    {
      _sero_tool_return_error (task, "Invalid arguments for ls: \"limit\" must be a whole number");
      return;
    }
  call->limit = MAX (call->limit, 1);

  exec_script (task, ls_script, NULL, NULL, on_listed);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-env-file"

#include "config.h"

#include "sero-env-file.h"
#include "sero-json-file.h"
#include "sero-text.h"

/* <SERO_HOME>/agent/.env, as the original reads it: KEY=VALUE lines, `#`
 * comments, blank lines, one pair of matching quotes stripped from the
 * value, and never overriding what the environment already has. We also
 * accept a leading `export `, since people paste shell snippets. A line we
 * cannot read is reported with its number and skipped, so one typo does not
 * lose every other variable. */

static void
sero_env_entry_free (gpointer data)
{
  SeroEnvEntry *entry = data;

  g_free (entry->key);
  g_free (entry->value);
  g_free (entry);
}

/**
 * sero_env_file_parse:
 * @filename: used in warnings about lines that cannot be read
 *
 * Returns: (transfer full) (element-type SeroEnvEntry): the entries in order
 */
GPtrArray *
sero_env_file_parse (const char  *contents,
                     const char  *filename,
                     GError     **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (sero_env_entry_free);
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (contents != NULL, NULL);

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_autofree char *line = g_strstrip (g_strdup (lines[i]));
      const char *rest = line;
      const char *eq;
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;
      gsize len;
      SeroEnvEntry *entry;

      if (rest[0] == '\0' || rest[0] == '#')
        continue;

      if (g_str_has_prefix (rest, "export ") || g_str_has_prefix (rest, "export\t"))
        rest = g_strchug ((char *) rest + strlen ("export"));

      eq = strchr (rest, '=');
      if (eq == NULL)
        {
          g_warning ("%s:%u: expected KEY=VALUE; line ignored", filename, i + 1);
          continue;
        }

      key = g_strstrip (g_strndup (rest, eq - rest));
      if (!sero_is_valid_variable_name (key))
        {
          g_warning ("%s:%u: “%s” is not a valid variable name; line ignored", filename, i + 1, key);
          continue;
        }

      value = g_strstrip (g_strdup (eq + 1));
      len = strlen (value);
      if (len >= 2 && (value[0] == '"' || value[0] == '\'') && value[len - 1] == value[0])
        {
          memmove (value, value + 1, len - 2);
          value[len - 2] = '\0';
        }

      entry = g_new0 (SeroEnvEntry, 1);
      entry->key = g_steal_pointer (&key);
      entry->value = g_steal_pointer (&value);
      entry->line = i + 1;
      g_ptr_array_add (entries, entry);
    }

  return g_steal_pointer (&entries);
}

/**
 * sero_env_file_load:
 *
 * Sets every variable from @path that is not already set. A secret file
 * readable by others is tightened to 0600 first.
 *
 * Returns: (transfer full): the names that were set (possibly empty), or
 * %NULL with @error set (%G_FILE_ERROR_NOENT when there is no file)
 */
GStrv
sero_env_file_load (const char  *path,
                    GError     **error)
{
  g_autoptr(GStrvBuilder) loaded = g_strv_builder_new ();
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;

  if (!sero_file_tighten_mode (path, 0600, &local_error))
    g_warning ("%s", local_error->message);

  if (!(entries = sero_env_file_parse (contents, path, error)))
    return NULL;

  for (guint i = 0; i < entries->len; i++)
    {
      SeroEnvEntry *entry = g_ptr_array_index (entries, i);

      if (g_getenv (entry->key) != NULL)
        continue;

      g_setenv (entry->key, entry->value, FALSE);
      g_strv_builder_add (loaded, entry->key);
    }

  return g_strv_builder_end (loaded);
}

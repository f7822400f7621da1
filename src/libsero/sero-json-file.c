/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-json-file"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sero-json-file.h"

/* Every file under SERO_HOME goes through here, so that atomicity, modes,
 * unknown-field preservation (callers keep the JsonObject they loaded and
 * write it back) and corrupt-file handling are written once. */

G_DEFINE_QUARK (sero-json-file-error-quark, sero_json_file_error)

#define PRIVATE_FILE_MODE 0600
#define PRIVATE_DIR_MODE  0700

gboolean
sero_file_tighten_mode (const char  *path,
                        guint        wanted_mode,
                        GError     **error)
{
  struct stat st;

  g_return_val_if_fail (path != NULL, FALSE);

  if (g_lstat (path, &st) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not read the permissions of %s: %s", path, g_strerror (errsv));
      return FALSE;
    }

  /* Never chmod through a symlink: it could point anywhere. */
  if (S_ISLNK (st.st_mode))
    return TRUE;

  if ((st.st_mode & 0777 & ~wanted_mode) == 0)
    return TRUE;

  if (g_chmod (path, wanted_mode) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not tighten the permissions of %s: %s", path, g_strerror (errsv));
      return FALSE;
    }

  g_warning ("Tightened permissions of %s from %04o to %04o",
             path, (guint) (st.st_mode & 0777), wanted_mode);
  return TRUE;
}

gboolean
sero_file_ensure_private_dir (const char  *path,
                              GError     **error)
{
  g_return_val_if_fail (path != NULL, FALSE);

  if (g_mkdir_with_parents (path, PRIVATE_DIR_MODE) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not create the folder %s: %s", path, g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}

static gboolean
fsync_directory (const char  *dir,
                 GError     **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int errsv;

  if (fd < 0)
    goto failed;

  if (fsync (fd) != 0 && errno != EINVAL)
    {
      errsv = errno;
      close (fd);
      errno = errsv;
      goto failed;
    }

  close (fd);
  return TRUE;

failed:
  errsv = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               "Could not flush the folder %s: %s", dir, g_strerror (errsv));
  return FALSE;
}

/**
 * sero_file_replace_contents:
 *
 * Atomically replaces @path: GLib writes a temporary file in the same folder,
 * fsyncs it and renames it over @path (CONSISTENT | DURABLE); we then fsync
 * the folder so the rename itself survives a power cut. The file is created
 * 0600 and a missing folder 0700: every state file may end up holding
 * something private, and the original's world-readable files were a finding.
 */
gboolean
sero_file_replace_contents (const char  *path,
                            const char  *contents,
                            gssize       length,
                            GError     **error)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (contents != NULL, FALSE);

  dir = g_path_get_dirname (path);
  if (!sero_file_ensure_private_dir (dir, error))
    return FALSE;

  if (!g_file_set_contents_full (path, contents, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 PRIVATE_FILE_MODE, error))
    return FALSE;

  return fsync_directory (dir, error);
}

/* json-glib reports "<data>:LINE:COL: Parse error: MESSAGE"; a person needs
 * the file's name instead of "<data>". */
static void
set_corrupt_error (GError     **error,
                   const char  *path,
                   const char  *parser_message)
{
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;

  regex = g_regex_new ("^<data>:(\\d+):(\\d+): (?:Parse error: )?(.*)$", G_REGEX_DOTALL, 0, NULL);
  if (g_regex_match (regex, parser_message, 0, &match))
    {
      g_autofree char *line = g_match_info_fetch (match, 1);
      g_autofree char *column = g_match_info_fetch (match, 2);
      g_autofree char *message = g_match_info_fetch (match, 3);

      g_set_error (error, SERO_JSON_FILE_ERROR, SERO_JSON_FILE_ERROR_CORRUPT,
                   "%s:%s:%s: not valid JSON: %s", path, line, column, message);
      return;
    }

  g_set_error (error, SERO_JSON_FILE_ERROR, SERO_JSON_FILE_ERROR_CORRUPT,
               "%s: not valid JSON: %s", path, parser_message);
}

/**
 * sero_json_file_load:
 *
 * Returns: (transfer full): the parsed document, or %NULL with
 * %G_IO_ERROR_NOT_FOUND when the file does not exist, or
 * %SERO_JSON_FILE_ERROR_CORRUPT naming file, line and column. A corrupt file
 * is left exactly as it is: only sero_json_file_quarantine() moves it.
 */
JsonNode *
sero_json_file_load (const char         *path,
                     SeroJsonFileFlags   flags,
                     GError            **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  JsonNode *root;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (flags & SERO_JSON_FILE_SECRET)
    {
      g_autofree char *dir = g_path_get_dirname (path);

      /* A failure to tighten is worth a warning, not a refusal to start. */
      if (!sero_file_tighten_mode (path, PRIVATE_FILE_MODE, &local_error) ||
          !sero_file_tighten_mode (dir, PRIVATE_DIR_MODE, &local_error))
        {
          g_warning ("%s", local_error->message);
          g_clear_error (&local_error);
        }
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, contents, length, &local_error))
    {
      set_corrupt_error (error, path, local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error (error, SERO_JSON_FILE_ERROR, SERO_JSON_FILE_ERROR_CORRUPT,
                   "%s: the file is empty", path);
      return NULL;
    }

  return json_node_copy (root);
}

/**
 * sero_json_file_load_object:
 *
 * Like sero_json_file_load() but the document must be an object.
 *
 * Returns: (transfer full): the root object
 */
JsonObject *
sero_json_file_load_object (const char         *path,
                            SeroJsonFileFlags   flags,
                            GError            **error)
{
  g_autoptr(JsonNode) root = NULL;

  root = sero_json_file_load (path, flags, error);
  if (root == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, SERO_JSON_FILE_ERROR, SERO_JSON_FILE_ERROR_CORRUPT,
                   "%s: expected a JSON object at the top level", path);
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

/**
 * sero_json_to_string:
 *
 * Serialises like the original: two-space indentation and a final newline,
 * so that diffs of hand-edited files stay small.
 */
char *
sero_json_to_string (JsonNode *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_indent_char (generator, ' ');
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  return g_strconcat (text, "\n", NULL);
}

gboolean
sero_json_file_save (const char         *path,
                     JsonNode           *root,
                     SeroJsonFileFlags   flags,
                     GError            **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (root != NULL, FALSE);

  text = sero_json_to_string (root);
  return sero_file_replace_contents (path, text, -1, error);
}

gboolean
sero_json_file_save_object (const char         *path,
                            JsonObject         *object,
                            SeroJsonFileFlags   flags,
                            GError            **error)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (root, object);
  return sero_json_file_save (path, root, flags, error);
}

/**
 * sero_json_file_quarantine:
 *
 * The explicit repair step: moves a file aside to
 * `<name>.broken-<UTC timestamp>` so a fresh one can be written, keeping the
 * broken one for the person to inspect. Never called implicitly.
 *
 * Returns: (transfer full): the new path of the broken file
 */
char *
sero_json_file_quarantine (const char  *path,
                           GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *target = g_strdup_printf ("%s.broken-%s", path, stamp);
  guint n = 1;

  while (g_file_test (target, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
    {
      g_free (target);
      target = g_strdup_printf ("%s.broken-%s-%u", path, stamp, n++);
    }

  if (g_rename (path, target) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not move %s aside: %s", path, g_strerror (errsv));
      return NULL;
    }

  return g_steal_pointer (&target);
}

/**
 * sero_file_delete_tree:
 *
 * Deletes a folder and everything in it, without following symlinks out of
 * it (a link inside is removed, never its target). Blocking: call from a
 * worker thread or the CLI.
 */
gboolean
sero_file_delete_tree (GFile         *file,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GError) local_error = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, &local_error);
  if (children != NULL)
    {
      for (;;)
        {
          GFileInfo *info = NULL;
          GFile *child = NULL;

          if (!g_file_enumerator_iterate (children, &info, &child, cancellable, error))
            return FALSE;
          if (info == NULL)
            break;

          if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
            {
              if (!sero_file_delete_tree (child, cancellable, error))
                return FALSE;
            }
          else if (!g_file_delete (child, cancellable, error))
            return FALSE;
        }
    }
  else if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return g_file_delete (file, cancellable, error);
}

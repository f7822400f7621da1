/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-session"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sero-json-file.h"
#include "sero-session-file.h"

/* An agent session in pi's JSONL format (version 3), so sessions Sero writes
 * open in pi and pi's (and the original Sero's) open here: line 1 is the
 * header {"type":"session","version":3,"id","timestamp","cwd"}, then one
 * entry per line, each with an 8-hex `id` and the `parentId` of the entry
 * before it on its branch.
 *
 * Appends are one write() of one whole line with O_APPEND, then fdatasync.
 * A crash can still leave a torn last line; loading ignores it (with a
 * warning) and the next append cuts it off first, so the file stays valid
 * JSONL. A bad line anywhere else is an error naming the file and line, and
 * the file is then never written. Older files (version 1 without ids,
 * version 2 with the `hookMessage` role) are migrated in memory and written
 * back as version 3, atomically, on the first append — as pi does. */

struct _SeroSessionFile
{
  GObject     parent_instance;

  char       *path;
  JsonObject *header;
  GPtrArray  *entries;      /* JsonObject */
  GHashTable *by_id;        /* id → JsonObject (borrowed) */
  char       *leaf_id;
  char       *name;
  goffset     good_length;  /* bytes up to the end of the last good line */
  gboolean    needs_newline;
  gboolean    needs_rewrite;
};

G_DEFINE_FINAL_TYPE (SeroSessionFile, sero_session_file, G_TYPE_OBJECT)
G_DEFINE_QUARK (sero-session-error-quark, sero_session_error)

static void
sero_session_file_finalize (GObject *object)
{
  SeroSessionFile *self = (SeroSessionFile *) object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->header, json_object_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->leaf_id, g_free);
  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (sero_session_file_parent_class)->finalize (object);
}

static void
sero_session_file_class_init (SeroSessionFileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sero_session_file_finalize;
}

static void
sero_session_file_init (SeroSessionFile *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
}

static char *
iso_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *seconds = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");

  /* Milliseconds and "Z", as JavaScript's toISOString() writes them. */
  return g_strdup_printf ("%s.%03dZ", seconds, g_date_time_get_microsecond (now) / 1000);
}

static char *
new_entry_id (SeroSessionFile *self)
{
  for (;;)
    {
      char *id = g_strdup_printf ("%08x", g_random_int ());

      if (!g_hash_table_contains (self->by_id, id))
        return id;
      g_free (id);
    }
}

static char *
to_line (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_node_set_object (node, object);
  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

static void
remember_entry (SeroSessionFile *self,
                JsonObject      *entry)
{
  const char *id = json_object_get_string_member_with_default (entry, "id", NULL);
  const char *type = json_object_get_string_member_with_default (entry, "type", "");

  g_ptr_array_add (self->entries, json_object_ref (entry));
  if (id != NULL)
    {
      g_hash_table_insert (self->by_id, (gpointer) id, entry);
      g_free (self->leaf_id);
      self->leaf_id = g_strdup (id);
    }

  if (g_str_equal (type, "session_info"))
    {
      const char *name = json_object_get_string_member_with_default (entry, "name", NULL);

      g_free (self->name);
      self->name = g_strdup (name);
    }
}

static gboolean
invalid (GError     **error,
         const char  *path,
         guint        line,
         const char  *why)
{
  g_set_error (error, SERO_SESSION_ERROR, SERO_SESSION_ERROR_INVALID, "%s:%u: %s", path, line, why);
  return FALSE;
}

/* Brings an entry of an older version to version 3. */
static void
migrate_entry (SeroSessionFile *self,
               JsonObject      *entry,
               gint64           version)
{
  if (version < 2 && !json_object_has_member (entry, "id"))
    {
      g_autofree char *id = new_entry_id (self);

      json_object_set_string_member (entry, "id", id);
      if (self->leaf_id != NULL)
        json_object_set_string_member (entry, "parentId", self->leaf_id);
      else
        json_object_set_null_member (entry, "parentId");
    }

  if (version < 3 && json_object_has_member (entry, "message") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (entry, "message")))
    {
      JsonObject *message = json_object_get_object_member (entry, "message");

      if (g_strcmp0 (json_object_get_string_member_with_default (message, "role", NULL), "hookMessage") == 0)
        json_object_set_string_member (message, "role", "custom");
    }
}

static gboolean
is_blank (const char *start,
          const char *end)
{
  for (const char *p = start; p < end; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;

  return TRUE;
}

/**
 * sero_session_file_open:
 *
 * Returns: (transfer full): the session, or %NULL with an error naming the
 *   file and line
 */
SeroSessionFile *
sero_session_file_open (const char  *path,
                        GError     **error)
{
  g_autoptr(SeroSessionFile) self = g_object_new (SERO_TYPE_SESSION_FILE, NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;
  gint64 version = 1;
  const char *line_start;
  guint line_no = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;

  self->path = g_strdup (path);
  line_start = contents;

  while (line_start < contents + length)
    {
      const char *newline = memchr (line_start, '\n', contents + length - line_start);
      const char *line_end = newline ? newline : contents + length;
      g_autofree char *line = g_strndup (line_start, line_end - line_start);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) parse_error = NULL;
      JsonNode *root;

      line_no++;

      if (g_strstrip (line)[0] == '\0')
        {
          line_start = newline ? newline + 1 : line_end;
          if (self->header == NULL)
            self->good_length = line_start - contents;
          continue;
        }

      if (!json_parser_load_from_data (parser, line, -1, &parse_error) ||
          !JSON_NODE_HOLDS_OBJECT ((root = json_parser_get_root (parser))))
        {
          /* A torn last line from a crash: ignored, cut off on next append. */
          if (self->header != NULL && is_blank (newline ? newline + 1 : line_end, contents + length))
            {
              g_warning ("%s:%u: ignoring an incomplete last line (left by a crash?)", path, line_no);
              break;
            }

          invalid (error, path, line_no, parse_error ? parse_error->message : "expected a JSON object");
          return NULL;
        }

      if (self->header == NULL)
        {
          JsonObject *header = json_node_get_object (root);

          if (g_strcmp0 (json_object_get_string_member_with_default (header, "type", NULL), "session") != 0 ||
              json_object_get_string_member_with_default (header, "cwd", NULL) == NULL)
            {
              invalid (error, path, line_no, "the first line must be a session header with a cwd");
              return NULL;
            }

          version = json_object_get_int_member_with_default (header, "version", 1);
          if (version > SERO_SESSION_VERSION)
            {
              g_autofree char *why = g_strdup_printf ("session version %" G_GINT64_FORMAT " is newer than this Sero reads (%d)",
                                                      version, SERO_SESSION_VERSION);
              invalid (error, path, line_no, why);
              return NULL;
            }

          self->header = json_object_ref (header);
          self->needs_rewrite = version < SERO_SESSION_VERSION;
        }
      else
        {
          JsonObject *entry = json_node_get_object (root);

          migrate_entry (self, entry, version);
          remember_entry (self, entry);
        }

      self->needs_newline = newline == NULL;
      line_start = newline ? newline + 1 : line_end;
      self->good_length = line_start - contents;
    }

  if (self->header == NULL)
    {
      invalid (error, path, 1, "the file has no session header");
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * sero_session_file_create:
 * @sessions_dir: <agent>/sessions
 * @cwd: the workspace folder the session belongs to
 *
 * Writes the header at once, so a new, empty session is listable.
 *
 * Returns: (transfer full): the new session
 */
SeroSessionFile *
sero_session_file_create (const char  *sessions_dir,
                          const char  *cwd,
                          GError     **error)
{
  g_autoptr(SeroSessionFile) self = g_object_new (SERO_TYPE_SESSION_FILE, NULL);
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *stamp = iso_now ();
  g_autofree char *file_stamp = NULL;
  g_autofree char *name = NULL;
  g_autofree char *line = NULL;
  g_autofree char *text = NULL;
  int fd;

  g_return_val_if_fail (sessions_dir != NULL, NULL);
  g_return_val_if_fail (cwd != NULL, NULL);

  if (!sero_file_ensure_private_dir (sessions_dir, error))
    return NULL;

  self->header = json_object_new ();
  json_object_set_string_member (self->header, "type", "session");
  json_object_set_int_member (self->header, "version", SERO_SESSION_VERSION);
  json_object_set_string_member (self->header, "id", id);
  json_object_set_string_member (self->header, "timestamp", stamp);
  json_object_set_string_member (self->header, "cwd", cwd);

  /* pi names files <timestamp with : and . as ->_<uuid>.jsonl */
  file_stamp = g_strdelimit (g_strdup (stamp), ":.", '-');
  name = g_strdup_printf ("%s_%s.jsonl", file_stamp, id);
  self->path = g_build_filename (sessions_dir, name, NULL);

  line = to_line (self->header);
  text = g_strconcat (line, "\n", NULL);
  fd = open (self->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 || write (fd, text, strlen (text)) != (gssize) strlen (text) || fdatasync (fd) != 0)
    {
      int errsv = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not create the session file %s: %s", self->path, g_strerror (errsv));
      return NULL;
    }
  close (fd);
  self->good_length = strlen (text);

  return g_steal_pointer (&self);
}

static gboolean
rewrite_as_current (SeroSessionFile  *self,
                    GError          **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *header = NULL;

  json_object_set_int_member (self->header, "version", SERO_SESSION_VERSION);
  header = to_line (self->header);
  g_string_append_printf (text, "%s\n", header);
  for (guint i = 0; i < self->entries->len; i++)
    {
      g_autofree char *line = to_line (g_ptr_array_index (self->entries, i));
      g_string_append_printf (text, "%s\n", line);
    }

  if (!sero_file_replace_contents (self->path, text->str, text->len, error))
    return FALSE;

  self->good_length = text->len;
  self->needs_newline = FALSE;
  self->needs_rewrite = FALSE;
  return TRUE;
}

/**
 * sero_session_file_append:
 * @entry: an entry without `id`, `parentId` or `timestamp`; they are set here
 *
 * Returns: (transfer none): the new entry's id, or %NULL with @error set
 */
const char *
sero_session_file_append (SeroSessionFile  *self,
                          JsonObject       *entry,
                          GError          **error)
{
  g_autoptr(JsonObject) copy = json_object_new ();
  g_autofree char *id = NULL;
  g_autofree char *stamp = iso_now ();
  g_autofree char *line = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;
  int fd;

  g_return_val_if_fail (SERO_IS_SESSION_FILE (self), NULL);
  g_return_val_if_fail (entry != NULL, NULL);

  if (self->needs_rewrite && !rewrite_as_current (self, error))
    return NULL;

  /* type, id, parentId, timestamp first, as pi writes them. */
  json_object_set_string_member (copy, "type", json_object_get_string_member_with_default (entry, "type", "message"));
  id = new_entry_id (self);
  json_object_set_string_member (copy, "id", id);
  if (self->leaf_id != NULL)
    json_object_set_string_member (copy, "parentId", self->leaf_id);
  else
    json_object_set_null_member (copy, "parentId");
  json_object_set_string_member (copy, "timestamp", stamp);
  json_object_iter_init (&iter, entry);
  while (json_object_iter_next (&iter, &member, &node))
    if (!json_object_has_member (copy, member))
      json_object_set_member (copy, member, json_node_copy (node));

  line = to_line (copy);
  if (self->needs_newline)
    g_string_append_c (text, '\n');
  g_string_append_printf (text, "%s\n", line);

  fd = open (self->path, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0 ||
      ftruncate (fd, self->good_length) != 0 ||   /* drops a torn tail, if any */
      write (fd, text->str, text->len) != (gssize) text->len ||
      fdatasync (fd) != 0)
    {
      int errsv = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not write to the session file %s: %s", self->path, g_strerror (errsv));
      return NULL;
    }
  close (fd);

  self->good_length += text->len;
  self->needs_newline = FALSE;
  remember_entry (self, copy);

  /* The stored entry owns this string for the life of the session. */
  return json_object_get_string_member (copy, "id");
}

/**
 * sero_session_message_new_text:
 *
 * Returns: (transfer full): a user or assistant message with one text block
 */
JsonObject *
sero_session_message_new_text (const char *role,
                               const char *text)
{
  JsonObject *message = json_object_new ();
  JsonArray *content = json_array_new ();
  JsonObject *block = json_object_new ();

  json_object_set_string_member (block, "type", "text");
  json_object_set_string_member (block, "text", text);
  json_array_add_object_element (content, block);
  json_object_set_string_member (message, "role", role);
  json_object_set_array_member (message, "content", content);
  json_object_set_int_member (message, "timestamp", g_get_real_time () / 1000);

  return message;
}

const char *
sero_session_file_append_message (SeroSessionFile  *self,
                                  JsonObject       *message,
                                  GError          **error)
{
  g_autoptr(JsonObject) entry = json_object_new ();

  json_object_set_string_member (entry, "type", "message");
  json_object_set_object_member (entry, "message", json_object_ref (message));
  return sero_session_file_append (self, entry, error);
}

const char *
sero_session_file_append_model_change (SeroSessionFile  *self,
                                       const char       *provider,
                                       const char       *model_id,
                                       GError          **error)
{
  g_autoptr(JsonObject) entry = json_object_new ();

  json_object_set_string_member (entry, "type", "model_change");
  json_object_set_string_member (entry, "provider", provider);
  json_object_set_string_member (entry, "modelId", model_id);
  return sero_session_file_append (self, entry, error);
}

const char *
sero_session_file_append_session_info (SeroSessionFile  *self,
                                       const char       *name,
                                       GError          **error)
{
  g_autoptr(JsonObject) entry = json_object_new ();

  json_object_set_string_member (entry, "type", "session_info");
  json_object_set_string_member (entry, "name", name);
  return sero_session_file_append (self, entry, error);
}

const char *
sero_session_file_get_path (SeroSessionFile *self)
{
  g_return_val_if_fail (SERO_IS_SESSION_FILE (self), NULL);
  return self->path;
}

const char *
sero_session_file_get_id (SeroSessionFile *self)
{
  g_return_val_if_fail (SERO_IS_SESSION_FILE (self), NULL);
  return json_object_get_string_member_with_default (self->header, "id", NULL);
}

const char *
sero_session_file_get_cwd (SeroSessionFile *self)
{
  g_return_val_if_fail (SERO_IS_SESSION_FILE (self), NULL);
  return json_object_get_string_member_with_default (self->header, "cwd", NULL);
}

const char *
sero_session_file_get_timestamp (SeroSessionFile *self)
{
  g_return_val_if_fail (SERO_IS_SESSION_FILE (self), NULL);
  return json_object_get_string_member_with_default (self->header, "timestamp", NULL);
}

/**
 * sero_session_file_get_name:
 *
 * Returns: (nullable): the name set by the newest session_info entry
 */
const char *
sero_session_file_get_name (SeroSessionFile *self)
{
  g_return_val_if_fail (SERO_IS_SESSION_FILE (self), NULL);
  return self->name;
}

const char *
sero_session_file_get_leaf_id (SeroSessionFile *self)
{
  g_return_val_if_fail (SERO_IS_SESSION_FILE (self), NULL);
  return self->leaf_id;
}

guint
sero_session_file_get_n_entries (SeroSessionFile *self)
{
  g_return_val_if_fail (SERO_IS_SESSION_FILE (self), 0);
  return self->entries->len;
}

/**
 * sero_session_file_get_entry:
 *
 * Returns: (transfer none): the entry, in file order
 */
JsonObject *
sero_session_file_get_entry (SeroSessionFile *self,
                             guint            position)
{
  g_return_val_if_fail (SERO_IS_SESSION_FILE (self), NULL);
  g_return_val_if_fail (position < self->entries->len, NULL);
  return g_ptr_array_index (self->entries, position);
}

/**
 * sero_session_file_get_branch:
 *
 * The entries from the root to the current leaf: what the model sees.
 *
 * Returns: (transfer container) (element-type JsonObject): the branch
 */
GPtrArray *
sero_session_file_get_branch (SeroSessionFile *self)
{
  GPtrArray *branch = g_ptr_array_new ();
  const char *id;

  g_return_val_if_fail (SERO_IS_SESSION_FILE (self), NULL);

  for (id = self->leaf_id; id != NULL;)
    {
      JsonObject *entry = g_hash_table_lookup (self->by_id, id);

      /* A cycle or a dangling parent ends the walk rather than looping. */
      if (entry == NULL || branch->len > self->entries->len)
        break;
      g_ptr_array_insert (branch, 0, entry);
      id = json_object_get_string_member_with_default (entry, "parentId", NULL);
    }

  return branch;
}

static char *
first_text (JsonObject *message)
{
  JsonNode *content = json_object_get_member (message, "content");

  if (content == NULL)
    return NULL;
  if (json_node_get_value_type (content) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (content));
  if (!JSON_NODE_HOLDS_ARRAY (content))
    return NULL;

  for (guint i = 0; i < json_array_get_length (json_node_get_array (content)); i++)
    {
      JsonNode *block = json_array_get_element (json_node_get_array (content), i);

      if (JSON_NODE_HOLDS_OBJECT (block) &&
          g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (block), "type", NULL), "text") == 0)
        return g_strdup (json_object_get_string_member_with_default (json_node_get_object (block), "text", ""));
    }

  return NULL;
}

/**
 * sero_session_file_dup_title:
 *
 * Returns: (transfer full): the session's name, else its first user
 *   message (one line, shortened), else "New session"
 */
char *
sero_session_file_dup_title (SeroSessionFile *self)
{
  g_return_val_if_fail (SERO_IS_SESSION_FILE (self), NULL);

  if (self->name != NULL && self->name[0] != '\0')
    return g_strdup (self->name);

  for (guint i = 0; i < self->entries->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (self->entries, i);
      JsonObject *message;
      g_autofree char *text = NULL;

      if (!json_object_has_member (entry, "message") ||
          !JSON_NODE_HOLDS_OBJECT (json_object_get_member (entry, "message")))
        continue;
      message = json_object_get_object_member (entry, "message");
      if (g_strcmp0 (json_object_get_string_member_with_default (message, "role", NULL), "user") != 0)
        continue;

      if ((text = first_text (message)) != NULL)
        {
          char *newline = strchr (g_strstrip (text), '\n');

          if (newline != NULL)
            *newline = '\0';
          if (g_utf8_strlen (text, -1) > 80)
            {
              g_autofree char *short_text = g_utf8_substring (text, 0, 79);
              return g_strconcat (short_text, "…", NULL);
            }
          return g_steal_pointer (&text);
        }
    }

  return g_strdup ("New session");
}

static void
collect (const char *dir,
         const char *cwd,
         GPtrArray  *found,
         guint       depth)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;

  while ((name = g_dir_read_name (handle)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      /* pi's own layout nests sessions in --<cwd>--/ folders; one level. */
      if (depth == 0 && g_file_test (path, G_FILE_TEST_IS_DIR))
        collect (path, cwd, found, depth + 1);
      else if (g_str_has_suffix (name, ".jsonl"))
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(SeroSessionFile) session = sero_session_file_open (path, &error);

          if (session == NULL)
            g_warning ("Skipping a session that cannot be read: %s", error->message);
          else if (cwd == NULL || g_strcmp0 (sero_session_file_get_cwd (session), cwd) == 0)
            g_ptr_array_add (found, g_steal_pointer (&session));
        }
    }
}

static int
newest_first (gconstpointer a,
              gconstpointer b)
{
  SeroSessionFile *sa = *(SeroSessionFile **) a;
  SeroSessionFile *sb = *(SeroSessionFile **) b;

  return g_strcmp0 (sero_session_file_get_timestamp (sb), sero_session_file_get_timestamp (sa));
}

/**
 * sero_session_list:
 * @cwd: (nullable): only sessions of this workspace folder
 *
 * Sessions map to workspaces by the header's cwd.
 *
 * Returns: (transfer full) (element-type SeroSessionFile): newest first
 */
GPtrArray *
sero_session_list (const char  *sessions_dir,
                   const char  *cwd,
                   GError     **error)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);

  collect (sessions_dir, cwd, found, 0);
  g_ptr_array_sort (found, newest_first);

  return found;
}

/**
 * sero_session_find:
 * @id: a session id, or a unique prefix of one
 *
 * Returns: (transfer full): the session
 */
SeroSessionFile *
sero_session_find (const char  *sessions_dir,
                   const char  *id,
                   GError     **error)
{
  g_autoptr(GPtrArray) all = sero_session_list (sessions_dir, NULL, NULL);
  SeroSessionFile *match = NULL;

  for (guint i = 0; i < all->len; i++)
    {
      SeroSessionFile *session = g_ptr_array_index (all, i);

      if (g_str_has_prefix (sero_session_file_get_id (session), id))
        {
          if (match != NULL)
            {
              g_set_error (error, SERO_SESSION_ERROR, SERO_SESSION_ERROR_NOT_FOUND,
                           "“%s” matches more than one session; give more of its id", id);
              return NULL;
            }
          match = session;
        }
    }

  if (match == NULL)
    {
      g_set_error (error, SERO_SESSION_ERROR, SERO_SESSION_ERROR_NOT_FOUND, "No session “%s” in %s", id, sessions_dir);
      return NULL;
    }

  return g_object_ref (match);
}

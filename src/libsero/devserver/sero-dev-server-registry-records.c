/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-dev-server"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sero-dev-server-registry-private.h"
#include "sero-json-file.h"

/* What outlives one process (see the top of sero-dev-server-registry.c):
 * the records file of detached servers, the crash records of host servers
 * this process owns, and reaping those of an owner that is gone. Host
 * processes are read straight from /proc and signalled with kill(2): these
 * are this machine's processes, whatever runtime the rest uses. */

/* ------------------------------------------------------------------------
 * Host processes, read straight from /proc (crash records, shutdown)
 */

gboolean
_sero_host_read_stat (int           pid,
                      SeroProcStat *stat)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;

  if (pid <= 0 || !g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;

  return sero_proc_stat_parse (contents, stat);
}

/* Whether process group @pgid has a member that has not exited. Zombies
 * answer kill(2) until reaped, and an orphan's reaper (init) may be slow,
 * so the members' states are read. */
static gboolean
host_group_exists (int pgid)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (pgid <= 1 || (kill (-pgid, 0) != 0 && errno != EPERM))
    return FALSE;

  if (!(dir = g_dir_open ("/proc", 0, NULL)))
    return TRUE;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      SeroProcStat stat;

      if (g_ascii_isdigit (name[0]) && _sero_host_read_stat (atoi (name), &stat) && stat.pgid == pgid && stat.state != 'Z')
        return TRUE;
    }

  return FALSE;
}

/* Whether process group @pgid is still the one Sero started. While the
 * leader lives its start time must match. Once it is gone, the group
 * exists only while members started by it remain, and the kernel does not
 * hand out a pid that is still some group's id, so a group by that id is
 * still ours. */
gboolean
_sero_host_group_is_ours (int     pgid,
                          guint64 start_time)
{
  SeroProcStat stat;

  if (pgid <= 1 || pgid == getpgrp ())
    return FALSE;

  if (_sero_host_read_stat (pgid, &stat) && stat.state != 'Z')
    return stat.pgid == pgid && (start_time == 0 || stat.start_time == start_time);

  return host_group_exists (pgid);
}

/* TERM, a grace period, then KILL for what is left (reference §4.3, the
 * host manager's terminate). */
void
_sero_host_terminate_groups (GArray *pgids)
{
  gint64 deadline = g_get_monotonic_time () + SERO_DEV_SERVER_STOP_GRACE_MS * G_TIME_SPAN_MILLISECOND;
  gboolean any_alive = FALSE;

  for (guint i = 0; i < pgids->len; i++)
    kill (-g_array_index (pgids, int, i), SIGTERM);

  do
    {
      any_alive = FALSE;
      for (guint i = 0; i < pgids->len; i++)
        any_alive |= host_group_exists (g_array_index (pgids, int, i));
      if (any_alive)
        g_usleep (25 * 1000);
    }
  while (any_alive && g_get_monotonic_time () < deadline);

  for (guint i = 0; any_alive && i < pgids->len; i++)
    kill (-g_array_index (pgids, int, i), SIGKILL);
}

/* ------------------------------------------------------------------------
 * Records
 */

static JsonObject *
server_to_json (SeroDevServer *server)
{
  JsonObject *record = json_object_new ();

  json_object_set_string_member (record, "id", server->id);
  json_object_set_string_member (record, "workspaceId", server->workspace_id);
  json_object_set_string_member (record, "name", server->name);
  json_object_set_int_member (record, "port", server->port);
  json_object_set_string_member (record, "url", server->url);
  json_object_set_string_member (record, "command", server->command);
  json_object_set_string_member (record, "cwd", server->cwd);
  json_object_set_string_member (record, "scope", server->scope);
  if (server->card_id != NULL)
    json_object_set_string_member (record, "cardId", server->card_id);
  else
    json_object_set_null_member (record, "cardId");
  json_object_set_string_member (record, "status", sero_dev_server_status_to_string (server->status));
  json_object_set_int_member (record, "pid", server->pid);
  json_object_set_int_member (record, "startTime", (gint64) server->start_time);
  json_object_set_string_member (record, "registeredAt", server->registered_at);
  json_object_set_string_member (record, "runtime", server->runtime_kind);
  if (server->log_path != NULL)
    json_object_set_string_member (record, "log", server->log_path);

  return record;
}

static SeroDevServer *
server_from_json (JsonObject *record)
{
  const char *id = json_object_get_string_member_with_default (record, "id", NULL);
  g_autofree char *workspace_id = NULL;
  g_autofree char *scope = NULL;
  g_autofree char *card_id = NULL;
  SeroDevServer *server;
  guint port;

  if (!sero_dev_server_parse_id (id, &workspace_id, &scope, &card_id, &port))
    return NULL;

  server = _sero_dev_server_new (id, workspace_id);
  server->port = port;
  server->scope = g_steal_pointer (&scope);
  server->card_id = g_steal_pointer (&card_id);
  server->name = g_strdup (json_object_get_string_member_with_default (record, "name", "dev server"));
  server->url = g_strdup (json_object_get_string_member_with_default (record, "url", ""));
  server->command = g_strdup (json_object_get_string_member_with_default (record, "command", ""));
  server->cwd = g_strdup (json_object_get_string_member_with_default (record, "cwd", "/workspace"));
  server->pid = (int) json_object_get_int_member_with_default (record, "pid", 0);
  server->start_time = (guint64) json_object_get_int_member_with_default (record, "startTime", 0);
  server->registered_at = g_strdup (json_object_get_string_member_with_default (record, "registeredAt", ""));
  server->runtime_kind = g_strdup (json_object_get_string_member_with_default (record, "runtime", "container"));
  server->log_path = g_strdup (json_object_get_string_member_with_default (record, "log", NULL));
  if (!sero_dev_server_status_from_string (json_object_get_string_member_with_default (record, "status", NULL),
                                           &server->status))
    server->status = SERO_DEV_SERVER_STATUS_RUNNING;

  return server;
}

/* Reads the records file; a missing file is an empty list. A file that is
 * not valid JSON is an error, never silently replaced. */
static JsonArray *
read_records (const char  *path,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) root = NULL;
  JsonNode *list;

  root = sero_json_file_load_object (path, SERO_JSON_FILE_NONE, &local_error);
  if (root == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ||
          g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return json_array_new ();
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  list = json_object_get_member (root, "servers");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return json_array_new ();

  return json_array_ref (json_node_get_array (list));
}

/* Read-modify-write of the records file under an flock, so a CLI run and
 * the app writing at once do not lose each other's entries: drops the
 * record @remove_id and the one with @put's id, then adds @put. */
gboolean
_sero_dev_server_registry_update_records (SeroDevServerRegistry  *self,
                                          const char             *remove_id,
                                          SeroDevServer          *put,
                                          GError                **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *lock_path = NULL;
  g_autoptr(JsonArray) old = NULL;
  g_autoptr(JsonObject) root = NULL;
  JsonArray *list;
  gboolean ok;
  int fd;

  if (self->records_path == NULL)
    return TRUE;

  dir = g_path_get_dirname (self->records_path);
  if (!sero_file_ensure_private_dir (dir, error))
    return FALSE;

  lock_path = g_strconcat (self->records_path, ".lock", NULL);
  fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || flock (fd, LOCK_EX) != 0)
    {
      int errsv = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Could not lock %s: %s", lock_path, g_strerror (errsv));
      return FALSE;
    }

  if (!(old = read_records (self->records_path, error)))
    {
      close (fd);
      return FALSE;
    }

  root = json_object_new ();
  list = json_array_new ();
  for (guint i = 0; i < json_array_get_length (old); i++)
    {
      JsonNode *node = json_array_get_element (old, i);
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      id = json_object_get_string_member_with_default (json_node_get_object (node), "id", NULL);
      if (g_strcmp0 (id, remove_id) == 0 || (put != NULL && g_strcmp0 (id, put->id) == 0))
        continue;
      json_array_add_element (list, json_node_copy (node));
    }
  if (put != NULL)
    json_array_add_object_element (list, server_to_json (put));
  json_object_set_array_member (root, "servers", list);

  ok = sero_json_file_save_object (self->records_path, root, SERO_JSON_FILE_NONE, error);
  close (fd);

  return ok;
}

/* The crash record of a host server this process owns. */
static void
write_host_record (SeroDevServerRegistry *self,
                   SeroDevServer         *server)
{
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *owner;

  if (self->host_records_dir == NULL || server->detached || g_strcmp0 (server->runtime_kind, "host") != 0)
    return;

  if (server->host_record == NULL)
    {
      g_autofree char *uuid = g_uuid_string_random ();
      g_autofree char *name = g_strconcat (uuid, ".json", NULL);

      server->host_record = g_build_filename (self->host_records_dir, name, NULL);
    }

  record = server_to_json (server);
  json_object_set_int_member (record, "pgid", server->pid);
  owner = json_object_new ();
  json_object_set_int_member (owner, "pid", self->owner_pid);
  json_object_set_int_member (owner, "startTime", (gint64) self->owner_start_time);
  json_object_set_object_member (record, "owner", owner);

  if (!sero_json_file_save_object (server->host_record, record, SERO_JSON_FILE_NONE, &error))
    g_warning ("The dev server %s will not be reaped after a crash: %s", server->id, error->message);
}

void
_sero_dev_server_delete_host_record (SeroDevServer *server)
{
  if (server->host_record != NULL)
    {
      g_unlink (server->host_record);
      g_clear_pointer (&server->host_record, g_free);
    }
}

/* Records a server where it belongs: detached ones in the records file,
 * owned host ones in a crash record. */
gboolean
_sero_dev_server_registry_save_server (SeroDevServerRegistry  *self,
                                       SeroDevServer          *server,
                                       const char             *replaces_id,
                                       GError                **error)
{
  if (server->detached)
    return _sero_dev_server_registry_update_records (self, replaces_id, server, error);

  write_host_record (self, server);
  return TRUE;
}

/* Adds the records file's servers that are not in the list yet and, when
 * @prune, drops detached servers whose record is gone (stopped by another
 * process). */
gboolean
_sero_dev_server_registry_sync_records (SeroDevServerRegistry  *self,
                                        gboolean                prune,
                                        GError                **error)
{
  g_autoptr(JsonArray) list = NULL;
  g_autoptr(GHashTable) seen = NULL;

  if (self->records_path == NULL)
    return TRUE;

  if (!(list = read_records (self->records_path, error)))
    return FALSE;

  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      g_autoptr(SeroDevServer) server = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node) || !(server = server_from_json (json_node_get_object (node))))
        continue;

      g_hash_table_add (seen, g_strdup (server->id));
      if (sero_dev_server_registry_lookup (self, server->id) != NULL)
        continue;

      server->detached = TRUE;
      _sero_dev_server_registry_add (self, server);
    }

  for (guint i = self->servers->len; prune && i > 0; i--)
    {
      SeroDevServer *server = g_ptr_array_index (self->servers, i - 1);

      if (server->detached && !server->busy && !g_hash_table_contains (seen, server->id))
        _sero_dev_server_registry_remove (self, server);
    }

  return TRUE;
}

/**
 * sero_dev_server_registry_load:
 *
 * Adds the servers kept in the records file: those `sero devserver start`
 * left running. Their status is what was last recorded until the next
 * liveness check.
 */
gboolean
sero_dev_server_registry_load (SeroDevServerRegistry  *self,
                               GError                **error)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER_REGISTRY (self), FALSE);

  return _sero_dev_server_registry_sync_records (self, FALSE, error);
}

/**
 * sero_dev_server_registry_reap_orphans:
 *
 * Stops the host dev servers whose owning Sero process is gone (it
 * crashed or was killed), from their crash records, and deletes those
 * records. A record whose owner still runs (same pid and start time) is
 * left alone. Call it once at start-up.
 *
 * Returns: how many servers were stopped
 */
guint
sero_dev_server_registry_reap_orphans (SeroDevServerRegistry *self)
{
  g_autoptr(GArray) groups = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_return_val_if_fail (SERO_IS_DEV_SERVER_REGISTRY (self), 0);

  if (self->host_records_dir == NULL || !(dir = g_dir_open (self->host_records_dir, 0, NULL)))
    return 0;

  groups = g_array_new (FALSE, FALSE, sizeof (int));
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->host_records_dir, name, NULL);
      g_autoptr(JsonObject) record = NULL;
      g_autoptr(GError) error = NULL;
      JsonObject *owner = NULL;
      SeroProcStat owner_stat;
      int owner_pid = 0;
      guint64 owner_start = 0;
      int pgid;

      if (!g_str_has_suffix (name, ".json"))
        continue;

      if (!(record = sero_json_file_load_object (path, SERO_JSON_FILE_NONE, &error)))
        {
          g_warning ("Skipping the dev-server record %s: %s", path, error->message);
          continue;
        }

      if (json_object_has_member (record, "owner") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (record, "owner")))
        owner = json_object_get_object_member (record, "owner");
      if (owner != NULL)
        {
          owner_pid = (int) json_object_get_int_member_with_default (owner, "pid", 0);
          owner_start = (guint64) json_object_get_int_member_with_default (owner, "startTime", 0);
        }

      /* The owner runs: its servers are its business. */
      if (owner_pid > 0 && _sero_host_read_stat (owner_pid, &owner_stat) && owner_stat.start_time == owner_start)
        continue;

      pgid = (int) json_object_get_int_member_with_default (record, "pgid", 0);
      if (_sero_host_group_is_ours (pgid, (guint64) json_object_get_int_member_with_default (record, "startTime", 0)))
        {
          g_message ("Stopping the dev server %s (process group %d) left by Sero process %d",
                     json_object_get_string_member_with_default (record, "id", "?"), pgid, owner_pid);
          g_array_append_val (groups, pgid);
        }

      g_unlink (path);
    }

  if (groups->len > 0)
    _sero_host_terminate_groups (groups);

  return groups->len;
}

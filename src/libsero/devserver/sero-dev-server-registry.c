/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-dev-server"

#include "config.h"

#include "sero-dev-server-registry.h"
#include "sero-json-file.h"
#include "sero-port-scan.h"

/* Dev servers the agent or a person starts in a workspace's runtime, with
 * the original's ids (<workspaceId>:<scope>:<cardId|root>:<port>) and
 * events (registered, unregistered, status-changed). The registry is a
 * GListModel so the workspace tree can list them.
 *
 * A server starts detached in its own session (`setsid`), so its pid is
 * also its process group and stopping it stops everything it started. It
 * counts as started once a new listening port appears while that pid lives.
 *
 * The seed keeps the registry in memory. `sero devserver` commands are
 * separate processes, though, so the registry can also keep a small record
 * file (<agent>/dev-servers.json) that later commands and the window read;
 * a record never outlives the check that its port still listens. */

#define POLL_MS       500
#define START_WAIT_MS 20000

struct _SeroDevServer
{
  GObject  parent_instance;

  char    *id;
  char    *workspace_id;
  char    *name;
  guint    port;
  char    *url;
  char    *command;
  char    *cwd;
  char    *status;
  int      pid;
  char    *registered_at;
};

G_DEFINE_FINAL_TYPE (SeroDevServer, sero_dev_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_TITLE,
  PROP_URL,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sero_dev_server_finalize (GObject *object)
{
  SeroDevServer *self = (SeroDevServer *) object;

  g_free (self->id);
  g_free (self->workspace_id);
  g_free (self->name);
  g_free (self->url);
  g_free (self->command);
  g_free (self->cwd);
  g_free (self->status);
  g_free (self->registered_at);

  G_OBJECT_CLASS (sero_dev_server_parent_class)->finalize (object);
}

static void
sero_dev_server_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SeroDevServer *self = SERO_DEV_SERVER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_TITLE:
      /* What the workspace tree shows. */
      g_value_take_string (value, g_strdup_printf ("%s · %u (%s)", self->name, self->port, self->status));
      break;

    case PROP_URL:
      g_value_set_string (value, self->url);
      break;

    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_dev_server_class_init (SeroDevServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sero_dev_server_finalize;
  object_class->get_property = sero_dev_server_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL,
                                                (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL,
                                              (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL,
                                                 (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sero_dev_server_init (SeroDevServer *self)
{
  self->status = g_strdup ("starting");
}

const char *sero_dev_server_get_id (SeroDevServer *self)           { return self->id; }
const char *sero_dev_server_get_workspace_id (SeroDevServer *self) { return self->workspace_id; }
const char *sero_dev_server_get_name (SeroDevServer *self)         { return self->name; }
guint       sero_dev_server_get_port (SeroDevServer *self)         { return self->port; }
const char *sero_dev_server_get_url (SeroDevServer *self)          { return self->url; }
const char *sero_dev_server_get_command (SeroDevServer *self)      { return self->command; }
const char *sero_dev_server_get_cwd (SeroDevServer *self)          { return self->cwd; }
const char *sero_dev_server_get_status (SeroDevServer *self)       { return self->status; }
int         sero_dev_server_get_pid (SeroDevServer *self)          { return self->pid; }

struct _SeroDevServerRegistry
{
  GObject    parent_instance;

  char      *records_path;
  GPtrArray *servers;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SeroDevServerRegistry, sero_dev_server_registry, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  REGISTERED,
  UNREGISTERED,
  STATUS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GType
get_item_type (GListModel *model)
{
  return SERO_TYPE_DEV_SERVER;
}

static guint
get_n_items (GListModel *model)
{
  return SERO_DEV_SERVER_REGISTRY (model)->servers->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  SeroDevServerRegistry *self = SERO_DEV_SERVER_REGISTRY (model);

  return position < self->servers->len ? g_object_ref (g_ptr_array_index (self->servers, position)) : NULL;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
sero_dev_server_registry_finalize (GObject *object)
{
  SeroDevServerRegistry *self = (SeroDevServerRegistry *) object;

  g_clear_pointer (&self->records_path, g_free);
  g_clear_pointer (&self->servers, g_ptr_array_unref);

  G_OBJECT_CLASS (sero_dev_server_registry_parent_class)->finalize (object);
}

static void
sero_dev_server_registry_class_init (SeroDevServerRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sero_dev_server_registry_finalize;

  signals[REGISTERED] = g_signal_new ("registered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                      NULL, NULL, NULL, G_TYPE_NONE, 1, SERO_TYPE_DEV_SERVER);
  signals[UNREGISTERED] = g_signal_new ("unregistered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[STATUS_CHANGED] = g_signal_new ("status-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 1, SERO_TYPE_DEV_SERVER);
}

static void
sero_dev_server_registry_init (SeroDevServerRegistry *self)
{
  self->servers = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * sero_dev_server_registry_new:
 * @records_path: (nullable): where to keep records for later processes;
 *   %NULL keeps the registry in memory only
 */
SeroDevServerRegistry *
sero_dev_server_registry_new (const char *records_path)
{
  SeroDevServerRegistry *self = g_object_new (SERO_TYPE_DEV_SERVER_REGISTRY, NULL);

  self->records_path = g_strdup (records_path);
  return self;
}

SeroDevServer *
sero_dev_server_registry_lookup (SeroDevServerRegistry *self,
                                 const char            *id)
{
  for (guint i = 0; i < self->servers->len; i++)
    {
      SeroDevServer *server = g_ptr_array_index (self->servers, i);

      if (g_str_equal (server->id, id))
        return server;
    }

  return NULL;
}

static gboolean
save (SeroDevServerRegistry  *self,
      GError                **error)
{
  g_autoptr(JsonObject) root = json_object_new ();
  JsonArray *list = json_array_new ();

  if (self->records_path == NULL)
    {
      json_array_unref (list);
      return TRUE;
    }

  for (guint i = 0; i < self->servers->len; i++)
    {
      SeroDevServer *server = g_ptr_array_index (self->servers, i);
      JsonObject *record = json_object_new ();

      json_object_set_string_member (record, "id", server->id);
      json_object_set_string_member (record, "workspaceId", server->workspace_id);
      json_object_set_string_member (record, "name", server->name);
      json_object_set_int_member (record, "port", server->port);
      json_object_set_string_member (record, "url", server->url);
      json_object_set_string_member (record, "command", server->command);
      json_object_set_string_member (record, "cwd", server->cwd);
      json_object_set_int_member (record, "pid", server->pid);
      json_object_set_string_member (record, "status", server->status);
      json_object_set_string_member (record, "registeredAt", server->registered_at);
      json_array_add_object_element (list, record);
    }
  json_object_set_array_member (root, "servers", list);

  return sero_json_file_save_object (self->records_path, root, SERO_JSON_FILE_NONE, error);
}

gboolean
sero_dev_server_registry_load (SeroDevServerRegistry  *self,
                               GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) root = NULL;
  JsonArray *list;

  if (self->records_path == NULL)
    return TRUE;

  root = sero_json_file_load_object (self->records_path, SERO_JSON_FILE_NONE, &local_error);
  if (root == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!json_object_has_member (root, "servers") || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "servers")))
    return TRUE;

  list = json_object_get_array_member (root, "servers");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      JsonObject *record;
      SeroDevServer *server;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      record = json_node_get_object (node);
      if (json_object_get_string_member_with_default (record, "id", NULL) == NULL ||
          sero_dev_server_registry_lookup (self, json_object_get_string_member (record, "id")))
        continue;

      server = g_object_new (SERO_TYPE_DEV_SERVER, NULL);
      server->id = g_strdup (json_object_get_string_member (record, "id"));
      server->workspace_id = g_strdup (json_object_get_string_member_with_default (record, "workspaceId", ""));
      server->name = g_strdup (json_object_get_string_member_with_default (record, "name", "dev server"));
      server->port = (guint) json_object_get_int_member_with_default (record, "port", 0);
      server->url = g_strdup (json_object_get_string_member_with_default (record, "url", ""));
      server->command = g_strdup (json_object_get_string_member_with_default (record, "command", ""));
      server->cwd = g_strdup (json_object_get_string_member_with_default (record, "cwd", "/workspace"));
      server->pid = (int) json_object_get_int_member_with_default (record, "pid", 0);
      g_free (server->status);
      server->status = g_strdup (json_object_get_string_member_with_default (record, "status", "running"));
      server->registered_at = g_strdup (json_object_get_string_member_with_default (record, "registeredAt", ""));
      g_ptr_array_add (self->servers, server);
      g_list_model_items_changed (G_LIST_MODEL (self), self->servers->len - 1, 0, 1);
    }

  return TRUE;
}

static SeroProcessResult *
run (SeroRuntime  *runtime,
     const char   *command,
     const char   *cwd,
     GError      **error)
{
  SeroExecRequest request = { .command = command, .cwd = cwd, .timeout_ms = 15000 };

  return sero_runtime_exec_sync (runtime, &request, NULL, error);
}

static GArray *
listeners (SeroRuntime  *runtime,
           gboolean     *alive,
           int           pid,
           GError      **error)
{
  g_autofree char *command = NULL;
  g_autoptr(SeroProcessResult) result = NULL;

  command = pid > 0 ? g_strdup_printf ("kill -0 %d 2>/dev/null && echo SERO-ALIVE; cat /proc/net/tcp /proc/net/tcp6 2>/dev/null", pid)
                    : g_strdup ("cat /proc/net/tcp /proc/net/tcp6 2>/dev/null");
  if (!(result = run (runtime, command, NULL, error)))
    return NULL;

  if (alive != NULL)
    *alive = strstr (result->stdout_text, "SERO-ALIVE") != NULL;

  return sero_port_scan_parse_proc_net_tcp (result->stdout_text);
}

static gboolean
has_port (GArray *list,
          guint   port)
{
  for (guint i = 0; i < list->len; i++)
    if (g_array_index (list, SeroListener, i).port == port)
      return TRUE;

  return FALSE;
}

/* Stops the server's process group and whatever else owns its listening
 * socket: TERM, a grace period, then KILL for what is left (reference §4.3,
 * done with /proc instead of ss so it works in a minimal image). */
static void
stop_processes (SeroRuntime *runtime,
                int          pid,
                guint        port)
{
  g_autofree char *script = g_strdup_printf (
    "pg=%d; hex=$(printf '%%04X' %u)\n"
    "inodes=$(awk -v p=\":$hex\" '$4==\"0A\" && substr($2, length($2)-4)==p {print $10}' /proc/net/tcp /proc/net/tcp6 2>/dev/null)\n"
    "pids=''\n"
    "for i in $inodes; do for fd in /proc/[0-9]*/fd/*; do\n"
    "  [ \"$(readlink \"$fd\" 2>/dev/null)\" = \"socket:[$i]\" ] && { d=${fd#/proc/}; pids=\"$pids ${d%%%%/*}\"; }\n"
    "done; done\n"
    "[ \"$pg\" -gt 1 ] && kill -TERM -- -\"$pg\" 2>/dev/null\n"
    "for p in $pids; do kill -TERM \"$p\" 2>/dev/null; done\n"
    "sleep 1\n"
    "[ \"$pg\" -gt 1 ] && kill -KILL -- -\"$pg\" 2>/dev/null\n"
    "for p in $pids; do kill -KILL \"$p\" 2>/dev/null; done\n"
    "true\n", pid, port);
  g_autoptr(SeroProcessResult) result = run (runtime, script, NULL, NULL);
}

static void
set_status (SeroDevServerRegistry *self,
            SeroDevServer         *server,
            const char            *status)
{
  if (g_strcmp0 (server->status, status) == 0)
    return;

  g_free (server->status);
  server->status = g_strdup (status);
  g_object_notify_by_pspec (G_OBJECT (server), properties[PROP_STATUS]);
  g_object_notify_by_pspec (G_OBJECT (server), properties[PROP_TITLE]);
  g_signal_emit (self, signals[STATUS_CHANGED], 0, server);
}

static void
remove_server (SeroDevServerRegistry *self,
               SeroDevServer         *server)
{
  g_autofree char *id = g_strdup (server->id);
  guint position;

  if (!g_ptr_array_find (self->servers, server, &position))
    return;

  g_ptr_array_remove_index (self->servers, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_signal_emit (self, signals[UNREGISTERED], 0, id);
}

/**
 * sero_dev_server_registry_start_sync:
 * @cwd: (nullable): working folder in the runtime; default the workspace
 *
 * Starts @command detached in @runtime and waits (up to 20 s, polling every
 * 500 ms) for a new listening port while its process lives. Blocking.
 *
 * Returns: (transfer none): the registered server
 */
SeroDevServer *
sero_dev_server_registry_start_sync (SeroDevServerRegistry  *self,
                                     SeroRuntime            *runtime,
                                     const char             *name,
                                     const char             *cwd,
                                     const char             *command,
                                     GCancellable           *cancellable,
                                     GError                **error)
{
  SeroWorkspace *workspace = sero_runtime_get_workspace (runtime);
  g_autoptr(GArray) before = NULL;
  g_autoptr(SeroProcessResult) started = NULL;
  g_autofree char *log = NULL;
  g_autofree char *inner = NULL;
  g_autofree char *quoted_inner = NULL;
  g_autofree char *outer = NULL;
  g_autofree char *quoted_log = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  SeroDevServer *server;
  gint64 deadline;
  guint port = 0;
  int pid;

  g_return_val_if_fail (SERO_IS_DEV_SERVER_REGISTRY (self), NULL);
  g_return_val_if_fail (command != NULL && command[0] != '\0', NULL);

  if (!(before = listeners (runtime, NULL, 0, error)))
    return NULL;

  log = g_strdup_printf ("/tmp/sero-dev-server-%s-%" G_GINT64_FORMAT ".log",
                         sero_workspace_get_id (workspace), g_get_real_time () / 1000);
  quoted_log = g_shell_quote (log);
  inner = g_strdup_printf ("exec %s > %s 2>&1", command, quoted_log);
  quoted_inner = g_shell_quote (inner);
  outer = g_strdup_printf ("setsid sh -c %s > /dev/null 2>&1 < /dev/null & echo $!", quoted_inner);

  if (!(started = run (runtime, outer, cwd, error)))
    return NULL;

  pid = (int) g_ascii_strtoll (g_strstrip (started->stdout_text), NULL, 10);
  if (started->exit_status != 0 || pid <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The dev server could not be started: %s",
                   started->stderr_text[0] ? g_strstrip (started->stderr_text) : "no process id came back");
      return NULL;
    }

  deadline = g_get_monotonic_time () + START_WAIT_MS * 1000;
  while (port == 0)
    {
      g_autoptr(GArray) now_listening = NULL;
      gboolean alive = FALSE;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          stop_processes (runtime, pid, 0);
          return NULL;
        }

      g_usleep (POLL_MS * 1000);
      if (!(now_listening = listeners (runtime, &alive, pid, error)))
        return NULL;

      for (guint i = 0; i < now_listening->len && port == 0; i++)
        {
          SeroListener *listener = &g_array_index (now_listening, SeroListener, i);

          if (!has_port (before, listener->port))
            port = listener->port;
        }

      if (port == 0 && !alive)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "Dev server exited before a listening port was detected (pid %d). Its output is in %s.",
                       pid, log);
          return NULL;
        }

      if (port == 0 && g_get_monotonic_time () > deadline)
        {
          stop_processes (runtime, pid, 0);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "No dev server port was detected after starting the command. Its output is in %s.", log);
          return NULL;
        }
    }

  server = g_object_new (SERO_TYPE_DEV_SERVER, NULL);
  server->id = sero_dev_server_make_id (sero_workspace_get_id (workspace), NULL, NULL, port);
  server->workspace_id = g_strdup (sero_workspace_get_id (workspace));
  server->name = g_strdup (name ? name : command);
  server->port = port;
  server->command = g_strdup (command);
  server->cwd = g_strdup (cwd ? cwd : "/workspace");
  server->pid = pid;
  server->registered_at = g_date_time_format_iso8601 (now);
  g_free (server->status);
  server->status = g_strdup ("running");
  {
    g_autofree char *ip = sero_runtime_dup_ip_address (runtime);

    server->url = sero_dev_server_preferred_url (port, sero_runtime_get_published_port (runtime, port), ip,
                                                 sero_runtime_is_container (runtime));
  }

  /* A restart on the same port replaces the old record. */
  {
    SeroDevServer *old = sero_dev_server_registry_lookup (self, server->id);

    if (old != NULL)
      remove_server (self, old);
  }

  g_ptr_array_add (self->servers, server);
  g_list_model_items_changed (G_LIST_MODEL (self), self->servers->len - 1, 0, 1);
  g_signal_emit (self, signals[REGISTERED], 0, server);

  if (!save (self, error))
    return NULL;

  return server;
}

/**
 * sero_dev_server_registry_stop_sync:
 *
 * Stops the server and unregisters it. Blocking.
 */
gboolean
sero_dev_server_registry_stop_sync (SeroDevServerRegistry  *self,
                                    SeroRuntime            *runtime,
                                    const char             *id,
                                    GError                **error)
{
  SeroDevServer *server = sero_dev_server_registry_lookup (self, id);

  if (server == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No dev server “%s”", id);
      return FALSE;
    }

  stop_processes (runtime, server->pid, server->port);
  set_status (self, server, "stopped");
  remove_server (self, server);

  return save (self, error);
}

/**
 * sero_dev_server_registry_restart_sync:
 *
 * Stops the server and starts its command again. Blocking.
 *
 * Returns: (transfer none): the new registration
 */
SeroDevServer *
sero_dev_server_registry_restart_sync (SeroDevServerRegistry  *self,
                                       SeroRuntime            *runtime,
                                       const char             *id,
                                       GError                **error)
{
  SeroDevServer *server = sero_dev_server_registry_lookup (self, id);
  g_autofree char *name = NULL;
  g_autofree char *cwd = NULL;
  g_autofree char *command = NULL;

  if (server == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No dev server “%s”", id);
      return NULL;
    }

  name = g_strdup (server->name);
  cwd = g_strdup (server->cwd);
  command = g_strdup (server->command);

  if (!sero_dev_server_registry_stop_sync (self, runtime, id, error))
    return NULL;

  return sero_dev_server_registry_start_sync (self, runtime, name, cwd, command, NULL, error);
}

/**
 * sero_dev_server_registry_refresh_sync:
 *
 * The liveness check: each server of @runtime's workspace is running while
 * its port listens, else stopped. A starting server is left alone until it
 * listens. Blocking.
 */
void
sero_dev_server_registry_refresh_sync (SeroDevServerRegistry *self,
                                       SeroRuntime           *runtime)
{
  const char *workspace_id = sero_workspace_get_id (sero_runtime_get_workspace (runtime));
  g_autoptr(GArray) now_listening = listeners (runtime, NULL, 0, NULL);
  gboolean changed = FALSE;

  for (guint i = 0; i < self->servers->len; i++)
    {
      SeroDevServer *server = g_ptr_array_index (self->servers, i);
      gboolean listening;

      if (!g_str_equal (server->workspace_id, workspace_id))
        continue;

      listening = now_listening != NULL && has_port (now_listening, server->port);
      if (listening)
        {
          changed |= !g_str_equal (server->status, "running");
          set_status (self, server, "running");
        }
      else if (!g_str_equal (server->status, "starting"))
        {
          changed |= !g_str_equal (server->status, "stopped");
          set_status (self, server, "stopped");
        }
    }

  if (changed)
    save (self, NULL);
}

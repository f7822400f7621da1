/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-dev-server"

#include "config.h"

#include <stdlib.h>

#include "sero-dev-server-private.h"

/* One dev server as the registry knows it, with the original's record
 * fields (reference §4.3). Read-only to everyone but the registry, which
 * notifies changes so a list row can bind to them. */

G_DEFINE_ENUM_TYPE (SeroDevServerStatus, sero_dev_server_status,
                    G_DEFINE_ENUM_VALUE (SERO_DEV_SERVER_STATUS_STARTING, "starting"),
                    G_DEFINE_ENUM_VALUE (SERO_DEV_SERVER_STATUS_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (SERO_DEV_SERVER_STATUS_STOPPED, "stopped"),
                    G_DEFINE_ENUM_VALUE (SERO_DEV_SERVER_STATUS_FAILED, "failed"))

G_DEFINE_FINAL_TYPE (SeroDevServer, sero_dev_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_WORKSPACE_ID,
  PROP_NAME,
  PROP_PORT,
  PROP_URL,
  PROP_COMMAND,
  PROP_CWD,
  PROP_SCOPE,
  PROP_CARD_ID,
  PROP_STATUS,
  PROP_PID,
  PROP_REGISTERED_AT,
  PROP_TITLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sero_dev_server_finalize (GObject *object)
{
  SeroDevServer *self = (SeroDevServer *) object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->workspace_id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->command, g_free);
  g_clear_pointer (&self->cwd, g_free);
  g_clear_pointer (&self->scope, g_free);
  g_clear_pointer (&self->card_id, g_free);
  g_clear_pointer (&self->registered_at, g_free);
  g_clear_pointer (&self->log_path, g_free);
  g_clear_pointer (&self->runtime_kind, g_free);
  g_clear_pointer (&self->host_record, g_free);
  g_clear_object (&self->runtime);

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

    case PROP_WORKSPACE_ID:
      g_value_set_string (value, self->workspace_id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;

    case PROP_URL:
      g_value_set_string (value, self->url);
      break;

    case PROP_COMMAND:
      g_value_set_string (value, self->command);
      break;

    case PROP_CWD:
      g_value_set_string (value, self->cwd);
      break;

    case PROP_SCOPE:
      g_value_set_string (value, self->scope);
      break;

    case PROP_CARD_ID:
      g_value_set_string (value, self->card_id);
      break;

    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;

    case PROP_PID:
      g_value_set_int (value, self->pid);
      break;

    case PROP_REGISTERED_AT:
      g_value_set_string (value, self->registered_at);
      break;

    case PROP_TITLE:
      g_value_take_string (value, g_strdup_printf ("%s · %u (%s)", self->name, self->port,
                                                   sero_dev_server_status_to_string (self->status)));
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

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_WORKSPACE_ID] =
    g_param_spec_string ("workspace-id", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_COMMAND] =
    g_param_spec_string ("command", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_CWD] =
    g_param_spec_string ("cwd", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_SCOPE] =
    g_param_spec_string ("scope", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_CARD_ID] =
    g_param_spec_string ("card-id", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, SERO_TYPE_DEV_SERVER_STATUS, SERO_DEV_SERVER_STATUS_STARTING,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PID] =
    g_param_spec_int ("pid", NULL, NULL, 0, G_MAXINT, 0,
                      (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_REGISTERED_AT] =
    g_param_spec_string ("registered-at", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* "name · port (status)", what the workspace tree shows on the row. */
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sero_dev_server_init (SeroDevServer *self)
{
  self->status = SERO_DEV_SERVER_STATUS_STARTING;
}

SeroDevServer *
_sero_dev_server_new (const char *id,
                      const char *workspace_id)
{
  SeroDevServer *self = g_object_new (SERO_TYPE_DEV_SERVER, NULL);

  self->id = g_strdup (id);
  self->workspace_id = g_strdup (workspace_id);

  return self;
}

void
_sero_dev_server_set_status (SeroDevServer       *self,
                             SeroDevServerStatus  status)
{
  g_assert (SERO_IS_DEV_SERVER (self));

  if (self->status == status)
    return;

  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

void
_sero_dev_server_set_url (SeroDevServer *self,
                          const char    *url)
{
  g_assert (SERO_IS_DEV_SERVER (self));

  if (g_strcmp0 (self->url, url) == 0)
    return;

  g_free (self->url);
  self->url = g_strdup (url);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
}

void
_sero_dev_server_set_pid (SeroDevServer *self,
                          int            pid)
{
  g_assert (SERO_IS_DEV_SERVER (self));

  if (self->pid == pid)
    return;

  self->pid = pid;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PID]);
}

void
_sero_dev_server_set_registered_at (SeroDevServer *self,
                                    const char    *registered_at)
{
  g_assert (SERO_IS_DEV_SERVER (self));

  if (g_strcmp0 (self->registered_at, registered_at) == 0)
    return;

  g_free (self->registered_at);
  self->registered_at = g_strdup (registered_at);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGISTERED_AT]);
}

const char *
sero_dev_server_get_id (SeroDevServer *self)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER (self), NULL);
  return self->id;
}

const char *
sero_dev_server_get_workspace_id (SeroDevServer *self)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER (self), NULL);
  return self->workspace_id;
}

const char *
sero_dev_server_get_name (SeroDevServer *self)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER (self), NULL);
  return self->name;
}

guint
sero_dev_server_get_port (SeroDevServer *self)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER (self), 0);
  return self->port;
}

const char *
sero_dev_server_get_url (SeroDevServer *self)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER (self), NULL);
  return self->url;
}

const char *
sero_dev_server_get_command (SeroDevServer *self)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER (self), NULL);
  return self->command;
}

const char *
sero_dev_server_get_cwd (SeroDevServer *self)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER (self), NULL);
  return self->cwd;
}

const char *
sero_dev_server_get_scope (SeroDevServer *self)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER (self), NULL);
  return self->scope;
}

/**
 * sero_dev_server_get_card_id:
 *
 * Returns: (nullable): the card the server previews, %NULL for the workspace root
 */
const char *
sero_dev_server_get_card_id (SeroDevServer *self)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER (self), NULL);
  return self->card_id;
}

SeroDevServerStatus
sero_dev_server_get_status (SeroDevServer *self)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER (self), SERO_DEV_SERVER_STATUS_STOPPED);
  return self->status;
}

/**
 * sero_dev_server_get_pid:
 *
 * Returns: the pid `setsid` gave the server inside its runtime (its process
 *   group and session), 0 when unknown
 */
int
sero_dev_server_get_pid (SeroDevServer *self)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER (self), 0);
  return self->pid;
}

const char *
sero_dev_server_get_registered_at (SeroDevServer *self)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER (self), NULL);
  return self->registered_at;
}

/**
 * sero_dev_server_get_log_path:
 *
 * Returns: (nullable): where the server's output goes, inside its runtime
 */
const char *
sero_dev_server_get_log_path (SeroDevServer *self)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER (self), NULL);
  return self->log_path;
}

/**
 * sero_dev_server_get_detached:
 *
 * Returns: %TRUE when the server was started to outlive the process that
 *   started it (`sero devserver start`), %FALSE when the process that
 *   started it stops it on exit
 */
gboolean
sero_dev_server_get_detached (SeroDevServer *self)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER (self), FALSE);
  return self->detached;
}

const char *
sero_dev_server_status_to_string (SeroDevServerStatus status)
{
  switch (status)
    {
    case SERO_DEV_SERVER_STATUS_STARTING:
      return "starting";
    case SERO_DEV_SERVER_STATUS_RUNNING:
      return "running";
    case SERO_DEV_SERVER_STATUS_STOPPED:
      return "stopped";
    case SERO_DEV_SERVER_STATUS_FAILED:
      return "failed";
    default:
      g_return_val_if_reached ("stopped");
    }
}

gboolean
sero_dev_server_status_from_string (const char          *text,
                                    SeroDevServerStatus *status)
{
  static const SeroDevServerStatus all[] = {
    SERO_DEV_SERVER_STATUS_STARTING, SERO_DEV_SERVER_STATUS_RUNNING,
    SERO_DEV_SERVER_STATUS_STOPPED, SERO_DEV_SERVER_STATUS_FAILED,
  };

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (all); i++)
    if (g_str_equal (text, sero_dev_server_status_to_string (all[i])))
      {
        *status = all[i];
        return TRUE;
      }

  return FALSE;
}

/**
 * sero_dev_server_make_id:
 * @scope: (nullable): default "workspace"
 * @card_id: (nullable): default "root"
 *
 * Returns: (transfer full): the original's id,
 *   `<workspaceId>:<scope>:<cardId|root>:<port>`
 */
char *
sero_dev_server_make_id (const char *workspace_id,
                         const char *scope,
                         const char *card_id,
                         guint       port)
{
  g_return_val_if_fail (workspace_id != NULL, NULL);

  return g_strdup_printf ("%s:%s:%s:%u", workspace_id,
                          scope && *scope ? scope : "workspace",
                          card_id && *card_id ? card_id : "root",
                          port);
}

/**
 * sero_dev_server_parse_id:
 * @card_id: (out) (optional) (nullable): %NULL for "root"
 *
 * Splits an id made by sero_dev_server_make_id(). Workspace ids never hold
 * ':' (they match `^[a-z0-9][a-z0-9-]*$`), so the first field is
 * unambiguous; the port is the last one.
 *
 * Returns: %TRUE when @id has that shape
 */
gboolean
sero_dev_server_parse_id (const char  *id,
                          char       **workspace_id,
                          char       **scope,
                          char       **card_id,
                          guint       *port)
{
  g_auto(GStrv) parts = NULL;
  guint64 number = 0;

  if (id == NULL)
    return FALSE;

  parts = g_strsplit (id, ":", 4);
  if (g_strv_length (parts) != 4 || parts[0][0] == '\0' || parts[1][0] == '\0' || parts[2][0] == '\0' ||
      !g_ascii_string_to_unsigned (parts[3], 10, 1, G_MAXUINT16, &number, NULL))
    return FALSE;

  if (workspace_id != NULL)
    *workspace_id = g_strdup (parts[0]);
  if (scope != NULL)
    *scope = g_strdup (parts[1]);
  if (card_id != NULL)
    *card_id = g_str_equal (parts[2], "root") ? NULL : g_strdup (parts[2]);
  if (port != NULL)
    *port = (guint) number;

  return TRUE;
}

/**
 * sero_dev_server_preferred_url:
 * @port: the port inside the runtime
 * @published_port: the 127.0.0.1 port on the host that reaches @port (the
 *   port itself on the host runtime), or 0
 * @container_ip: (nullable): the container's address
 *
 * The seed's order: the detected URL, which is a port published on
 * 127.0.0.1; then the container's address; then localhost.
 *
 * Returns: (transfer full): the URL to open
 */
char *
sero_dev_server_preferred_url (guint       port,
                               guint       published_port,
                               const char *container_ip)
{
  if (published_port != 0)
    return g_strdup_printf ("http://127.0.0.1:%u", published_port);

  if (container_ip != NULL && container_ip[0] != '\0')
    {
      /* An IPv6 address needs brackets in a URL. */
      if (strchr (container_ip, ':') != NULL)
        return g_strdup_printf ("http://[%s]:%u", container_ip, port);
      return g_strdup_printf ("http://%s:%u", container_ip, port);
    }

  return g_strdup_printf ("http://localhost:%u", port);
}

/**
 * sero_dev_server_build_start_command:
 * @command: a shell command line
 * @log_path: where its output goes, inside the runtime
 *
 * The line that starts @command detached in its own session and prints its
 * pid, for `sh -lc` in the runtime (reference §4.3, "Start"). The original
 * ran `setsid sh -c 'exec <command> > <log> 2>&1'`, which spliced the
 * command into a quoted string unescaped and, with `exec`, ran only the
 * first part of `a && b`. Here the inner shell redirects itself and then
 * runs the command as its script, and every level is quoted with
 * g_shell_quote(), so any command line works. The inner shell is the
 * session leader and lives as long as the command.
 *
 * Returns: (transfer full): the command line
 */
char *
sero_dev_server_build_start_command (const char *command,
                                     const char *log_path)
{
  g_autofree char *quoted_log = NULL;
  g_autofree char *script = NULL;
  g_autofree char *quoted_script = NULL;

  g_return_val_if_fail (command != NULL, NULL);
  g_return_val_if_fail (log_path != NULL, NULL);

  quoted_log = g_shell_quote (log_path);
  script = g_strdup_printf ("exec > %s 2>&1 < /dev/null\n%s", quoted_log, command);
  quoted_script = g_shell_quote (script);

  return g_strdup_printf ("setsid sh -c %s > /dev/null 2>&1 < /dev/null & echo $!", quoted_script);
}

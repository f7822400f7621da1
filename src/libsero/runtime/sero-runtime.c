/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-runtime"

#include "config.h"

#include "sero-runtime.h"
#include "sero-text.h"

/* SeroRuntime is where a workspace's commands run: the host, an OCI
 * container (Podman or Docker) or an Apple container. It is an abstract
 * class rather than an interface because every backend shares state that
 * an interface cannot hold: the deduplicated in-flight ensure (twenty
 * callers at once share one operation and all get its result), the status
 * a window shows, and the count of open terminals that defers recreation.
 * Backends only supply the lifecycle (in worker threads) and the argv. */

typedef struct
{
  SeroWorkspace     *workspace;
  GMainContext      *owner;

  GMutex             lock;
  GCond              ensured;
  gboolean           ensure_in_flight;
  guint              ensure_generation;
  GError            *ensure_error;
  GPtrArray         *ensure_waiters;

  char              *container_name;
  SeroRuntimeStatus  status;
  char              *status_message;
  char              *ip_address;
  guint              active_terminals;
  gboolean           recreate_deferred;
} SeroRuntimePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (SeroRuntime, sero_runtime, G_TYPE_OBJECT)
G_DEFINE_QUARK (sero-runtime-error-quark, sero_runtime_error)

enum {
  PROP_0,
  PROP_WORKSPACE,
  PROP_STATUS,
  PROP_STATUS_MESSAGE,
  PROP_IP_ADDRESS,
  PROP_RECREATE_DEFERRED,
  PROP_ACTIVE_TERMINALS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const status_names[] = {
  [SERO_RUNTIME_STATUS_NONE]     = "none",
  [SERO_RUNTIME_STATUS_STARTING] = "starting",
  [SERO_RUNTIME_STATUS_RUNNING]  = "running",
  [SERO_RUNTIME_STATUS_STOPPED]  = "stopped",
  [SERO_RUNTIME_STATUS_ERROR]    = "error",
};

const char *
sero_runtime_status_to_string (SeroRuntimeStatus status)
{
  g_return_val_if_fail (status <= SERO_RUNTIME_STATUS_ERROR, NULL);

  return status_names[status];
}

gboolean
sero_exec_env_name_is_valid (const char *name)
{
  return sero_is_valid_variable_name (name);
}

static void
sero_runtime_finalize (GObject *object)
{
  SeroRuntime *self = (SeroRuntime *) object;
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);

  g_clear_object (&priv->workspace);
  g_clear_pointer (&priv->owner, g_main_context_unref);
  g_clear_error (&priv->ensure_error);
  g_clear_pointer (&priv->ensure_waiters, g_ptr_array_unref);
  g_clear_pointer (&priv->container_name, g_free);
  g_clear_pointer (&priv->status_message, g_free);
  g_clear_pointer (&priv->ip_address, g_free);
  g_mutex_clear (&priv->lock);
  g_cond_clear (&priv->ensured);

  G_OBJECT_CLASS (sero_runtime_parent_class)->finalize (object);
}

static void
sero_runtime_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SeroRuntime *self = SERO_RUNTIME (object);
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_WORKSPACE:
      g_value_set_object (value, priv->workspace);
      break;

    case PROP_STATUS:
      g_value_set_int (value, sero_runtime_get_status (self));
      break;

    case PROP_STATUS_MESSAGE:
      g_value_take_string (value, sero_runtime_dup_status_message (self));
      break;

    case PROP_IP_ADDRESS:
      g_value_take_string (value, sero_runtime_dup_ip_address (self));
      break;

    case PROP_RECREATE_DEFERRED:
      g_value_set_boolean (value, sero_runtime_get_recreate_deferred (self));
      break;

    case PROP_ACTIVE_TERMINALS:
      g_value_set_uint (value, priv->active_terminals);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_runtime_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  SeroRuntime *self = SERO_RUNTIME (object);
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_WORKSPACE:
      priv->workspace = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
sero_runtime_real_refresh_sync (SeroRuntime   *self,
                                GCancellable  *cancellable,
                                GError       **error)
{
  return TRUE;
}

static gboolean
sero_runtime_real_destroy_sync (SeroRuntime   *self,
                                GCancellable  *cancellable,
                                GError       **error)
{
  _sero_runtime_set_status (self, SERO_RUNTIME_STATUS_NONE, NULL);
  return TRUE;
}

static guint
sero_runtime_real_get_published_port (SeroRuntime *self,
                                      guint        port)
{
  return 0;
}

static void
sero_runtime_class_init (SeroRuntimeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sero_runtime_finalize;
  object_class->get_property = sero_runtime_get_property;
  object_class->set_property = sero_runtime_set_property;

  klass->refresh_sync = sero_runtime_real_refresh_sync;
  klass->destroy_sync = sero_runtime_real_destroy_sync;
  klass->get_published_port = sero_runtime_real_get_published_port;

  properties[PROP_WORKSPACE] =
    g_param_spec_object ("workspace", NULL, NULL, SERO_TYPE_WORKSPACE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_STATUS] =
    g_param_spec_int ("status", NULL, NULL, 0, SERO_RUNTIME_STATUS_ERROR, 0,
                      (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_STATUS_MESSAGE] =
    g_param_spec_string ("status-message", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_IP_ADDRESS] =
    g_param_spec_string ("ip-address", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_RECREATE_DEFERRED] =
    g_param_spec_boolean ("recreate-deferred", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ACTIVE_TERMINALS] =
    g_param_spec_uint ("active-terminals", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sero_runtime_init (SeroRuntime *self)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);

  g_mutex_init (&priv->lock);
  g_cond_init (&priv->ensured);
  priv->ensure_waiters = g_ptr_array_new ();
  priv->owner = g_main_context_ref_thread_default ();
}

SeroWorkspace *
sero_runtime_get_workspace (SeroRuntime *self)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);

  g_return_val_if_fail (SERO_IS_RUNTIME (self), NULL);

  return priv->workspace;
}

/**
 * sero_runtime_get_container_name:
 *
 * Returns: (nullable): `sero-<workspaceId>` for container runtimes
 */
const char *
sero_runtime_get_container_name (SeroRuntime *self)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);

  g_return_val_if_fail (SERO_IS_RUNTIME (self), NULL);

  return priv->container_name;
}

gboolean
sero_runtime_is_container (SeroRuntime *self)
{
  return sero_runtime_get_container_name (self) != NULL;
}

/**
 * sero_runtime_get_published_port:
 * @port: a TCP port inside the runtime
 *
 * Returns: the port on the host's 127.0.0.1 that reaches @port, or 0
 */
guint
sero_runtime_get_published_port (SeroRuntime *self,
                                 guint        port)
{
  g_return_val_if_fail (SERO_IS_RUNTIME (self), 0);

  return SERO_RUNTIME_GET_CLASS (self)->get_published_port (self, port);
}

void
_sero_runtime_set_container_name (SeroRuntime *self,
                                  const char  *name)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);

  g_free (priv->container_name);
  priv->container_name = g_strdup (name);
}

SeroRuntimeStatus
sero_runtime_get_status (SeroRuntime *self)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);
  SeroRuntimeStatus status;

  g_return_val_if_fail (SERO_IS_RUNTIME (self), SERO_RUNTIME_STATUS_NONE);

  g_mutex_lock (&priv->lock);
  status = priv->status;
  g_mutex_unlock (&priv->lock);

  return status;
}

char *
sero_runtime_dup_status_message (SeroRuntime *self)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);
  char *message;

  g_return_val_if_fail (SERO_IS_RUNTIME (self), NULL);

  g_mutex_lock (&priv->lock);
  message = g_strdup (priv->status_message);
  g_mutex_unlock (&priv->lock);

  return message;
}

char *
sero_runtime_dup_ip_address (SeroRuntime *self)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);
  char *ip;

  g_return_val_if_fail (SERO_IS_RUNTIME (self), NULL);

  g_mutex_lock (&priv->lock);
  ip = g_strdup (priv->ip_address);
  g_mutex_unlock (&priv->lock);

  return ip;
}

gboolean
sero_runtime_get_recreate_deferred (SeroRuntime *self)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);
  gboolean deferred;

  g_return_val_if_fail (SERO_IS_RUNTIME (self), FALSE);

  g_mutex_lock (&priv->lock);
  deferred = priv->recreate_deferred;
  g_mutex_unlock (&priv->lock);

  return deferred;
}

guint
sero_runtime_get_active_terminals (SeroRuntime *self)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);
  guint count;

  g_return_val_if_fail (SERO_IS_RUNTIME (self), 0);

  g_mutex_lock (&priv->lock);
  count = priv->active_terminals;
  g_mutex_unlock (&priv->lock);

  return count;
}

typedef struct
{
  SeroRuntime *self;
  GParamSpec  *pspec;
} Notify;

static gboolean
notify_on_owner (gpointer data)
{
  Notify *notify = data;

  g_object_notify_by_pspec (G_OBJECT (notify->self), notify->pspec);
  g_object_unref (notify->self);
  g_free (notify);

  return G_SOURCE_REMOVE;
}

/* Status changes happen in worker threads; widgets bound to the properties
 * must hear of them on the main context that made the runtime. */
static void
notify_later (SeroRuntime *self,
              guint        prop_id)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);
  Notify *notify = g_new0 (Notify, 1);

  notify->self = g_object_ref (self);
  notify->pspec = properties[prop_id];
  g_main_context_invoke (priv->owner, notify_on_owner, notify);
}

void
_sero_runtime_set_status (SeroRuntime       *self,
                          SeroRuntimeStatus  status,
                          const char        *message)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);
  gboolean status_changed, message_changed;

  g_mutex_lock (&priv->lock);
  status_changed = priv->status != status;
  message_changed = g_strcmp0 (priv->status_message, message) != 0;
  priv->status = status;
  if (message_changed)
    {
      g_free (priv->status_message);
      priv->status_message = g_strdup (message);
    }
  g_mutex_unlock (&priv->lock);

  if (status_changed)
    notify_later (self, PROP_STATUS);
  if (message_changed)
    notify_later (self, PROP_STATUS_MESSAGE);
}

void
_sero_runtime_set_ip_address (SeroRuntime *self,
                              const char  *ip_address)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);
  gboolean changed;

  g_mutex_lock (&priv->lock);
  changed = g_strcmp0 (priv->ip_address, ip_address) != 0;
  if (changed)
    {
      g_free (priv->ip_address);
      priv->ip_address = (ip_address && ip_address[0]) ? g_strdup (ip_address) : NULL;
    }
  g_mutex_unlock (&priv->lock);

  if (changed)
    notify_later (self, PROP_IP_ADDRESS);
}

void
_sero_runtime_set_recreate_deferred (SeroRuntime *self,
                                     gboolean     deferred)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);
  gboolean changed;

  g_mutex_lock (&priv->lock);
  changed = priv->recreate_deferred != !!deferred;
  priv->recreate_deferred = !!deferred;
  g_mutex_unlock (&priv->lock);

  if (changed)
    notify_later (self, PROP_RECREATE_DEFERRED);
}

/**
 * sero_runtime_hold_terminal:
 *
 * Counts an open terminal. While any is open, a change of mounts or image
 * that needs a new container is deferred instead of killing the terminal.
 */
void
sero_runtime_hold_terminal (SeroRuntime *self)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);

  g_return_if_fail (SERO_IS_RUNTIME (self));

  g_mutex_lock (&priv->lock);
  priv->active_terminals++;
  g_mutex_unlock (&priv->lock);
  notify_later (self, PROP_ACTIVE_TERMINALS);
}

void
sero_runtime_release_terminal (SeroRuntime *self)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);

  g_return_if_fail (SERO_IS_RUNTIME (self));

  g_mutex_lock (&priv->lock);
  if (priv->active_terminals > 0)
    priv->active_terminals--;
  g_mutex_unlock (&priv->lock);
  notify_later (self, PROP_ACTIVE_TERMINALS);
}

/* The one ensure that actually runs. Everyone who asked meanwhile, sync or
 * async, gets its result. */
static gboolean
run_ensure (SeroRuntime   *self,
            GError       **error)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) waiters = NULL;
  gboolean ok;

  /* The shared operation is not cancellable by any one caller: the others
   * are still waiting for it. */
  ok = SERO_RUNTIME_GET_CLASS (self)->ensure_sync (self, NULL, &local_error);
  g_assert (ok == (local_error == NULL));

  g_mutex_lock (&priv->lock);
  priv->ensure_in_flight = FALSE;
  priv->ensure_generation++;
  g_clear_error (&priv->ensure_error);
  if (local_error != NULL)
    priv->ensure_error = g_error_copy (local_error);
  waiters = g_steal_pointer (&priv->ensure_waiters);
  priv->ensure_waiters = g_ptr_array_new ();
  g_cond_broadcast (&priv->ensured);
  g_mutex_unlock (&priv->lock);

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (waiters, i);

      if (local_error != NULL)
        g_task_return_error (waiter, g_error_copy (local_error));
      else
        g_task_return_boolean (waiter, TRUE);
      g_object_unref (waiter);
    }

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

/**
 * sero_runtime_ensure_sync:
 *
 * Makes the runtime usable, creating or starting its container when needed.
 * Concurrent callers (threads or async) share one operation.
 */
gboolean
sero_runtime_ensure_sync (SeroRuntime   *self,
                          GCancellable  *cancellable,
                          GError       **error)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);

  g_return_val_if_fail (SERO_IS_RUNTIME (self), FALSE);

  g_mutex_lock (&priv->lock);
  if (priv->ensure_in_flight)
    {
      guint generation = priv->ensure_generation;
      gboolean ok;

      while (priv->ensure_generation == generation)
        g_cond_wait (&priv->ensured, &priv->lock);

      ok = priv->ensure_error == NULL;
      if (!ok)
        g_propagate_error (error, g_error_copy (priv->ensure_error));
      g_mutex_unlock (&priv->lock);
      return ok;
    }
  priv->ensure_in_flight = TRUE;
  g_mutex_unlock (&priv->lock);

  return run_ensure (self, error);
}

static void
ensure_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  /* run_ensure() returns to every waiter, this task included. */
  run_ensure (source_object, NULL);
}

void
sero_runtime_ensure_async (SeroRuntime         *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  SeroRuntimePrivate *priv = sero_runtime_get_instance_private (self);
  g_autoptr(GTask) task = NULL;
  gboolean start;

  g_return_if_fail (SERO_IS_RUNTIME (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sero_runtime_ensure_async);

  g_mutex_lock (&priv->lock);
  g_ptr_array_add (priv->ensure_waiters, g_object_ref (task));
  start = !priv->ensure_in_flight;
  priv->ensure_in_flight = TRUE;
  g_mutex_unlock (&priv->lock);

  if (start)
    {
      g_autoptr(GTask) runner = g_task_new (self, NULL, NULL, NULL);

      g_task_set_source_tag (runner, sero_runtime_ensure_async);
      g_task_run_in_thread (runner, ensure_thread);
    }
}

gboolean
sero_runtime_ensure_finish (SeroRuntime   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static GStrv
build_exec_argv (SeroRuntime            *self,
                 const SeroExecRequest  *request,
                 char                  **host_cwd,
                 GError                **error)
{
  if (request->argv == NULL && request->command == NULL)
    {
      g_set_error_literal (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_INVALID,
                           "Nothing to run: give a command");
      return NULL;
    }

  for (guint i = 0; request->env && request->env[i]; i++)
    {
      const char *eq = strchr (request->env[i], '=');
      g_autofree char *name = eq ? g_strndup (request->env[i], eq - request->env[i]) : NULL;

      if (!sero_exec_env_name_is_valid (name))
        {
          g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_INVALID,
                       "“%s” is not a valid NAME=VALUE environment entry", request->env[i]);
          return NULL;
        }
    }

  return SERO_RUNTIME_GET_CLASS (self)->build_exec_argv (self, request, host_cwd, error);
}

/* Killing the host-side `podman exec` (or `container exec`) client on a
 * timeout or cancel does not kill what it started: the engine keeps the
 * process running inside the container, where a `sleep 600` or a runaway
 * build would go on holding the workspace (issue 3). So every container exec
 * carries SERO_EXEC_ID=<uuid> in its environment, which every descendant
 * inherits, even one that started its own session; on a timeout or cancel a
 * second exec finds the processes whose /proc/PID/environ has the tag and
 * sends them TERM, then KILL after a short grace. It needs only a POSIX
 * shell, grep and kill, so it works in a busybox-only image. A process that
 * cleared its own environment escapes it; nothing short of a per-exec cgroup
 * would catch that, and engines do not offer one. */
#define EXEC_TAG_NAME        "SERO_EXEC_ID"
#define REAP_TIMEOUT_MS      (15 * 1000)

/* environ is NUL-separated, and busybox grep stops reading a line at the
 * first NUL, hence tr. A cancel can come while the engine is still starting the command, so a
 * first empty scan proves nothing: it keeps looking for 1 s, or for 0.2 s
 * once it has killed something. TERM first, KILL from 2 s on. */
static const char reap_script[] =
  "tag=\"$1\"\n"
  "scan() {\n"
  "  for f in /proc/[0-9]*/environ; do\n"
  "    if tr '\\0' '\\n' < \"$f\" 2>/dev/null | grep -qxF \"$tag\"; then p=${f#/proc/}; echo \"${p%/environ}\"; fi\n"
  "  done\n"
  "}\n"
  "i=0; quiet=0; patience=10\n"
  "while [ $i -lt 40 ]; do\n"
  "  pids=$(scan)\n"
  "  if [ -n \"$pids\" ]; then\n"
  "    if [ $i -ge 20 ]; then kill -KILL $pids 2>/dev/null; else kill -TERM $pids 2>/dev/null; fi\n"
  "    quiet=0; patience=2\n"
  "  else\n"
  "    quiet=$((quiet + 1))\n"
  "    [ $quiet -lt $patience ] || exit 0\n"
  "  fi\n"
  "  sleep 0.1 2>/dev/null || sleep 1\n"
  "  i=$((i + 1))\n"
  "done\n"
  "exit 0\n";

typedef struct
{
  SeroExecRequest  request;
  GStrv            env;
  char            *tag;
} TaggedRequest;

static void
tagged_request_clear (TaggedRequest *tagged)
{
  g_clear_pointer (&tagged->env, g_strfreev);
  g_clear_pointer (&tagged->tag, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TaggedRequest, tagged_request_clear)

/* A copy of @request whose environment carries a fresh exec tag, for
 * container runtimes; the request itself for the host, where the process
 * group kill of sero-process.c already reaches everything. */
static const SeroExecRequest *
tag_request (SeroRuntime           *self,
             const SeroExecRequest *request,
             TaggedRequest         *tagged)
{
  g_autofree char *uuid = NULL;
  guint n = 0;

  memset (tagged, 0, sizeof *tagged);
  if (!sero_runtime_is_container (self))
    return request;

  uuid = g_uuid_string_random ();
  tagged->tag = g_strdup_printf (EXEC_TAG_NAME "=%s", uuid);
  n = request->env ? g_strv_length ((char **) request->env) : 0;
  tagged->env = g_new0 (char *, n + 2);
  for (guint i = 0; i < n; i++)
    tagged->env[i] = g_strdup (request->env[i]);
  tagged->env[n] = g_strdup (tagged->tag);

  tagged->request = *request;
  tagged->request.env = (const char * const *) tagged->env;
  return &tagged->request;
}

static GStrv
build_reap_argv (SeroRuntime *self,
                 const char  *tag,
                 GError     **error)
{
  const char *argv[] = { "sh", "-c", reap_script, "sero-reap", tag, NULL };
  SeroExecRequest reap = { .argv = argv, .cwd = "/", .timeout_ms = REAP_TIMEOUT_MS };
  g_autofree char *host_cwd = NULL;

  return SERO_RUNTIME_GET_CLASS (self)->build_exec_argv (self, &reap, &host_cwd, error);
}

static gboolean
needs_reap (const SeroProcessResult *result,
            const GError            *error)
{
  return (result != NULL && result->timed_out) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* One container exec in flight: its tag, and the reaper once one runs. */
typedef struct
{
  SeroRuntime       *runtime;
  char              *tag;
  GMutex             lock;
  GSubprocess       *reaper;
  GCancellable      *cancellable;
  gulong             cancelled_id;
  SeroProcessResult *result;
  GError            *error;
} ExecState;

static void
exec_state_free (ExecState *state)
{
  if (state->cancelled_id != 0)
    g_cancellable_disconnect (state->cancellable, state->cancelled_id);
  g_clear_object (&state->cancellable);
  g_clear_object (&state->reaper);
  g_clear_object (&state->runtime);
  g_clear_pointer (&state->result, sero_process_result_free);
  g_clear_error (&state->error);
  g_free (state->tag);
  g_mutex_clear (&state->lock);
  g_free (state);
}

/* Starts the reaper at once, without waiting for anyone's main loop: a
 * caller may stop iterating the moment it cancels, and the process inside
 * must go all the same. Idempotent. */
static void
start_reaper (ExecState *state)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;

  g_mutex_lock (&state->lock);
  if (state->reaper == NULL)
    {
      if ((argv = build_reap_argv (state->runtime, state->tag, &error)))
        state->reaper = g_subprocess_newv ((const char * const *) argv,
                                           G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                           &error);
      if (state->reaper == NULL)
        g_warning ("Could not stop a timed-out or cancelled command in %s: %s",
                   sero_runtime_get_container_name (state->runtime), error->message);
    }
  g_mutex_unlock (&state->lock);
}

static void
on_exec_cancelled (GCancellable *cancellable,
                   ExecState    *state)
{
  start_reaper (state);
}

static void
return_outcome (GTask     *task,
                ExecState *state)
{
  if (state->error != NULL)
    g_task_return_error (task, g_steal_pointer (&state->error));
  else
    g_task_return_pointer (task, g_steal_pointer (&state->result),
                           (GDestroyNotify) sero_process_result_free);
}

static void
on_reaped (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ExecState *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_check_finish (G_SUBPROCESS (object), result, &error))
    g_warning ("Could not stop a timed-out or cancelled command in %s: %s",
               sero_runtime_get_container_name (state->runtime), error->message);

  return_outcome (task, state);
}

static void
on_exec_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ExecState *state = g_task_get_task_data (task);
  GSubprocess *reaper;

  state->result = sero_process_run_finish (result, &state->error);

  if (state->tag == NULL)
    {
      return_outcome (task, state);
      return;
    }

  if (state->cancelled_id != 0)
    g_cancellable_disconnect (state->cancellable, state->cancelled_id);
  state->cancelled_id = 0;

  if (needs_reap (state->result, state->error))
    start_reaper (state);

  g_mutex_lock (&state->lock);
  reaper = state->reaper ? g_object_ref (state->reaper) : NULL;
  g_mutex_unlock (&state->lock);

  /* The caller hears back only once the command is really gone, so a
   * follow-up command never races the one it replaced. */
  if (reaper != NULL)
    {
      g_subprocess_wait_check_async (reaper, NULL, on_reaped, g_steal_pointer (&task));
      g_object_unref (reaper);
      return;
    }

  return_outcome (task, state);
}

/**
 * sero_runtime_exec_async:
 *
 * Runs a command in the runtime (it must have been ensured). The result
 * carries the command's exit status; 124 with "Command timed out after Ns."
 * when it ran past the timeout. A timeout or a cancel kills the command and
 * everything it started: on the host its process group, in a container
 * every process carrying this exec's tag (see reap_script above), which
 * starts from the cancel itself, even when the caller's main loop no
 * longer runs. The operation completes once they are gone.
 */
void
sero_runtime_exec_async (SeroRuntime           *self,
                         const SeroExecRequest *request,
                         GCancellable          *cancellable,
                         GAsyncReadyCallback    callback,
                         gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host_cwd = NULL;
  g_auto(GStrv) argv = NULL;
  g_auto(TaggedRequest) tagged = { 0 };
  const SeroExecRequest *effective;
  ExecState *state;

  g_return_if_fail (SERO_IS_RUNTIME (self));
  g_return_if_fail (request != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sero_runtime_exec_async);
  /* Cancellation is reported by on_exec_done after the reaper ran, not
   * by GTask the moment the cancellable fires. */
  g_task_set_check_cancellable (task, FALSE);

  effective = tag_request (self, request, &tagged);
  if (!(argv = build_exec_argv (self, effective, &host_cwd, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  state = g_new0 (ExecState, 1);
  g_mutex_init (&state->lock);
  state->runtime = g_object_ref (self);
  state->tag = g_steal_pointer (&tagged.tag);
  g_task_set_task_data (task, state, (GDestroyNotify) exec_state_free);

  if (state->tag != NULL && cancellable != NULL)
    {
      state->cancellable = g_object_ref (cancellable);
      state->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_exec_cancelled), state, NULL);
    }

  sero_process_run_async ((const char * const *) argv, host_cwd, NULL, request->stdin_text,
                          request->timeout_ms, cancellable, on_exec_done, g_steal_pointer (&task));
}

/**
 * sero_runtime_exec_finish:
 *
 * Returns: (transfer full): the command's result
 */
SeroProcessResult *
sero_runtime_exec_finish (SeroRuntime   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * sero_runtime_exec_sync:
 *
 * Returns: (transfer full): the command's result
 */
SeroProcessResult *
sero_runtime_exec_sync (SeroRuntime            *self,
                        const SeroExecRequest  *request,
                        GCancellable           *cancellable,
                        GError                **error)
{
  g_autofree char *host_cwd = NULL;
  g_auto(GStrv) argv = NULL;
  g_auto(TaggedRequest) tagged = { 0 };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SeroProcessResult) result = NULL;
  const SeroExecRequest *effective;

  g_return_val_if_fail (SERO_IS_RUNTIME (self), NULL);
  g_return_val_if_fail (request != NULL, NULL);

  effective = tag_request (self, request, &tagged);
  if (!(argv = build_exec_argv (self, effective, &host_cwd, error)))
    return NULL;

  result = sero_process_run_sync ((const char * const *) argv, host_cwd, NULL, request->stdin_text,
                                  request->timeout_ms, cancellable, &local_error);

  if (tagged.tag != NULL && needs_reap (result, local_error))
    {
      g_autoptr(GError) reap_error = NULL;
      g_auto(GStrv) reap_argv = build_reap_argv (self, tagged.tag, &reap_error);
      g_autoptr(SeroProcessResult) reaped = NULL;

      if (reap_argv != NULL)
        reaped = sero_process_run_sync ((const char * const *) reap_argv, NULL, NULL, NULL,
                                        REAP_TIMEOUT_MS, NULL, &reap_error);
      if (reaped == NULL || reaped->exit_status != 0)
        g_warning ("Could not stop a timed-out or cancelled command in %s: %s",
                   sero_runtime_get_container_name (self),
                   reaped ? reaped->stderr_text : reap_error->message);
    }

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return g_steal_pointer (&result);
}

/**
 * sero_runtime_build_terminal_argv:
 * @cwd: (nullable): where the shell starts; default the workspace root
 * @envp: (out) (optional): the environment to spawn with, or %NULL for the caller's
 *
 * Returns: (transfer full): the argv of an interactive login shell in the runtime
 */
GStrv
sero_runtime_build_terminal_argv (SeroRuntime *self,
                                  const char  *cwd,
                                  GStrv       *envp)
{
  GStrv env = NULL;
  GStrv argv;

  g_return_val_if_fail (SERO_IS_RUNTIME (self), NULL);

  argv = SERO_RUNTIME_GET_CLASS (self)->build_terminal_argv (self, cwd, &env);
  if (envp != NULL)
    *envp = env;
  else
    g_strfreev (env);

  return argv;
}

gboolean
sero_runtime_destroy_sync (SeroRuntime   *self,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_return_val_if_fail (SERO_IS_RUNTIME (self), FALSE);

  return SERO_RUNTIME_GET_CLASS (self)->destroy_sync (self, cancellable, error);
}

static void
destroy_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  if (sero_runtime_destroy_sync (source_object, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
sero_runtime_destroy_async (SeroRuntime         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SERO_IS_RUNTIME (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sero_runtime_destroy_async);
  g_task_run_in_thread (task, destroy_thread);
}

gboolean
sero_runtime_destroy_finish (SeroRuntime   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sero_runtime_refresh_sync:
 *
 * Re-reads the runtime's real state, so a container stopped or removed from
 * outside Sero shows as such. Blocking: call from a worker thread or the CLI.
 */
gboolean
sero_runtime_refresh_sync (SeroRuntime   *self,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_return_val_if_fail (SERO_IS_RUNTIME (self), FALSE);

  return SERO_RUNTIME_GET_CLASS (self)->refresh_sync (self, cancellable, error);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-dev-server"

#include "config.h"

#include <unistd.h>

#include "sero-dev-server-registry-private.h"

/* Dev servers the agent or a person starts in a workspace's runtime, with
 * the original's ids, events and behaviour (reference §4.3; issue 3).
 *
 * Start: the command runs detached in its own session (`setsid`), so its
 * pid is its process group and session id and stopping the group stops
 * everything it started. It counts as started once a port that was not
 * listening before appears, held by that session, while the pid lives.
 * Ports are read inside the runtime from /proc/net/tcp{,6}, so this works
 * in an image without iproute2; sockets are tied to processes through
 * /proc/<pid>/fd, with busybox-level tools only.
 *
 * Who owns a server, and what survives which process:
 *
 * - The seed keeps the registry in memory, and so does the app: servers it
 *   starts live as long as it does. Host servers it starts are stopped by
 *   sero_dev_server_registry_shutdown() and each has a crash record,
 *   `<ui_root>/host-dev-servers/<uuid>.json` (0600), naming the owning
 *   process by pid and start time; the next start reaps the servers of an
 *   owner that is gone (the original's issue #551: a `vite --strictPort`
 *   outlived the app). Container servers stay with their container.
 *
 * - `sero devserver start` is a process that exits at once, so it cannot
 *   own anything: the servers it starts are "detached", never reaped, and
 *   kept in `<SERO_HOME>/agent/dev-servers.json` so a later `list`, `stop`
 *   or `restart` (another process) and the window find them. The file is
 *   only a catalogue: whether a server runs is always asked of the runtime
 *   (its port listens or not), never believed from the file. Writers take
 *   an flock and re-read before writing, so the CLI and the app do not
 *   drop each other's entries; the app re-reads it on each liveness pass.
 *
 * Blocking work (probing, polling, stopping) runs in a worker thread for
 * the _async calls and in the caller's thread for the _sync ones; the
 * list, the signals and the files are only touched on the registry's own
 * thread. */

#define START_POLL_MS          500
#define START_TIMEOUT_MS       (20 * 1000)
#define EXEC_TIMEOUT_MS        (30 * 1000)
#define DEFAULT_LIVENESS_MS    5000

/* Prints `@alive` if $1 lives; for each process of $1's session (setsid
 * made $1 its id) `@member <pid>`, its socket links (or `@unreadable` when
 * its fds cannot be listed), and `@stat` for $1;
 * then the listener tables. The stat line's fields are counted after the
 * last ") " because the command name may hold spaces. No awk over globbed
 * /proc files: awk stops at the first process that exited meanwhile. */
static const char probe_script[] =
  "pid=$1\n"
  "if [ \"$pid\" -gt 0 ]; then\n"
  "  kill -0 \"$pid\" 2>/dev/null && echo @alive\n"
  "  for s in /proc/[0-9]*/stat; do\n"
  "    { read -r line < \"$s\"; } 2>/dev/null || continue\n"
  "    set -- ${line##*\") \"}\n"
  "    [ \"$4\" = \"$pid\" ] || continue\n"
  "    p=${s#/proc/}; p=${p%/stat}\n"
  "    echo \"@member $p\"\n"
  "    [ \"$p\" = \"$pid\" ] && echo \"@stat $line\"\n"
  "    [ -r \"/proc/$p/fd\" ] || echo \"@unreadable $p\"\n"
  "    ls -l \"/proc/$p/fd\" 2>/dev/null | grep 'socket:\\['\n"
  "  done\n"
  "fi\n"
  "if [ -r /proc/net/tcp ]; then\n"
  "  echo @tcp\n"
  "  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null\n"
  "else\n"
  "  echo @ss\n"
  "  ss -tlnp 2>/dev/null\n"
  "fi\n"
  "true\n";

/* Prints `@self`, `@owner <pid>` for every process holding a listening
 * socket on port $1 (inode from /proc/net/tcp, then the /proc/<pid>/fd
 * link `socket:[inode]`; `ss -tlnp`'s pid= when /proc/net/tcp is
 * unreadable), and `@stat` for those, the leader $2 and itself. */
static const char owners_script[] =
  "port=$1 leader=$2\n"
  "echo \"@self $$\"\n"
  "pids=\n"
  "if [ -r /proc/net/tcp ]; then\n"
  "  hex=$(printf '%04X' \"$port\")\n"
  "  inodes=$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |"
  " awk -v p=\":$hex\" '$4 == \"0A\" && substr($2, length($2) - 4) == p { printf \" %s\", $10 }')\n"
  "  if [ -n \"$inodes\" ]; then\n"
  "    pids=$(ls -l /proc/[0-9]*/fd 2>/dev/null | awk -v want=\"$inodes \" '\n"
  "      /^\\/proc\\/[0-9]+\\/fd:$/ { split($0, part, \"/\"); pid = part[3]; next }\n"
  "      /socket:\\[/ { i = $NF; gsub(/[^0-9]/, \"\", i); if (index(want, \" \" i \" \")) print pid }')\n"
  "  fi\n"
  "else\n"
  "  pids=$(ss -tlnp 2>/dev/null | awk -v p=\":$port\" '{ for (f = 1; f <= NF; f++)"
  " if (substr($f, length($f) - length(p) + 1) == p) { print; break } }' | grep -o 'pid=[0-9]*' | sed 's/pid=//')\n"
  "fi\n"
  "for p in $pids; do echo \"@owner $p\"; done\n"
  "for p in $pids $leader $$; do\n"
  "  { read -r line < \"/proc/$p/stat\"; } 2>/dev/null && echo \"@stat $line\"\n"
  "done\n"
  "true\n";

/* `kill -SIG -PGID` signals a group. Not `kill -SIG -- -PGID`: the kill
 * builtins of dash and busybox ash reject the "--". */
static const char kill_script[] =
  "sig=$1; shift\n"
  "for t in \"$@\"; do kill -\"$sig\" \"$t\" 2>/dev/null; done\n"
  "true\n";

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SeroDevServerRegistry, sero_dev_server_registry, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

G_DEFINE_QUARK (sero-dev-server-error-quark, sero_dev_server_error)

enum {
  PROP_0,
  PROP_RECORDS_PATH,
  PROP_HOST_RECORDS_DIR,
  PROP_DETACHED,
  PROP_LIVENESS_INTERVAL,
  N_PROPS
};

enum {
  REGISTERED,
  UNREGISTERED,
  STATUS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void schedule_liveness (SeroDevServerRegistry *self);

/* ------------------------------------------------------------------------
 * GListModel
 */

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

  if (position >= self->servers->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->servers, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

/* ------------------------------------------------------------------------
 * The list
 */

static void
set_status (SeroDevServerRegistry *self,
            SeroDevServer         *server,
            SeroDevServerStatus    status)
{
  if (server->status == status)
    return;

  _sero_dev_server_set_status (server, status);
  g_signal_emit (self, signals[STATUS_CHANGED], 0, server);
}

void
_sero_dev_server_registry_add (SeroDevServerRegistry *self,
                               SeroDevServer         *server)
{
  g_ptr_array_add (self->servers, g_object_ref (server));
  g_list_model_items_changed (G_LIST_MODEL (self), self->servers->len - 1, 0, 1);
  g_signal_emit (self, signals[REGISTERED], 0, server);
  schedule_liveness (self);
}

void
_sero_dev_server_registry_remove (SeroDevServerRegistry *self,
                                  SeroDevServer         *server)
{
  g_autoptr(SeroDevServer) hold = g_object_ref (server);
  guint position;

  if (!g_ptr_array_find (self->servers, server, &position))
    return;

  _sero_dev_server_delete_host_record (server);
  g_ptr_array_remove_index (self->servers, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_signal_emit (self, signals[UNREGISTERED], 0, server->id);
}

/**
 * sero_dev_server_registry_lookup:
 *
 * Returns: (transfer none) (nullable): the server with that id
 */
SeroDevServer *
sero_dev_server_registry_lookup (SeroDevServerRegistry *self,
                                 const char            *id)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER_REGISTRY (self), NULL);

  for (guint i = 0; id != NULL && i < self->servers->len; i++)
    {
      SeroDevServer *server = g_ptr_array_index (self->servers, i);

      if (g_str_equal (server->id, id))
        return server;
    }

  return NULL;
}

/* ------------------------------------------------------------------------
 * Runtimes
 */

/* The runtime a server runs in: the one it was started in, or for a server
 * read from the records file, its workspace's runtime of the recorded kind
 * (the host one when it was started after a fallback). */
static SeroRuntime *
resolve_runtime (SeroDevServerRegistry *self,
                 const char            *workspace_id,
                 const char            *runtime_kind,
                 SeroRuntime           *started_in)
{
  SeroWorkspace *workspace;

  if (started_in != NULL)
    return started_in;

  if (self->manager == NULL || self->workspaces == NULL ||
      !(workspace = sero_workspace_registry_lookup (self->workspaces, workspace_id)))
    return NULL;

  if (g_strcmp0 (runtime_kind, "host") == 0)
    return sero_runtime_manager_get_host_runtime (self->manager, workspace);

  return sero_runtime_manager_get_runtime (self->manager, workspace);
}

/**
 * sero_dev_server_registry_set_runtime_manager:
 *
 * Lets the registry reach the runtimes of servers it did not start itself
 * (those read from the records file) to check, stop and restart them.
 */
void
sero_dev_server_registry_set_runtime_manager (SeroDevServerRegistry *self,
                                              SeroRuntimeManager    *manager,
                                              SeroWorkspaceRegistry *workspaces)
{
  g_return_if_fail (SERO_IS_DEV_SERVER_REGISTRY (self));
  g_return_if_fail (!manager || SERO_IS_RUNTIME_MANAGER (manager));
  g_return_if_fail (!workspaces || SERO_IS_WORKSPACE_REGISTRY (workspaces));

  g_set_object (&self->manager, manager);
  g_set_object (&self->workspaces, workspaces);
  schedule_liveness (self);
}

static SeroProcessResult *
run_script (SeroRuntime   *runtime,
            const char    *script,
            const char   **args,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  SeroExecRequest request = { .timeout_ms = EXEC_TIMEOUT_MS };

  /* Scripts go in as argv, arguments as positional parameters: nothing is
   * spliced into shell text. */
  g_strv_builder_add_many (builder, "sh", "-c", script, "sh", NULL);
  g_strv_builder_addv (builder, args);
  argv = g_strv_builder_end (builder);
  request.argv = (const char * const *) argv;

  return sero_runtime_exec_sync (runtime, &request, cancellable, error);
}

static SeroPortProbe *
probe (SeroRuntime   *runtime,
       int            pid,
       GCancellable  *cancellable,
       GError       **error)
{
  g_autofree char *pid_arg = g_strdup_printf ("%d", pid);
  g_autoptr(SeroProcessResult) result = NULL;

  if (!(result = run_script (runtime, probe_script, (const char *[]) { pid_arg, NULL }, cancellable, error)))
    return NULL;

  if (result->exit_status != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Could not read the listening ports in the runtime: %s",
                   result->stderr_text[0] ? g_strstrip (result->stderr_text) : "the probe failed");
      return NULL;
    }

  return sero_port_probe_parse (result->stdout_text);
}

static void
signal_targets (SeroRuntime         *runtime,
                const char          *signal_name,
                const char * const  *targets)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(SeroProcessResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;

  if (targets == NULL || targets[0] == NULL)
    return;

  g_strv_builder_add (builder, signal_name);
  g_strv_builder_addv (builder, (const char **) targets);
  args = g_strv_builder_end (builder);

  if (!(result = run_script (runtime, kill_script, (const char **) args, NULL, &error)))
    g_warning ("Could not send %s to a dev server: %s", signal_name, error->message);
}

/* ------------------------------------------------------------------------
 * Operations: the blocking part of start, stop and restart
 */

typedef enum
{
  OPERATION_START,
  OPERATION_STOP,
  OPERATION_RESTART,
} OperationKind;

typedef struct
{
  OperationKind  kind;
  SeroRuntime   *runtime;
  char          *workspace_id;
  char          *runtime_kind;
  gboolean       detached;

  /* What to start. */
  char          *name;
  char          *command;
  char          *cwd;
  char          *scope;
  char          *card_id;

  /* What to stop. */
  SeroDevServer *previous;
  char          *stop_id;
  guint          stop_port;
  int            stop_pid;
  guint64        stop_start_time;
  int            protected_pgid;
  SeroDevServerStatus status_before;

  /* Results. */
  gboolean       stopped;
  guint          n_signalled;
  guint          port;
  int            pid;
  guint64        start_time;
  char          *url;
  char          *log_path;
} Operation;

static void
operation_free (Operation *op)
{
  g_clear_object (&op->runtime);
  g_clear_object (&op->previous);
  g_free (op->workspace_id);
  g_free (op->runtime_kind);
  g_free (op->name);
  g_free (op->command);
  g_free (op->cwd);
  g_free (op->scope);
  g_free (op->card_id);
  g_free (op->stop_id);
  g_free (op->url);
  g_free (op->log_path);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Operation, operation_free)

static Operation *
operation_new (OperationKind  kind,
               SeroRuntime   *runtime)
{
  Operation *op = g_new0 (Operation, 1);

  op->kind = kind;
  op->runtime = g_object_ref (runtime);
  op->workspace_id = g_strdup (sero_workspace_get_id (sero_runtime_get_workspace (runtime)));
  op->runtime_kind = g_strdup (sero_runtime_is_container (runtime) ? "container" : "host");

  /* Never signal Sero's own process group, whatever holds a port. */
  op->protected_pgid = sero_runtime_is_container (runtime) ? 0 : getpgrp ();

  return op;
}

/* Sleeps @ms; FALSE at once when @cancellable fires. */
static gboolean
wait_unless_cancelled (GCancellable *cancellable,
                       guint         ms)
{
  GPollFD pollfd;

  if (cancellable == NULL || !g_cancellable_make_pollfd (cancellable, &pollfd))
    {
      g_usleep (ms * G_TIME_SPAN_MILLISECOND);
      return TRUE;
    }

  g_poll (&pollfd, 1, (int) ms);
  g_cancellable_release_fd (cancellable);

  return !g_cancellable_is_cancelled (cancellable);
}

/* Stops what listens on the port and the recorded group: TERM to each
 * process group, the grace period, then KILL (reference §4.3 "Stop"). */
static gboolean
run_stop (Operation     *op,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autofree char *port_arg = g_strdup_printf ("%u", op->stop_port);
  g_autofree char *leader_arg = g_strdup_printf ("%d", op->stop_pid);
  g_autoptr(SeroProcessResult) result = NULL;
  g_autoptr(SeroPortOwners) owners = NULL;
  g_auto(GStrv) targets = NULL;

  result = run_script (op->runtime, owners_script, (const char *[]) { port_arg, leader_arg, NULL },
                       cancellable, error);
  if (result == NULL)
    return FALSE;
  if (result->exit_status != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Could not find the processes of the dev server on port %u: %s", op->stop_port,
                   result->stderr_text[0] ? g_strstrip (result->stderr_text) : "the lookup failed");
      return FALSE;
    }

  owners = sero_port_owners_parse (result->stdout_text);
  targets = sero_port_owners_plan_kill (owners, op->stop_pid, op->stop_start_time, op->protected_pgid);
  op->n_signalled = g_strv_length (targets);

  if (op->n_signalled > 0)
    {
      g_debug ("Stopping the dev server on port %u: TERM to %u targets", op->stop_port, op->n_signalled);
      signal_targets (op->runtime, "TERM", (const char * const *) targets);
      g_usleep (SERO_DEV_SERVER_STOP_GRACE_MS * G_TIME_SPAN_MILLISECOND);
      signal_targets (op->runtime, "KILL", (const char * const *) targets);
    }

  op->stopped = TRUE;
  return TRUE;
}

static char *
read_log_tail (SeroRuntime *runtime,
               const char  *log_path)
{
  const char *argv[] = { "tail", "-n", "5", log_path, NULL };
  SeroExecRequest request = { .argv = argv, .timeout_ms = 5000 };
  g_autoptr(SeroProcessResult) result = sero_runtime_exec_sync (runtime, &request, NULL, NULL);

  if (result == NULL || result->exit_status != 0)
    return NULL;

  g_strstrip (result->stdout_text);
  return result->stdout_text[0] ? g_strdup (result->stdout_text) : NULL;
}

static void
set_start_error (GError           **error,
                 SeroRuntime       *runtime,
                 SeroDevServerError code,
                 const char        *message,
                 const char        *log_path)
{
  g_autofree char *tail = read_log_tail (runtime, log_path);

  if (tail != NULL)
    g_set_error (error, SERO_DEV_SERVER_ERROR, code, "%s Its output (%s) ends with:\n%s", message, log_path, tail);
  else
    g_set_error (error, SERO_DEV_SERVER_ERROR, code, "%s Its output is in %s.", message, log_path);
}

/* Starts the command detached and waits for its port (reference §4.3,
 * "Start"): snapshot the listeners, launch, then every 500 ms for up to
 * 20 s the pid must live and a new port must appear. On any failure the
 * whole group is killed, so nothing half-started is left behind. */
static gboolean
run_start (Operation     *op,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(SeroPortProbe) before = NULL;
  g_autoptr(SeroProcessResult) started = NULL;
  g_autofree char *line = NULL;
  g_autofree char *ip = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *group = NULL;
  gint64 deadline;
  guint n_lines;

  if (!(before = probe (op->runtime, 0, cancellable, error)))
    return FALSE;

  op->log_path = g_strdup_printf ("/tmp/sero-dev-server-%s-%s-%s-%" G_GINT64_FORMAT ".log",
                                  op->workspace_id, op->scope, op->card_id ? op->card_id : "root",
                                  g_get_real_time () / 1000);
  line = sero_dev_server_build_start_command (op->command, op->log_path);

  {
    SeroExecRequest request = { .command = line, .cwd = op->cwd, .timeout_ms = EXEC_TIMEOUT_MS };

    if (!(started = sero_runtime_exec_sync (op->runtime, &request, cancellable, error)))
      return FALSE;
  }

  /* A login shell may print something of its own first; $! is last. */
  g_strstrip (started->stdout_text);
  lines = g_strsplit (started->stdout_text, "\n", -1);
  n_lines = g_strv_length (lines);
  op->pid = n_lines > 0 ? (int) g_ascii_strtoll (lines[n_lines - 1], NULL, 10) : 0;
  if (started->exit_status != 0 || op->pid <= 0)
    {
      g_set_error (error, SERO_DEV_SERVER_ERROR, SERO_DEV_SERVER_ERROR_START_FAILED,
                   "The dev server could not be started: %s",
                   started->stderr_text[0] ? g_strstrip (started->stderr_text) : "no process id came back");
      return FALSE;
    }

  group = g_strdup_printf ("-%d", op->pid);
  deadline = g_get_monotonic_time () + START_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      g_autoptr(SeroPortProbe) now = NULL;
      g_autoptr(GError) probe_error = NULL;

      if (!(now = probe (op->runtime, op->pid, cancellable, &probe_error)))
        {
          signal_targets (op->runtime, "KILL", (const char *[]) { group, NULL });
          g_propagate_error (error, g_steal_pointer (&probe_error));
          return FALSE;
        }

      if (now->leader.pid == op->pid)
        op->start_time = now->leader.start_time;

      if ((op->port = sero_port_probe_choose_new_port (now, before->listeners)) != 0)
        break;

      if (!now->alive)
        {
          g_autofree char *message =
            g_strdup_printf ("Dev server exited before a listening port was detected (pid %d).", op->pid);

          signal_targets (op->runtime, "KILL", (const char *[]) { group, NULL });
          set_start_error (error, op->runtime, SERO_DEV_SERVER_ERROR_EXITED, message, op->log_path);
          return FALSE;
        }

      if (g_get_monotonic_time () >= deadline)
        {
          signal_targets (op->runtime, "KILL", (const char *[]) { group, NULL });
          set_start_error (error, op->runtime, SERO_DEV_SERVER_ERROR_NO_PORT,
                           "No dev server port was detected after starting the command.", op->log_path);
          return FALSE;
        }

      if (!wait_unless_cancelled (cancellable, START_POLL_MS))
        {
          signal_targets (op->runtime, "KILL", (const char *[]) { group, NULL });
          return !g_cancellable_set_error_if_cancelled (cancellable, error);
        }
    }

  ip = sero_runtime_dup_ip_address (op->runtime);
  op->url = sero_dev_server_preferred_url (op->port, sero_runtime_get_published_port (op->runtime, op->port), ip);

  return TRUE;
}

static gboolean
run_operation (Operation     *op,
               GCancellable  *cancellable,
               GError       **error)
{
  if (op->kind != OPERATION_START && !run_stop (op, cancellable, error))
    return FALSE;

  if (op->kind == OPERATION_STOP)
    return TRUE;

  return run_start (op, cancellable, error);
}

/* ------------------------------------------------------------------------
 * Operations: the bookkeeping, on the registry's thread
 */

static SeroDevServer *
complete_start (SeroDevServerRegistry  *self,
                Operation              *op,
                GError                **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *registered_at = g_date_time_format_iso8601 (now);
  g_autofree char *id = sero_dev_server_make_id (op->workspace_id, op->scope, op->card_id, op->port);
  g_autofree char *replaces_id = NULL;
  SeroDevServer *existing = sero_dev_server_registry_lookup (self, id);
  g_autoptr(SeroDevServer) server = NULL;

  /* A restart on the same port keeps its row; on another port (a server
   * that picks the next free one) it is a new id, so the old row goes. */
  if (op->previous != NULL && op->previous != existing)
    {
      replaces_id = g_strdup (op->previous->id);
      _sero_dev_server_registry_remove (self, op->previous);
    }

  if (existing != NULL && existing == op->previous)
    {
      server = g_object_ref (existing);
      server->busy = FALSE;
      server->start_time = op->start_time;
      g_free (server->log_path);
      server->log_path = g_strdup (op->log_path);
      g_set_object (&server->runtime, op->runtime);
      _sero_dev_server_set_pid (server, op->pid);
      _sero_dev_server_set_url (server, op->url);
      _sero_dev_server_set_registered_at (server, registered_at);
      set_status (self, server, SERO_DEV_SERVER_STATUS_RUNNING);
    }
  else
    {
      /* Another record under this id (a server that died and left its
       * record) is replaced. */
      if (existing != NULL)
        _sero_dev_server_registry_remove (self, existing);

      server = _sero_dev_server_new (id, op->workspace_id);
      server->name = g_strdup (op->name);
      server->port = op->port;
      server->url = g_strdup (op->url);
      server->command = g_strdup (op->command);
      server->cwd = g_strdup (op->cwd);
      server->scope = g_strdup (op->scope);
      server->card_id = g_strdup (op->card_id);
      server->pid = op->pid;
      server->start_time = op->start_time;
      server->registered_at = g_strdup (registered_at);
      server->log_path = g_strdup (op->log_path);
      server->runtime = g_object_ref (op->runtime);
      server->runtime_kind = g_strdup (op->runtime_kind);
      server->detached = op->detached;
      server->status = SERO_DEV_SERVER_STATUS_RUNNING;
      _sero_dev_server_registry_add (self, server);
    }

  /* The server runs either way; a record that could not be written is
   * reported, and the caller decides whether that matters. */
  if (!_sero_dev_server_registry_save_server (self, server, replaces_id, error))
    return NULL;

  return g_steal_pointer (&server);
}

static gboolean
complete_stop (SeroDevServerRegistry  *self,
               Operation              *op,
               GError                **error)
{
  SeroDevServer *server = op->previous;

  if (server == NULL)
    {
      /* A bare id: something must have listened on its port. */
      if (op->n_signalled == 0)
        {
          g_set_error (error, SERO_DEV_SERVER_ERROR, SERO_DEV_SERVER_ERROR_NOT_FOUND,
                       "No dev server “%s”, and nothing listens on its port", op->stop_id);
          return FALSE;
        }
      return _sero_dev_server_registry_update_records (self, op->stop_id, NULL, error);
    }

  server->busy = FALSE;
  set_status (self, server, SERO_DEV_SERVER_STATUS_STOPPED);
  _sero_dev_server_registry_remove (self, server);

  return !server->detached || _sero_dev_server_registry_update_records (self, server->id, NULL, error);
}

static void
complete_failure (SeroDevServerRegistry *self,
                  Operation             *op,
                  SeroDevServerStatus    status_before)
{
  SeroDevServer *server = op->previous;

  if (server == NULL)
    return;

  server->busy = FALSE;

  /* Stopped but not started again: it is down, and says so. */
  if (op->stopped)
    {
      g_autoptr(GError) error = NULL;

      set_status (self, server, SERO_DEV_SERVER_STATUS_FAILED);
      _sero_dev_server_delete_host_record (server);
      if (server->detached && !_sero_dev_server_registry_update_records (self, NULL, server, &error))
        g_warning ("%s", error->message);
    }
  else
    set_status (self, server, status_before);
}

/* Whatever the outcome, the bookkeeping: returns the server for start and
 * restart (transfer full), or a dummy non-NULL for stop. */
static gpointer
complete_operation (SeroDevServerRegistry  *self,
                    Operation              *op,
                    gboolean                ok,
                    GError                **error)
{
  if (!ok)
    {
      complete_failure (self, op, op->status_before);
      return NULL;
    }

  if (op->kind == OPERATION_STOP)
    return complete_stop (self, op, error) ? GINT_TO_POINTER (TRUE) : NULL;

  return complete_start (self, op, error);
}

static void
operation_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Operation *op = task_data;
  GError *error = NULL;

  if (run_operation (op, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_operation_done (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SeroDevServerRegistry *self = SERO_DEV_SERVER_REGISTRY (object);
  g_autoptr(GTask) task = user_data;
  Operation *op = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);
  gpointer value = complete_operation (self, op, ok, ok ? &error : NULL);

  if (value == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (op->kind == OPERATION_STOP)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_pointer (task, value, g_object_unref);
}

static void
run_async (SeroDevServerRegistry *self,
           Operation             *op,
           gpointer               source_tag,
           GCancellable          *cancellable,
           GAsyncReadyCallback    callback,
           gpointer               user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) worker = NULL;

  g_task_set_source_tag (task, source_tag);

  /* The worker does the blocking part; its completion, back on this
   * thread, does the bookkeeping before the caller hears of it. */
  worker = g_task_new (self, cancellable, on_operation_done, g_steal_pointer (&task));
  g_task_set_source_tag (worker, run_async);

  /* The worker answers cancellation itself (it kills what it started);
   * a cancel that comes after it succeeded must not hide a server that is
   * running from the bookkeeping. */
  g_task_set_check_cancellable (worker, FALSE);
  g_task_set_task_data (worker, op, (GDestroyNotify) operation_free);
  g_task_run_in_thread (worker, operation_thread);
}

static gpointer
run_sync (SeroDevServerRegistry  *self,
          Operation              *op,
          GCancellable           *cancellable,
          GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok = run_operation (op, cancellable, &local_error);
  gpointer value = complete_operation (self, op, ok, ok ? &local_error : NULL);

  if (value == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));

  operation_free (op);
  return value;
}

static Operation *
start_operation_new (SeroDevServerRegistry      *self,
                     SeroRuntime                *runtime,
                     const SeroDevServerRequest *request)
{
  Operation *op = operation_new (OPERATION_START, runtime);

  op->detached = self->detached;
  op->command = g_strdup (request->command);
  op->name = g_strdup (request->name && *request->name ? request->name : request->command);
  op->cwd = g_strdup (request->cwd && *request->cwd ? request->cwd : "/workspace");
  op->scope = g_strdup (request->scope && *request->scope ? request->scope : "workspace");
  op->card_id = g_strdup (request->card_id && *request->card_id ? request->card_id : NULL);

  return op;
}

static gboolean
check_request (const SeroDevServerRequest  *request,
               GError                     **error)
{
  /* The scope and card end up in the id, whose fields are ':'-separated. */
  if ((request->scope && strchr (request->scope, ':')) || (request->card_id && strchr (request->card_id, ':')))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A dev server's scope and card id cannot contain “:”");
      return FALSE;
    }

  return TRUE;
}

/**
 * sero_dev_server_registry_start_async:
 * @runtime: an ensured runtime of the workspace
 *
 * Starts @request's command detached in @runtime and registers it once it
 * listens on a new port (see the top of this file).
 */
void
sero_dev_server_registry_start_async (SeroDevServerRegistry      *self,
                                      SeroRuntime                *runtime,
                                      const SeroDevServerRequest *request,
                                      GCancellable               *cancellable,
                                      GAsyncReadyCallback         callback,
                                      gpointer                    user_data)
{
  GError *error = NULL;

  g_return_if_fail (SERO_IS_DEV_SERVER_REGISTRY (self));
  g_return_if_fail (SERO_IS_RUNTIME (runtime));
  g_return_if_fail (request != NULL && request->command != NULL && request->command[0] != '\0');
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  if (!check_request (request, &error))
    {
      g_task_report_error (self, callback, user_data, sero_dev_server_registry_start_async, error);
      return;
    }

  run_async (self, start_operation_new (self, runtime, request), sero_dev_server_registry_start_async,
             cancellable, callback, user_data);
}

/**
 * sero_dev_server_registry_start_finish:
 *
 * Returns: (transfer full): the registered server
 */
SeroDevServer *
sero_dev_server_registry_start_finish (SeroDevServerRegistry  *self,
                                       GAsyncResult           *result,
                                       GError                **error)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER_REGISTRY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * sero_dev_server_registry_start_sync:
 *
 * The blocking form of sero_dev_server_registry_start_async(), for the CLI
 * and tests; call it on the registry's thread.
 *
 * Returns: (transfer full): the registered server
 */
SeroDevServer *
sero_dev_server_registry_start_sync (SeroDevServerRegistry       *self,
                                     SeroRuntime                 *runtime,
                                     const SeroDevServerRequest  *request,
                                     GCancellable                *cancellable,
                                     GError                     **error)
{
  g_autoptr(Operation) op = NULL;
  SeroDevServer *server;

  g_return_val_if_fail (SERO_IS_DEV_SERVER_REGISTRY (self), NULL);
  g_return_val_if_fail (SERO_IS_RUNTIME (runtime), NULL);
  g_return_val_if_fail (request != NULL && request->command != NULL && request->command[0] != '\0', NULL);

  if (!check_request (request, error))
    return NULL;

  op = start_operation_new (self, runtime, request);
  server = run_sync (self, g_steal_pointer (&op), cancellable, error);

  return server;
}

/* Stop and restart of a registered server, or for stop, of a bare id
 * whose port something listens on (a server another process started and
 * did not record, as the original's killPort allowed). */
static Operation *
stop_operation_new (SeroDevServerRegistry  *self,
                    OperationKind           kind,
                    const char             *id,
                    GError                **error)
{
  SeroDevServer *server = sero_dev_server_registry_lookup (self, id);
  g_autofree char *workspace_id = NULL;
  SeroRuntime *runtime;
  Operation *op;
  guint port = 0;

  if (server == NULL && (kind == OPERATION_RESTART || !sero_dev_server_parse_id (id, &workspace_id, NULL, NULL, &port)))
    {
      g_set_error (error, SERO_DEV_SERVER_ERROR, SERO_DEV_SERVER_ERROR_NOT_FOUND, "No dev server “%s”", id);
      return NULL;
    }

  if (server != NULL && server->busy)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, "The dev server “%s” is being stopped or restarted", id);
      return NULL;
    }

  runtime = server != NULL ? resolve_runtime (self, server->workspace_id, server->runtime_kind, server->runtime)
                           : resolve_runtime (self, workspace_id, NULL, NULL);
  if (runtime == NULL)
    {
      g_set_error (error, SERO_DEV_SERVER_ERROR, SERO_DEV_SERVER_ERROR_NO_RUNTIME,
                   "The workspace of the dev server “%s” is not known, so its runtime cannot be reached", id);
      return NULL;
    }

  op = operation_new (kind, runtime);
  op->stop_id = g_strdup (id);

  if (server == NULL)
    {
      op->stop_port = port;
      return op;
    }

  /* Liveness leaves it alone until the bookkeeping is done. */
  op->previous = g_object_ref (server);
  op->status_before = server->status;
  server->busy = TRUE;
  op->stop_port = server->port;
  op->stop_pid = server->pid;
  op->stop_start_time = server->start_time;

  /* A restart is the same server again: its command, folder, name, scope,
   * card, and whether it outlives this process. */
  g_free (op->runtime_kind);
  op->runtime_kind = g_strdup (server->runtime_kind);
  op->detached = server->detached;
  op->name = g_strdup (server->name);
  op->command = g_strdup (server->command);
  op->cwd = g_strdup (server->cwd);
  op->scope = g_strdup (server->scope ? server->scope : "workspace");
  op->card_id = g_strdup (server->card_id);

  return op;
}

void
sero_dev_server_registry_stop_async (SeroDevServerRegistry *self,
                                     const char            *id,
                                     GCancellable          *cancellable,
                                     GAsyncReadyCallback    callback,
                                     gpointer               user_data)
{
  GError *error = NULL;
  Operation *op;

  g_return_if_fail (SERO_IS_DEV_SERVER_REGISTRY (self));
  g_return_if_fail (id != NULL);

  if (!(op = stop_operation_new (self, OPERATION_STOP, id, &error)))
    {
      g_task_report_error (self, callback, user_data, sero_dev_server_registry_stop_async, error);
      return;
    }

  run_async (self, op, sero_dev_server_registry_stop_async, cancellable, callback, user_data);
}

gboolean
sero_dev_server_registry_stop_finish (SeroDevServerRegistry  *self,
                                      GAsyncResult           *result,
                                      GError                **error)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER_REGISTRY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * sero_dev_server_registry_stop_sync:
 *
 * Stops the server's processes and unregisters it. Blocking.
 */
gboolean
sero_dev_server_registry_stop_sync (SeroDevServerRegistry  *self,
                                    const char             *id,
                                    GCancellable           *cancellable,
                                    GError                **error)
{
  Operation *op;

  g_return_val_if_fail (SERO_IS_DEV_SERVER_REGISTRY (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!(op = stop_operation_new (self, OPERATION_STOP, id, error)))
    return FALSE;

  return run_sync (self, op, cancellable, error) != NULL;
}

void
sero_dev_server_registry_restart_async (SeroDevServerRegistry *self,
                                        const char            *id,
                                        GCancellable          *cancellable,
                                        GAsyncReadyCallback    callback,
                                        gpointer               user_data)
{
  GError *error = NULL;
  Operation *op;

  g_return_if_fail (SERO_IS_DEV_SERVER_REGISTRY (self));
  g_return_if_fail (id != NULL);

  if (!(op = stop_operation_new (self, OPERATION_RESTART, id, &error)))
    {
      g_task_report_error (self, callback, user_data, sero_dev_server_registry_restart_async, error);
      return;
    }

  set_status (self, op->previous, SERO_DEV_SERVER_STATUS_STARTING);
  run_async (self, op, sero_dev_server_registry_restart_async, cancellable, callback, user_data);
}

/**
 * sero_dev_server_registry_restart_finish:
 *
 * Returns: (transfer full): the server, running again
 */
SeroDevServer *
sero_dev_server_registry_restart_finish (SeroDevServerRegistry  *self,
                                         GAsyncResult           *result,
                                         GError                **error)
{
  g_return_val_if_fail (SERO_IS_DEV_SERVER_REGISTRY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * sero_dev_server_registry_restart_sync:
 *
 * Stops the server, then runs its registered command again with setsid.
 * When the new process listens on another port the server gets a new id
 * (the old one is unregistered). Blocking.
 *
 * Returns: (transfer full): the server, running again
 */
SeroDevServer *
sero_dev_server_registry_restart_sync (SeroDevServerRegistry  *self,
                                       const char             *id,
                                       GCancellable           *cancellable,
                                       GError                **error)
{
  Operation *op;

  g_return_val_if_fail (SERO_IS_DEV_SERVER_REGISTRY (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!(op = stop_operation_new (self, OPERATION_RESTART, id, error)))
    return NULL;

  set_status (self, op->previous, SERO_DEV_SERVER_STATUS_STARTING);
  return run_sync (self, op, cancellable, error);
}

/* ------------------------------------------------------------------------
 * Liveness (reference §4.3): listening → running, else stopped; a server
 * being started or stopped is left alone.
 */

static void
apply_liveness (SeroDevServerRegistry *self,
                SeroRuntime           *runtime,
                SeroPortProbe         *probed)
{
  g_autofree char *ip = NULL;

  for (guint i = 0; i < self->servers->len; i++)
    {
      SeroDevServer *server = g_ptr_array_index (self->servers, i);
      gboolean listening;

      if (server->busy || server->status == SERO_DEV_SERVER_STATUS_STARTING ||
          resolve_runtime (self, server->workspace_id, server->runtime_kind, server->runtime) != runtime)
        continue;

      /* A probe that failed (a container that stopped) means nothing
       * listens there any more, as in the original. */
      listening = probed != NULL && sero_port_scan_has_port (probed->listeners, server->port);
      if (listening)
        {
          g_autofree char *url = NULL;

          /* A recreated container publishes on new host ports. */
          if (ip == NULL)
            ip = sero_runtime_dup_ip_address (runtime);
          url = sero_dev_server_preferred_url (server->port, sero_runtime_get_published_port (runtime, server->port), ip);
          _sero_dev_server_set_url (server, url);
        }

      /* A failed restart stays failed until something listens again. */
      if (listening)
        set_status (self, server, SERO_DEV_SERVER_STATUS_RUNNING);
      else if (server->status != SERO_DEV_SERVER_STATUS_FAILED)
        set_status (self, server, SERO_DEV_SERVER_STATUS_STOPPED);
    }
}

/* The distinct runtimes of the servers that liveness may change. */
static GPtrArray *
collect_runtimes (SeroDevServerRegistry *self)
{
  GPtrArray *runtimes = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->servers->len; i++)
    {
      SeroDevServer *server = g_ptr_array_index (self->servers, i);
      SeroRuntime *runtime;

      if (server->busy || server->status == SERO_DEV_SERVER_STATUS_STARTING ||
          !(runtime = resolve_runtime (self, server->workspace_id, server->runtime_kind, server->runtime)))
        continue;

      if (!g_ptr_array_find (runtimes, runtime, NULL))
        g_ptr_array_add (runtimes, g_object_ref (runtime));
    }

  return runtimes;
}

/**
 * sero_dev_server_registry_refresh_sync:
 *
 * One liveness pass now, blocking: what `sero devserver list` shows.
 */
void
sero_dev_server_registry_refresh_sync (SeroDevServerRegistry *self,
                                       GCancellable          *cancellable)
{
  g_autoptr(GPtrArray) runtimes = NULL;

  g_return_if_fail (SERO_IS_DEV_SERVER_REGISTRY (self));

  runtimes = collect_runtimes (self);
  for (guint i = 0; i < runtimes->len; i++)
    {
      SeroRuntime *runtime = g_ptr_array_index (runtimes, i);
      g_autoptr(SeroPortProbe) probed = NULL;
      g_autoptr(GError) error = NULL;

      if (!(probed = probe (runtime, 0, cancellable, &error)))
        g_debug ("Liveness of %s: %s", sero_workspace_get_id (sero_runtime_get_workspace (runtime)), error->message);
      apply_liveness (self, runtime, probed);
    }
}

typedef struct
{
  SeroDevServerRegistry *self;
  SeroRuntime           *runtime;
} LivenessProbe;

static void
on_liveness_probed (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  LivenessProbe *data = user_data;
  SeroDevServerRegistry *self = data->self;
  g_autoptr(SeroProcessResult) process = NULL;
  g_autoptr(SeroPortProbe) probed = NULL;
  g_autoptr(GError) error = NULL;

  process = sero_runtime_exec_finish (SERO_RUNTIME (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    goto out;

  if (process != NULL && process->exit_status == 0)
    probed = sero_port_probe_parse (process->stdout_text);
  apply_liveness (self, data->runtime, probed);

out:
  self->liveness_pending--;
  schedule_liveness (self);
  g_object_unref (data->runtime);
  g_object_unref (data->self);
  g_free (data);
}

static gboolean
on_liveness_timeout (gpointer user_data)
{
  SeroDevServerRegistry *self = user_data;
  g_autoptr(GPtrArray) runtimes = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->liveness_source, g_source_unref);

  /* Servers `sero devserver` started or stopped since the last pass. */
  if (!self->detached && !_sero_dev_server_registry_sync_records (self, TRUE, &error))
    g_debug ("%s", error->message);

  runtimes = collect_runtimes (self);
  for (guint i = 0; i < runtimes->len; i++)
    {
      LivenessProbe *data = g_new0 (LivenessProbe, 1);
      const char *argv[] = { "sh", "-c", probe_script, "sh", "0", NULL };
      SeroExecRequest request = { .argv = argv, .timeout_ms = EXEC_TIMEOUT_MS };

      data->self = g_object_ref (self);
      data->runtime = g_object_ref (g_ptr_array_index (runtimes, i));
      self->liveness_pending++;
      sero_runtime_exec_async (data->runtime, &request, self->cancellable, on_liveness_probed, data);
    }

  schedule_liveness (self);

  return G_SOURCE_REMOVE;
}

/* One pass at a time: the next is armed when the last probe of the
 * current one is back, so a slow engine never piles up probes. */
static void
schedule_liveness (SeroDevServerRegistry *self)
{
  if (self->liveness_source != NULL || self->liveness_pending > 0 || self->liveness_interval == 0 ||
      g_cancellable_is_cancelled (self->cancellable))
    return;

  if (self->servers->len == 0 && self->records_path == NULL)
    return;

  self->liveness_source = g_timeout_source_new (self->liveness_interval);
  g_source_set_static_name (self->liveness_source, "[sero] dev-server liveness");
  g_source_set_callback (self->liveness_source, on_liveness_timeout, self, NULL);
  g_source_attach (self->liveness_source, self->context);
}

/* ------------------------------------------------------------------------
 * Exit and crash recovery (host servers this process owns)
 */

/**
 * sero_dev_server_registry_shutdown:
 *
 * What the app (or any process that owns dev servers) calls on exit: stops
 * the host dev servers it started and removes their crash records; cancels
 * operations under way and the liveness check. Detached servers and
 * servers in containers keep running. Blocks for at most the grace period.
 */
void
sero_dev_server_registry_shutdown (SeroDevServerRegistry *self)
{
  g_autoptr(GArray) groups = NULL;

  g_return_if_fail (SERO_IS_DEV_SERVER_REGISTRY (self));

  g_cancellable_cancel (self->cancellable);
  if (self->liveness_source != NULL)
    {
      g_source_destroy (self->liveness_source);
      g_clear_pointer (&self->liveness_source, g_source_unref);
    }

  groups = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = self->servers->len; i > 0; i--)
    {
      SeroDevServer *server = g_ptr_array_index (self->servers, i - 1);

      if (server->detached || g_strcmp0 (server->runtime_kind, "host") != 0)
        continue;

      if (_sero_host_group_is_ours (server->pid, server->start_time))
        g_array_append_val (groups, server->pid);

      set_status (self, server, SERO_DEV_SERVER_STATUS_STOPPED);
      _sero_dev_server_registry_remove (self, server);
    }

  if (groups->len > 0)
    _sero_host_terminate_groups (groups);
}

/* ------------------------------------------------------------------------
 * GObject
 */

static void
sero_dev_server_registry_dispose (GObject *object)
{
  SeroDevServerRegistry *self = (SeroDevServerRegistry *) object;

  g_cancellable_cancel (self->cancellable);
  if (self->liveness_source != NULL)
    {
      g_source_destroy (self->liveness_source);
      g_clear_pointer (&self->liveness_source, g_source_unref);
    }

  g_clear_object (&self->manager);
  g_clear_object (&self->workspaces);

  G_OBJECT_CLASS (sero_dev_server_registry_parent_class)->dispose (object);
}

static void
sero_dev_server_registry_finalize (GObject *object)
{
  SeroDevServerRegistry *self = (SeroDevServerRegistry *) object;

  g_clear_pointer (&self->records_path, g_free);
  g_clear_pointer (&self->host_records_dir, g_free);
  g_clear_pointer (&self->servers, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (sero_dev_server_registry_parent_class)->finalize (object);
}

static void
sero_dev_server_registry_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  SeroDevServerRegistry *self = SERO_DEV_SERVER_REGISTRY (object);

  switch (prop_id)
    {
    case PROP_RECORDS_PATH:
      g_value_set_string (value, self->records_path);
      break;

    case PROP_HOST_RECORDS_DIR:
      g_value_set_string (value, self->host_records_dir);
      break;

    case PROP_DETACHED:
      g_value_set_boolean (value, self->detached);
      break;

    case PROP_LIVENESS_INTERVAL:
      g_value_set_uint (value, self->liveness_interval);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_dev_server_registry_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  SeroDevServerRegistry *self = SERO_DEV_SERVER_REGISTRY (object);

  switch (prop_id)
    {
    case PROP_RECORDS_PATH:
      self->records_path = g_value_dup_string (value);
      break;

    case PROP_HOST_RECORDS_DIR:
      self->host_records_dir = g_value_dup_string (value);
      break;

    case PROP_DETACHED:
      self->detached = g_value_get_boolean (value);
      break;

    case PROP_LIVENESS_INTERVAL:
      if (self->liveness_interval != g_value_get_uint (value))
        {
          self->liveness_interval = g_value_get_uint (value);
          if (self->liveness_source != NULL)
            {
              g_source_destroy (self->liveness_source);
              g_clear_pointer (&self->liveness_source, g_source_unref);
            }
          schedule_liveness (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_dev_server_registry_class_init (SeroDevServerRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sero_dev_server_registry_dispose;
  object_class->finalize = sero_dev_server_registry_finalize;
  object_class->get_property = sero_dev_server_registry_get_property;
  object_class->set_property = sero_dev_server_registry_set_property;

  /* The records of detached servers; %NULL keeps everything in memory. */
  properties[PROP_RECORDS_PATH] =
    g_param_spec_string ("records-path", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /* Where crash records of owned host servers go; %NULL for none. */
  properties[PROP_HOST_RECORDS_DIR] =
    g_param_spec_string ("host-records-dir", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_DETACHED] =
    g_param_spec_boolean ("detached", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /* Milliseconds between liveness passes; 0 turns them off. */
  properties[PROP_LIVENESS_INTERVAL] =
    g_param_spec_uint ("liveness-interval", NULL, NULL, 0, G_MAXUINT, DEFAULT_LIVENESS_MS,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[REGISTERED] =
    g_signal_new ("registered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SERO_TYPE_DEV_SERVER);
  signals[UNREGISTERED] =
    g_signal_new ("unregistered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[STATUS_CHANGED] =
    g_signal_new ("status-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SERO_TYPE_DEV_SERVER);
}

static void
sero_dev_server_registry_init (SeroDevServerRegistry *self)
{
  SeroProcStat stat;

  self->servers = g_ptr_array_new_with_free_func (g_object_unref);
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->owner_pid = getpid ();
  if (_sero_host_read_stat (self->owner_pid, &stat))
    self->owner_start_time = stat.start_time;
}

/**
 * sero_dev_server_registry_new:
 * @records_path: (nullable): the records of detached servers to list
 *   (`<agent>/dev-servers.json`); %NULL keeps the registry in memory only
 *
 * A registry whose servers belong to this process. Without crash records;
 * see sero_dev_server_registry_new_for_paths().
 */
SeroDevServerRegistry *
sero_dev_server_registry_new (const char *records_path)
{
  return g_object_new (SERO_TYPE_DEV_SERVER_REGISTRY, "records-path", records_path, NULL);
}

/**
 * sero_dev_server_registry_new_for_paths:
 * @flags: %SERO_DEV_SERVER_REGISTRY_DETACHED for a short-lived process
 *   whose servers must outlive it (the CLI)
 *
 * The registry of a profile: detached servers in
 * `<SERO_HOME>/agent/dev-servers.json`, crash records of owned host
 * servers in `<ui_root>/host-dev-servers/`.
 */
SeroDevServerRegistry *
sero_dev_server_registry_new_for_paths (SeroPaths                  *paths,
                                        SeroDevServerRegistryFlags  flags)
{
  g_autofree char *records = NULL;
  g_autofree char *host_records = NULL;

  g_return_val_if_fail (SERO_IS_PATHS (paths), NULL);

  records = g_build_filename (sero_paths_get_agent_dir (paths), "dev-servers.json", NULL);
  host_records = g_build_filename (sero_paths_get_ui_root_dir (paths), "host-dev-servers", NULL);

  return g_object_new (SERO_TYPE_DEV_SERVER_REGISTRY,
                       "records-path", records,
                       "host-records-dir", host_records,
                       "detached", (flags & SERO_DEV_SERVER_REGISTRY_DETACHED) != 0,
                       NULL);
}

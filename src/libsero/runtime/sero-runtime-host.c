/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-runtime-host"

#include "config.h"

#include <pwd.h>
#include <unistd.h>

#include "sero-host-proxy.h"
#include "sero-redact.h"
#include "sero-runtime-host.h"

/* Host mode: commands run directly on this machine, in the workspace folder.
 * It is the fallback when no container engine works, and what a workspace
 * set to `host` uses. There is nothing to start, so its status stays none. */

struct _SeroRuntimeHost
{
  SeroRuntime  parent_instance;

  GMutex       lock;
  GStrv        proxy_env;  /* the host proxy on 127.0.0.1, when enabled */
};

G_DEFINE_FINAL_TYPE (SeroRuntimeHost, sero_runtime_host, SERO_TYPE_RUNTIME)

SeroRuntime *
sero_runtime_host_new (SeroWorkspace *workspace)
{
  g_return_val_if_fail (SERO_IS_WORKSPACE (workspace), NULL);

  return g_object_new (SERO_TYPE_RUNTIME_HOST, "workspace", workspace, NULL);
}

static gboolean
sero_runtime_host_ensure_sync (SeroRuntime   *runtime,
                               GCancellable  *cancellable,
                               GError       **error)
{
  const char *path = sero_workspace_get_path (sero_runtime_get_workspace (runtime));

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "The workspace folder %s does not exist", path);
      return FALSE;
    }

  /* With SERO_CONTAINER_PROXY=1 host commands use the same proxy as
   * containers would, on loopback (reference §4.1 getEnvVars). */
  if (sero_host_proxy_is_enabled (SERO_RUNTIME_BACKEND_HOST))
    {
      SeroRuntimeHost *self = SERO_RUNTIME_HOST (runtime);
      g_autoptr(GError) proxy_error = NULL;
      guint port = sero_host_proxy_listen (sero_host_proxy_get_default (), "127.0.0.1", 0,
                                           SERO_HOST_PROXY_LISTEN_NONE, &proxy_error);

      if (port == 0)
        _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_NONE, proxy_error->message);
      else
        {
          g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", port);

          g_mutex_lock (&self->lock);
          g_strfreev (self->proxy_env);
          self->proxy_env = sero_host_proxy_build_env (url, NULL);
          g_mutex_unlock (&self->lock);
        }
    }

  return TRUE;
}

static char *
resolve_cwd (SeroRuntime *runtime,
             const char  *cwd)
{
  const char *root = sero_workspace_get_path (sero_runtime_get_workspace (runtime));

  if (cwd == NULL || cwd[0] == '\0')
    return g_strdup (root);

  /* Tools speak in container paths; /workspace is the workspace root here. */
  if (g_str_equal (cwd, "/workspace"))
    return g_strdup (root);
  if (g_str_has_prefix (cwd, "/workspace/"))
    return g_build_filename (root, cwd + strlen ("/workspace/"), NULL);

  return g_canonicalize_filename (cwd, root);
}

static GStrv
sero_runtime_host_build_exec_argv (SeroRuntime            *runtime,
                                   const SeroExecRequest  *request,
                                   char                  **host_cwd,
                                   GError                **error)
{
  SeroRuntimeHost *self = SERO_RUNTIME_HOST (runtime);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) proxy_env = NULL;

  g_mutex_lock (&self->lock);
  proxy_env = g_strdupv (self->proxy_env);
  g_mutex_unlock (&self->lock);

  if ((request->env != NULL && request->env[0] != NULL) || proxy_env != NULL)
    {
      g_strv_builder_add (builder, "env");
      if (proxy_env != NULL)
        g_strv_builder_addv (builder, (const char **) proxy_env);
      if (request->env != NULL)
        g_strv_builder_addv (builder, (const char **) request->env);
    }

  if (request->argv != NULL)
    g_strv_builder_addv (builder, (const char **) request->argv);
  else
    {
      g_strv_builder_add (builder, "/bin/sh");
      g_strv_builder_add (builder, "-lc");
      g_strv_builder_add (builder, request->command);
    }

  *host_cwd = resolve_cwd (runtime, request->cwd);
  return g_strv_builder_end (builder);
}

/**
 * sero_runtime_host_filter_environ:
 *
 * The environment a host terminal starts with: ours, minus every variable
 * whose name looks like it holds a secret, so that an API key Sero was
 * started with does not reach a shell the agent can read. The agent sockets
 * are kept: they are paths, not secrets, and git over ssh needs them.
 *
 * Returns: (transfer full): the filtered environment
 */
GStrv
sero_runtime_host_filter_environ (const char * const *environ_)
{
  static const char * const keep[] = { "SSH_AUTH_SOCK", "GPG_AGENT_INFO", "XAUTHORITY", NULL };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; environ_ && environ_[i]; i++)
    {
      const char *eq = strchr (environ_[i], '=');
      g_autofree char *name = eq ? g_strndup (environ_[i], eq - environ_[i]) : g_strdup (environ_[i]);
      g_autofree char *lower = g_ascii_strdown (name, -1);

      if (!g_strv_contains (keep, name) &&
          (sero_redact_is_secret_name (name) || strstr (lower, "askpass") != NULL))
        continue;

      g_strv_builder_add (builder, environ_[i]);
    }

  return g_strv_builder_end (builder);
}

static GStrv
sero_runtime_host_build_terminal_argv (SeroRuntime  *runtime,
                                       const char   *cwd,
                                       GStrv        *envp)
{
  g_auto(GStrv) env = g_get_environ ();
  const char *shell = g_getenv ("SHELL");
  struct passwd *pw;

  if (shell == NULL || !g_path_is_absolute (shell) || access (shell, X_OK) != 0)
    shell = ((pw = getpwuid (getuid ())) && pw->pw_shell) ? pw->pw_shell : "/bin/sh";

  *envp = sero_runtime_host_filter_environ ((const char * const *) env);
  *envp = g_environ_setenv (*envp, "TERM", "xterm-256color", TRUE);

  return g_strdupv ((char *[]) { (char *) shell, (char *) "-l", NULL });
}

/* On the host a port is already on the host. */
static guint
sero_runtime_host_get_published_port (SeroRuntime *runtime,
                                      guint        port)
{
  return port;
}

static void
sero_runtime_host_finalize (GObject *object)
{
  SeroRuntimeHost *self = (SeroRuntimeHost *) object;

  g_clear_pointer (&self->proxy_env, g_strfreev);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (sero_runtime_host_parent_class)->finalize (object);
}

static void
sero_runtime_host_class_init (SeroRuntimeHostClass *klass)
{
  SeroRuntimeClass *runtime_class = SERO_RUNTIME_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sero_runtime_host_finalize;

  runtime_class->ensure_sync = sero_runtime_host_ensure_sync;
  runtime_class->build_exec_argv = sero_runtime_host_build_exec_argv;
  runtime_class->build_terminal_argv = sero_runtime_host_build_terminal_argv;
  runtime_class->get_published_port = sero_runtime_host_get_published_port;
}

static void
sero_runtime_host_init (SeroRuntimeHost *self)
{
  g_mutex_init (&self->lock);
}

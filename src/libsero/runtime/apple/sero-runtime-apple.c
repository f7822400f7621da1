/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-runtime-apple"

#include "config.h"

#include <string.h>

#include "sero-runtime-apple-private.h"
#include "sero-runtime-oci.h"

/* The macOS container path: one Apple container per workspace,
 * `sero-<id>`, driven through Apple's `container` command line with the
 * verbs, JSON and timeouts the original used (reference §2). Unlike OCI
 * engines, it has a "container system" (an API server reached over XPC)
 * that may simply not be running, and a failure mode of its own: ghost
 * containers whose record outlived their storage, which block the name
 * until the storage folder is removed and the system restarted.
 *
 * Everything here runs in worker threads (SeroRuntime calls ensure_sync
 * from one, never twice at once) and talks to the CLI with blocking
 * sero_process_run_sync(). */

#define DEFAULT_BINARY   "/usr/local/bin/container"

#define TIMEOUT_STATUS_MS        (10 * 1000)
#define TIMEOUT_STATUS_POLL_MS   (5 * 1000)
#define TIMEOUT_SYSTEM_START_MS  (30 * 1000)
#define TIMEOUT_SYSTEM_STOP_MS   (15 * 1000)
#define TIMEOUT_INSPECT_MS       (10 * 1000)
#define TIMEOUT_START_MS         (30 * 1000)
#define TIMEOUT_CREATE_MS        (60 * 1000)
#define TIMEOUT_DELETE_MS        (15 * 1000)
#define TIMEOUT_IMAGE_LIST_MS    (10 * 1000)
#define TIMEOUT_PROVISION_MS     (30 * 1000)
#define TIMEOUT_HOST_GIT_MS      (5 * 1000)

#define SYSTEM_READY_DEADLINE_US (15 * G_USEC_PER_SEC)
#define SYSTEM_POLL_INTERVAL_US  (1 * G_USEC_PER_SEC)
#define SYSTEM_RESTART_PAUSE_US  (2 * G_USEC_PER_SEC)

/* What login shells inside read from /etc/profile.d/sero-env.sh. Apple's
 * `exec -e` does not reach interactive (-it) sessions, so a file the login
 * shell sources is the one way a terminal gets them. */
static const char * const profile_env[] = {
  "TERM=xterm-256color",
  "HOST=0.0.0.0",
  "VITE_HOST=0.0.0.0",
  "HOSTNAME=0.0.0.0",
  NULL
};

struct _SeroRuntimeApple
{
  SeroRuntime  parent_instance;

  char        *binary;
  char        *storage_dir;
  char        *installation_root;

  GMutex       lock;
  GHashTable  *published;
};

G_DEFINE_FINAL_TYPE (SeroRuntimeApple, sero_runtime_apple, SERO_TYPE_RUNTIME)

/**
 * sero_runtime_apple_dup_binary:
 *
 * Sero calls the CLI by absolute path because a macOS app launched from
 * the Dock does not have /usr/local/bin on its PATH.
 * `SERO_APPLE_CONTAINER_BIN` points it elsewhere (tests use a fake).
 *
 * Returns: (transfer full): the path of Apple's `container` program
 */
char *
sero_runtime_apple_dup_binary (void)
{
  const char *binary = g_getenv ("SERO_APPLE_CONTAINER_BIN");

  return g_strdup (binary != NULL && binary[0] != '\0' ? binary : DEFAULT_BINARY);
}

static char *
dup_storage_dir (void)
{
  const char *storage = g_getenv ("SERO_APPLE_CONTAINER_STORAGE");

  if (storage != NULL && storage[0] != '\0')
    return g_strdup (storage);

  return g_build_filename (g_get_home_dir (), "Library", "Application Support",
                           "com.apple.container", "containers", NULL);
}

static const char *
container_name (SeroRuntimeApple *self)
{
  return sero_runtime_get_container_name (SERO_RUNTIME (self));
}

static const char *
workspace_path (SeroRuntimeApple *self)
{
  return sero_workspace_get_path (sero_runtime_get_workspace (SERO_RUNTIME (self)));
}

static const char *
workspace_id (SeroRuntimeApple *self)
{
  return sero_workspace_get_id (sero_runtime_get_workspace (SERO_RUNTIME (self)));
}

static const char *
result_message (SeroProcessResult *result)
{
  g_strstrip (result->stderr_text);
  g_strstrip (result->stdout_text);

  if (result->stderr_text[0] != '\0')
    return result->stderr_text;
  if (result->stdout_text[0] != '\0')
    return result->stdout_text;

  return "no output";
}

static gboolean
not_installed_error (const char  *binary,
                     GError     **error)
{
  g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_NOT_INSTALLED,
               "Apple containers are not installed on this Mac (%s is missing). "
               "Install Apple's container tool to use them; Sero can continue in host mode meanwhile.",
               binary);
  return FALSE;
}

/* Runs `container ARGS…`. Only a CLI that could not be started is an
 * error; a command that ran and failed is a result to look at. */
static SeroProcessResult *
cli_run_raw (const char          *binary,
             const char * const  *args,
             const char          *stdin_text,
             guint                timeout_ms,
             GCancellable        *cancellable,
             GError             **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  if (!g_file_test (binary, G_FILE_TEST_IS_EXECUTABLE))
    {
      not_installed_error (binary, error);
      return NULL;
    }

  g_ptr_array_add (argv, (gpointer) binary);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  return sero_process_run_sync ((const char * const *) argv->pdata, NULL, NULL, stdin_text,
                                timeout_ms, cancellable, error);
}

/* The same, and a container system that cannot be reached is an error too
 * (SYSTEM_NOT_RUNNING), so ensure can start it and try again. */
static SeroProcessResult *
cli_run (SeroRuntimeApple    *self,
         const char * const  *args,
         const char          *stdin_text,
         guint                timeout_ms,
         GCancellable        *cancellable,
         GError             **error)
{
  g_autoptr(SeroProcessResult) result = NULL;

  if (!(result = cli_run_raw (self->binary, args, stdin_text, timeout_ms, cancellable, error)))
    return NULL;

  if (result->exit_status != 0 && _sero_apple_is_xpc_error (result_message (result)))
    {
      g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING,
                   "Apple's container system is not running (%s)", result_message (result));
      return NULL;
    }

  return g_steal_pointer (&result);
}

typedef enum
{
  SYSTEM_RUNNING,
  SYSTEM_NOT_RUNNING,
  SYSTEM_UNREACHABLE,
  SYSTEM_UNKNOWN,
} SystemState;

/* `container system status` exits 0 and says "running" when the API
 * server is up. When it is down the CLI exits non-zero and says "not
 * running", or fails to reach it over XPC; anything else is unexplained. */
static SystemState
system_state (const char    *binary,
              guint          timeout_ms,
              GCancellable  *cancellable,
              char         **message,
              GError       **error)
{
  const char *args[] = { "system", "status", NULL };
  g_autoptr(SeroProcessResult) result = NULL;
  g_autofree char *lower = NULL;
  const char *text;

  if (!(result = cli_run_raw (binary, args, NULL, timeout_ms, cancellable, error)))
    return SYSTEM_UNKNOWN;

  text = result_message (result);
  lower = g_ascii_strdown (result->stdout_text, -1);
  if (message != NULL)
    *message = g_strdup (text);

  if (result->exit_status == 0 && strstr (lower, "running") != NULL && strstr (lower, "not running") == NULL)
    return SYSTEM_RUNNING;
  if (_sero_apple_is_xpc_error (text))
    return SYSTEM_UNREACHABLE;
  if (result->exit_status == 0 || strstr (lower, "not running") != NULL || strstr (lower, "stopped") != NULL)
    return SYSTEM_NOT_RUNNING;

  return SYSTEM_UNKNOWN;
}

/* Starts the container system when it is not running and waits until its
 * API server answers (reference §2.4). Safe to call repeatedly. */
static gboolean
ensure_system_running (SeroRuntimeApple  *self,
                       GCancellable      *cancellable,
                       GError           **error)
{
  const char *start[] = { "system", "start", NULL };
  g_autoptr(SeroProcessResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 deadline;

  if (system_state (self->binary, TIMEOUT_STATUS_MS, cancellable, NULL, &local_error) == SYSTEM_RUNNING)
    return TRUE;
  if (g_error_matches (local_error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_NOT_INSTALLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_clear_error (&local_error);

  _sero_runtime_set_status (SERO_RUNTIME (self), SERO_RUNTIME_STATUS_STARTING,
                            "Starting Apple's container system");

  if (!(result = cli_run_raw (self->binary, start, NULL, TIMEOUT_SYSTEM_START_MS, cancellable, &local_error)))
    {
      g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING,
                   "Container system failed to start: %s", local_error->message);
      return FALSE;
    }

  if (result->exit_status != 0)
    {
      g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING,
                   "Container system failed to start: %s. Run “container system start” in a terminal "
                   "to see why; Sero can continue in host mode meanwhile.",
                   result_message (result));
      return FALSE;
    }

  deadline = g_get_monotonic_time () + SYSTEM_READY_DEADLINE_US;
  for (;;)
    {
      if (system_state (self->binary, TIMEOUT_STATUS_POLL_MS, cancellable, NULL, NULL) == SYSTEM_RUNNING)
        return TRUE;
      if (g_get_monotonic_time () + SYSTEM_POLL_INTERVAL_US > deadline ||
          g_cancellable_is_cancelled (cancellable))
        break;
      g_usleep (SYSTEM_POLL_INTERVAL_US);
    }

  g_set_error_literal (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING,
                       "Container system failed to start: Container API server did not become ready in time");
  return FALSE;
}

static gboolean
collision_error (SeroRuntimeApple  *self,
                 GError           **error)
{
  g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_NAME_COLLISION,
               "Apple Container name collision: %s is not owned by this Sero workspace. "
               "Sero will not touch it; rename or remove it yourself (container delete --force %s).",
               container_name (self), container_name (self));
  return FALSE;
}

/* Reads the container's state. A container that does not exist, or a
 * ghost, is an answer (see the flags), not an error. */
static gboolean
inspect_container (SeroRuntimeApple     *self,
                   SeroAppleInspection  *inspection,
                   GCancellable         *cancellable,
                   GError              **error)
{
  const char *args[] = { "inspect", container_name (self), NULL };
  g_autoptr(SeroProcessResult) result = NULL;
  g_autoptr(GError) local_error = NULL;

  _sero_apple_inspection_clear (inspection);

  if (!(result = cli_run (self, args, NULL, TIMEOUT_INSPECT_MS, cancellable, error)))
    return FALSE;

  if (result->exit_status != 0)
    {
      const char *message = result_message (result);

      /* A ghost first: its texts mention a missing file, and it needs more
       * than "create a new one". */
      if (_sero_apple_is_ghost_error (message))
        {
          inspection->ghost = TRUE;
          return TRUE;
        }
      if (_sero_apple_is_not_found_error (message))
        return TRUE;

      g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED,
                   "Could not inspect %s: %s", container_name (self), message);
      return FALSE;
    }

  if (!_sero_apple_inspection_parse (inspection, result->stdout_text, &local_error))
    {
      g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED,
                   "container inspect %s printed something Sero cannot read: %s",
                   container_name (self), local_error->message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
belongs (SeroRuntimeApple          *self,
         const SeroAppleInspection *inspection)
{
  return _sero_apple_belongs_to_workspace (inspection, workspace_id (self), workspace_path (self),
                                           self->installation_root);
}

static void
remember_inspection (SeroRuntimeApple          *self,
                     const SeroAppleInspection *inspection)
{
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->published, g_hash_table_unref);
  if (inspection->published != NULL && inspection->running)
    self->published = g_hash_table_ref (inspection->published);
  g_mutex_unlock (&self->lock);

  _sero_runtime_set_ip_address (SERO_RUNTIME (self), inspection->running ? inspection->ip_address : NULL);
}

static void
forget_container (SeroRuntimeApple *self)
{
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->published, g_hash_table_unref);
  g_mutex_unlock (&self->lock);

  _sero_runtime_set_ip_address (SERO_RUNTIME (self), NULL);
}

/* `delete --force`; a container that is already gone is fine. */
static SeroProcessResult *
delete_container (SeroRuntimeApple  *self,
                  GCancellable      *cancellable,
                  GError           **error)
{
  const char *args[] = { "delete", "--force", container_name (self), NULL };

  return cli_run (self, args, NULL, TIMEOUT_DELETE_MS, cancellable, error);
}

/* rm -rf that never follows a symlink out of the storage folder: a link
 * is removed, not what it points at. */
static void
remove_tree (GFile *file)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (info == NULL)
    return;

  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      g_autoptr(GFileEnumerator) children =
        g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                   NULL, NULL);
      GFile *child;

      while (children != NULL && g_file_enumerator_iterate (children, NULL, &child, NULL, NULL) && child != NULL)
        remove_tree (child);
    }

  if (!g_file_delete (file, NULL, &error) && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_message ("Could not remove %s: %s", g_file_peek_path (file), error->message);
}

/* The last resort for a container the CLI can neither inspect nor delete
 * (reference §2.7): remove its storage folder, then restart the container
 * system so the API server forgets it. The restart stops every Apple
 * container on this Mac, which is why this runs only after `delete
 * --force` failed with something other than "not found". */
static gboolean
recover_ghost (SeroRuntimeApple  *self,
               const char        *why,
               GCancellable      *cancellable,
               GError           **error)
{
  const char *stop[] = { "system", "stop", NULL };
  g_autofree char *storage = g_build_filename (self->storage_dir, container_name (self), NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (storage);
  g_autoptr(SeroProcessResult) stopped = NULL;
  g_autoptr(SeroProcessResult) result = NULL;

  g_message ("%s cannot be deleted (%s); removing %s and restarting Apple's container system",
             container_name (self), why, storage);
  _sero_runtime_set_status (SERO_RUNTIME (self), SERO_RUNTIME_STATUS_STARTING,
                            "Repairing a damaged container: restarting Apple's container system");

  remove_tree (folder);

  /* Stopping may fail when the system is half gone; starting is what counts. */
  stopped = cli_run_raw (self->binary, stop, NULL, TIMEOUT_SYSTEM_STOP_MS, cancellable, NULL);
  g_usleep (SYSTEM_RESTART_PAUSE_US);

  if (!ensure_system_running (self, cancellable, error))
    return FALSE;

  if (!(result = delete_container (self, cancellable, error)))
    return FALSE;

  if (result->exit_status != 0 && !_sero_apple_is_not_found_error (result_message (result)))
    {
      g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED,
                   "%s is damaged and could not be removed even after restarting the container system: %s",
                   container_name (self), result_message (result));
      return FALSE;
    }

  return TRUE;
}

/* Removes the container, whatever its state; the caller has made sure it
 * is ours or has no owner to ask (a ghost, a stale name). */
static gboolean
force_remove (SeroRuntimeApple  *self,
              GCancellable      *cancellable,
              GError           **error)
{
  g_autoptr(SeroProcessResult) result = NULL;

  if (!(result = delete_container (self, cancellable, error)))
    return FALSE;

  if (result->exit_status == 0 || _sero_apple_is_not_found_error (result_message (result)))
    {
      forget_container (self);
      return TRUE;
    }

  if (!recover_ghost (self, result_message (result), cancellable, error))
    return FALSE;

  forget_container (self);
  return TRUE;
}

static char *
host_git_config (const char *key)
{
  const char *argv[] = { "git", "config", "--global", key, NULL };
  g_autofree char *git = g_find_program_in_path ("git");
  g_autoptr(SeroProcessResult) result = NULL;

  if (git == NULL)
    return NULL;
  argv[0] = git;

  result = sero_process_run_sync (argv, NULL, NULL, NULL, TIMEOUT_HOST_GIT_MS, NULL, NULL);
  if (result == NULL || result->exit_status != 0)
    return NULL;

  g_strstrip (result->stdout_text);
  return result->stdout_text[0] ? g_strdup (result->stdout_text) : NULL;
}

/* The script run once in a new container. Every step is best-effort, so
 * one that fails (no git in a custom image, a read-only resolv.conf) does
 * not stop the others. */
static char *
provision_script (void)
{
  g_autoptr(GString) script = g_string_new ("mkdir -p /etc/profile.d\n"
                                            "cat > /etc/profile.d/sero-env.sh <<'SERO_ENV'\n"
                                            "# Written by Sero: the workspace runtime's defaults for login shells.\n");
  g_autofree char *name = host_git_config ("user.name");
  g_autofree char *email = host_git_config ("user.email");

  for (guint i = 0; profile_env[i]; i++)
    g_string_append_printf (script, "export %s\n", profile_env[i]);
  g_string_append (script,
                   "SERO_ENV\n"
                   "cat /etc/profile.d/sero-env.sh >> /root/.bashrc\n"
                   /* Some networks hand the VM no resolver. */
                   "grep -q nameserver /etc/resolv.conf 2>/dev/null || "
                   "printf 'nameserver 8.8.8.8\\nnameserver 1.1.1.1\\n' > /etc/resolv.conf\n"
                   "if command -v git >/dev/null 2>&1; then\n");

  /* Commits made inside carry the person's identity from the host. */
  if (name != NULL)
    {
      g_autofree char *quoted = g_shell_quote (name);
      g_string_append_printf (script, "  git config --global user.name %s\n", quoted);
    }
  if (email != NULL)
    {
      g_autofree char *quoted = g_shell_quote (email);
      g_string_append_printf (script, "  git config --global user.email %s\n", quoted);
    }
  g_string_append (script,
                   "  git config --global push.autoSetupRemote true\n"
                   "  git config --global --add safe.directory /workspace\n"
                   "fi\n");

  return g_string_free (g_steal_pointer (&script), FALSE);
}

/* Apple's `exec -e` does not reach interactive sessions, so the login
 * environment is written into the container once, after it is created.
 * The script goes in on standard input, which spares it a round of shell
 * quoting. */
static void
provision_container (SeroRuntimeApple *self,
                     GCancellable     *cancellable)
{
  const char *args[] = { "exec", "-i", container_name (self), "sh", "-s", NULL };
  g_autofree char *script = provision_script ();
  g_autoptr(SeroProcessResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = cli_run (self, args, script, TIMEOUT_PROVISION_MS, cancellable, &error);
  if (result == NULL)
    g_message ("Could not prepare %s: %s", container_name (self), error->message);
  else if (result->exit_status != 0)
    g_message ("Preparing %s partly failed: %s", container_name (self), result_message (result));
}

static gboolean
image_present (SeroRuntimeApple *self,
               const char       *image,
               GCancellable     *cancellable)
{
  const char *args[] = { "image", "list", NULL };
  g_autoptr(SeroProcessResult) result = cli_run (self, args, NULL, TIMEOUT_IMAGE_LIST_MS, cancellable, NULL);
  const char *slash = strrchr (image, '/');
  const char *colon = strchr (slash ? slash : image, ':');
  g_autofree char *name = colon ? g_strndup (image, colon - image) : g_strdup (image);

  /* When the list cannot be read, do not claim the image is missing. */
  if (result == NULL || result->exit_status != 0)
    return TRUE;

  return strstr (result->stdout_text, name) != NULL;
}

static GStrv
build_run_argv (SeroRuntimeApple   *self,
                const char         *image,
                const char * const *volumes,
                const char         *signature)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  g_strv_builder_add_many (b, "run", "--name", container_name (self), "-d", NULL);

#define LABEL(key, value) G_STMT_START { \
    g_autofree char *label_ = g_strdup_printf ("%s=%s", key, value); \
    g_strv_builder_add_many (b, "--label", label_, NULL); \
  } G_STMT_END
  LABEL (SERO_APPLE_LABEL_MANAGED, "true");
  LABEL (SERO_APPLE_LABEL_RUNTIME, SERO_APPLE_RUNTIME_ID);
  LABEL (SERO_APPLE_LABEL_WORKSPACE_ID, workspace_id (self));
  LABEL (SERO_APPLE_LABEL_WORKSPACE_PATH, workspace_path (self));
  LABEL (SERO_APPLE_LABEL_INSTALLATION, self->installation_root);
  /* Not in the original: what the container was made from, so a changed
   * image or mount set is noticed and the container made again (issue 3). */
  LABEL (SERO_APPLE_LABEL_IMAGE, image);
  LABEL (SERO_APPLE_LABEL_MOUNT_SIGNATURE, signature);
#undef LABEL

  /* --ssh forwards the host's SSH agent, so pushing to a private remote
   * works from inside. */
  g_strv_builder_add_many (b, "--cpus", "2", "--memory", "1024M", "--network", "default", "--ssh", NULL);
  for (guint i = 0; volumes[i]; i++)
    g_strv_builder_add_many (b, "--volume", volumes[i], NULL);

  /* The image's init (tini) stays PID 1 and reaps; sleep keeps it alive. */
  g_strv_builder_add_many (b, image, "sleep", "infinity", NULL);

  return g_strv_builder_end (b);
}

/* `container run`, with one retry when the name turns out to be taken
 * (reference §2.5). The original guarded that retry with an ownership check
 * that threw whenever the container could not be inspected, which is
 * exactly the ghost case the retry was for; here a ghost or a stale name
 * goes to removal, and only a container that is provably someone else's
 * stops us. */
static gboolean
create_container (SeroRuntimeApple    *self,
                  const char          *image,
                  const char * const  *volumes,
                  const char          *signature,
                  GCancellable        *cancellable,
                  GError             **error)
{
  g_auto(GStrv) argv = build_run_argv (self, image, volumes, signature);

  for (guint attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr(SeroProcessResult) result = NULL;
      g_auto(SeroAppleInspection) inspection = { 0 };
      const char *message;

      if (!(result = cli_run (self, (const char * const *) argv, NULL, TIMEOUT_CREATE_MS, cancellable, error)))
        return FALSE;
      if (result->exit_status == 0)
        return TRUE;

      message = result_message (result);
      if (attempt == 0 && strstr (message, "already exists") != NULL)
        {
          if (!inspect_container (self, &inspection, cancellable, error))
            return FALSE;
          if (inspection.exists && !belongs (self, &inspection))
            return collision_error (self, error);

          g_message ("%s already exists (%s); removing it and trying again", container_name (self),
                     inspection.exists ? "ours" : inspection.ghost ? "a ghost" : "a stale name");
          if (!force_remove (self, cancellable, error))
            return FALSE;
          continue;
        }

      if (!image_present (self, image, cancellable))
        g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED,
                     "Failed to create container %s%s: %s. The image %s is not on this Mac: "
                     "build it with “sero runtime build-image”, or set the workspace's runtime.image.",
                     container_name (self), attempt ? " after cleanup" : "", message, image);
      else
        g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED,
                     "Failed to create container %s%s: %s",
                     container_name (self), attempt ? " after cleanup" : "", message);
      return FALSE;
    }

  g_assert_not_reached ();
}

static gboolean
start_container (SeroRuntimeApple *self,
                 GCancellable     *cancellable,
                 GError          **error)
{
  const char *args[] = { "start", container_name (self), NULL };
  g_autoptr(SeroProcessResult) result = NULL;

  if (!(result = cli_run (self, args, NULL, TIMEOUT_START_MS, cancellable, error)))
    return FALSE;

  if (result->exit_status != 0)
    g_message ("Could not start %s: %s", container_name (self), result_message (result));

  return result->exit_status == 0;
}

static gboolean
finish_running (SeroRuntimeApple  *self,
                const char        *note,
                GCancellable      *cancellable,
                GError           **error)
{
  g_auto(SeroAppleInspection) inspection = { 0 };

  if (!inspect_container (self, &inspection, cancellable, error))
    return FALSE;

  if (!inspection.exists || !inspection.running)
    {
      g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED,
                   "Container %s stopped right after it started (%s)", container_name (self),
                   inspection.status ? inspection.status : "gone");
      return FALSE;
    }

  remember_inspection (self, &inspection);
  _sero_runtime_set_status (SERO_RUNTIME (self), SERO_RUNTIME_STATUS_RUNNING, note);
  return TRUE;
}

static char *
skipped_note (const char * const *skipped)
{
  g_autofree char *list = NULL;

  if (skipped == NULL || skipped[0] == NULL)
    return NULL;

  list = g_strjoinv (", ", (char **) skipped);
  return g_strdup_printf ("Mounts that do not exist were skipped: %s", list);
}

/* One pass of the lifecycle (reference §2.4, §2.7): running and current →
 * reuse; stopped → start, and if that fails remove and create; a changed
 * image or mount set → create again, deferred while terminals are open; no
 * container, a stale name or a ghost → clean up and create. */
static gboolean
ensure_once (SeroRuntimeApple  *self,
             GCancellable      *cancellable,
             GError           **error)
{
  SeroRuntime *runtime = SERO_RUNTIME (self);
  SeroWorkspace *workspace = sero_runtime_get_workspace (runtime);
  g_auto(SeroAppleInspection) inspection = { 0 };
  g_autofree char *image = sero_runtime_default_image (workspace);
  g_autofree char *signature = NULL;
  g_autofree char *note = NULL;
  g_auto(GStrv) skipped = NULL;
  g_auto(GStrv) volumes = NULL;

  volumes = _sero_apple_build_volumes (workspace, &skipped);
  signature = sero_runtime_mount_signature ((const char * const *) volumes);
  note = skipped_note ((const char * const *) skipped);

  if (!inspect_container (self, &inspection, cancellable, error))
    return FALSE;

  if (inspection.exists)
    {
      const char *old_image = g_hash_table_lookup (inspection.labels, SERO_APPLE_LABEL_IMAGE);
      const char *old_signature = g_hash_table_lookup (inspection.labels, SERO_APPLE_LABEL_MOUNT_SIGNATURE);
      gboolean current, matches;

      if (!belongs (self, &inspection))
        return collision_error (self, error);

      current = _sero_apple_has_current_identity (&inspection, workspace_id (self), workspace_path (self),
                                                  self->installation_root);
      matches = current && g_strcmp0 (old_image, image) == 0 && g_strcmp0 (old_signature, signature) == 0;

      if (inspection.running && matches)
        {
          _sero_runtime_set_recreate_deferred (runtime, FALSE);
          remember_inspection (self, &inspection);
          _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_RUNNING, note);
          return TRUE;
        }

      if (inspection.running && sero_runtime_get_active_terminals (runtime) > 0)
        {
          g_autofree char *deferred = g_strdup_printf (
            "Mount or image changes will apply when the last terminal of this workspace closes%s%s",
            note ? ". " : "", note ? note : "");

          _sero_runtime_set_recreate_deferred (runtime, TRUE);
          remember_inspection (self, &inspection);
          _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_RUNNING, deferred);
          return TRUE;
        }

      _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_STARTING, NULL);

      if (matches)
        {
          g_autoptr(GError) start_error = NULL;

          if (start_container (self, cancellable, &start_error))
            return finish_running (self, note, cancellable, error);

          /* A system that went away is for the caller's retry, not a
           * reason to throw the container away. */
          if (g_error_matches (start_error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING))
            {
              g_propagate_error (error, g_steal_pointer (&start_error));
              return FALSE;
            }
          g_message ("%s could not be started; recreating it", container_name (self));
        }
      else if (!current)
        g_message ("Recreating legacy container %s with current ownership labels", container_name (self));
      else
        g_message ("%s has an old image or mount set; recreating it", container_name (self));

      if (!force_remove (self, cancellable, error))
        return FALSE;
    }
  else
    {
      _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_STARTING, NULL);

      if (inspection.ghost)
        {
          if (!force_remove (self, cancellable, error))
            return FALSE;
        }
      else
        {
          g_autoptr(SeroProcessResult) cleared = NULL;

          /* Apple's API server can keep a name reserved after its container
           * is gone; a delete clears it, and "not found" is the usual answer. */
          if (!(cleared = delete_container (self, cancellable, error)))
            return FALSE;
        }
    }

  _sero_runtime_set_recreate_deferred (runtime, FALSE);
  if (!create_container (self, image, (const char * const *) volumes, signature, cancellable, error))
    return FALSE;

  provision_container (self, cancellable);

  return finish_running (self, note, cancellable, error);
}

static gboolean
sero_runtime_apple_ensure_sync (SeroRuntime   *runtime,
                                GCancellable  *cancellable,
                                GError       **error)
{
  SeroRuntimeApple *self = SERO_RUNTIME_APPLE (runtime);
  g_autoptr(GError) local_error = NULL;
  const char *path = workspace_path (self);

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (&local_error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED,
                   "The workspace folder %s does not exist", path);
      goto failed;
    }

  if (ensure_once (self, cancellable, &local_error))
    return TRUE;

  /* The container system was not running: start it and try once more
   * (reference §2.4). A second failure is reported as it is. */
  if (g_error_matches (local_error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING))
    {
      g_clear_error (&local_error);
      if (ensure_system_running (self, cancellable, &local_error) &&
          ensure_once (self, cancellable, &local_error))
        return TRUE;
    }

failed:
  _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_ERROR, local_error->message);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
sero_runtime_apple_refresh_sync (SeroRuntime   *runtime,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  SeroRuntimeApple *self = SERO_RUNTIME_APPLE (runtime);
  g_auto(SeroAppleInspection) inspection = { 0 };
  g_autoptr(GError) local_error = NULL;

  if (!inspect_container (self, &inspection, cancellable, &local_error))
    {
      forget_container (self);

      /* With the system down no container runs; the next ensure starts it. */
      if (g_error_matches (local_error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING))
        {
          _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_STOPPED,
                                    "Apple's container system is not running; Sero starts it when the workspace is used");
          return TRUE;
        }

      _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_ERROR, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (inspection.ghost)
    {
      forget_container (self);
      _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_ERROR,
                                "The container's storage is damaged; Sero repairs it the next time the workspace starts");
      return TRUE;
    }

  if (!inspection.exists)
    {
      forget_container (self);
      _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_NONE, NULL);
      return TRUE;
    }

  if (!belongs (self, &inspection))
    {
      collision_error (self, &local_error);
      forget_container (self);
      _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_ERROR, local_error->message);
      return TRUE;
    }

  remember_inspection (self, &inspection);
  if (inspection.running)
    {
      g_auto(GStrv) skipped = NULL;
      g_autofree char *note = NULL;

      /* Only the folders that could not be mounted matter for the status. */
      g_strfreev (_sero_apple_build_volumes (sero_runtime_get_workspace (runtime), &skipped));
      note = skipped_note ((const char * const *) skipped);

      /* A deferral message from this process's ensure stays until applied. */
      if (!sero_runtime_get_recreate_deferred (runtime))
        _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_RUNNING, note);
    }
  else
    _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_STOPPED, NULL);

  return TRUE;
}

/* Remove, not just stop (reference §2.9, as the Docker backend does), so
 * records of removed workspaces do not pile up. A ghost is not repaired
 * here: that restarts the container system and with it every workspace's
 * container, which is too much for a cleanup; the next ensure does it. */
static gboolean
sero_runtime_apple_destroy_sync (SeroRuntime   *runtime,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  SeroRuntimeApple *self = SERO_RUNTIME_APPLE (runtime);
  g_auto(SeroAppleInspection) inspection = { 0 };
  g_autoptr(SeroProcessResult) result = NULL;

  if (!inspect_container (self, &inspection, cancellable, error))
    return FALSE;

  if (inspection.exists && !belongs (self, &inspection))
    return collision_error (self, error);

  if (!(result = delete_container (self, cancellable, error)))
    return FALSE;

  if (result->exit_status != 0 && !_sero_apple_is_not_found_error (result_message (result)))
    {
      g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED,
                   "Could not remove %s: %s", container_name (self), result_message (result));
      return FALSE;
    }

  forget_container (self);
  _sero_runtime_set_recreate_deferred (runtime, FALSE);
  _sero_runtime_set_status (runtime, SERO_RUNTIME_STATUS_NONE, NULL);
  return TRUE;
}

/* `container exec [-i] -w CWD --env HOST=0.0.0.0 [--env K=V]… CID CMD…`
 * (reference §2.3). Non-interactive exec does take --env; HOST is passed
 * so a dev server started without a login shell still listens where the
 * host can reach it. */
static GStrv
sero_runtime_apple_build_exec_argv (SeroRuntime            *runtime,
                                    const SeroExecRequest  *request,
                                    char                  **host_cwd,
                                    GError                **error)
{
  SeroRuntimeApple *self = SERO_RUNTIME_APPLE (runtime);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  g_strv_builder_add_many (b, self->binary, "exec", NULL);
  if (request->stdin_text != NULL)
    g_strv_builder_add (b, "-i");
  g_strv_builder_add_many (b, "-w", request->cwd && request->cwd[0] ? request->cwd : "/workspace", NULL);
  g_strv_builder_add_many (b, "--env", "HOST=0.0.0.0", NULL);
  for (guint i = 0; request->env && request->env[i]; i++)
    g_strv_builder_add_many (b, "--env", request->env[i], NULL);
  g_strv_builder_add (b, container_name (self));

  if (request->argv != NULL)
    g_strv_builder_addv (b, (const char **) request->argv);
  else
    g_strv_builder_add_many (b, "sh", "-lc", request->command, NULL);

  *host_cwd = NULL;
  return g_strv_builder_end (b);
}

static GStrv
sero_runtime_apple_build_terminal_argv (SeroRuntime  *runtime,
                                        const char   *cwd,
                                        GStrv        *envp)
{
  SeroRuntimeApple *self = SERO_RUNTIME_APPLE (runtime);
  g_auto(GStrv) env = g_get_environ ();
  const char *path = g_environ_getenv (env, "PATH");
  g_auto(GStrv) dirs = g_strsplit (path ? path : "", ":", -1);

  /* A Dock-launched app's PATH lacks /usr/local/bin, and the CLI runs
   * helpers from there. */
  if (!g_strv_contains ((const char * const *) dirs, "/usr/local/bin"))
    {
      g_autofree char *with_local = path && path[0] ? g_strconcat ("/usr/local/bin:", path, NULL)
                                                    : g_strdup ("/usr/local/bin");
      env = g_environ_setenv (env, "PATH", with_local, TRUE);
    }
  env = g_environ_setenv (env, "TERM", "xterm-256color", TRUE);
  *envp = g_steal_pointer (&env);

  return g_strdupv ((char *[]) {
    self->binary, (char *) "exec", (char *) "-it",
    (char *) "-w", (char *) (cwd && cwd[0] ? cwd : "/workspace"),
    (char *) container_name (self), (char *) "/bin/bash", (char *) "--login",
    NULL
  });
}

static guint
sero_runtime_apple_get_published_port (SeroRuntime *runtime,
                                       guint        port)
{
  SeroRuntimeApple *self = SERO_RUNTIME_APPLE (runtime);
  guint host_port = 0;

  g_mutex_lock (&self->lock);
  if (self->published != NULL)
    host_port = GPOINTER_TO_UINT (g_hash_table_lookup (self->published, GUINT_TO_POINTER (port)));
  g_mutex_unlock (&self->lock);

  return host_port;
}

static void
sero_runtime_apple_finalize (GObject *object)
{
  SeroRuntimeApple *self = (SeroRuntimeApple *) object;

  g_clear_pointer (&self->binary, g_free);
  g_clear_pointer (&self->storage_dir, g_free);
  g_clear_pointer (&self->installation_root, g_free);
  g_clear_pointer (&self->published, g_hash_table_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (sero_runtime_apple_parent_class)->finalize (object);
}

static void
sero_runtime_apple_class_init (SeroRuntimeAppleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SeroRuntimeClass *runtime_class = SERO_RUNTIME_CLASS (klass);

  object_class->finalize = sero_runtime_apple_finalize;

  runtime_class->ensure_sync = sero_runtime_apple_ensure_sync;
  runtime_class->refresh_sync = sero_runtime_apple_refresh_sync;
  runtime_class->destroy_sync = sero_runtime_apple_destroy_sync;
  runtime_class->build_exec_argv = sero_runtime_apple_build_exec_argv;
  runtime_class->build_terminal_argv = sero_runtime_apple_build_terminal_argv;
  runtime_class->get_published_port = sero_runtime_apple_get_published_port;
}

static void
sero_runtime_apple_init (SeroRuntimeApple *self)
{
  g_mutex_init (&self->lock);
}

/**
 * sero_runtime_apple_new:
 * @installation_root: the resolved ~/.sero-ui, written as a label so two
 *   installations on one Mac never take each other's containers
 *
 * Returns: (transfer full): the runtime of the Apple container `sero-<workspaceId>`
 */
SeroRuntime *
sero_runtime_apple_new (SeroWorkspace *workspace,
                        const char    *installation_root)
{
  SeroRuntimeApple *self;
  g_autofree char *name = NULL;

  g_return_val_if_fail (SERO_IS_WORKSPACE (workspace), NULL);
  g_return_val_if_fail (installation_root != NULL, NULL);

  self = g_object_new (SERO_TYPE_RUNTIME_APPLE, "workspace", workspace, NULL);
  self->binary = sero_runtime_apple_dup_binary ();
  self->storage_dir = dup_storage_dir ();
  self->installation_root = g_canonicalize_filename (installation_root, NULL);

  /* Workspace ids are [a-z0-9-], so the name is also a safe folder name
   * under the storage directory that ghost recovery deletes from. */
  g_assert (sero_workspace_id_is_valid (sero_workspace_get_id (workspace)));
  name = g_strdup_printf ("sero-%s", sero_workspace_get_id (workspace));
  _sero_runtime_set_container_name (SERO_RUNTIME (self), name);

  return SERO_RUNTIME (self);
}

/**
 * sero_runtime_apple_check_availability:
 *
 * Whether Apple containers can be used now (reference §2.10), for
 * onboarding and diagnostics. Blocking for up to 10 s.
 *
 * Returns: %TRUE when available; otherwise @error says why:
 *   %SERO_RUNTIME_ERROR_NOT_INSTALLED (no `container` program),
 *   %SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING (installed, system stopped or
 *   unreachable) or %SERO_RUNTIME_ERROR_START_FAILED (it could not be checked)
 */
gboolean
sero_runtime_apple_check_availability (GError **error)
{
  g_autofree char *binary = sero_runtime_apple_dup_binary ();
  g_autofree char *message = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_file_test (binary, G_FILE_TEST_IS_EXECUTABLE))
    return not_installed_error (binary, error);

  switch (system_state (binary, TIMEOUT_STATUS_MS, NULL, &message, &local_error))
    {
    case SYSTEM_RUNNING:
      return TRUE;

    case SYSTEM_NOT_RUNNING:
      g_set_error_literal (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING,
                           "Apple containers are installed, but the container system is not running. "
                           "Sero starts it when a workspace needs it, or run “container system start”.");
      return FALSE;

    case SYSTEM_UNREACHABLE:
      g_set_error_literal (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_SYSTEM_NOT_RUNNING,
                           "Apple containers are installed, but the container system is unavailable right now. "
                           "Run “container system start”; Sero can continue in host mode meanwhile.");
      return FALSE;

    case SYSTEM_UNKNOWN:
    default:
      g_set_error (error, SERO_RUNTIME_ERROR, SERO_RUNTIME_ERROR_START_FAILED,
                   "Apple containers could not be verified: %s",
                   local_error ? local_error->message : message);
      return FALSE;
    }
}

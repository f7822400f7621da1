/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-git"

#include "config.h"

#include <git2.h>

#include "sero-git-status.h"

/* The branch and the number of changed files the workspace tree shows next
 * to each workspace. libgit2 does the reading, in a worker thread (a status
 * scan of a large tree takes a while). The repository is found from the
 * workspace folder upwards, so a workspace that is a subfolder of a
 * repository shows that repository's state.
 *
 * The watcher refreshes after file changes, coalesced: bursts of events (a
 * build writing hundreds of files) become one query 500 ms after the last
 * event, and never more than one query runs at a time. GFileMonitor is not
 * recursive: it sees the workspace folder's own entries and the repository's
 * git folder (HEAD, index, refs), so a branch switch, a commit, a stage or a
 * new top-level file refresh at once, while an edit deep in a subfolder is
 * picked up at the next such event or explicit refresh. Watching every
 * subfolder would cost a descriptor per folder (node_modules alone has
 * thousands), which is the wrong trade for a sidebar label. */

#define DEBOUNCE_MS 500

G_DEFINE_BOXED_TYPE (SeroGitStatus, sero_git_status, sero_git_status_copy, sero_git_status_free)

SeroGitStatus *
sero_git_status_copy (const SeroGitStatus *status)
{
  SeroGitStatus *copy = g_new0 (SeroGitStatus, 1);

  *copy = *status;
  copy->branch = g_strdup (status->branch);
  return copy;
}

void
sero_git_status_free (SeroGitStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->branch);
  g_free (status);
}

static void
init_libgit2 (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      git_libgit2_init ();
      g_once_init_leave (&initialized, TRUE);
    }
}

static gboolean
set_git_error (GError     **error,
               const char  *what)
{
  const git_error *last = git_error_last ();

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what, last && last->message ? last->message : "unknown error");
  return FALSE;
}

static char *
head_branch (git_repository  *repo,
             gboolean        *detached,
             GError         **error)
{
  git_reference *head = NULL;
  char *branch = NULL;
  int rc;

  *detached = FALSE;
  rc = git_repository_head (&head, repo);

  if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND)
    {
      /* A fresh `git init`: HEAD names a branch that has no commit yet. */
      git_reference *symbolic = NULL;

      if (git_reference_lookup (&symbolic, repo, "HEAD") == 0)
        {
          const char *target = git_reference_symbolic_target (symbolic);

          if (target != NULL)
            branch = g_strdup (g_str_has_prefix (target, "refs/heads/") ? target + strlen ("refs/heads/") : target);
          git_reference_free (symbolic);
        }
      return branch ? branch : g_strdup ("HEAD");
    }

  if (rc != 0)
    {
      set_git_error (error, "Could not read HEAD");
      return NULL;
    }

  if (git_repository_head_detached (repo) == 1)
    {
      char hex[GIT_OID_HEXSZ + 1] = { 0 };

      git_oid_tostr (hex, sizeof hex, git_reference_target (head));
      branch = g_strndup (hex, 7);
      *detached = TRUE;
    }
  else
    branch = g_strdup (git_reference_shorthand (head));

  git_reference_free (head);
  return branch;
}

/**
 * sero_git_status_query:
 *
 * Blocking: call from a worker thread. A folder outside any repository is
 * not an error; its status has no branch and no changes.
 *
 * Returns: (transfer full): the status, or %NULL with @error set
 */
SeroGitStatus *
sero_git_status_query (const char  *path,
                       GError     **error)
{
  g_autoptr(SeroGitStatus) status = g_new0 (SeroGitStatus, 1);
  git_repository *repo = NULL;
  git_status_list *list = NULL;
  git_status_options options = GIT_STATUS_OPTIONS_INIT;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  init_libgit2 ();

  rc = git_repository_open_ext (&repo, path, 0, NULL);
  if (rc == GIT_ENOTFOUND)
    return g_steal_pointer (&status);
  if (rc != 0)
    {
      set_git_error (error, "Could not open the repository");
      return NULL;
    }

  if (git_repository_is_bare (repo))
    {
      git_repository_free (repo);
      return g_steal_pointer (&status);
    }

  status->branch = head_branch (repo, &status->detached, error);
  if (status->branch == NULL)
    {
      git_repository_free (repo);
      return NULL;
    }

  options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
                  GIT_STATUS_OPT_EXCLUDE_SUBMODULES;

  if (git_status_list_new (&list, repo, &options) != 0)
    {
      set_git_error (error, "Could not read the repository's status");
      git_repository_free (repo);
      return NULL;
    }

  status->changed = (guint) git_status_list_entrycount (list);

  git_status_list_free (list);
  git_repository_free (repo);
  return g_steal_pointer (&status);
}

static void
query_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  SeroGitStatus *status = sero_git_status_query (task_data, &error);

  if (status == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, status, (GDestroyNotify) sero_git_status_free);
}

void
sero_git_status_query_async (const char          *path,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, sero_git_status_query_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, query_thread);
}

/**
 * sero_git_status_query_finish:
 *
 * Returns: (transfer full): the status
 */
SeroGitStatus *
sero_git_status_query_finish (GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

struct _SeroGitWatcher
{
  GObject       parent_instance;

  char         *path;
  char         *branch;
  guint         changed;
  gboolean      is_repository;

  GPtrArray    *monitors;
  GCancellable *cancellable;
  guint         debounce;
  guint         queries;
  gboolean      in_flight;
  gboolean      again;
};

G_DEFINE_FINAL_TYPE (SeroGitWatcher, sero_git_watcher, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BRANCH,
  PROP_CHANGED,
  PROP_IS_REPOSITORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void start_query (SeroGitWatcher *self);

static void
watch (SeroGitWatcher *self,
       const char     *path);

static void
on_queried (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SeroGitWatcher) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SeroGitStatus) status = sero_git_status_query_finish (result, &error);

  self->in_flight = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || g_cancellable_is_cancelled (self->cancellable))
    return;

  if (status == NULL)
    g_debug ("git status of %s: %s", self->path, error->message);
  else
    {
      gboolean is_repository = status->branch != NULL;

      if (g_strcmp0 (self->branch, status->branch) != 0)
        {
          g_free (self->branch);
          self->branch = g_strdup (status->branch);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BRANCH]);
        }
      if (self->changed != status->changed)
        {
          self->changed = status->changed;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANGED]);
        }
      if (self->is_repository != is_repository)
        {
          self->is_repository = is_repository;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_REPOSITORY]);

          /* A repository appeared (git init): watch its git folder too. */
          if (is_repository)
            {
              g_autofree char *dot_git = g_build_filename (self->path, ".git", NULL);

              if (g_file_test (dot_git, G_FILE_TEST_IS_DIR))
                watch (self, dot_git);
            }
        }
    }

  if (self->again)
    {
      self->again = FALSE;
      start_query (self);
    }
}

static void
start_query (SeroGitWatcher *self)
{
  if (self->in_flight)
    {
      /* One at a time; events during a query make exactly one more. */
      self->again = TRUE;
      return;
    }

  self->in_flight = TRUE;
  self->queries++;
  sero_git_status_query_async (self->path, self->cancellable, on_queried, g_object_ref (self));
}

static gboolean
on_debounced (gpointer user_data)
{
  SeroGitWatcher *self = user_data;

  self->debounce = 0;
  start_query (self);
  return G_SOURCE_REMOVE;
}

static void
on_changed (GFileMonitor      *monitor,
            GFile             *file,
            GFile             *other,
            GFileMonitorEvent  event,
            SeroGitWatcher    *self)
{
  g_clear_handle_id (&self->debounce, g_source_remove);
  self->debounce = g_timeout_add (DEBOUNCE_MS, on_debounced, self);
}

static void
watch (SeroGitWatcher *self,
       const char     *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GFileMonitor *monitor;

  for (guint i = 0; i < self->monitors->len; i++)
    if (g_strcmp0 (g_object_get_data (g_ptr_array_index (self->monitors, i), "sero-path"), path) == 0)
      return;

  monitor = g_file_monitor_directory (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (monitor == NULL)
    {
      g_debug ("Not watching %s: %s", path, error->message);
      return;
    }

  g_object_set_data_full (G_OBJECT (monitor), "sero-path", g_strdup (path), g_free);
  g_signal_connect_object (monitor, "changed", G_CALLBACK (on_changed), self, 0);
  g_ptr_array_add (self->monitors, monitor);
}

static void
sero_git_watcher_dispose (GObject *object)
{
  SeroGitWatcher *self = (SeroGitWatcher *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->debounce, g_source_remove);
  if (self->monitors != NULL)
    for (guint i = 0; i < self->monitors->len; i++)
      g_file_monitor_cancel (g_ptr_array_index (self->monitors, i));
  g_clear_pointer (&self->monitors, g_ptr_array_unref);

  G_OBJECT_CLASS (sero_git_watcher_parent_class)->dispose (object);
}

static void
sero_git_watcher_finalize (GObject *object)
{
  SeroGitWatcher *self = (SeroGitWatcher *) object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->branch, g_free);

  G_OBJECT_CLASS (sero_git_watcher_parent_class)->finalize (object);
}

static void
sero_git_watcher_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SeroGitWatcher *self = SERO_GIT_WATCHER (object);

  switch (prop_id)
    {
    case PROP_BRANCH:
      g_value_set_string (value, self->branch);
      break;

    case PROP_CHANGED:
      g_value_set_uint (value, self->changed);
      break;

    case PROP_IS_REPOSITORY:
      g_value_set_boolean (value, self->is_repository);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_git_watcher_class_init (SeroGitWatcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sero_git_watcher_dispose;
  object_class->finalize = sero_git_watcher_finalize;
  object_class->get_property = sero_git_watcher_get_property;

  properties[PROP_BRANCH] =
    g_param_spec_string ("branch", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_CHANGED] =
    g_param_spec_uint ("changed", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_IS_REPOSITORY] =
    g_param_spec_boolean ("is-repository", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sero_git_watcher_init (SeroGitWatcher *self)
{
  self->monitors = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
}

/**
 * sero_git_watcher_new:
 * @path: the workspace folder
 *
 * Returns: (transfer full): a watcher that has already started its first query
 */
SeroGitWatcher *
sero_git_watcher_new (const char *path)
{
  SeroGitWatcher *self;
  g_autofree char *dot_git = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (SERO_TYPE_GIT_WATCHER, NULL);
  self->path = g_strdup (path);

  watch (self, path);
  dot_git = g_build_filename (path, ".git", NULL);
  if (g_file_test (dot_git, G_FILE_TEST_IS_DIR))
    watch (self, dot_git);

  start_query (self);
  return self;
}

const char *
sero_git_watcher_get_branch (SeroGitWatcher *self)
{
  g_return_val_if_fail (SERO_IS_GIT_WATCHER (self), NULL);
  return self->branch;
}

guint
sero_git_watcher_get_changed (SeroGitWatcher *self)
{
  g_return_val_if_fail (SERO_IS_GIT_WATCHER (self), 0);
  return self->changed;
}

void
sero_git_watcher_refresh (SeroGitWatcher *self)
{
  g_return_if_fail (SERO_IS_GIT_WATCHER (self));

  g_clear_handle_id (&self->debounce, g_source_remove);
  start_query (self);
}

/* For tests: how many queries ran, to show that bursts coalesce. */
guint
_sero_git_watcher_get_query_count (SeroGitWatcher *self)
{
  g_return_val_if_fail (SERO_IS_GIT_WATCHER (self), 0);
  return self->queries;
}

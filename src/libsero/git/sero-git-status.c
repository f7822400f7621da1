/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-git"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "sero-git-status.h"
#include "sero-git-status-private.h"

/* The branch and the number of changed files the workspace tree shows next
 * to each workspace (issue 5). libgit2 does the reading, always in a worker
 * thread: a status scan stats every tracked file and reads every untracked
 * folder, which takes seconds on a large tree.
 *
 * Finding the repository: from the workspace folder upwards, the way `git`
 * itself does from a terminal opened there, so a workspace that is a
 * subfolder of a repository (one package of a monorepo) shows that
 * repository's branch. The search stops at a filesystem boundary, as git's
 * does without GIT_DISCOVERY_ACROSS_FILESYSTEM. The count is limited to the
 * workspace folder, though: two workspaces in one monorepo each count their
 * own changes, which is what a row in the sidebar is about, and it keeps the
 * scan (and what we have to watch, below) to that folder. A bare repository
 * has no working tree and shows as no repository.
 *
 * The count is what `git status --porcelain --untracked-files=all -- .`
 * lists when run in the workspace folder: a file staged and then edited again counts once,
 * a rename staged in the index once, untracked files one by one (not one
 * per new folder), ignored files never. Two exceptions: submodules are not
 * opened (for cost), so new commits inside one do not count; and
 * status.showUntrackedFiles=no is honoured, because home-folder dotfile
 * repositories set it and would otherwise count every file of every
 * workspace below the home folder as untracked.
 *
 * SeroGitWatcher keeps that up to date from file monitors. Events are
 * coalesced: each one restarts a single 500 ms timeout, so a burst (a build
 * writing hundreds of files, `git checkout` rewriting a tree) becomes one
 * query after it ends; a stream that never pauses still gets a query every
 * five seconds. At most one query runs at a time; events during a query
 * make exactly one more after it. */

#define DEBOUNCE_MS     500
#define DEBOUNCE_MAX_MS 5000

/* GFileMonitor is not recursive; see watched_folders(). */
#define MAX_SUBFOLDER_MONITORS 64
/* How many entries of the workspace folder get their ignore rules checked
 * so that events on them can be dropped; past that, they just cost a
 * (debounced) query. */
#define MAX_IGNORED_NAMES 1024

G_DEFINE_BOXED_TYPE (SeroGitStatus, sero_git_status, sero_git_status_copy, sero_git_status_free)

SeroGitStatus *
sero_git_status_copy (const SeroGitStatus *status)
{
  SeroGitStatus *copy;

  g_return_val_if_fail (status != NULL, NULL);

  copy = g_new0 (SeroGitStatus, 1);
  *copy = *status;
  copy->branch = g_strdup (status->branch);
  copy->upstream = g_strdup (status->upstream);
  return copy;
}

void
sero_git_status_free (SeroGitStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->branch);
  g_free (status->upstream);
  g_free (status);
}

static void
init_libgit2 (void)
{
  static gsize initialized;

  /* Never shut down: any thread may query at any time for the life of the
   * process. What libgit2 keeps globally stays reachable, so LeakSanitizer
   * needs no suppression for it. */
  if (g_once_init_enter (&initialized))
    {
      git_libgit2_init ();
      g_once_init_leave (&initialized, TRUE);
    }
}

static void
set_git_error (GError     **error,
               const char  *what,
               const char  *path)
{
  const git_error *last = git_error_last ();

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s “%s”: %s", what, path,
               last != NULL && last->message != NULL ? last->message : "unknown error");
}

typedef struct
{
  SeroGitStatus *status;
  /* Only when the watcher asked: the folders worth a monitor, and names in
   * the workspace folder that git ignores (events on them are dropped). */
  GPtrArray     *watch;
  GHashTable    *ignored;
} Snapshot;

static void
snapshot_free (Snapshot *snapshot)
{
  g_clear_pointer (&snapshot->status, sero_git_status_free);
  g_clear_pointer (&snapshot->watch, g_ptr_array_unref);
  g_clear_pointer (&snapshot->ignored, g_hash_table_unref);
  g_free (snapshot);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Snapshot, snapshot_free)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_repository, git_repository_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_reference, git_reference_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_object, git_object_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_status_list, git_status_list_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_config, git_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (git_refspec, git_refspec_free)

typedef struct
{
  const char *merge;
  char       *tracking;
} FetchMatch;

static int
match_fetch_refspec (const git_config_entry *entry,
                     void                   *payload)
{
  FetchMatch *match = payload;
  g_autoptr(git_refspec) refspec = NULL;
  git_buf buf = GIT_BUF_INIT;

  if (git_refspec_parse (&refspec, entry->value, TRUE) == 0 &&
      git_refspec_src_matches (refspec, match->merge) &&
      git_refspec_transform (&buf, refspec, match->merge) == 0)
    match->tracking = g_strndup (buf.ptr, buf.size);

  git_buf_dispose (&buf);

  /* The first matching refspec wins, as in git. */
  return match->tracking != NULL ? GIT_ITEROVER : 0;
}

/* The remote-tracking ref of @branch (refs/remotes/origin/main), read from
 * branch.<name>.remote and .merge and the remote's fetch refspecs, as
 * git_branch_upstream() does. Not that function: in libgit2 1.5 (Debian 12)
 * it goes through git_remote_lookup(), which matches config names with
 * PCRE2 and leaks a 20 KiB match block for every name that does not match
 * (libgit2/libgit2#6382, fixed in 1.6) — hundreds of KiB per query, and the
 * watcher queries on every save. */
static char *
upstream_ref (git_config *config,
              const char *branch)
{
  g_autofree char *remote_key = g_strdup_printf ("branch.%s.remote", branch);
  g_autofree char *merge_key = g_strdup_printf ("branch.%s.merge", branch);
  g_autofree char *fetch_key = NULL;
  const char *remote = NULL;
  FetchMatch match = { NULL, NULL };

  if (git_config_get_string (&remote, config, remote_key) != 0 ||
      git_config_get_string (&match.merge, config, merge_key) != 0)
    return NULL;

  /* Tracking a local branch. */
  if (g_str_equal (remote, "."))
    return g_strdup (match.merge);

  fetch_key = g_strdup_printf ("remote.%s.fetch", remote);
  git_config_get_multivar_foreach (config, fetch_key, NULL, match_fetch_refspec, &match);
  return match.tracking;
}

/* Fills branch, detached, upstream, ahead and behind. */
static gboolean
read_head (git_repository  *repo,
           git_config      *config,
           SeroGitStatus   *status,
           const char      *path,
           GError         **error)
{
  g_autoptr(git_reference) head = NULL;
  g_autoptr(git_reference) upstream = NULL;
  g_autofree char *tracking = NULL;
  const char *name;
  int rc;

  rc = git_repository_head (&head, repo);

  if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND)
    {
      /* A fresh `git init`: HEAD names a branch that has no commit yet. */
      g_autoptr(git_reference) symbolic = NULL;
      const char *target = NULL;

      if (git_reference_lookup (&symbolic, repo, "HEAD") == 0)
        target = git_reference_symbolic_target (symbolic);
      if (target != NULL && g_str_has_prefix (target, "refs/heads/"))
        target += strlen ("refs/heads/");
      status->branch = g_strdup (target != NULL ? target : "HEAD");
      return TRUE;
    }

  if (rc != 0)
    {
      set_git_error (error, "Could not read HEAD of", path);
      return FALSE;
    }

  if (git_repository_head_detached (repo) == 1)
    {
      g_autoptr(git_object) commit = NULL;
      git_buf buf = GIT_BUF_INIT;

      /* The shortest unambiguous id (core.abbrev), as `git status` shows. */
      status->detached = TRUE;
      if (git_reference_peel (&commit, head, GIT_OBJECT_COMMIT) == 0 &&
          git_object_short_id (&buf, commit) == 0)
        status->branch = g_strndup (buf.ptr, buf.size);
      else
        status->branch = g_strdup ("HEAD");
      git_buf_dispose (&buf);
      return TRUE;
    }

  status->branch = g_strdup (git_reference_shorthand (head));

  /* No upstream, or one that was never fetched, is the common case. */
  name = git_reference_name (head);
  if (config != NULL && g_str_has_prefix (name, "refs/heads/") &&
      (tracking = upstream_ref (config, name + strlen ("refs/heads/"))) &&
      git_reference_lookup (&upstream, repo, tracking) == 0)
    {
      const git_oid *local = git_reference_target (head);
      const git_oid *remote = git_reference_target (upstream);
      size_t ahead = 0;
      size_t behind = 0;

      status->upstream = g_strdup (git_reference_shorthand (upstream));
      if (local != NULL && remote != NULL &&
          git_graph_ahead_behind (&ahead, &behind, repo, local, remote) == 0)
        {
          status->ahead = (guint) MIN (ahead, G_MAXUINT);
          status->behind = (guint) MIN (behind, G_MAXUINT);
        }
    }

  return TRUE;
}

static gboolean
shows_untracked (git_config *config)
{
  const char *value = NULL;
  int enabled = 1;

  if (config == NULL ||
      git_config_get_string (&value, config, "status.showUntrackedFiles") != 0)
    return TRUE;

  if (g_ascii_strcasecmp (value, "no") == 0)
    return FALSE;
  if (git_config_parse_bool (&enabled, value) == 0)
    return enabled != 0;
  return TRUE;
}

/* GFileMonitor is not recursive: one inotify watch sees one folder's own
 * entries. We watch
 *  - the workspace folder, so new, removed and edited top-level files count
 *    and a `git init` there is noticed;
 *  - its first-level subfolders that git does not ignore, up to
 *    MAX_SUBFOLDER_MONITORS (src/, tests/, docs/ …, but not node_modules/ or
 *    build/), so the usual edit one level down counts too;
 *  - the git folder (HEAD, index, FETCH_HEAD, packed-refs: checkout, stage,
 *    commit, fetch), the common git folder of a linked worktree, and its
 *    refs/heads (a commit moves the branch).
 * What that misses: an edit two or more levels down (src/ui/window.c) and
 * branches with a slash in their name moving. Both are picked up by the next
 * event that is seen — saving a file usually comes with a `git add`, a build
 * or a terminal command touching one of the folders above — or by an
 * explicit refresh. Watching every folder would cost one inotify watch per
 * folder of the tree (the default per-user limit is 8192 on many systems,
 * shared with every other program) for a label in the sidebar. */
static void
watched_folders (git_repository *repo,
                 const char     *path,
                 const char     *relative,
                 Snapshot       *snapshot)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  const char *commondir;
  guint subfolders = 0;
  guint checked = 0;

  snapshot->watch = g_ptr_array_new_with_free_func (g_free);
  snapshot->ignored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_ptr_array_add (snapshot->watch, g_strdup (path));

  if (repo == NULL)
    return;

  g_ptr_array_add (snapshot->watch, g_canonicalize_filename (git_repository_path (repo), "/"));
  commondir = git_repository_commondir (repo);
  if (commondir != NULL)
    {
      g_ptr_array_add (snapshot->watch, g_canonicalize_filename (commondir, "/"));
      g_ptr_array_add (snapshot->watch, g_build_filename (commondir, "refs", "heads", NULL));
    }

  if (!(dir = g_dir_open (path, 0, NULL)))
    return;

  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *full = NULL;
      g_autofree char *in_repo = NULL;
      int ignored = 0;

      if (g_str_equal (name, ".git"))
        continue;
      if (checked++ >= MAX_IGNORED_NAMES)
        break;

      in_repo = relative[0] != '\0' ? g_build_filename (relative, name, NULL) : g_strdup (name);
      if (git_ignore_path_is_ignored (&ignored, repo, in_repo) == 0 && ignored)
        {
          g_hash_table_add (snapshot->ignored, g_strdup (name));
          continue;
        }

      full = g_build_filename (path, name, NULL);
      /* Never follow a symlink out of the workspace. */
      if (subfolders < MAX_SUBFOLDER_MONITORS &&
          !g_file_test (full, G_FILE_TEST_IS_SYMLINK) &&
          g_file_test (full, G_FILE_TEST_IS_DIR))
        {
          g_ptr_array_add (snapshot->watch, g_steal_pointer (&full));
          if (++subfolders == MAX_SUBFOLDER_MONITORS)
            g_debug ("Watching only the first %u subfolders of %s", subfolders, path);
        }
    }
}

/* Where @path is inside @workdir, "" for the working tree itself, or NULL
 * when it is not inside (a workspace inside the .git folder, say). Both are
 * compared resolved: libgit2 reports the working tree with symlinks
 * resolved, and /tmp, /home or the workspace itself may be one. */
static char *
path_in_workdir (const char *path,
                 const char *workdir)
{
  g_autofree char *real = realpath (path, NULL);
  g_autofree char *root = g_canonicalize_filename (workdir, "/");
  gsize len = strlen (root);

  if (real == NULL)
    return NULL;
  if (g_str_equal (real, root))
    return g_strdup ("");
  if (g_str_equal (root, "/"))
    return g_strdup (real + 1);
  if (strncmp (real, root, len) == 0 && real[len] == '/')
    return g_strdup (real + len + 1);
  return NULL;
}

static Snapshot *
snapshot_read (const char    *path,
               gboolean       for_watcher,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(Snapshot) snapshot = g_new0 (Snapshot, 1);
  g_autoptr(git_repository) repo = NULL;
  g_autoptr(git_status_list) list = NULL;
  g_autoptr(git_config) config = NULL;
  g_autofree char *relative = NULL;
  git_status_options options = GIT_STATUS_OPTIONS_INIT;
  char *pathspec[1];
  const char *workdir;
  int rc;

  init_libgit2 ();

  snapshot->status = g_new0 (SeroGitStatus, 1);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* Flags 0: search upwards from @path, stop at a filesystem boundary. */
  rc = git_repository_open_ext (&repo, path, 0, NULL);
  if (rc == GIT_ENOTFOUND)
    {
      if (for_watcher)
        watched_folders (NULL, path, NULL, snapshot);
      return g_steal_pointer (&snapshot);
    }
  if (rc != 0)
    {
      set_git_error (error, "Could not open the git repository of", path);
      return NULL;
    }

  workdir = git_repository_workdir (repo);
  if (workdir == NULL || git_repository_is_bare (repo) ||
      !(relative = path_in_workdir (path, workdir)))
    {
      if (for_watcher)
        watched_folders (NULL, path, NULL, snapshot);
      return g_steal_pointer (&snapshot);
    }

  /* Read once, consistently; without one, the defaults apply. */
  if (git_repository_config_snapshot (&config, repo) != 0)
    config = NULL;

  if (!read_head (repo, config, snapshot->status, path, error))
    return NULL;

  if (for_watcher)
    watched_folders (repo, path, relative, snapshot);

  /* The scan below is the expensive part, and libgit2 cannot stop it half
   * way: check once more before starting it. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  options.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES | GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX;
  if (shows_untracked (config))
    options.flags |= GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
  if (relative[0] != '\0')
    {
      /* A literal folder prefix, not a glob: folder names may hold * or [. */
      pathspec[0] = relative;
      options.pathspec.strings = pathspec;
      options.pathspec.count = 1;
      options.flags |= GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH;
    }

  if (git_status_list_new (&list, repo, &options) != 0)
    {
      set_git_error (error, "Could not read the git status of", path);
      return NULL;
    }

  snapshot->status->changed = (guint) MIN (git_status_list_entrycount (list), G_MAXUINT);

  return g_steal_pointer (&snapshot);
}

/**
 * sero_git_status_query:
 * @path: a folder
 * @cancellable: (nullable): checked before the scan starts
 * @error: return location for a #GError
 *
 * Blocking, and possibly for seconds: call it from a worker thread (or use
 * sero_git_status_query_async()). A folder outside any repository is not an
 * error; its status has no branch and no changes.
 *
 * Returns: (transfer full): the status, or %NULL with @error set
 */
SeroGitStatus *
sero_git_status_query (const char    *path,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(Snapshot) snapshot = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(snapshot = snapshot_read (path, FALSE, cancellable, error)))
    return NULL;

  return g_steal_pointer (&snapshot->status);
}

typedef struct
{
  char     *path;
  gboolean  for_watcher;
} QueryData;

static void
query_data_free (QueryData *data)
{
  g_free (data->path);
  g_free (data);
}

static void
query_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  QueryData *data = task_data;
  g_autoptr(GError) error = NULL;
  Snapshot *snapshot = snapshot_read (data->path, data->for_watcher, cancellable, &error);

  if (snapshot == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, snapshot, (GDestroyNotify) snapshot_free);
}

static void
query_async (const char          *path,
             gboolean             for_watcher,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  QueryData *data = g_new0 (QueryData, 1);

  data->path = g_strdup (path);
  data->for_watcher = for_watcher;

  g_task_set_source_tag (task, sero_git_status_query_async);
  g_task_set_task_data (task, data, (GDestroyNotify) query_data_free);
  g_task_run_in_thread (task, query_thread);
}

/**
 * sero_git_status_query_async:
 * @path: a folder
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the thread-default main context of the caller
 * @user_data: data for @callback
 *
 * Reads @path's git status in a worker thread; see sero_git_status_query().
 */
void
sero_git_status_query_async (const char          *path,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (path != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  query_async (path, FALSE, cancellable, callback, user_data);
}

/**
 * sero_git_status_query_finish:
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the status, or %NULL with @error set
 */
SeroGitStatus *
sero_git_status_query_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_autoptr(Snapshot) snapshot = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sero_git_status_query_async, NULL);

  if (!(snapshot = g_task_propagate_pointer (G_TASK (result), error)))
    return NULL;

  return g_steal_pointer (&snapshot->status);
}

struct _SeroGitWatcher
{
  GObject       parent_instance;

  char         *path;
  char         *branch;
  guint         changed;
  guint         detached : 1;
  guint         is_repository : 1;

  /* Owned by the in-flight query's callback while one runs: that callback
   * may outlive us, and must find it cancelled. */
  GCancellable *cancellable;
  GHashTable   *monitors;     /* folder → GFileMonitor */
  GFileMonitor *root_monitor; /* in monitors */
  GHashTable   *ignored;      /* names in the workspace folder git ignores */

  guint         debounce;
  gint64        burst_started;
  guint         queries;
  guint         in_flight : 1;
  guint         again : 1;
};

G_DEFINE_FINAL_TYPE (SeroGitWatcher, sero_git_watcher, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  PROP_BRANCH,
  PROP_DETACHED,
  PROP_CHANGED,
  PROP_IS_REPOSITORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void start_query (SeroGitWatcher *self);
static void on_changed  (GFileMonitor      *monitor,
                         GFile             *file,
                         GFile             *other,
                         GFileMonitorEvent  event,
                         SeroGitWatcher    *self);

static void
monitor_free (gpointer data)
{
  GFileMonitor *monitor = data;

  g_file_monitor_cancel (monitor);
  g_object_unref (monitor);
}

static GFileMonitor *
watch (SeroGitWatcher *self,
       const char     *folder)
{
  g_autoptr(GFile) file = g_file_new_for_path (folder);
  g_autoptr(GError) error = NULL;
  GFileMonitor *monitor;

  if ((monitor = g_hash_table_lookup (self->monitors, folder)))
    return monitor;

  /* Blocking, but only an inotify_add_watch() for a local folder. */
  if (!(monitor = g_file_monitor_directory (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error)))
    {
      g_debug ("Not watching %s: %s", folder, error->message);
      return NULL;
    }

  g_signal_connect_object (monitor, "changed", G_CALLBACK (on_changed), self, 0);
  g_hash_table_insert (self->monitors, g_strdup (folder), monitor);
  return monitor;
}

/* Makes the monitored folders the ones the last query found worth it. */
static void
sync_monitors (SeroGitWatcher *self,
               GPtrArray      *folders)
{
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  const char *folder;

  for (guint i = 0; i < folders->len; i++)
    g_hash_table_add (wanted, g_ptr_array_index (folders, i));
  g_hash_table_add (wanted, self->path);

  g_hash_table_iter_init (&iter, self->monitors);
  while (g_hash_table_iter_next (&iter, (gpointer *) &folder, NULL))
    if (!g_hash_table_contains (wanted, folder))
      g_hash_table_iter_remove (&iter);

  for (guint i = 0; i < folders->len; i++)
    watch (self, g_ptr_array_index (folders, i));

  /* It may have failed at first, the folder not existing yet. */
  self->root_monitor = g_hash_table_lookup (self->monitors, self->path);
}

static void
apply_status (SeroGitWatcher      *self,
              const SeroGitStatus *status)
{
  gboolean is_repository = status->branch != NULL;

  /* One batch of notifications, so a row never shows a new branch with the
   * old count. */
  g_object_freeze_notify (G_OBJECT (self));

  if (g_strcmp0 (self->branch, status->branch) != 0)
    {
      g_free (self->branch);
      self->branch = g_strdup (status->branch);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BRANCH]);
    }
  if (self->detached != !!status->detached)
    {
      self->detached = !!status->detached;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETACHED]);
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
    }

  g_object_thaw_notify (G_OBJECT (self));
}

static void
on_queried (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  SeroGitWatcher *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(Snapshot) snapshot = g_task_propagate_pointer (G_TASK (result), &error);

  /* No reference is held while a query runs, so that dropping the watcher
   * cancels it at once; dispose cancels, and a cancelled task always
   * reports G_IO_ERROR_CANCELLED here. Nothing may touch @user_data before
   * this check. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = SERO_GIT_WATCHER (user_data);
  self->in_flight = FALSE;

  if (snapshot == NULL)
    g_debug ("Git status of %s: %s", self->path, error->message);
  else
    {
      g_clear_pointer (&self->ignored, g_hash_table_unref);
      self->ignored = g_steal_pointer (&snapshot->ignored);
      sync_monitors (self, snapshot->watch);
      apply_status (self, snapshot->status);
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
  query_async (self->path, TRUE, self->cancellable, on_queried, self);
}

static gboolean
on_debounced (gpointer user_data)
{
  SeroGitWatcher *self = user_data;

  self->debounce = 0;
  self->burst_started = 0;
  start_query (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_query (SeroGitWatcher *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 delay = DEBOUNCE_MS;

  /* Restart the one timeout on every event, but not past DEBOUNCE_MAX_MS
   * after the first event of a burst: a log file written without pause
   * must not hold the count back for ever. */
  if (self->burst_started == 0)
    self->burst_started = now;
  else
    delay = CLAMP ((self->burst_started - now) / 1000 + DEBOUNCE_MAX_MS, 0, DEBOUNCE_MS);

  g_clear_handle_id (&self->debounce, g_source_remove);
  self->debounce = g_timeout_add ((guint) delay, on_debounced, self);
}

static gboolean
is_ignored_name (SeroGitWatcher *self,
                 GFile          *file)
{
  g_autofree char *name = NULL;

  if (file == NULL || self->ignored == NULL)
    return FALSE;

  name = g_file_get_basename (file);
  return name != NULL && g_hash_table_contains (self->ignored, name);
}

static void
on_changed (GFileMonitor      *monitor,
            GFile             *file,
            GFile             *other,
            GFileMonitorEvent  event,
            SeroGitWatcher    *self)
{
  /* Each change already came as CHANGED; the hint adds nothing. */
  if (event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT)
    return;

  /* A dev server's log or a build folder at the top of the workspace: git
   * ignores them, so they cannot change the count. */
  if (monitor == self->root_monitor && is_ignored_name (self, file) &&
      (other == NULL || is_ignored_name (self, other)))
    return;

  schedule_query (self);
}

static void
sero_git_watcher_constructed (GObject *object)
{
  SeroGitWatcher *self = (SeroGitWatcher *) object;

  G_OBJECT_CLASS (sero_git_watcher_parent_class)->constructed (object);

  g_assert (self->path != NULL);

  /* The workspace folder at once, so nothing between now and the first
   * result is missed; the rest once the first query found the repository. */
  self->root_monitor = watch (self, self->path);
  start_query (self);
}

static void
sero_git_watcher_dispose (GObject *object)
{
  SeroGitWatcher *self = (SeroGitWatcher *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->debounce, g_source_remove);
  self->root_monitor = NULL;
  g_clear_pointer (&self->monitors, g_hash_table_unref);

  G_OBJECT_CLASS (sero_git_watcher_parent_class)->dispose (object);
}

static void
sero_git_watcher_finalize (GObject *object)
{
  SeroGitWatcher *self = (SeroGitWatcher *) object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->ignored, g_hash_table_unref);
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
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_BRANCH:
      g_value_set_string (value, self->branch);
      break;

    case PROP_DETACHED:
      g_value_set_boolean (value, self->detached);
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
sero_git_watcher_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SeroGitWatcher *self = SERO_GIT_WATCHER (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sero_git_watcher_class_init (SeroGitWatcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = sero_git_watcher_constructed;
  object_class->dispose = sero_git_watcher_dispose;
  object_class->finalize = sero_git_watcher_finalize;
  object_class->get_property = sero_git_watcher_get_property;
  object_class->set_property = sero_git_watcher_set_property;

  /**
   * SeroGitWatcher:path:
   *
   * The workspace folder.
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * SeroGitWatcher:branch: (nullable)
   *
   * The branch, the short commit id when #SeroGitWatcher:detached, or %NULL
   * outside a repository (and until the first query finished).
   */
  properties[PROP_BRANCH] =
    g_param_spec_string ("branch", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SeroGitWatcher:detached:
   *
   * HEAD points at a commit, not at a branch.
   */
  properties[PROP_DETACHED] =
    g_param_spec_boolean ("detached", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SeroGitWatcher:changed:
   *
   * Changed files in the workspace folder; see #SeroGitStatus.
   */
  properties[PROP_CHANGED] =
    g_param_spec_uint ("changed", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SeroGitWatcher:is-repository:
   *
   * The folder is in a git repository with a working tree.
   */
  properties[PROP_IS_REPOSITORY] =
    g_param_spec_boolean ("is-repository", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sero_git_watcher_init (SeroGitWatcher *self)
{
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, monitor_free);
  self->cancellable = g_cancellable_new ();
}

/**
 * sero_git_watcher_new:
 * @path: the workspace folder
 *
 * Returns: (transfer full): a watcher that has already started its first
 *   query; its properties fill in when that finishes
 */
SeroGitWatcher *
sero_git_watcher_new (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);

  return g_object_new (SERO_TYPE_GIT_WATCHER, "path", path, NULL);
}

const char *
sero_git_watcher_get_path (SeroGitWatcher *self)
{
  g_return_val_if_fail (SERO_IS_GIT_WATCHER (self), NULL);
  return self->path;
}

const char *
sero_git_watcher_get_branch (SeroGitWatcher *self)
{
  g_return_val_if_fail (SERO_IS_GIT_WATCHER (self), NULL);
  return self->branch;
}

gboolean
sero_git_watcher_get_detached (SeroGitWatcher *self)
{
  g_return_val_if_fail (SERO_IS_GIT_WATCHER (self), FALSE);
  return self->detached;
}

guint
sero_git_watcher_get_changed (SeroGitWatcher *self)
{
  g_return_val_if_fail (SERO_IS_GIT_WATCHER (self), 0);
  return self->changed;
}

gboolean
sero_git_watcher_get_is_repository (SeroGitWatcher *self)
{
  g_return_val_if_fail (SERO_IS_GIT_WATCHER (self), FALSE);
  return self->is_repository;
}

/**
 * sero_git_watcher_refresh:
 * @self: a #SeroGitWatcher
 *
 * Queries now, without waiting for the debounce; if a query is running,
 * one more runs right after it.
 */
void
sero_git_watcher_refresh (SeroGitWatcher *self)
{
  g_return_if_fail (SERO_IS_GIT_WATCHER (self));

  g_clear_handle_id (&self->debounce, g_source_remove);
  self->burst_started = 0;
  start_query (self);
}

guint
_sero_git_watcher_get_query_count (SeroGitWatcher *self)
{
  g_return_val_if_fail (SERO_IS_GIT_WATCHER (self), 0);
  return self->queries;
}

guint
_sero_git_watcher_get_monitor_count (SeroGitWatcher *self)
{
  g_return_val_if_fail (SERO_IS_GIT_WATCHER (self), 0);
  return self->monitors != NULL ? g_hash_table_size (self->monitors) : 0;
}

gboolean
_sero_git_watcher_is_idle (SeroGitWatcher *self)
{
  g_return_val_if_fail (SERO_IS_GIT_WATCHER (self), FALSE);
  return !self->in_flight && self->debounce == 0;
}

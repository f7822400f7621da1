/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>

#include <glib/gstdio.h>

#include "sero-git-status.h"
#include "sero-git-status-private.h"

/* Real repositories, made with the git command line in temp folders. */

static char *
git_output (const char *dir,
            ...) G_GNUC_NULL_TERMINATED;

static char *
git_output (const char *dir,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list args;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) "git");
  g_ptr_array_add (argv, (gpointer) "-C");
  g_ptr_array_add (argv, (gpointer) dir);
  g_ptr_array_add (argv, (gpointer) "-c");
  g_ptr_array_add (argv, (gpointer) "init.defaultBranch=main");
  va_start (args, dir);
  while ((arg = va_arg (args, const char *)))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("git %s failed: %s", (char *) argv->pdata[5], err);
  return g_steal_pointer (&out);
}

#define git(dir, ...) g_free (git_output (dir, __VA_ARGS__))

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("sero-git-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_dir (const char *dir)
{
  const char *argv[] = { "rm", "-rf", dir, NULL };
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static void
write_file (const char *dir,
            const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

/* In place, the way a server writes its log (write_file() replaces the file
 * through a temporary one, whose name git does not ignore). */
static void
append_file (const char *dir,
             const char *name,
             const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  FILE *file = fopen (path, "a");

  g_assert_nonnull (file);
  g_assert_cmpint (fputs (text, file), >=, 0);
  g_assert_cmpint (fclose (file), ==, 0);
}

static char *
make_subdir (const char *dir,
             const char *name)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  return path;
}

static SeroGitStatus *
query (const char *dir)
{
  g_autoptr(GError) error = NULL;
  SeroGitStatus *status = sero_git_status_query (dir, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (status);
  return status;
}

/* A repository with one commit on main. */
static char *
make_repository (void)
{
  char *dir = make_dir ();

  git (dir, "init", "-q", NULL);
  write_file (dir, "a.txt", "a");
  git (dir, "add", "-A", NULL);
  git (dir, "commit", "-q", "-m", "first", NULL);
  return dir;
}

static guint
porcelain_lines (const char *dir)
{
  g_autofree char *out = git_output (dir, "status", "--porcelain", "--untracked-files=all", NULL);
  g_auto(GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);

  return out[0] == '\0' ? 0 : g_strv_length (lines);
}

static void
test_not_a_repository (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(SeroGitStatus) status = NULL;

  write_file (dir, "a.txt", "a");
  status = query (dir);
  g_assert_null (status->branch);
  g_assert_false (status->detached);
  g_assert_cmpuint (status->changed, ==, 0);
  g_assert_null (status->upstream);

  remove_dir (dir);
}

static void
test_fresh (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *sub = NULL;
  g_autoptr(SeroGitStatus) status = NULL;

  git (dir, "init", "-q", NULL);
  write_file (dir, "a.txt", "a");
  write_file (dir, "b.txt", "b");
  sub = make_subdir (dir, "src");
  write_file (sub, "c.txt", "c");

  /* The unborn branch by name; untracked files one by one, also in a new
   * folder. */
  status = query (dir);
  g_assert_cmpstr (status->branch, ==, "main");
  g_assert_false (status->detached);
  g_assert_cmpuint (status->changed, ==, 3);
  g_assert_null (status->upstream);

  remove_dir (dir);
}

static void
test_counts (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *sub = NULL;
  g_autofree char *build = NULL;
  g_autoptr(SeroGitStatus) status = NULL;

  git (dir, "init", "-q", NULL);
  write_file (dir, ".gitignore", "*.log\nbuild/\n");
  write_file (dir, "a.txt", "a");
  write_file (dir, "b.txt", "b");
  write_file (dir, "c.txt", "c");
  write_file (dir, "d.txt", "a file long enough to be recognised as renamed\n");
  git (dir, "add", "-A", NULL);
  git (dir, "commit", "-q", "-m", "first", NULL);

  write_file (dir, "a.txt", "modified");            /* 1: modified */
  write_file (dir, "b.txt", "staged");              /* 2: staged */
  git (dir, "add", "b.txt", NULL);
  write_file (dir, "c.txt", "staged");              /* 3: staged, then modified again: once */
  git (dir, "add", "c.txt", NULL);
  write_file (dir, "c.txt", "staged and modified");
  git (dir, "mv", "d.txt", "e.txt", NULL);          /* 4: a staged rename: once */
  sub = make_subdir (dir, "src");
  write_file (sub, "new.c", "int x;");              /* 5, 6: untracked in a new folder */
  write_file (sub, "other.c", "int y;");
  write_file (dir, "debug.log", "ignored");         /* ignored by pattern */
  build = make_subdir (dir, "build");
  write_file (build, "out.o", "ignored");           /* ignored by folder */

  status = query (dir);
  g_assert_cmpstr (status->branch, ==, "main");
  g_assert_cmpuint (status->changed, ==, 6);
  /* The same as git itself says. */
  g_assert_cmpuint (status->changed, ==, porcelain_lines (dir));

  remove_dir (dir);
}

static void
test_subfolder (void)
{
  g_autofree char *dir = make_repository ();
  g_autofree char *pkg = make_subdir (dir, "pkg");
  g_autofree char *other = make_subdir (dir, "other");
  g_autoptr(SeroGitStatus) status = NULL;

  write_file (pkg, "one.c", "1");
  write_file (other, "two.c", "2");
  write_file (other, "three.c", "3");
  write_file (dir, "a.txt", "modified");

  /* A workspace inside a repository shows that repository's branch, and
   * counts the changes inside the workspace only. */
  status = query (pkg);
  g_assert_cmpstr (status->branch, ==, "main");
  g_assert_cmpuint (status->changed, ==, 1);
  g_clear_pointer (&status, sero_git_status_free);

  status = query (dir);
  g_assert_cmpuint (status->changed, ==, 4);

  remove_dir (dir);
}

static void
test_detached (void)
{
  g_autofree char *dir = make_repository ();
  g_autofree char *id = NULL;
  g_autoptr(SeroGitStatus) status = NULL;

  git (dir, "checkout", "-q", "--detach", NULL);
  id = git_output (dir, "rev-parse", "--short", "HEAD", NULL);
  g_strstrip (id);

  status = query (dir);
  g_assert_true (status->detached);
  g_assert_cmpstr (status->branch, ==, id);
  g_assert_null (status->upstream);
  g_assert_cmpuint (status->changed, ==, 0);

  remove_dir (dir);
}

static void
test_upstream (void)
{
  g_autofree char *origin = make_repository ();
  g_autofree char *parent = make_dir ();
  g_autofree char *clone = g_build_filename (parent, "clone", NULL);
  g_autoptr(SeroGitStatus) status = NULL;

  git (parent, "clone", "-q", origin, "clone", NULL);

  status = query (clone);
  g_assert_cmpstr (status->branch, ==, "main");
  g_assert_cmpstr (status->upstream, ==, "origin/main");
  g_assert_cmpuint (status->ahead, ==, 0);
  g_assert_cmpuint (status->behind, ==, 0);
  g_clear_pointer (&status, sero_git_status_free);

  git (clone, "commit", "-q", "--allow-empty", "-m", "mine", NULL);
  git (clone, "commit", "-q", "--allow-empty", "-m", "mine too", NULL);
  git (origin, "commit", "-q", "--allow-empty", "-m", "theirs", NULL);
  git (clone, "fetch", "-q", NULL);

  status = query (clone);
  g_assert_cmpstr (status->upstream, ==, "origin/main");
  g_assert_cmpuint (status->ahead, ==, 2);
  g_assert_cmpuint (status->behind, ==, 1);
  g_clear_pointer (&status, sero_git_status_free);

  /* Tracking a local branch. */
  git (clone, "checkout", "-q", "--track", "-b", "topic", "main", NULL);
  git (clone, "commit", "-q", "--allow-empty", "-m", "topic", NULL);
  status = query (clone);
  g_assert_cmpstr (status->branch, ==, "topic");
  g_assert_cmpstr (status->upstream, ==, "main");
  g_assert_cmpuint (status->ahead, ==, 1);
  g_assert_cmpuint (status->behind, ==, 0);

  remove_dir (origin);
  remove_dir (parent);
}

static void
test_untracked_hidden (void)
{
  g_autofree char *dir = make_repository ();
  g_autoptr(SeroGitStatus) status = NULL;

  /* What a dotfiles repository in the home folder does. */
  git (dir, "config", "status.showUntrackedFiles", "no", NULL);
  write_file (dir, "untracked.txt", "u");
  write_file (dir, "a.txt", "modified");

  status = query (dir);
  g_assert_cmpuint (status->changed, ==, 1);

  remove_dir (dir);
}

static void
on_ready (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static void
test_async (void)
{
  g_autofree char *dir = make_repository ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) cancelled = NULL;
  g_autoptr(SeroGitStatus) status = NULL;
  g_autoptr(SeroGitStatus) none = NULL;
  g_autoptr(GError) error = NULL;

  write_file (dir, "a.txt", "modified");

  sero_git_status_query_async (dir, NULL, on_ready, &result);
  status = sero_git_status_query_finish (wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status->branch, ==, "main");
  g_assert_cmpuint (status->changed, ==, 1);

  g_cancellable_cancel (cancellable);
  sero_git_status_query_async (dir, cancellable, on_ready, &cancelled);
  none = sero_git_status_query_finish (wait_result (&cancelled), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (none);

  remove_dir (dir);
}

/* Watcher tests: iterate the main loop until a condition holds, within a
 * generous deadline; how long it took is never asserted. */

typedef gboolean (*Condition) (SeroGitWatcher *watcher,
                               gconstpointer   data);

static gboolean
wait_for (SeroGitWatcher *watcher,
          Condition       condition,
          gconstpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!condition (watcher, data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      /* Not blocking: once everything settles no source would wake us. */
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (5 * 1000);
    }
  return TRUE;
}

static gboolean
branch_is (SeroGitWatcher *watcher,
           gconstpointer   data)
{
  return g_strcmp0 (sero_git_watcher_get_branch (watcher), data) == 0;
}

static gboolean
changed_is (SeroGitWatcher *watcher,
            gconstpointer   data)
{
  return sero_git_watcher_get_changed (watcher) == GPOINTER_TO_UINT (data);
}

static gboolean
is_repository (SeroGitWatcher *watcher,
               gconstpointer   data)
{
  return sero_git_watcher_get_is_repository (watcher);
}

static gboolean
is_detached (SeroGitWatcher *watcher,
             gconstpointer   data)
{
  return sero_git_watcher_get_detached (watcher);
}

/* Settled: nothing running or scheduled for a second and a half, three
 * debounce periods, so late file-monitor events have arrived. */
static gboolean
settled (SeroGitWatcher *watcher,
         gconstpointer   data)
{
  gint64 *idle_since = (gint64 *) data;

  if (!_sero_git_watcher_is_idle (watcher))
    {
      *idle_since = 0;
      return FALSE;
    }
  if (*idle_since == 0)
    *idle_since = g_get_monotonic_time ();
  return g_get_monotonic_time () - *idle_since > 3 * G_USEC_PER_SEC / 2;
}

static void
wait_settled (SeroGitWatcher *watcher)
{
  gint64 idle_since = 0;

  g_assert_true (wait_for (watcher, settled, &idle_since));
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_watcher_branch_switch (void)
{
  g_autofree char *dir = make_repository ();
  g_autoptr(SeroGitWatcher) watcher = sero_git_watcher_new (dir);
  guint branch_notifies = 0;
  guint changed_notifies = 0;
  guint queries;

  g_signal_connect (watcher, "notify::branch", G_CALLBACK (count_notify), &branch_notifies);
  g_signal_connect (watcher, "notify::changed", G_CALLBACK (count_notify), &changed_notifies);

  g_assert_true (wait_for (watcher, branch_is, "main"));
  g_assert_true (sero_git_watcher_get_is_repository (watcher));
  g_assert_false (sero_git_watcher_get_detached (watcher));
  g_assert_cmpuint (sero_git_watcher_get_changed (watcher), ==, 0);
  wait_settled (watcher);
  g_assert_cmpuint (branch_notifies, ==, 1);
  g_assert_cmpuint (changed_notifies, ==, 0);

  /* A branch switch from a terminal shows after the debounce. */
  git (dir, "checkout", "-q", "-b", "feature", NULL);
  g_assert_true (wait_for (watcher, branch_is, "feature"));
  wait_settled (watcher);
  g_assert_cmpuint (branch_notifies, ==, 2);

  /* A refresh that finds nothing new notifies nothing. */
  queries = _sero_git_watcher_get_query_count (watcher);
  sero_git_watcher_refresh (watcher);
  wait_settled (watcher);
  g_assert_cmpuint (_sero_git_watcher_get_query_count (watcher), ==, queries + 1);
  g_assert_cmpuint (branch_notifies, ==, 2);
  g_assert_cmpuint (changed_notifies, ==, 0);

  /* Detached, by a commit id. */
  git (dir, "checkout", "-q", "--detach", NULL);
  g_assert_true (wait_for (watcher, is_detached, NULL));

  g_clear_object (&watcher);
  remove_dir (dir);
}

static void
test_watcher_burst (void)
{
  g_autofree char *dir = make_repository ();
  g_autoptr(SeroGitWatcher) watcher = sero_git_watcher_new (dir);
  guint before;

  g_assert_true (wait_for (watcher, branch_is, "main"));
  wait_settled (watcher);

  /* A burst of 50 writes costs one query, a few at most, not fifty. */
  before = _sero_git_watcher_get_query_count (watcher);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *name = g_strdup_printf ("file-%u.txt", i);

      write_file (dir, name, "x");
    }
  g_assert_true (wait_for (watcher, changed_is, GUINT_TO_POINTER (50)));
  wait_settled (watcher);
  g_assert_cmpuint (_sero_git_watcher_get_query_count (watcher) - before, >=, 1);
  g_assert_cmpuint (_sero_git_watcher_get_query_count (watcher) - before, <=, 3);
  g_assert_cmpuint (sero_git_watcher_get_changed (watcher), ==, 50);

  g_clear_object (&watcher);
  remove_dir (dir);
}

static void
test_watcher_subfolders (void)
{
  g_autofree char *dir = make_repository ();
  g_autofree char *src = make_subdir (dir, "src");
  g_autofree char *build = make_subdir (dir, "build");
  g_autoptr(SeroGitWatcher) watcher = NULL;
  guint queries;

  write_file (dir, ".gitignore", "build/\n*.log\n");
  write_file (src, "main.c", "int main;");
  git (dir, "add", "-A", NULL);
  git (dir, "commit", "-q", "-m", "second", NULL);

  watcher = sero_git_watcher_new (dir);
  g_assert_true (wait_for (watcher, is_repository, NULL));
  wait_settled (watcher);
  /* The folder, src/ and the git folder with its refs/heads; not build/. */
  g_assert_cmpuint (_sero_git_watcher_get_monitor_count (watcher), ==, 4);

  /* An edit one level down is seen. */
  write_file (src, "main.c", "int main (void);");
  g_assert_true (wait_for (watcher, changed_is, GUINT_TO_POINTER (1)));
  wait_settled (watcher);

  /* Ignored files at the top and in an ignored folder cost no query. */
  queries = _sero_git_watcher_get_query_count (watcher);
  append_file (dir, "server.log", "first");  /* new: one query to learn it is ignored */
  wait_settled (watcher);
  queries = _sero_git_watcher_get_query_count (watcher);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("out-%u.o", i);

      write_file (build, name, "x");
      append_file (dir, "server.log", name);
    }
  wait_settled (watcher);
  g_assert_cmpuint (_sero_git_watcher_get_query_count (watcher), ==, queries);
  g_assert_cmpuint (sero_git_watcher_get_changed (watcher), ==, 1);

  /* A commit is seen through the git folder. */
  git (dir, "commit", "-q", "-a", "-m", "third", NULL);
  g_assert_true (wait_for (watcher, changed_is, GUINT_TO_POINTER (0)));

  g_clear_object (&watcher);
  remove_dir (dir);
}

static void
test_watcher_git_init (void)
{
  g_autofree char *dir = make_dir ();
  g_autoptr(SeroGitWatcher) watcher = sero_git_watcher_new (dir);
  guint repository_notifies = 0;

  g_signal_connect (watcher, "notify::is-repository", G_CALLBACK (count_notify), &repository_notifies);

  write_file (dir, "a.txt", "a");
  wait_settled (watcher);
  g_assert_false (sero_git_watcher_get_is_repository (watcher));
  g_assert_null (sero_git_watcher_get_branch (watcher));
  g_assert_cmpuint (sero_git_watcher_get_changed (watcher), ==, 0);
  g_assert_cmpuint (_sero_git_watcher_get_monitor_count (watcher), ==, 1);
  g_assert_cmpuint (repository_notifies, ==, 0);

  git (dir, "init", "-q", NULL);
  g_assert_true (wait_for (watcher, is_repository, NULL));
  g_assert_true (wait_for (watcher, branch_is, "main"));
  g_assert_true (wait_for (watcher, changed_is, GUINT_TO_POINTER (1)));
  g_assert_cmpuint (repository_notifies, ==, 1);

  /* And back: the git folder's monitors go with it. */
  {
    g_autofree char *dot_git = g_build_filename (dir, ".git", NULL);

    remove_dir (dot_git);
  }
  g_assert_true (wait_for (watcher, branch_is, NULL));
  wait_settled (watcher);
  g_assert_false (sero_git_watcher_get_is_repository (watcher));
  g_assert_cmpuint (_sero_git_watcher_get_monitor_count (watcher), ==, 1);

  g_clear_object (&watcher);
  remove_dir (dir);
}

static void
test_watcher_worktree (void)
{
  g_autofree char *dir = make_repository ();
  g_autofree char *parent = make_dir ();
  g_autofree char *worktree = g_build_filename (parent, "wt", NULL);
  g_autoptr(SeroGitWatcher) watcher = NULL;

  /* A linked worktree: .git is a file, HEAD lives in the main repository's
   * worktrees/ folder. */
  git (dir, "worktree", "add", "-q", "-b", "other", worktree, NULL);

  watcher = sero_git_watcher_new (worktree);
  g_assert_true (wait_for (watcher, branch_is, "other"));

  git (worktree, "checkout", "-q", "-b", "third", NULL);
  g_assert_true (wait_for (watcher, branch_is, "third"));

  g_clear_object (&watcher);
  remove_dir (parent);
  remove_dir (dir);
}

static gboolean
on_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_watcher_dispose_in_flight (void)
{
  g_autofree char *dir = make_repository ();
  gboolean done = FALSE;

  /* Dropped while its first query runs: that query's callback must not
   * touch it (the sanitizer build would see it). */
  for (guint i = 0; i < 10; i++)
    {
      SeroGitWatcher *watcher = sero_git_watcher_new (dir);

      g_assert_false (_sero_git_watcher_is_idle (watcher));
      g_object_unref (watcher);
    }

  g_timeout_add (1000, on_timeout, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  remove_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *home = NULL;

  g_test_init (&argc, &argv, NULL);

  /* Neither the git command line nor libgit2 may read the developer's
   * configuration (a global excludes file changes every count). */
  home = make_dir ();
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);
  g_setenv ("GIT_CONFIG_NOSYSTEM", "1", TRUE);
  g_setenv ("GIT_AUTHOR_NAME", "Sero Test", TRUE);
  g_setenv ("GIT_AUTHOR_EMAIL", "test@example.invalid", TRUE);
  g_setenv ("GIT_COMMITTER_NAME", "Sero Test", TRUE);
  g_setenv ("GIT_COMMITTER_EMAIL", "test@example.invalid", TRUE);
  g_unsetenv ("GIT_DIR");
  g_unsetenv ("GIT_WORK_TREE");

  g_test_add_func ("/sero/git/not-a-repository", test_not_a_repository);
  g_test_add_func ("/sero/git/fresh", test_fresh);
  g_test_add_func ("/sero/git/counts", test_counts);
  g_test_add_func ("/sero/git/subfolder", test_subfolder);
  g_test_add_func ("/sero/git/detached", test_detached);
  g_test_add_func ("/sero/git/upstream", test_upstream);
  g_test_add_func ("/sero/git/untracked-hidden", test_untracked_hidden);
  g_test_add_func ("/sero/git/async", test_async);
  g_test_add_func ("/sero/git/watcher/branch-switch", test_watcher_branch_switch);
  g_test_add_func ("/sero/git/watcher/burst", test_watcher_burst);
  g_test_add_func ("/sero/git/watcher/subfolders", test_watcher_subfolders);
  g_test_add_func ("/sero/git/watcher/git-init", test_watcher_git_init);
  g_test_add_func ("/sero/git/watcher/worktree", test_watcher_worktree);
  g_test_add_func ("/sero/git/watcher/dispose-in-flight", test_watcher_dispose_in_flight);

  {
    int ret = g_test_run ();

    remove_dir (home);
    return ret;
  }
}

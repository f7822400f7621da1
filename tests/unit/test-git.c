/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "sero-git-status.h"

/* Real repositories, made with the git command line. */

static void
git (const char *dir,
     const char *args)
{
  g_autofree char *command = g_strdup_printf ("git -C '%s' -c init.defaultBranch=main -c user.name=Test "
                                              "-c user.email=test@example.invalid %s", dir, args);
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_command_line_sync (command, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
}

static void
write_file (const char *dir,
            const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static SeroGitStatus *
query (const char *dir)
{
  g_autoptr(GError) error = NULL;
  SeroGitStatus *status = sero_git_status_query (dir, &error);

  g_assert_no_error (error);
  return status;
}

static void
test_not_a_repository (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sero-git-XXXXXX", NULL);
  g_autoptr(SeroGitStatus) status = query (dir);

  g_assert_null (status->branch);
  g_assert_cmpuint (status->changed, ==, 0);
}

static void
test_counts (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sero-git-XXXXXX", NULL);
  g_autofree char *sub = g_build_filename (dir, "src", NULL);
  g_autoptr(SeroGitStatus) fresh = NULL;
  g_autoptr(SeroGitStatus) dirty = NULL;
  g_autoptr(SeroGitStatus) detached = NULL;
  g_autoptr(SeroGitStatus) from_sub = NULL;

  git (dir, "init -q");
  write_file (dir, "a.txt", "a");
  write_file (dir, "b.txt", "b");

  /* A fresh repository: its unborn branch, two untracked files. */
  fresh = query (dir);
  g_assert_cmpstr (fresh->branch, ==, "main");
  g_assert_false (fresh->detached);
  g_assert_cmpuint (fresh->changed, ==, 2);

  write_file (dir, ".gitignore", "*.log\n");
  git (dir, "add -A");
  git (dir, "commit -q -m first");

  /* modified, staged, untracked (in a new folder) and ignored */
  write_file (dir, "a.txt", "changed");
  write_file (dir, "b.txt", "staged");
  git (dir, "add b.txt");
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  write_file (sub, "new.c", "int x;");
  write_file (sub, "other.c", "int y;");
  write_file (dir, "debug.log", "ignored");
  dirty = query (dir);
  g_assert_cmpuint (dirty->changed, ==, 4);

  /* A subfolder of the repository shows the repository's state. */
  from_sub = query (sub);
  g_assert_cmpstr (from_sub->branch, ==, "main");

  git (dir, "checkout -q --detach");
  detached = query (dir);
  g_assert_true (detached->detached);
  g_assert_cmpuint (strlen (detached->branch), ==, 7);
}

static gboolean
branch_is (gpointer data)
{
  return g_strcmp0 (sero_git_watcher_get_branch (((gpointer *) data)[0]), ((gpointer *) data)[1]) == 0;
}

static gboolean
wait_for (gboolean (*condition) (gpointer),
          gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      /* Not blocking: once everything settles no source would wake us. */
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (10 * 1000);
    }
  return TRUE;
}

typedef struct
{
  SeroGitWatcher *watcher;
  guint           last;
  gint64          since;
} Settle;

/* Settled: no new query for two seconds, four times the debounce. */
static gboolean
settled (gpointer data)
{
  Settle *settle = data;
  guint now = _sero_git_watcher_get_query_count (settle->watcher);

  if (now != settle->last)
    {
      settle->last = now;
      settle->since = g_get_monotonic_time ();
      return FALSE;
    }
  return g_get_monotonic_time () - settle->since > 2 * G_USEC_PER_SEC;
}

static void
wait_settled (SeroGitWatcher *watcher)
{
  Settle settle = { watcher, _sero_git_watcher_get_query_count (watcher), g_get_monotonic_time () };

  g_assert_true (wait_for (settled, &settle));
}

static void
test_watcher (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sero-git-XXXXXX", NULL);
  g_autoptr(SeroGitWatcher) watcher = NULL;
  gpointer main_branch[] = { NULL, (gpointer) "main" };
  gpointer feature_branch[] = { NULL, (gpointer) "feature" };
  guint before;

  git (dir, "init -q");
  write_file (dir, "a.txt", "a");
  git (dir, "add -A");
  git (dir, "commit -q -m first");

  watcher = sero_git_watcher_new (dir);
  main_branch[0] = feature_branch[0] = watcher;
  g_assert_true (wait_for (branch_is, main_branch));

  /* A branch switch outside Sero shows up after the debounce. */
  git (dir, "checkout -q -b feature");
  g_assert_true (wait_for (branch_is, feature_branch));
  wait_settled (watcher);

  /* A burst of 50 writes costs one or two queries, not fifty. */
  before = _sero_git_watcher_get_query_count (watcher);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *name = g_strdup_printf ("file-%u.txt", i);
      write_file (dir, name, "x");
    }
  wait_settled (watcher);
  g_assert_cmpuint (_sero_git_watcher_get_query_count (watcher) - before, >=, 1);
  g_assert_cmpuint (_sero_git_watcher_get_query_count (watcher) - before, <=, 3);
  g_assert_cmpuint (sero_git_watcher_get_changed (watcher), ==, 50);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sero/git/not-a-repository", test_not_a_repository);
  g_test_add_func ("/sero/git/counts", test_counts);
  g_test_add_func ("/sero/git/watcher", test_watcher);

  return g_test_run ();
}
